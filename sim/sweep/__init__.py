"""Sweeps: many jobs (scenario x strategy x US policy x parameters), resumable, queryable.

- :mod:`sim.sweep.plan`: what ``trisim [-m] ...`` will run, validated before any job runs, each
  job known by the digest of its resolved inputs; the Hydra sweeper ``hydra_plugins.trisim_sweeper``
  launches the plan's jobs;
- :mod:`sim.sweep.catalog`: DuckDB over every result file (``trisim catalog``);
- :mod:`sim.sweep.cli`: ``trisim sweep NAME ...``, a named, resumable, parallel multirun.

The job itself is :func:`sim.job.run_job`; the files it writes are described in :mod:`sim.results`.
"""

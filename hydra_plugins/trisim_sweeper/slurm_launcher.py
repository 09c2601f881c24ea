"""``hydra/launcher=slurm``: submitit's SLURM launcher, with each job's result collected on its own.

The submitit launcher waits for its jobs' results in order and raises at the first job that did
not complete (one cancelled with ``scancel``, killed for memory or time), leaving the others
running unobserved and the sweep without its summary. This launcher waits for every job: one that
did not complete becomes that job's failure (the trisim sweeper records its ``failure.json``);
and if the sweep itself is stopped (SIGTERM, Ctrl-C), it cancels the jobs it submitted.

Importing this module must stay cheap: Hydra imports every plugin module at start-up.
"""

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher as SubmititSlurmLauncher
from omegaconf import OmegaConf

log = logging.getLogger(__name__)


class SlurmLauncher(SubmititSlurmLauncher):
    """The submitit SLURM launcher that reports a job that did not complete instead of raising."""

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        # The executor is set up as BaseSubmititLauncher.launch sets it up (hydra-submitit-launcher
        # 1.2); only the waiting differs.
        import submitit

        assert self.config is not None
        init_keys = {"max_num_timeout", "submitit_folder"}
        init_params = {"folder": self.params["submitit_folder"]}
        if "max_num_timeout" in self.params:
            init_params[f"{self._EXECUTOR}_max_num_timeout"] = self.params["max_num_timeout"]
        executor = submitit.AutoExecutor(cluster=self._EXECUTOR, **init_params)
        base = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(**{k if k in base else f"{self._EXECUTOR}_{k}": v
                                      for k, v in self.params.items() if k not in init_keys})
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        if "mode" in self.config.hydra.sweep:
            os.chmod(sweep_dir, mode=int(str(self.config.hydra.sweep.mode), 8))
        params: list[Any] = []
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
            params.append((list(overrides), "hydra.sweep.dir", idx, f"job_id_for_{idx}", Singleton.get_state()))
        jobs = executor.map_array(self, *zip(*params))
        log.info("submitted %d jobs to SLURM as array job %s", len(jobs), jobs[0].job_id.split("_")[0])
        try:
            return [_wait(job, overrides) for job, overrides in zip(jobs, job_overrides)]
        except BaseException:  # the sweep is stopping: take its queued and running jobs with it
            # one scancel for all, bounded: a controller that does not answer must not hold the sweep
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(["scancel", *{j.job_id.split("_")[0] for j in jobs}], timeout=15,
                               capture_output=True, check=False)
            raise


#: A job SLURM no longer knows for this long (an array task cancelled while pending leaves no
#: accounting record) has ended without running.
LOST_AFTER = 30.0
POLL = 1.0


def _wait(job: Any, overrides: Sequence[str]) -> JobReturn:
    """Wait for a job; its JobReturn, or a failed one that holds why the job did not complete."""
    unknown_since = None
    while not job.done():
        if job.state == "UNKNOWN":
            unknown_since = unknown_since or time.monotonic()
            if time.monotonic() - unknown_since > LOST_AFTER:
                return _failed(f"SLURM job {job.job_id} is no longer known to SLURM (CANCELLED while pending, "
                               "or its record was lost)", overrides)
        else:
            unknown_since = None
        time.sleep(POLL)
    try:
        return job.results()[0]
    except Exception as err:
        return _failed(f"SLURM job {job.job_id} did not complete: {str(err).strip().splitlines()[0]}", overrides)


def _failed(error: str, overrides: Sequence[str]) -> JobReturn:
    failed = JobReturn(overrides=list(filter_overrides(overrides)))
    failed.status = JobStatus.FAILED
    failed.return_value = RuntimeError(error)
    return failed

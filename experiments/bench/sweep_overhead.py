"""What the sweep machinery costs next to the simulation.

1. A local sweep of many tiny jobs (default 100 jobs of one strategy, 10 replications of 12
   months each) through ``trisim sweep`` (Hydra multirun: planning, the joblib launcher, job
   folders, atomic Parquet writes), against the same jobs run in one process by
   :func:`sim.job.run_job` (same simulation, same files, no Hydra) and by the simulation alone.
2. A large sweep (default 8 jobs x 5 strategies x 2000 replications x 120 months) on every
   core, against one process: throughput in replication-months per second.

Prints a table and writes it as CSV::

    python experiments/bench/sweep_overhead.py                 # the full benchmark
    python experiments/bench/sweep_overhead.py --jobs 20 --large-replications 200   # quicker
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.config import RunConfig, to_run
from sim.job import JobContext, execute, run_job

HERE = Path(__file__).resolve().parent


def config(overrides: dict) -> OmegaConf:
    cfg = OmegaConf.structured(RunConfig)
    for key, value in overrides.items():
        OmegaConf.update(cfg, key, value)
    return cfg


def job_configs(base: dict, jobs: int) -> list:
    """One config per job: the base settings, seeds 0..jobs-1 (as ``seed=range(0,jobs)`` sweeps)."""
    return [config({**base, "seed": seed}) for seed in range(jobs)]


def sweep(name: str, base: dict, jobs: int, workers: int, launcher: str, cwd: Path) -> float:
    """Wall time of ``trisim sweep`` as a command (interpreter start included)."""
    args = [f"{k}={v}" for k, v in base.items() if k != "strategy.names"]
    if "strategy.names" in base:
        args += [f"strategy={name}" for name in base["strategy.names"]]  # one strategy: its config group
    cmd = [sys.executable, "-m", "sim", "sweep", name, *args, f"seed=range(0,{jobs})", "--workers", str(workers),
           "--launcher", launcher, "output.progress=false"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"sweep {name} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall


def in_process(cfgs: list, out: Path, write: bool) -> float:
    """Wall time of the same jobs in this process: the full job (``write``) or the simulation."""
    start = time.perf_counter()
    for i, cfg in enumerate(cfgs):
        if write:
            run_job(cfg, JobContext(directory=out / f"job{i}", sweep_id="bench", job_id=f"seed={i}", in_sweep=True),
                    progress=False)
        else:
            execute(to_run(cfg), progress=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100, help="jobs of the tiny sweep")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--large-jobs", type=int, default=8)
    parser.add_argument("--large-replications", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "sweep_overhead.csv")
    args = parser.parse_args(argv)

    tiny = {"strategy.names": ["balancing"], "months": 12, "replications": 10}
    large = {"months": 120, "replications": args.large_replications}
    tiny_rm = args.jobs * 12 * 10
    large_rm = args.large_jobs * 5 * 120 * args.large_replications
    rows = []

    def record(case: str, jobs: int, workers: int, rep_months: int, wall: float) -> None:
        rows.append({"case": case, "jobs": jobs, "workers": workers, "replication_months": rep_months,
                     "wall_s": round(wall, 2), "per_job_s": round(wall / jobs, 3),
                     "rep_months_per_s": round(rep_months / wall)})
        print(f"  {case}: {wall:.1f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="trisim-bench-") as tmp:
        work = Path(tmp)
        cfgs = job_configs(tiny, args.jobs)
        in_process(cfgs[:2], work / "warm", write=True)  # imports and first-call costs
        record("tiny: simulation only, one process", args.jobs, 1, tiny_rm, in_process(cfgs, work, write=False))
        record("tiny: run_job (simulate + write), one process", args.jobs, 1, tiny_rm,
               in_process(cfgs, work / "jobs", write=True))
        record("tiny: trisim sweep, basic launcher (one process)", args.jobs, 1, tiny_rm,
               sweep("tiny-basic", tiny, args.jobs, 1, "basic", work))
        record(f"tiny: trisim sweep, joblib x{args.workers}", args.jobs, args.workers, tiny_rm,
               sweep("tiny-joblib", tiny, args.jobs, args.workers, "joblib", work))
        record("tiny: re-run of the complete sweep (nothing to do)", args.jobs, args.workers, tiny_rm,
               sweep("tiny-joblib", tiny, args.jobs, args.workers, "joblib", work))

        cfgs = job_configs(large, args.large_jobs)
        record("large: simulation only, one process", args.large_jobs, 1, large_rm,
               in_process(cfgs, work, write=False))
        record("large: trisim sweep, joblib x1", args.large_jobs, 1, large_rm,
               sweep("large-1", large, args.large_jobs, 1, "joblib", work))
        record(f"large: trisim sweep, joblib x{args.workers}", args.large_jobs, args.workers, large_rm,
               sweep("large-n", large, args.large_jobs, args.workers, "joblib", work))

    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    base = rows[0]["wall_s"]
    print(f"\nsweep machinery per tiny job: {(rows[3]['wall_s'] - base) / args.jobs:.3f} s with "
          f"{args.workers} workers, {(rows[2]['wall_s'] - base) / args.jobs:.3f} s in one process "
          f"(simulation {base / args.jobs:.3f} s per job)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

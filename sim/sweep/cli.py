"""``trisim sweep NAME [overrides...]``: a named sweep, run in parallel, resumable.

It is ``trisim --multirun sweep.id=NAME hydra/launcher=workers ...``: results go to
``multirun/NAME/<job>``; running the same command again runs only the jobs without a complete
result (after an interruption, or after a job failed). The ``workers`` launcher
(:mod:`sim.sweep.workers`) runs the jobs in long-lived processes (this one, for one worker) that
share the cores as the batch engine's threads.
"""

from __future__ import annotations

import argparse
import os

#: Launchers by short name: the Hydra launcher and the overrides it needs.
LAUNCHERS = {
    "workers": lambda workers: ["hydra/launcher=workers", *([f"hydra.launcher.workers={workers}"] if workers else [])],
    "joblib": lambda workers: ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers or os.cpu_count() or 1}"],
    "basic": lambda workers: ["hydra/launcher=basic"],
    "submitit_local": lambda workers: ["hydra/launcher=submitit_local"],
    "slurm": lambda workers: ["hydra/launcher=slurm"],
}


def command(name: str, overrides: list[str], workers: int | None, launcher: str = "workers") -> list[str]:
    """The ``trisim`` arguments that run sweep ``name``.

    A launcher chosen among the overrides (``hydra/launcher=slurm``) wins over ``--launcher``, and
    then none of the default launcher's settings (``hydra.launcher.workers``) is added.
    """
    chosen = launcher_chosen(overrides)
    return ["--multirun", f"sweep.id={name}", *([] if chosen else LAUNCHERS[launcher](workers)), *overrides]


def launcher_chosen(overrides: list[str]) -> bool:
    """Whether the overrides choose a launcher (``hydra/launcher=slurm``)."""
    return any(o.split("=", 1)[0].lstrip("+~") == "hydra/launcher" for o in overrides)


def main(argv: list[str] | None = None) -> int:
    """Run (or resume) the sweep named on the command line; the exit status."""
    from sim.cli import hydra_main

    parser = argparse.ArgumentParser(
        prog="trisim sweep",
        description="Run a named sweep of jobs (every combination of the values given as key=a,b,c, or an "
                    "experiment), in parallel; run the same command again to resume it.",
        epilog="example: trisim sweep war1 experiment=war_ends replications=1000")
    parser.add_argument("name", help="the sweep's id; results go to multirun/NAME")
    parser.add_argument("overrides", nargs="*", help="config overrides, as for trisim (key=value, key=a,b,c)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: as many as finish the jobs soonest, at most one per "
                             "core); the cores are shared among them as the batch engine's threads")
    parser.add_argument("--add", action="store_true",
                        help="add jobs of another configuration to an existing sweep of this name "
                             "(without it, a name already used for other jobs is refused)")
    parser.add_argument("--launcher", choices=list(LAUNCHERS), default="workers",
                        help="workers: long-lived processes on this machine (default); joblib: Hydra's joblib "
                             "launcher (a Hydra job per job); basic: one after another in this process; "
                             "submitit_local: submitit on this machine; slurm: a SLURM cluster "
                             "(configs/hydra/launcher/slurm.yaml)")
    args = parser.parse_intermixed_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be >= 1")
    return hydra_main(command(args.name, args.overrides, args.workers, args.launcher), add=args.add)

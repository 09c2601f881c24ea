"""``hydra/launcher=workers``: a planned sweep's jobs in long-lived worker processes (this machine).

The jobs run in :mod:`sim.sweep.workers` from the configs the plan resolved; ``trisim`` calls it
without starting Hydra's multirun (the plan has composed every job already), and this launcher
is the same for a sweep that goes through Hydra's multirun.

Importing this module must stay cheap: Hydra imports every plugin module at start-up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn, JobStatus
from hydra.plugins.launcher import Launcher


@dataclass
class WorkersLauncherConf:
    _target_: str = "hydra_plugins.trisim_sweeper.workers_launcher.WorkersLauncher"
    #: worker processes (null: as many as make the jobs finish soonest, at most one per core);
    #: the cores are shared among them as the batch engine's threads
    workers: Optional[int] = None


ConfigStore.instance().store(group="hydra/launcher", name="workers", node=WorkersLauncherConf, provider="trisim")


class WorkersLauncher(Launcher):
    """Run the active plan's jobs given by ``job_overrides`` in :mod:`sim.sweep.workers`."""

    def __init__(self, workers: Optional[int] = None) -> None:
        self.workers = workers

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        self.config = config

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        from sim.sweep.plan import launched_jobs
        from sim.sweep.workers import run_jobs

        plan, jobs = launched_jobs(job_overrides, "workers")
        returns = []
        for lines, error in zip(job_overrides, run_jobs(plan, jobs, self.workers)):
            ret = JobReturn(overrides=list(lines[:-1]))
            ret.status = JobStatus.COMPLETED if error is None else JobStatus.FAILED
            ret.return_value = error
            returns.append(ret)
        return returns

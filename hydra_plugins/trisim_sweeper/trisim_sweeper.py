"""``hydra/sweeper=trisim``: launches the jobs of the plan :mod:`sim.sweep.plan` made.

Hydra's basic sweeper launches every job of the grid and stops the sweep at the first job that
raised. This sweeper launches only the plan's jobs still to run, each into the folder the plan
chose (a job respelled on the command line keeps its folder), and treats a job that could not
run (a launcher error, a cancelled cluster job, a write that failed outside the job's own code)
as that job's failure: it records ``failure.json`` for it and goes on with the others.

Importing this module must stay cheap: Hydra imports every plugin module at start-up.
"""

import logging
from dataclasses import dataclass
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from hydra.plugins.sweeper import Sweeper

log = logging.getLogger(__name__)


@dataclass
class TrisimSweeperConf:
    _target_: str = "hydra_plugins.trisim_sweeper.trisim_sweeper.TrisimSweeper"
    #: jobs handed to the launcher at once (all: None); a launcher error fails only its batch
    max_batch_size: Any = None
    #: what to sweep, as in Hydra's basic sweeper (experiments set it)
    params: Any = None


ConfigStore.instance().store(group="hydra/sweeper", name="trisim", node=TrisimSweeperConf, provider="trisim")


class TrisimSweeper(Sweeper):
    """Launch the active plan's jobs in batches; a job that fails never fails the sweep."""

    def __init__(self, max_batch_size: Optional[int] = None, params: Any = None) -> None:
        self.max_batch_size = max_batch_size
        self.config = None
        self.launcher = None
        self.hydra_context = None

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        from hydra.core.plugins import Plugins

        self.config = config
        self.hydra_context = hydra_context
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: list) -> list:
        from sim.sweep.plan import active_plan, record_launch_failures, subdir_override

        plan = active_plan()
        if plan is None:
            raise RuntimeError("hydra/sweeper=trisim launches a plan made by `trisim -m ...`; run the sweep "
                               "through trisim")
        todo = plan.todo
        size = self.max_batch_size or len(todo) or 1
        returns: list[Any] = []
        for start in range(0, len(todo), size):
            batch = todo[start:start + size]
            lines = [[*job.overrides, subdir_override(job)] for job in batch]
            try:
                results = list(self.launcher.launch(lines, initial_job_idx=start))
            except Exception as err:  # the whole batch could not run: each job of it failed
                record_launch_failures(plan, batch, [err] * len(batch))
                continue
            errors = [_error(r) for r in results]
            record_launch_failures(plan, batch, errors)
            returns.extend(results)
        return returns


def _error(result: Any) -> Optional[BaseException]:
    """The exception a job's task raised outside ``run_job`` (None if it returned)."""
    try:
        value = result.return_value
    except Exception as err:
        return err
    return value if isinstance(value, BaseException) else None

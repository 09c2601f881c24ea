"""``hydra/launcher=slurm``: submitit's SLURM launcher, with several jobs per array task and each
job's result collected on its own.

An array task is a process that starts Python, imports the package and loads the compiled model
(seconds) before its first job; many sweeps' jobs take a fraction of that. So the launcher hands
each array task several consecutive jobs of the plan (``jobs_per_task``, :func:`task_size`), which
it runs in that one process as the ``workers`` launcher runs jobs on one machine
(:func:`sim.sweep.workers.run_jobs`: the configs the plan resolved, no Hydra job per job, jobs
that differ only in parameters in one batch call, ``sim.job.run_job``'s guarantees per job, on
the task's CPUs); a job that fails leaves its ``failure.json`` and the task goes on.

The submitit launcher waits for its jobs' results in order and raises at the first job that did
not complete (one cancelled with ``scancel``, killed for memory or time), leaving the others
running unobserved and the sweep without its summary. This launcher waits for every task: when one
did not complete, those of its jobs that have no complete result fail (the trisim sweeper
records their ``failure.json``) and those that completed count as complete; and if the sweep
itself is stopped (SIGTERM, Ctrl-C), it cancels the tasks it submitted.

Importing this module must stay cheap: Hydra imports every plugin module at start-up.
"""

import contextlib
import logging
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf, SlurmQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher as SubmititSlurmLauncher
from omegaconf import OmegaConf

log = logging.getLogger(__name__)

#: ``jobs_per_task: auto`` puts this many seconds of work (one CPU's, as estimated from the jobs'
#: replications, months and strategies) into a task, against the task's start-up of a few seconds.
TASK_WORK = 60.0
#: ... and keeps a task's estimated work within this share of its time limit.
TIMEOUT_SHARE = 0.5
#: What ``jobs_per_task`` may be, for error messages.
ALLOWED = "a whole number >= 1 (the jobs each array task runs) or auto"


@dataclass
class TrisimSlurmConf(SlurmQueueConf):
    """submitit's SLURM settings, and how many jobs an array task runs."""

    _target_: str = "hydra_plugins.trisim_sweeper.slurm_launcher.SlurmLauncher"
    #: jobs per array task, run in its one process; auto: from the jobs' size (:func:`task_size`)
    jobs_per_task: Any = "auto"


ConfigStore.instance().store(group="hydra/launcher", name="trisim_slurm", node=TrisimSlurmConf, provider="trisim")


def check_jobs_per_task(value: Any) -> int | str:
    """``value`` as a setting of ``jobs_per_task``: an int >= 1 or ``"auto"``.

    Raises:
        ValueError: one line saying what is allowed.
    """
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"jobs_per_task = {value!r} is not allowed: use {ALLOWED}")


def task_size(setting: Any, jobs: int, work: float | None, parallelism: int, timeout_min: float) -> int:
    """How many jobs each array task runs.

    A number is taken as it is (at most ``jobs``). ``auto`` puts enough jobs in a task that all
    tasks can run at once (``ceil(jobs / parallelism)``, ``parallelism`` being
    ``array_parallelism``), and short jobs further, up to :data:`TASK_WORK` seconds of work a
    task, ``work`` being the seconds one job takes on one CPU (None: unknown, one job a task);
    never more than keeps a task's work within :data:`TIMEOUT_SHARE` of ``timeout_min`` (the
    time limit is the task's).
    """
    setting = check_jobs_per_task(setting)
    jobs = max(1, jobs)
    if setting != "auto":
        return min(setting, jobs)
    size = math.ceil(jobs / max(1, parallelism))
    if work is not None and work > 0:
        size = max(size, math.floor(TASK_WORK / work))
        size = min(size, math.floor(TIMEOUT_SHARE * timeout_min * 60 / work))
    return max(1, min(size, jobs))


def task_ranges(jobs: int, size: int) -> list[range]:
    """The jobs of each task: the plan's jobs ``0 .. jobs - 1`` in consecutive runs of at most
    ``size``, as few tasks as that allows and as even as possible (10 jobs, at most 4: 4, 3, 3)."""
    if jobs <= 0:
        return []
    count = math.ceil(jobs / max(1, size))
    base, extra = divmod(jobs, count)
    out, start = [], 0
    for k in range(count):
        end = start + base + (k < extra)
        out.append(range(start, end))
        start = end
    return out


def run_task(share: Any) -> tuple[list[str | None], dict[str, str]]:
    """The array task: the jobs of ``share`` (its part of the sweep's plan, a
    :class:`sim.sweep.plan.Plan`), run in this process as the workers launcher runs them
    (:func:`sim.sweep.workers.run_jobs`: one worker on the task's CPUs, the plan's resolved
    configs, jobs that differ only in parameters in one batch call). For each job None, or the
    error that kept it from running (a job that failed in its own code has its ``failure.json``);
    and the jobs seen complete."""
    from sim.sweep.workers import run_jobs

    logging.raiseExceptions = False  # a log line on a full disk: the job's outcome says what failed
    errors = run_jobs(share, share.jobs, most=1)
    return [None if e is None else f"{type(e).__name__}: {e}".strip().splitlines()[0] for e in errors], dict(
        share.launched)


def share_of(plan: Any, jobs: Sequence[Any]) -> Any:
    """The part of ``plan`` an array task runs: its ``jobs``, with absolute folders (a task need
    not start where the sweep did)."""
    import dataclasses

    return dataclasses.replace(plan, directory=Path(plan.directory).absolute(), notes=(), launched={}, jobs=tuple(
        dataclasses.replace(job, directory=Path(job.directory).absolute()) for job in jobs))


class SlurmLauncher(SubmititSlurmLauncher):
    """The submitit SLURM launcher with several jobs per array task, which reports a task that did
    not complete as the failure of its jobs that did not complete, instead of raising."""

    def __init__(self, jobs_per_task: Any = "auto", **params: Any) -> None:
        super().__init__(**params)
        self.jobs_per_task = check_jobs_per_task(jobs_per_task)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        # The executor is set up as BaseSubmititLauncher.launch sets it up (hydra-submitit-launcher
        # 1.2); what an array task runs and the waiting differ.
        import submitit

        from sim.sweep.plan import launched_jobs
        from sim.sweep.workers import job_work

        assert self.config is not None
        plan, planned = launched_jobs(job_overrides, "slurm")
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
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
        size = task_size(self.jobs_per_task, len(planned), job_work([job.config for job in planned]),
                         int(self.params.get("array_parallelism") or 1), float(self.params.get("timeout_min") or 60))
        ranges = task_ranges(len(planned), size)
        tasks = executor.map_array(run_task, [share_of(plan, [planned[i] for i in jobs]) for jobs in ranges])
        array = tasks[0].job_id.split("_")[0]
        n = len(planned)
        print(f"sweep {plan.sweep_id}: {n} job{'s' if n > 1 else ''} in {len(tasks)} SLURM array "
              f"task{'s' if len(tasks) > 1 else ''} of at most {size} (array job {array})", file=sys.stderr)
        log.info("submitted %d jobs to SLURM as array job %s, %d tasks", n, array, len(tasks))
        try:
            returns: list[JobReturn] = []
            for task, jobs in zip(tasks, ranges):
                returns += _wait(task, [job_overrides[i] for i in jobs], [planned[i] for i in jobs], plan.launched)
            return returns
        except BaseException:  # the sweep is stopping: take its queued and running tasks with it
            # one scancel for all, bounded: a controller that does not answer must not hold the sweep
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(["scancel", *{t.job_id.split("_")[0] for t in tasks}], timeout=15,
                               capture_output=True, check=False)
            raise


#: A job SLURM no longer knows for this long (an array task cancelled while pending leaves no
#: accounting record) has ended without running.
LOST_AFTER = 30.0
POLL = 1.0


def _wait(task: Any, overrides: Sequence[Sequence[str]], planned: Sequence[Any],
          launched: dict[str, str]) -> list[JobReturn]:
    """Wait for an array task; the JobReturn of each of its jobs (``launched`` notes those the
    task saw complete, as :attr:`sim.sweep.plan.Plan.launched` does). If the task did not
    complete, a job of it that has its complete result counts as complete, and each of the
    others gets a failed JobReturn that holds why the task did not complete."""
    unknown_since = None
    error = None
    while not task.done():
        if task.state == "UNKNOWN":
            unknown_since = unknown_since or time.monotonic()
            if time.monotonic() - unknown_since > LOST_AFTER:
                error = (f"SLURM job {task.job_id} is no longer known to SLURM (CANCELLED while pending, "
                         "or its record was lost)")
                break
        else:
            unknown_since = None
        time.sleep(POLL)
    if error is None:
        from submitit.core.utils import FailedJobError, UncompletedJobError

        try:
            errors, complete = task.results()[0]
        except FailedJobError as err:  # the task's own code raised (submitit's message starts with it)
            error = f"SLURM job {task.job_id} failed: {str(err).strip().splitlines()[0]}"
        except UncompletedJobError:  # its message leads with a file path; the state says what happened
            error = f"SLURM job {task.job_id} did not complete (state: {task.state})"
        except Exception as err:
            error = f"SLURM job {task.job_id} did not complete: {str(err).strip().splitlines()[0]}"
        else:
            launched.update(complete)
            return [_completed(lines) if e is None else _failed(e, lines) for lines, e in zip(overrides, errors)]
    return [_completed(lines) if _complete(job) else _failed(error, lines) for lines, job in zip(overrides, planned)]


def _complete(job: Any) -> bool:
    """Whether a planned job's folder holds its complete result now."""
    from sim.sweep.plan import job_status

    return job_status(job) == "complete"


def _completed(overrides: Sequence[str]) -> JobReturn:
    done = JobReturn(overrides=list(filter_overrides(overrides)))
    done.status = JobStatus.COMPLETED
    done.return_value = None
    return done


def _failed(error: str, overrides: Sequence[str]) -> JobReturn:
    failed = JobReturn(overrides=list(filter_overrides(overrides)))
    failed.status = JobStatus.FAILED
    failed.return_value = RuntimeError(error)
    return failed

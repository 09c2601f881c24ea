"""Several jobs per SLURM array task (``hydra.launcher.jobs_per_task``), without a cluster.

How many jobs a task runs, which jobs, what a task does (in this process here), that a job
failing in a task leaves its others to run, and what becomes of the jobs of a task that did not
complete. The real cluster runs the same code in
``tests/sweep/test_slurm.py``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hydra.core.utils import JobStatus
from submitit.core.utils import UncompletedJobError

from hydra_plugins.trisim_sweeper import slurm_launcher
from hydra_plugins.trisim_sweeper.slurm_launcher import (
    TASK_WORK,
    check_jobs_per_task,
    run_task,
    share_of,
    task_ranges,
    task_size,
)
from sim.cli import CONFIG_DIR
from sim.results import FAILURE, RESULT
from sim.sweep.plan import make_plan
from tests.sweep.helpers import TINY, sweep_rows, trisim


def test_a_number_of_jobs_per_task_is_taken_as_it_is_up_to_the_sweeps_size():
    assert task_size(1, jobs=20, work=0.1, parallelism=256, timeout_min=60) == 1
    assert task_size(3, jobs=20, work=1000.0, parallelism=256, timeout_min=60) == 3
    assert task_size(50, jobs=20, work=None, parallelism=256, timeout_min=60) == 20


def test_auto_gives_short_jobs_a_minute_of_work_per_task():
    assert task_size("auto", jobs=20, work=0.3, parallelism=256, timeout_min=60) == 20  # 6 s: one task
    assert task_size("auto", jobs=1000, work=1.0, parallelism=256, timeout_min=60) == TASK_WORK
    assert task_size("auto", jobs=20, work=TASK_WORK / 4, parallelism=256, timeout_min=60) == 4


def test_auto_runs_long_jobs_alone_unless_the_tasks_would_exceed_the_parallelism():
    assert task_size("auto", jobs=20, work=600.0, parallelism=256, timeout_min=60) == 1
    assert task_size("auto", jobs=20, work=600.0, parallelism=5, timeout_min=240) == 4  # 5 tasks, all at once
    assert task_size("auto", jobs=20, work=None, parallelism=256, timeout_min=60) == 1  # size unknown


def test_auto_keeps_a_tasks_work_within_half_its_time_limit():
    # 4 jobs of 10 minutes a task would keep 5 tasks running at once, but exceed 30 of their 60 minutes
    assert task_size("auto", jobs=20, work=600.0, parallelism=5, timeout_min=60) == 3
    assert task_size("auto", jobs=20, work=600.0, parallelism=2, timeout_min=60) == 3
    assert task_size("auto", jobs=20, work=3 * 3600.0, parallelism=2, timeout_min=60) == 1  # never fewer than one


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "two", None, "3"])
def test_a_bad_jobs_per_task_says_what_is_allowed(value):
    with pytest.raises(ValueError, match=r"^jobs_per_task = .* is not allowed: use a whole number >= 1 .* or auto$"):
        check_jobs_per_task(value)
    assert check_jobs_per_task("auto") == "auto"
    assert check_jobs_per_task(4) == 4


def test_a_bad_jobs_per_task_stops_the_sweep_before_anything_is_submitted(workdir, capsys):
    assert trisim("-m", *TINY, "seed=0,1", "hydra/launcher=slurm", "hydra.launcher.jobs_per_task=0") == 2
    err = capsys.readouterr().err.strip()
    assert err == ("trisim: error: hydra.launcher.jobs_per_task = 0 is not allowed: use a whole number >= 1 "
                   "(the jobs each array task runs) or auto")
    assert not (workdir / "multirun").exists()


def test_the_slurm_launcher_config_chooses_the_jobs_per_task_by_default():
    from hydra import compose, initialize_config_dir

    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", ["hydra/launcher=slurm", "hydra.launcher.jobs_per_task=3"], return_hydra_config=True)
        default = compose("config", ["hydra/launcher=slurm"], return_hydra_config=True)
    assert cfg.hydra.launcher.jobs_per_task == 3
    assert default.hydra.launcher.jobs_per_task == "auto"
    assert default.hydra.launcher._target_ == "hydra_plugins.trisim_sweeper.slurm_launcher.SlurmLauncher"


@pytest.mark.parametrize(("jobs", "size", "sizes"), [
    (6, 3, [3, 3]), (10, 4, [4, 3, 3]), (20, 6, [5, 5, 5, 5]), (3, 1, [1, 1, 1]), (3, 10, [3]), (1, 1, [1])])
def test_tasks_run_consecutive_jobs_as_few_and_as_even_as_the_size_allows(jobs, size, sizes):
    ranges = task_ranges(jobs, size)
    assert [len(r) for r in ranges] == sizes
    assert [i for r in ranges for i in r] == list(range(jobs))  # every job once, in the plan's order
    assert task_ranges(0, 3) == []


@pytest.fixture
def three_jobs(workdir):
    """The plan of a sweep of three tiny jobs, the second of which cannot write its table."""
    jobs = [*TINY, "seed=0,1,2", "sweep.id=t"]
    blocked = workdir / "multirun" / "t" / "months=6,replications=3,seed=1"
    (blocked / RESULT).mkdir(parents=True)  # the table cannot be renamed onto a folder
    return make_plan(jobs, multirun=True, config_dir=CONFIG_DIR), blocked


def test_a_task_runs_its_jobs_and_one_failing_leaves_the_others_to_complete(three_jobs, workdir, capsys):
    plan, blocked = three_jobs
    share = share_of(plan, plan.jobs)
    assert all(job.directory.is_absolute() for job in share.jobs)
    errors, complete = run_task(share)
    assert errors == [None, None, None]  # the failed job recorded its own failure.json
    assert json.loads((blocked / FAILURE).read_text())["error"].startswith("IsADirectoryError")
    assert complete == {plan.jobs[0].job_id: "complete", plan.jobs[2].job_id: "complete"}
    assert plan.launched == {}  # the task's share is a copy: the sweep learns from the task's answer
    assert "1 worker process x" in capsys.readouterr().err
    (blocked / RESULT).rmdir()
    assert trisim("-m", *TINY, "seed=0,2", "sweep.id=local") == 0
    assert sweep_rows(workdir / "multirun" / "t").equals(sweep_rows(workdir / "multirun" / "local"))


class _Done:
    """A submitit job whose task returned ``result``."""

    job_id = "77_0"
    state = "COMPLETED"

    def __init__(self, result) -> None:
        self._result = result

    def done(self) -> bool:
        return True

    def results(self):
        return [self._result]


def test_a_completed_task_reports_each_of_its_jobs(three_jobs):
    plan, _ = three_jobs
    lines = [list(j.overrides) for j in plan.jobs]
    launched: dict[str, str] = {}
    done = {plan.jobs[0].job_id: "complete"}
    returns = slurm_launcher._wait(_Done(([None, "OSError: no space left", None], done)), lines, plan.jobs, launched)
    assert [r.status for r in returns] == [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.COMPLETED]
    assert launched == done  # the summary need not read that table again
    with pytest.raises(RuntimeError, match=r"^OSError: no space left$"):
        returns[1].return_value  # noqa: B018 (what the sweeper reads, to record the job's failure.json)


class _Task:
    """A submitit job that has ended: cancelled (``results`` raises) or lost to SLURM."""

    job_id = "77_1"

    def __init__(self, state: str, done: bool = True) -> None:
        self.state, self._done = state, done

    def done(self) -> bool:
        return self._done

    def results(self):
        raise UncompletedJobError(f"Job 77_1 (task: 0) with path /x\nhas not produced any output (state: {self.state})")


@pytest.fixture
def three_jobs_one_complete(workdir):
    """The planned jobs of a three-job sweep of which only the first has its result."""
    jobs = ["-m", *TINY, "seed=0,1,2"]
    assert trisim(*jobs, "sweep.id=g") == 0
    folders = sorted((workdir / "multirun" / "g").glob(f"*/{RESULT}"))
    for table in folders[1:]:
        shutil.rmtree(table.parent)
    plan = make_plan([*jobs[1:], "sweep.id=g"], multirun=True, config_dir=CONFIG_DIR)
    return [list(j.overrides) for j in plan.jobs], list(plan.jobs)


def test_a_cancelled_task_fails_those_of_its_jobs_that_had_not_completed(three_jobs_one_complete):
    lines, planned = three_jobs_one_complete
    assert [j.state for j in planned] == ["complete", "none", "none"]
    returns = slurm_launcher._wait(_Task("CANCELLED"), lines, planned, {})
    assert [r.status for r in returns] == [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.FAILED]
    assert returns[0].return_value is None
    for r in returns[1:]:
        with pytest.raises(RuntimeError, match=r"^SLURM job 77_1 did not complete \(state: CANCELLED\)$"):
            r.return_value  # noqa: B018


def test_a_task_slurm_lost_fails_those_of_its_jobs_that_had_not_completed(three_jobs_one_complete, monkeypatch):
    lines, planned = three_jobs_one_complete
    monkeypatch.setattr(slurm_launcher, "LOST_AFTER", -1.0)
    monkeypatch.setattr(slurm_launcher, "POLL", 0.0)
    returns = slurm_launcher._wait(_Task("UNKNOWN", done=False), lines, planned, {})
    assert [r.status for r in returns] == [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.FAILED]
    with pytest.raises(RuntimeError, match="is no longer known to SLURM"):
        returns[2].return_value  # noqa: B018


@pytest.mark.slow
def test_the_launcher_runs_its_tasks_through_submitit_and_gives_a_local_sweeps_rows(workdir, capsys, monkeypatch):
    import submitit

    slurm = submitit.AutoExecutor
    # submitit's local executor runs the tasks as processes of this machine, SLURM's settings ignored
    monkeypatch.setattr(submitit, "AutoExecutor", lambda cluster, **kwargs: slurm(cluster="local", **kwargs))
    jobs = ("-m", *TINY, "params.value_chn=1,2,3")
    assert trisim(*jobs, "hydra/launcher=slurm", "hydra.launcher.jobs_per_task=2", "sweep.id=tasks") == 0
    err = capsys.readouterr().err
    assert "3 jobs in 2 SLURM array tasks of at most 2" in err
    assert "3 complete, 0 failed, 0 missing" in err
    tasks = workdir / "multirun" / "tasks"
    assert len(list((tasks / ".submitit").glob("*/*_submitted.pkl"))) == 2
    assert not list(tasks.glob("*/trisim.log"))  # no Hydra job per job: its log lines are the task's
    assert trisim(*jobs, "sweep.id=local") == 0
    assert sweep_rows(tasks).equals(sweep_rows(workdir / "multirun" / "local"))

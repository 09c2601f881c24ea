"""The workers launcher (``trisim sweep``'s default): long-lived worker processes that share the
cores as the batch engine's threads, and write what Hydra's launchers write, row for row."""

from __future__ import annotations

import itertools
import json
import os

import pytest

from sim.results import CLAIM, FAILURE, MANIFEST, RESULT, read_json
from sim.sweep import workers
from sim.sweep.workers import cores, makespan, shape
from tests.sweep.helpers import TINY, run_command, start_and_kill_after_first_result, sweep_rows, trisim, trisim_command

#: Four jobs: two seeds x two US policies.
FOUR = (*TINY, "seed=0,1", "us_policy=pressure,engagement")


def sweep(*args: str) -> int:
    """``trisim sweep args...`` in this process; its exit status."""
    from sim.sweep.cli import main

    try:
        return main(list(args))
    except SystemExit as stop:
        return int(stop.code or 0)


# --- how many workers, how many threads ---------------------------------------------------------


def test_one_worker_takes_every_core_and_workers_times_threads_never_exceed_the_cores():
    assert shape(6, 2) == (2, 1)  # two cores, six jobs: their tables are written two at a time
    assert shape(3, 2) == (1, 2)  # three jobs: two workers would leave a core idle for the third
    assert shape(1, 8) == (1, 8)
    assert shape(2, 32, replications=1000) == (2, 16)  # 1000 replications: 16 chunks, 16 threads busy
    assert shape(2, 32, replications=100_000) == (2, 16)
    assert shape(3, 32, replications=100_000) == (3, 10)  # a job per worker, the cores shared out
    assert shape(64, 32) == (32, 1)  # many jobs: one worker per core
    # short jobs (0.3 s each on one thread) end before a second worker would have loaded the model
    assert shape(6, 2, replications=1000, work=0.3) == (1, 2)
    assert shape(6, 2, replications=10_000, work=3.0) == (2, 1)
    assert shape(3, 2, replications=10_000, work=3.0) == (1, 2)
    assert shape(6, 2, replications=1000, work=20.0, serial=1.0) == (2, 1)  # the Mesa model: one thread a job


def test_the_makespan_counts_rounds_of_jobs():
    assert makespan(4, 1, 1.0) == 4.0
    assert makespan(4, 2, 1.0) == 2.0
    assert makespan(5, 2, 1.0) == 3.0  # the fifth job runs alone
    assert makespan(1, 3, 5.0) == 5.0
    assert shape(10, 2, most=2) == (2, 1)
    assert shape(1, 2, most=2) == (1, 2)  # not more workers than jobs
    assert shape(5, 2, most=8) == (2, 1)  # not more workers than cores
    for jobs, n, most, reps, work in itertools.product(range(1, 30), range(1, 40), (None, 1, 2, 3, 7),
                                                       (None, 10, 5000), (None, 0.1, 10.0)):
        w, t = shape(jobs, n, most, reps, work)
        assert 1 <= w <= min(jobs, n), (jobs, n, most, reps, work)
        assert t >= 1, (jobs, n, most, reps, work)
        assert w * t <= n, (jobs, n, most, reps, work)
        if w == 1:
            assert t == n


def test_the_cores_are_the_affinity_or_the_slurm_tasks_cpus(monkeypatch):
    monkeypatch.delenv("SLURM_CPUS_PER_TASK", raising=False)
    assert cores() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
    assert cores() == 1


def test_a_job_outside_the_workers_launcher_keeps_to_its_slurm_tasks_cpus(monkeypatch):
    """Hydra's launchers run ``sim.cli._job``, which limits the engine's threads the same way."""
    import numba

    from sim.sweep.workers import limit_threads

    before = numba.get_num_threads()
    try:
        monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
        assert limit_threads() == 1
        monkeypatch.delenv("SLURM_CPUS_PER_TASK")
        assert limit_threads() == min(cores(), numba.config.NUMBA_NUM_THREADS)
    finally:
        numba.set_num_threads(before)


# --- what it writes ----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_workers_launcher_writes_the_files_of_hydras_launcher(tmp_path, monkeypatch):
    """Same sweep id in two folders: Hydra's basic launcher, and the workers launcher."""
    for name in ("hydra", "workers"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        launcher = ("--launcher", "basic") if name == "hydra" else ()
        assert sweep("s", *FOUR, "experiment=strategy_comparison", "scenario=war_ends,food_crisis", *launcher) == 0
    hydra, mine = tmp_path / "hydra" / "multirun" / "s", tmp_path / "workers" / "multirun" / "s"
    jobs = sorted(p.parent.name for p in hydra.glob(f"*/{RESULT}"))
    assert len(jobs) == 8
    assert sorted(p.parent.name for p in mine.glob(f"*/{RESULT}")) == jobs
    for job in jobs:
        assert (mine / job / "config.yaml").read_bytes() == (hydra / job / "config.yaml").read_bytes()
        a, b = read_json(mine / job / MANIFEST), read_json(hydra / job / MANIFEST)
        when = {"created", "seconds", "result", "threads"}  # the table's digest holds its creation time
        assert {k: v for k, v in a.items() if k not in when} == {k: v for k, v in b.items() if k not in when}
    assert sweep_rows(mine).equals(sweep_rows(hydra))
    assert sorted(p.name for p in (mine / jobs[0]).iterdir() if not p.name.startswith(".")) == [
        "config.yaml", MANIFEST, RESULT]  # no per-job log
    assert len(list((mine / "tables").iterdir())) == 8


@pytest.mark.slow
def test_two_workers_and_one_give_identical_rows_and_share_the_cores(workdir, capsys):
    assert sweep("one", *FOUR, "--workers", "1") == 0
    assert f"1 worker process x {cores()} thread" in capsys.readouterr().err
    assert sweep("two", *FOUR, "--workers", "2") == 0
    w = min(2, cores())
    assert f"{w} worker process{'es' if w > 1 else ''} x {cores() // w} thread" in capsys.readouterr().err
    one, two = sweep_rows(workdir / "multirun" / "one"), sweep_rows(workdir / "multirun" / "two")
    assert len(one) == 4 * 5 * 3
    assert one.equals(two)
    threads = {p.parent.name: read_json(p)["threads"] for p in (workdir / "multirun" / "two").glob(f"*/{MANIFEST}")}
    assert set(threads.values()) == {cores() // w}
    assert {read_json(p)["threads"] for p in (workdir / "multirun" / "one").glob(f"*/{MANIFEST}")} == {cores()}
    assert trisim("-m", *FOUR, "sweep.id=hydra") == 0  # Hydra's basic launcher, in this process
    assert sweep_rows(workdir / "multirun" / "hydra").equals(one)


@pytest.mark.slow
def test_a_job_that_fails_in_a_worker_is_recorded_and_resume_completes_it(workdir, capsys):
    jobs = (*TINY, "seed=0,1,2")
    blocked = workdir / "multirun" / "f" / "months=6,replications=3,seed=1"
    (blocked / RESULT).mkdir(parents=True)  # the table cannot be renamed onto a folder
    assert sweep("f", *jobs) == 1
    assert "2 complete, 1 failed, 0 missing" in capsys.readouterr().err
    record = json.loads((blocked / FAILURE).read_text())
    assert record["error"].startswith("IsADirectoryError")
    assert record["inputs_hash"]
    assert record["config"]["seed"] == 1
    (blocked / RESULT).rmdir()
    assert sweep("f", *jobs) == 0
    assert "2 already complete, 1 to run" in capsys.readouterr().err
    assert not (blocked / FAILURE).exists()
    assert trisim("-m", *jobs, "sweep.id=whole") == 0
    assert sweep_rows(workdir / "multirun" / "f").equals(sweep_rows(workdir / "multirun" / "whole"))


@pytest.mark.slow
def test_a_sweep_killed_between_jobs_resumes_to_the_rows_of_an_uninterrupted_one(workdir):
    jobs = ("months=24", "replications=2000", "seed=range(0,6)")
    cut = workdir / "multirun" / "cut"
    start_and_kill_after_first_result(trisim_command("sweep", "cut", *jobs, "--workers", "1"), workdir, cut)
    done = {p.parent.name: p.stat().st_mtime_ns for p in cut.glob(f"*/{RESULT}")}
    assert 1 <= len(done) < 6
    resumed = run_command(trisim_command("sweep", "cut", *jobs), cwd=workdir)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done)} already complete, {6 - len(done)} to run" in resumed.stderr
    assert {p.parent.name: p.stat().st_mtime_ns for p in cut.glob(f"*/{RESULT}") if p.parent.name in done} == done
    assert not list(cut.rglob(CLAIM))
    assert trisim("-m", *jobs, "sweep.id=whole") == 0
    assert sweep_rows(cut).equals(sweep_rows(workdir / "multirun" / "whole"))


def test_a_refused_config_stops_before_any_worker_is_left(workdir, capsys):
    assert sweep("bad", *TINY, "seed=0,1", "months=6,oops") == 2
    assert capsys.readouterr().err.startswith("trisim: error:")
    assert not workers._started
    assert not (workdir / "multirun").exists()


@pytest.mark.slow
def test_the_workers_launcher_runs_through_hydras_multirun_too(workdir):
    """``trisim -m ... hydra/launcher=workers`` goes around Hydra's multirun; the plugin is the
    same launcher for a sweep that goes through it."""
    from hydra_plugins.trisim_sweeper.workers_launcher import WorkersLauncher
    from sim.cli import CONFIG_DIR
    from sim.sweep import plan as planning

    assert trisim("-m", *TINY, "seed=0,1", "hydra/launcher=workers", "sweep.id=direct") == 0
    plan = planning.make_plan(["-m", *TINY, "seed=0,1", "hydra/launcher=workers", "sweep.id=plugin"][1:], True,
                              CONFIG_DIR)
    assert plan.launcher == planning.WORKERS
    launcher = WorkersLauncher(workers=None)
    with planning.launching(plan):
        returns = launcher.launch([[*j.overrides, planning.subdir_override(j)] for j in plan.todo], 0)
    workers.shutdown()
    assert [r.status.name for r in returns] == ["COMPLETED", "COMPLETED"]
    assert sweep_rows(workdir / "multirun" / "plugin").drop(columns="job_id").equals(
        sweep_rows(workdir / "multirun" / "direct").drop(columns="job_id"))

"""A sweep on a real SLURM cluster (one node on this machine, experiments/slurm/cluster.py).

The cluster needs root (packages, /etc/slurm, daemons); CI runs as root, so this runs there.
Everything runs in one test function: pytest-xdist may send the tests of one module to
different workers, and two clusters cannot run on one machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from sim.results import FAILURE, RESULT
from tests.sweep.helpers import run_command, sweep_rows, trisim, trisim_command

CLUSTER = Path(__file__).resolve().parents[2] / "experiments" / "slurm" / "cluster.py"
#: The README's SLURM command, as written there (after `.venv/bin/trisim`).
README_COMMAND = ("sweep", "war1", "experiment=war_ends", "replications=1000", "hydra/launcher=slurm")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="a SLURM cluster needs root (CI runs as root)"),
]


@pytest.fixture
def slurm():
    """Start the one-node cluster; stop every daemon it started afterwards, whatever happened."""
    # not under pytest's tmp folder (mode 0700): mariadbd runs as the mysql user and keeps its data there
    state = Path(tempfile.mkdtemp(prefix="trisim-slurm-", dir="/tmp"))
    state.chmod(0o755)
    started = subprocess.run([sys.executable, str(CLUSTER), "start", "--state", str(state)],
                             capture_output=True, text=True, timeout=300)
    try:
        assert started.returncode == 0, started.stderr
        yield state
    finally:
        subprocess.run([sys.executable, str(CLUSTER), "stop", "--state", str(state)], timeout=120)
        assert not (state / "pids.json").exists()
        shutil.rmtree(state, ignore_errors=True)


def test_sweeps_on_a_real_slurm_cluster(slurm, tmp_path):
    """The README's command, a job failing in a task of three, scancel mid-sweep then resume, and a
    partition the cluster lacks."""
    for name, case in (("readme", readme_command_gives_the_local_launchers_rows),
                       ("tasks", a_job_failing_in_a_task_leaves_the_tasks_other_jobs_to_run),
                       ("scancel", a_task_cancelled_with_scancel_fails_its_jobs_alone_and_resume_completes_them),
                       ("partition", a_partition_the_cluster_lacks_fails_the_jobs_with_a_summary)):
        folder = tmp_path / name
        folder.mkdir()
        case(folder)


def readme_command_gives_the_local_launchers_rows(tmp_path):
    run = run_command(trisim_command(*README_COMMAND), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "4 complete, 0 failed, 0 missing" in run.stderr
    assert "4 jobs in 1 SLURM array task of at most 4" in run.stderr  # short jobs: auto puts them in one task
    assert _tasks(tmp_path / "multirun" / "war1") == 1
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert trisim("-m", "experiment=war_ends", "replications=1000", "sweep.id=local") == 0
    on_slurm, local = sweep_rows(tmp_path / "multirun" / "war1"), sweep_rows(tmp_path / "multirun" / "local")
    assert len(on_slurm) == 4 * 5 * 1000
    assert on_slurm.equals(local)


def _tasks(sweep_dir: Path) -> int:
    """How many array tasks ran: submitit keeps a folder per task, with the task's pickled call."""
    return len(list((sweep_dir / ".submitit").glob("*/*_submitted.pkl")))


def a_job_failing_in_a_task_leaves_the_tasks_other_jobs_to_run(tmp_path):
    # jobs that differ only in a parameter: each task computes its three in one batch call
    jobs = ("-m", "months=12", "replications=200", "params.value_chn=1,2,3,4,5,6")
    blocked = tmp_path / "multirun" / "tasks" / "months=12,params.value_chn=1,replications=200"
    (blocked / RESULT).mkdir(parents=True)  # the first job of the first task cannot rename its table
    run = run_command(trisim_command(*jobs, "hydra/launcher=slurm", "hydra.launcher.jobs_per_task=3",
                                     "sweep.id=tasks"), cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "6 jobs in 2 SLURM array tasks of at most 3" in run.stderr
    assert "5 complete, 1 failed, 0 missing" in run.stderr
    assert _tasks(tmp_path / "multirun" / "tasks") == 2
    assert json.loads((blocked / FAILURE).read_text())["error"].startswith("IsADirectoryError")
    (blocked / RESULT).rmdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert trisim(*jobs, "sweep.id=local") == 0
    local = sweep_rows(tmp_path / "multirun" / "local")
    local = local[local["value_chn"] != 1].reset_index(drop=True)
    assert len(local) == 5 * 5 * 200
    assert sweep_rows(tmp_path / "multirun" / "tasks").equals(local)


def _squeue() -> dict[str, str]:
    out = subprocess.run(["squeue", "-r", "-h", "-o", "%i %T"], capture_output=True, text=True).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


def a_task_cancelled_with_scancel_fails_its_jobs_alone_and_resume_completes_them(tmp_path):
    jobs = ("-m", "months=12", "replications=200", "seed=3,4,5,6", "hydra/launcher=slurm",
            "hydra.launcher.jobs_per_task=2", "hydra.launcher.array_parallelism=1",
            "sweep.id=cut")  # one task at a time: the second one waits
    proc = subprocess.Popen(trisim_command(*jobs), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120
        victim = None
        while victim is None:
            assert proc.poll() is None, "the sweep ended before a task could be cancelled"
            assert time.monotonic() < deadline
            queue = _squeue()
            victim = next((job for job, state in sorted(queue.items()) if job.endswith("_1") and state == "PENDING"),
                          None)
            time.sleep(0.2)
        subprocess.run(["scancel", victim], check=True)
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:  # a failed assertion above: leave no sweep behind
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert "4 jobs in 2 SLURM array tasks of at most 2" in err
    assert "2 complete, 2 failed, 0 missing" in err
    assert "Traceback" not in err
    cut = tmp_path / "multirun" / "cut"
    for seed in (5, 6):  # the cancelled task's jobs
        failed = cut / f"months=12,replications=200,seed={seed}"
        assert not (failed / RESULT).exists()
        record = json.loads((failed / FAILURE).read_text())
        assert "CANCELLED" in record["error"]
        assert record["inputs_hash"]

    resumed = run_command(trisim_command(*jobs), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "2 already complete, 2 to run" in resumed.stderr
    assert "4 complete, 0 failed, 0 missing" in resumed.stderr
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert trisim("-m", "months=12", "replications=200", "seed=3,4,5,6", "sweep.id=whole") == 0
    rows, whole = sweep_rows(cut), sweep_rows(tmp_path / "multirun" / "whole")
    assert len(whole) == 4 * 5 * 200
    assert not rows.duplicated(["job_id", "strategy", "replication"]).any()  # 0 duplicate rows
    assert rows.equals(whole)  # 0 lost, 0 differing


def a_partition_the_cluster_lacks_fails_the_jobs_with_a_summary(tmp_path):
    bad = run_command(trisim_command("-m", "months=6", "replications=3", "seed=0,1", "hydra/launcher=slurm",
                                     "hydra.launcher.jobs_per_task=1", "hydra.launcher.partition=nowhere",
                                     "sweep.id=bad"), cwd=tmp_path)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "0 complete, 2 failed, 0 missing" in bad.stderr
    record = json.loads((tmp_path / "multirun" / "bad" / "months=6,replications=3,seed=0" / FAILURE).read_text())
    assert "partition" in record["error"].lower()

"""Faults injected into sweeps, and what each costs: rows lost, duplicated or differing.

Each test runs a sweep, breaks it (respelled overrides, damaged files, failed writes, a full
disk, signals to the main process only, a second run of the same sweep at once), then runs the
same command again and compares every row with an undisturbed sweep of the same jobs.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import sim.job
import sim.results
from sim.params import Params
from sim.results import CLAIM, FAILURE, MANIFEST, PLAN, RESULT, read_json
from sim.sweep import catalog
from tests.sweep.helpers import TINY, run_command, sweep_rows, trisim, trisim_command

THREE = ("-m", *TINY, "seed=0,1,2")


def tally(got: pd.DataFrame, want: pd.DataFrame) -> dict[str, int]:
    """Rows lost, duplicated and differing of a sweep's table against the undisturbed one."""
    key = ["job_id", "strategy", "replication", "month"]
    duplicated = int(got.duplicated(key).sum())
    got = got.drop_duplicates(key)
    both = want.merge(got, on=key, how="left", suffixes=("", "_got"), indicator=True)
    lost = int((both["_merge"] == "left_only").sum())
    value_columns = [c for c in want.columns if c not in key]
    found = both[both["_merge"] == "both"]
    differs = pd.Series(False, index=found.index)
    for c in value_columns:
        x, y = found[c].astype(object), found[f"{c}_got"].astype(object)
        same = (x == y).fillna(False).astype(bool) | (x.isna() & y.isna())
        differs |= ~same
    differing = int(differs.sum())
    return {"lost": lost, "duplicated": duplicated, "differing": differing}


@pytest.fixture
def whole(workdir):
    """The undisturbed sweep of the three jobs, as a table."""
    assert trisim(*THREE, "sweep.id=whole") == 0
    return sweep_rows(workdir / "multirun" / "whole")


# --- 1. a job is known by its resolved inputs ---------------------------------------------------


def test_respelled_reordered_and_default_overrides_run_nothing_twice(workdir, whole, capsys):
    assert trisim(*THREE, "sweep.id=s") == 0
    folder = workdir / "multirun" / "s"
    kept = {p: p.stat().st_mtime_ns for p in folder.glob(f"*/{RESULT}")}
    capsys.readouterr()
    respelled = ("-m", "seed=2,0,1,0", "replications=3", "months=6", "strategy=all", "us_policy=pressure",
                 f"params.value_chn={Params().value_chn}", "sweep.id=s")
    assert trisim(*respelled) == 0
    err = capsys.readouterr().err
    assert "3 jobs (3 already complete, 0 to run)" in err
    assert "is job months=6,replications=3,seed=0 of this sweep (same inputs)" in err
    assert {p: p.stat().st_mtime_ns for p in folder.glob(f"*/{RESULT}")} == kept
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != "tables") == sorted(
        p.parent.name for p in kept)
    assert len(list((folder / "tables").iterdir())) == 3  # one link per job, not per spelling
    assert tally(sweep_rows(folder), whole) == {"lost": 0, "duplicated": 0, "differing": 0}
    assert catalog.query("SELECT jobs, complete, rows FROM sweeps WHERE sweep_id = 's'").to_dict("records") == [
        {"jobs": 3, "complete": 3, "rows": 3 * 15}]


# --- 2. a job is complete only when its table matches its manifest ------------------------------


def test_truncated_and_bit_flipped_results_are_skipped_and_run_again(workdir, whole, capsys):
    assert trisim(*THREE, "sweep.id=d") == 0
    folder = workdir / "multirun" / "d"
    cut, flipped, _intact = sorted(folder.glob(f"*/{RESULT}"))
    size = cut.stat().st_size
    cut.write_bytes(cut.read_bytes()[: size // 2])
    data = bytearray(flipped.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside a data page: the footer still reads
    flipped.write_bytes(bytes(data))
    debris = [cut.parent / ".outcomes.parquet.x1.tmp", folder / ".sweep.json.x2.tmp"]
    for tmp in debris:
        tmp.write_bytes(b"partial")
        os.utime(tmp, (time.time() - 3600, time.time() - 3600))
    capsys.readouterr()

    got = catalog.query("SELECT sweep_id, count(*) AS n FROM results GROUP BY ALL ORDER BY ALL")
    assert got.to_dict("records") == [{"sweep_id": "d", "n": 15}, {"sweep_id": "whole", "n": 45}]
    skipped = capsys.readouterr().err.strip().splitlines()
    assert skipped == [f"trisim: skipping {cut.relative_to(workdir)}: {size // 2} bytes, the manifest says {size}",
                       f"trisim: skipping {flipped.relative_to(workdir)}: checksum differs from the manifest's"]
    assert catalog.main(["--jobs", "d", "--csv"]) == 0
    jobs = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert sorted(jobs["status"]) == ["complete", "missing", "missing"]
    assert jobs["error"].dropna().str.startswith("result skipped").all()

    assert trisim(*THREE, "sweep.id=d") == 0
    err = capsys.readouterr().err
    assert "3 jobs (1 already complete, 2 to run)" in err
    assert "runs again" in err
    assert not any(tmp.exists() for tmp in debris)
    assert not list(folder.rglob("*.tmp"))
    assert tally(sweep_rows(folder), whole) == {"lost": 0, "duplicated": 0, "differing": 0}


# --- 4. a write error fails that job, never the sweep --------------------------------------------


@pytest.mark.parametrize("target", [RESULT, MANIFEST, "config.yaml", CLAIM])
def test_a_write_error_fails_only_its_job_and_resume_recovers(workdir, whole, monkeypatch, capsys, target):
    write = sim.results.atomic_write_bytes

    def failing(path, data):
        if Path(path).name == target and "seed=1" in str(path):
            raise OSError(errno.EIO, "injected write error", str(path))
        return write(path, data)

    monkeypatch.setattr(sim.results, "atomic_write_bytes", failing)
    monkeypatch.setattr(sim.job, "atomic_write_bytes", failing)
    assert trisim(*THREE, "sweep.id=w") == 1
    assert "2 complete, 1 failed, 0 missing" in capsys.readouterr().err
    failed = workdir / "multirun" / "w" / "months=6,replications=3,seed=1"
    record = read_json(failed / FAILURE)
    assert record["error"].startswith("OSError: [Errno 5] injected write error")
    assert record["inputs_hash"]
    assert not (failed / RESULT).exists()

    monkeypatch.setattr(sim.results, "atomic_write_bytes", write)
    monkeypatch.setattr(sim.job, "atomic_write_bytes", write)
    assert trisim(*THREE, "sweep.id=w") == 0
    assert "2 already complete, 1 to run" in capsys.readouterr().err
    assert tally(sweep_rows(workdir / "multirun" / "w"), whole) == {"lost": 0, "duplicated": 0, "differing": 0}


def test_a_plan_that_cannot_be_written_does_not_stop_the_sweep(workdir, whole, monkeypatch, capsys):
    write = sim.results.atomic_write_bytes

    def failing(path, data):
        if Path(path).name == PLAN:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return write(path, data)

    monkeypatch.setattr(sim.results, "atomic_write_bytes", failing)
    assert trisim(*THREE, "sweep.id=p") == 0
    err = capsys.readouterr().err
    assert "trisim: warning: could not record the plan" in err
    assert "3 complete, 0 failed, 0 missing" in err
    assert tally(sweep_rows(workdir / "multirun" / "p"), whole) == {"lost": 0, "duplicated": 0, "differing": 0}


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
def test_a_full_disk_fails_jobs_with_a_summary_and_resume_recovers(tmp_path, whole):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], check=True)
    try:
        filler = disk / "filler"
        _fill(filler)
        full = run_command(trisim_command(*THREE, "sweep.id=full"), cwd=disk)
        assert full.returncode == 1, full.stderr
        assert "Traceback" not in full.stderr
        assert "0 complete, 3 failed, 0 missing" in full.stderr
        assert "could not record the plan" in full.stderr
        filler.unlink()  # space again
        resumed = run_command(trisim_command(*THREE, "sweep.id=full"), cwd=disk)
        assert resumed.returncode == 0, resumed.stderr
        assert "3 complete, 0 failed, 0 missing" in resumed.stderr
        assert tally(sweep_rows(disk / "multirun" / "full"), whole) == {"lost": 0, "duplicated": 0, "differing": 0}
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(path: Path) -> None:
    """Write zeros to ``path`` until the file system is full, to its last byte."""
    with open(path, "wb", buffering=0) as fh:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise


# --- 5. two runs of one sweep at once; the plan keeps its history --------------------------------

EIGHT = ("-m", "months=24", "replications=400", "seed=range(0,8)")


@pytest.mark.slow
def test_two_runs_of_one_sweep_at_once_compute_each_job_once(workdir):
    runs = [subprocess.Popen(trisim_command(*EIGHT, "sweep.id=twice"), cwd=workdir, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    logs = [run.communicate(timeout=300)[0] for run in runs]
    computed = [line for log in logs for line in log.splitlines() if " rows -> " in line]
    left = [line for log in logs for line in log.splitlines() if "left to it" in line]
    assert len(computed) == 8, logs  # every job once, across both runs
    assert len({line.split(" rows -> ")[1] for line in computed}) == 8
    assert left, "the runs never met on a job"
    assert trisim(*EIGHT, "sweep.id=twice") == 0  # whatever one run left to the other is complete now
    assert trisim(*EIGHT, "sweep.id=alone") == 0
    got, want = sweep_rows(workdir / "multirun" / "twice"), sweep_rows(workdir / "multirun" / "alone")
    assert tally(got, want) == {"lost": 0, "duplicated": 0, "differing": 0}
    record = read_json(workdir / "multirun" / "twice" / PLAN)
    assert len(record["commands"]) == 3
    assert len(record["jobs"]) == 8


def test_a_damaged_sweep_json_keeps_its_history(workdir, capsys):
    assert trisim("-m", *TINY, "seed=0", "sweep.id=h") == 0
    assert trisim("--add", "-m", *TINY, "seed=0,1", "sweep.id=h") == 0
    plan = workdir / "multirun" / "h" / PLAN
    plan.write_text(plan.read_text()[:40])  # cut short by something else than trisim
    capsys.readouterr()
    assert trisim("--add", "-m", *TINY, "seed=1,2", "sweep.id=h") == 0
    assert "was unreadable; kept as sweep.json.damaged-" in capsys.readouterr().err
    record = read_json(plan)
    assert [c["argv"][-2] for c in record["commands"]] == ["seed=0", "seed=0,1", "seed=1,2"]
    assert sorted(j["job_id"] for j in record["jobs"]) == [f"months=6,replications=3,seed={s}" for s in (0, 1, 2)]
    assert list(plan.parent.glob("sweep.json.damaged-*"))


# --- 3. signals to the main process only ---------------------------------------------------------

#: Ten jobs of a few seconds each, on two joblib workers.
TEN = ("sweep", "sig", "months=60", "replications=20000", "strategy=balancing,bandwagon", "seed=range(0,5)",
       "--workers", "2")


def children(pid: int) -> list[int]:
    """The pids of a process's children (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_and_wait_for_a_result(workdir: Path) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen(trisim_command(*TEN), cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    folder = workdir / "multirun" / "sig"
    deadline = time.monotonic() + 180
    while not list(folder.glob(f"*/{RESULT}")):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = [c for c in children(proc.pid) if "python" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")]
    assert workers, "no worker processes"
    return proc, workers


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_main_process_stops_workers_prints_the_summary_and_resume_completes(workdir, signum):
    proc, workers = _start_and_wait_for_a_result(workdir)
    os.kill(proc.pid, signum)  # the main process only, as a scheduler or a kill <pid> does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith(f"trisim: stopped by {signal.Signals(signum).name}; run the same command again")
    assert "Traceback" not in err
    assert any(line.startswith("sweep sig: ") and " complete, " in line for line in lines[-3:])
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "workers outlived the sweep"
    _resume_and_compare(workdir)


@pytest.mark.slow
def test_workers_exit_within_seconds_when_the_main_process_is_killed(workdir):
    proc, workers = _start_and_wait_for_a_result(workdir)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "orphaned workers still run"
    # with the workers gone, joblib's resource tracker removes the pool's semaphores and folders
    while list(Path("/dev/shm").glob(f"*{proc.pid}*")) and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    assert not list(Path("/dev/shm").glob(f"*{proc.pid}*"))
    _resume_and_compare(workdir)


def _resume_and_compare(workdir: Path) -> None:
    resumed = run_command(trisim_command(*TEN), cwd=workdir)
    assert resumed.returncode == 0, resumed.stderr
    assert trisim("-m", *TEN[2:-2], "sweep.id=calm") == 0
    got, want = sweep_rows(workdir / "multirun" / "sig"), sweep_rows(workdir / "multirun" / "calm")
    assert len(want) == 10 * 20000
    assert tally(got, want) == {"lost": 0, "duplicated": 0, "differing": 0}
    assert not list((workdir / "multirun" / "sig").rglob("*.tmp"))
    assert not list((workdir / "multirun" / "sig").rglob(CLAIM))


def test_the_fault_tally_counts_what_it_says():
    want = pd.DataFrame({"job_id": ["a"] * 3, "strategy": ["s"] * 3, "replication": [0, 1, 2], "month": [1] * 3,
                         "x": [1.0, 2.0, 3.0]})
    got = pd.concat([want.iloc[[0, 0]], want.iloc[[2]].assign(x=9.0)])
    assert tally(got, want) == {"lost": 1, "duplicated": 1, "differing": 1}
    assert json.dumps(tally(want, want)) == '{"lost": 0, "duplicated": 0, "differing": 0}'

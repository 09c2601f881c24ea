"""Running ``trisim`` in tests: in this process (fast) or as a command (for signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from sim.cli import hydra_main
from sim.results import RESULT

#: A small job: every strategy, 3 replications of 6 months.
TINY = ("months=6", "replications=3")
#: Columns that name where a row was written, not what it is.
WHERE = ("run_id", "sweep_id", "filename")


def trisim(*args: str) -> int:
    """``trisim args...`` in this process; its exit status."""
    try:
        return hydra_main(list(args))
    except SystemExit as stop:
        return int(stop.code or 0)


def trisim_command(*args: str) -> list[str]:
    """The ``trisim`` command line as a subprocess (same interpreter, same package)."""
    return [sys.executable, "-m", "sim", *args]


def start_and_kill_after_first_result(args: list[str], cwd: Path, folder: Path) -> None:
    """Start ``trisim args...`` in a session of its own, wait until a job of ``folder`` has its
    result (at most 120 s), then SIGKILL the whole session (the sweep and its workers)."""
    proc = subprocess.Popen(args, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(folder.glob(f"*/{RESULT}")):
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_command(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs)


def sweep_rows(sweep_dir: Path) -> pd.DataFrame:
    """Every row of a sweep, without the columns that name the sweep, in a canonical order."""
    frames = [pd.read_parquet(p) for p in sorted(Path(sweep_dir).glob(f"*/{RESULT}"))]
    frame = pd.concat(frames, ignore_index=True).drop(columns=[c for c in WHERE if c in frames[0]])
    return frame.sort_values(["job_id", "strategy", "replication", "month"], ignore_index=True)

"""The plan: what a command will run, read as Hydra reads it, before anything runs."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from sim.cli import CONFIG_DIR
from sim.job import input_columns
from sim.results import RESULT, read_json
from sim.scenarios import SCENARIOS
from sim.sweep.plan import Plan, PlannedJob, make_plan, progress, summary, write_plan


def plan(*overrides: str, multirun: bool = True) -> Plan:
    return make_plan(list(overrides), multirun=multirun, config_dir=CONFIG_DIR)


def test_jobs_are_named_by_their_sorted_overrides_and_the_sweep_id_is_pinned():
    p = plan("seed=0,1", "months=6")
    assert [j.job_id for j in p.jobs] == ["months=6,seed=0", "months=6,seed=1"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-\d{6}", p.sweep_id)
    assert p.pinned == (f"sweep.id={p.sweep_id}",)
    assert p.directory == Path("multirun") / p.sweep_id
    assert [j.directory for j in p.jobs] == [p.directory / j.job_id for j in p.jobs]
    named = plan("months=6", "seed=0,1", "sweep.id=mine")
    assert named.pinned == ()
    assert [j.job_id for j in named.jobs] == [j.job_id for j in p.jobs]


def test_an_experiment_expands_to_its_jobs_and_the_command_line_wins():
    comparison = plan("experiment=strategy_comparison")
    assert sorted(j.job_id for j in comparison.jobs) == sorted(
        f"experiment=strategy_comparison,scenario={s}" for s in SCENARIOS.names())
    war = plan("experiment=war_ends", "scenario.options.end_month=6")
    assert [j.job_id for j in war.jobs] == ["experiment=war_ends,scenario.options.end_month=6"]


def test_equal_inputs_equal_hash_and_a_single_run_is_one_job():
    a, b = plan("seed=4", multirun=False), plan("seed=4", "output.progress=false", multirun=False)
    assert len(a.jobs) == 1
    assert a.jobs[0].inputs_hash == b.jobs[0].inputs_hash
    assert a.jobs[0].inputs_hash != plan("seed=5", multirun=False).jobs[0].inputs_hash


def test_the_plan_on_disk_gathers_the_jobs_of_every_command(tmp_path):
    first = Plan(True, "s", tmp_path, (PlannedJob("a=1", ("a=1",), tmp_path / "a=1", "h1", "none"),))
    second = Plan(True, "s", tmp_path, (PlannedJob("a=2", ("a=2",), tmp_path / "a=2", "h2", "none"),))
    write_plan(first, ["-m", "a=1"])
    write_plan(second, ["-m", "a=2"])
    record = read_json(tmp_path / "sweep.json")
    assert [j["job_id"] for j in record["jobs"]] == ["a=1", "a=2"]
    assert [c["argv"] for c in record["commands"]] == [["-m", "a=1"], ["-m", "a=2"]]
    assert summary(second) == {"complete": 0, "failed": 0, "missing": 1, "running": 0}


def test_input_columns_name_what_a_job_sets():
    config = {"params": {"value_chn": 2.5}, "switches": {"noise": False}, "months": 6,
              "scenario": {"name": "war_ends", "options": {"end_month": 24}},
              "strategy": {"names": ["balancing"], "options": {"balancing": {"usa_share": 0.1}}}}
    keys = [("params.value_chn", False), ("switches.noise", False), ("months", False), ("scenario", True),
            ("scenario.options.end_month", False), ("strategy.options.balancing.usa_share", False),
            ("experiment", True), ("sweep.id", False), ("output.figure", False), ("seed", False)]
    assert input_columns(keys, config, {"experiment": "war_ends", "scenario": "war_ends"}) == {
        "value_chn": 2.5, "switches_noise": False, "months": 6, "scenario_end_month": 24,
        "strategy_balancing_usa_share": 0.1, "experiment": "war_ends"}


def _plan_in(tmp_path, n_done: int) -> Plan:
    jobs = tuple(PlannedJob(f"j{i}", (f"j={i}",), tmp_path / f"j{i}", "h", "complete" if i < n_done else "none")
                 for i in range(3))
    for job in jobs:
        job.directory.mkdir()
    return Plan(True, "bar", tmp_path, jobs)


def test_progress_bar_counts_finished_jobs_on_a_terminal(tmp_path, monkeypatch, capsys):
    p = _plan_in(tmp_path, n_done=1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress(p, interval=0.01):
        for job in p.jobs[1:]:
            (job.directory / RESULT).write_bytes(b"")
        time.sleep(0.05)
    err = capsys.readouterr().err
    assert "sweep bar" in err
    assert "3/3" in err


def test_progress_is_quiet_when_not_a_terminal(tmp_path, capsys):
    p = _plan_in(tmp_path, n_done=0)
    with progress(p, interval=0.01):
        (p.jobs[0].directory / RESULT).write_bytes(b"")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("overrides", [("months=6,12",), ("experiment=war_ends",)])
def test_a_sweep_needs_multirun(overrides):
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="--multirun"):
        plan(*overrides, multirun=False)


def test_a_job_folder_is_claimed_by_one_live_process(tmp_path):
    """A live owner keeps its claim; a dead owner's claim is taken over; the claim names its owner."""
    import json
    import os
    import socket
    import subprocess

    from sim.results import CLAIM, ClaimedElsewhereError, claimed, live_claim

    job = tmp_path / "job"
    with claimed(job, "abc") as record:
        assert record["owner"]["pid"] == os.getpid()
        assert record["owner"]["host"] == socket.gethostname()
        assert live_claim(job)["inputs_hash"] == "abc"
        with claimed(job, "abc"):  # the same process (a resumed job in one run) may go on
            pass
    assert not (job / CLAIM).exists()
    other = subprocess.Popen(["sleep", "30"])
    try:
        owner = {"pid": other.pid, "host": socket.gethostname(), "start": None}
        (job / CLAIM).write_text(json.dumps({"owner": owner, "inputs_hash": "abc"}))
        with pytest.raises(ClaimedElsewhereError, match=f"process {other.pid}"), claimed(job, "abc"):
            pass
        other.kill()  # dead but not reaped: a zombie (an orphan under an init that never reaps)
        stat = Path(f"/proc/{other.pid}/stat")
        deadline = time.monotonic() + 10
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert live_claim(job) is None
    finally:
        other.kill()
        other.wait()
    assert live_claim(job) is None  # its owner is dead and gone
    with claimed(job, "abc") as record:
        assert record["owner"]["pid"] == os.getpid()


def test_no_private_hydra_module_is_used():
    """Resume and launch go through Hydra's public API and plugin extension points only."""
    root = Path(__file__).resolve().parents[2]
    sources = [*(root / "sim").rglob("*.py"), *(root / "hydra_plugins").rglob("*.py")]
    offending = [str(p.relative_to(root)) for p in sources
                 if "hydra._internal" in p.read_text() or "BasicSweeper" in p.read_text()]
    assert not offending


def test_the_sweeper_plugin_is_found_by_hydra():
    from hydra.core.plugins import Plugins
    from hydra.plugins.sweeper import Sweeper

    assert "TrisimSweeper" in [p.__name__ for p in Plugins.instance().discover(Sweeper)]
    assert plan("seed=0,1", "seed=0,0,1").jobs[0].job_id == "seed=0"  # the last value list wins; one job per digest
    assert len(plan("seed=0,0,1").jobs) == 2

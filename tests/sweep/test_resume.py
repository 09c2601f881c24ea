"""Resume and failure: an interrupted sweep, re-run, ends with exactly the rows of an
uninterrupted one; a failing job is recorded and the others complete."""

from __future__ import annotations

import json

import pytest

import sim.job
from sim.results import FAILURE, RESULT
from sim.sweep.catalog import main as catalog_main
from sim.sweep.catalog import query
from tests.sweep.helpers import TINY, run_command, start_and_kill_after_first_result, sweep_rows, trisim, trisim_command

#: Six jobs (5 strategies x 50 replications x 24 months each); Hydra composes each job's config
#: before running it (~0.2 s), which leaves time to kill the sweep between two jobs.
SIX_JOBS = ("-m", "months=24", "replications=50", "seed=0,1,2,3,4,5")


@pytest.mark.slow
def test_sigkill_then_rerun_gives_exactly_the_rows_of_an_uninterrupted_sweep(workdir):
    cut = workdir / "multirun" / "cut"
    start_and_kill_after_first_result(trisim_command(*SIX_JOBS, "sweep.id=cut"), workdir, cut)
    done = {p.parent.name: p.stat().st_mtime_ns for p in cut.glob(f"*/{RESULT}")}
    assert 1 <= len(done) < 6

    assert trisim(*SIX_JOBS, "sweep.id=cut") == 0  # the same command again: runs only the rest
    assert {p.parent.name: p.stat().st_mtime_ns for p in cut.glob(f"*/{RESULT}") if p.parent.name in done} == done
    assert trisim(*SIX_JOBS, "sweep.id=whole") == 0
    resumed, whole = sweep_rows(cut), sweep_rows(workdir / "multirun" / "whole")
    assert len(whole) == 6 * 5 * 50
    assert resumed.equals(whole)
    dupes = query("SELECT run_id FROM results GROUP BY run_id HAVING count(*) > 1")
    assert dupes.empty
    counts = query("SELECT sweep_id, complete, missing, rows FROM sweeps ORDER BY sweep_id")
    assert counts.to_dict("records") == [{"sweep_id": "cut", "complete": 6, "missing": 0, "rows": 1500},
                                         {"sweep_id": "whole", "complete": 6, "missing": 0, "rows": 1500}]


def test_a_failing_job_is_recorded_and_the_sweep_goes_on(workdir, monkeypatch, capsys):
    engine = sim.job.run_engine

    def flaky(spec, **kwargs):
        if spec.scenario == "war_ends":
            raise RuntimeError("injected failure")
        return engine(spec, **kwargs)

    monkeypatch.setattr(sim.job, "run_engine", flaky)
    sweep = ("-m", *TINY, "scenario=status_quo_2024,war_ends,food_crisis", "sweep.id=f")
    assert trisim(*sweep) == 1
    assert "2 complete, 1 failed, 0 missing" in capsys.readouterr().err
    root = workdir / "multirun" / "f"
    failed = root / "months=6,replications=3,scenario=war_ends"
    assert not (failed / RESULT).exists()
    record = json.loads((failed / FAILURE).read_text())
    assert record["status"] == "failed"
    assert record["error"] == "RuntimeError: injected failure"
    assert "injected failure" in record["traceback"]
    assert "Traceback" in record["traceback"]
    assert record["config"]["scenario"]["name"] == "war_ends"
    assert record["seed"] == 0
    assert record["git_revision"]
    rows = sweep_rows(root)
    counts = rows["scenario"].value_counts()  # a categorical counts every level of the registry
    assert counts[counts > 0].to_dict() == {"status_quo_2024": 5 * 3, "food_crisis": 5 * 3}

    jobs = query("SELECT job_id, status, error FROM jobs ORDER BY job_id")
    assert dict(zip(jobs["job_id"], jobs["status"])) == {
        "months=6,replications=3,scenario=food_crisis": "complete",
        "months=6,replications=3,scenario=status_quo_2024": "complete",
        "months=6,replications=3,scenario=war_ends": "failed",
    }
    assert query("SELECT status, failed FROM sweeps").to_dict("records") == [{"status": "failed", "failed": 1}]
    assert catalog_main(["--failed"]) == 0
    assert "RuntimeError: injected failure" in capsys.readouterr().out

    monkeypatch.setattr(sim.job, "run_engine", engine)  # fixed: the same command retries only that job
    kept = {p: p.stat().st_mtime_ns for p in root.glob(f"*/{RESULT}")}
    assert trisim(*sweep) == 0
    assert "2 already complete, 1 to run" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in kept} == kept
    assert (failed / RESULT).exists()
    assert not (failed / FAILURE).exists()
    assert query("SELECT status FROM sweeps")["status"].tolist() == ["complete"]


@pytest.mark.slow
def test_the_command_line_exit_status_reports_failed_jobs(tmp_path):
    """Through the real entry point: a sweep whose job cannot run exits 1, a bad config 2."""
    bad = run_command(trisim_command("-m", *TINY, "seed=0,1", "months=6,oops"), cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
    assert not (tmp_path / "multirun").exists()

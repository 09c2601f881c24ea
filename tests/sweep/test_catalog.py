"""The catalog: DuckDB over every result file, with the sweeps, their jobs and their status."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest

from sim.results import RESULT
from sim.sweep import catalog
from tests.sweep.helpers import TINY, trisim


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Two sweeps that vary different inputs, and one single run."""
    root = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        assert trisim("-m", *TINY, "strategy=balancing", "params.value_chn=2,3", "sweep.id=china") == 0
        assert trisim("-m", *TINY, "strategy=balancing", "scenario=war_ends", "scenario.options.end_month=0,3",
                      "sweep.id=peace") == 0
        assert trisim(*TINY, "strategy=bandwagon", "output.figure=", "sweep.id=single") == 0
    return root


def roots(base):
    return [base / "outputs", base / "multirun"]


def test_results_of_all_sweeps_in_one_table(store):
    got = catalog.query("SELECT sweep_id, count(*) AS n, count(value_chn) AS v, count(scenario_end_month) AS e "
                        "FROM results GROUP BY ALL ORDER BY ALL", roots(store))
    assert got.to_dict("records") == [{"sweep_id": "china", "n": 6, "v": 6, "e": 0},
                                      {"sweep_id": "peace", "n": 6, "v": 0, "e": 6},
                                      {"sweep_id": "single", "n": 3, "v": 0, "e": 0}]


def test_inputs_and_outcomes_share_a_row(store):
    got = catalog.query("SELECT value_chn, count(DISTINCT run_id) AS runs FROM results WHERE sweep_id = $s "
                        "GROUP BY ALL ORDER BY ALL", roots(store), params={"s": "china"})
    assert got.to_dict("list") == {"value_chn": [2.0, 3.0], "runs": [3, 3]}


def test_sweeps_and_jobs_show_their_status(store):
    sweeps = catalog.query("SELECT sweep_id, status, jobs, complete, failed, missing, rows FROM sweeps "
                           "ORDER BY sweep_id", roots(store))
    assert sweeps.to_dict("records") == [
        {"sweep_id": "china", "status": "complete", "jobs": 2, "complete": 2, "failed": 0, "missing": 0, "rows": 6},
        {"sweep_id": "peace", "status": "complete", "jobs": 2, "complete": 2, "failed": 0, "missing": 0, "rows": 6},
        {"sweep_id": "single", "status": "complete", "jobs": 1, "complete": 1, "failed": 0, "missing": 0, "rows": 3},
    ]
    jobs = catalog.jobs(roots(store))
    assert jobs.loc[jobs.sweep_id == "china", "job_id"].tolist() == [
        "months=6,params.value_chn=2,replications=3,strategy=balancing",
        "months=6,params.value_chn=3,replications=3,strategy=balancing"]
    assert jobs["seed"].tolist() == [0] * 5
    assert jobs["git_revision"].notna().all()


def test_a_job_without_its_result_is_missing(store, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    next((copy / "multirun" / "peace").glob(f"*/{RESULT}")).unlink()
    got = catalog.query("SELECT status, complete, missing FROM sweeps WHERE sweep_id = 'peace'", roots(copy))
    assert got.to_dict("records") == [{"status": "incomplete", "complete": 1, "missing": 1}]


def test_the_command_line(store, monkeypatch, capsys):
    monkeypatch.chdir(store)
    assert catalog.main([]) == 0
    out = capsys.readouterr().out
    for word in ("china", "peace", "single", "complete"):
        assert word in out
    assert catalog.main(["--jobs", "peace", "--csv"]) == 0
    jobs = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert jobs["status"].tolist() == ["complete", "complete"]
    assert catalog.main(["SELECT strategy, count(*) AS n FROM results GROUP BY ALL ORDER BY ALL", "--csv"]) == 0
    assert capsys.readouterr().out.split() == ["strategy,n", "balancing,12", "bandwagon,3"]
    assert catalog.main(["SELECT * FROM nowhere"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trisim: error: ")
    assert "views: results, steps, jobs, sweeps" in err
    assert len(err.splitlines()) == 1


def test_an_empty_store(tmp_path, capsys):
    assert catalog.query("SELECT count(*) AS n FROM results", tmp_path)["n"].tolist() == [0]
    assert catalog.query("SELECT * FROM sweeps", tmp_path).empty
    assert catalog.main(["--root", str(tmp_path / "nothing")]) == 0
    assert "no results yet" in capsys.readouterr().err


def test_final_rows_and_per_month_rows_are_two_views(tmp_path, monkeypatch):
    """A ``record=steps`` job beside a final-rows job: ``results`` holds one row per run (so an
    unfiltered average is over runs), ``steps`` the months of the per-month job."""
    monkeypatch.chdir(tmp_path)
    assert trisim(*TINY, "strategy=balancing", "record=steps", "output.figure=", "sweep.id=monthly") == 0
    assert trisim(*TINY, "strategy=balancing", "output.figure=", "sweep.id=final") == 0
    counts = catalog.query("SELECT sweep_id, count(*) AS n, min(month) AS first FROM results GROUP BY ALL "
                           "ORDER BY ALL")
    assert counts.to_dict("list") == {"sweep_id": ["final", "monthly"], "n": [3, 3], "first": [6, 6]}
    steps = catalog.query("SELECT sweep_id, count(*) AS n FROM steps GROUP BY ALL")
    assert steps.to_dict("list") == {"sweep_id": ["monthly"], "n": [3 * 6]}
    same = catalog.query("SELECT r.autonomy_prk = s.autonomy_prk AS same FROM results r JOIN steps s "
                         "USING (run_id) WHERE s.month = 6")
    assert same["same"].all()
    assert len(same) == 3


def test_a_sweep_name_reused_with_other_jobs_is_refused_unless_added_to(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert trisim("-m", *TINY, "strategy=balancing", "seed=0,1", "sweep.id=mine") == 0
    assert trisim("-m", *TINY, "strategy=balancing", "seed=0,1", "sweep.id=mine") == 0  # a resume
    capsys.readouterr()
    assert trisim("-m", "months=12", "replications=3", "strategy=balancing", "seed=0,1", "sweep.id=mine") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trisim: error: sweep mine already holds 2 job(s) of another configuration")
    assert "--add" in err
    assert len(err.splitlines()) == 1
    assert len(list((tmp_path / "multirun" / "mine").glob(f"*/{RESULT}"))) == 2
    assert trisim("--add", "-m", "months=12", "replications=3", "strategy=balancing", "seed=0,1",
                  "sweep.id=mine") == 0
    assert len(list((tmp_path / "multirun" / "mine").glob(f"*/{RESULT}"))) == 4

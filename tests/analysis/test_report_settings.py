"""``trisim report`` never pools unlike runs: it splits them by every setting that differs,
refuses what cannot share an axis, and every figure says what was run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import figures as figs
from sim.analysis import report
from sim.analysis.labels import outcome_label, outcome_unit
from sim.config import RunConfig, as_container
from sim.engine import simulate
from sim.outcomes import OUTCOME_INFO
from sim.results import write_parquet
from sim.world import WorldSpec


def config(**changes: object) -> dict:
    """A job's resolved config, as a job stores it in its Parquet metadata, with dotted ``changes``."""
    c = as_container(RunConfig())
    for key, value in changes.items():
        *path, last = key.split(".")
        node = c
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return c


def job(root: Path, name: str, months: int = 6, record: str = "final", replications: int = 3,
        **changes: object) -> Path:
    """One job's result file: two strategies of the war-ends world, with its config."""
    frame = pd.concat([simulate(WorldSpec(strategy=s, scenario="war_ends", months=months), replications=replications,
                                seed=0, record=record) for s in ("balancing", "counterweight")], ignore_index=True)
    meta = {"sweep_id": "s", "job_id": name, "config": config(months=months, record=record, **changes)}
    return write_parquet(frame, root / name / "outcomes.parquet", meta=meta)


def test_a_swept_setting_becomes_the_facets_of_figures_and_table(tmp_path: Path) -> None:
    for end in (0, 12, 24):
        job(tmp_path, f"end={end}", record="steps", **{"scenario.name": "war_ends", "scenario.options.end_month": end})
    res = report.load(tmp_path, report.find_files(tmp_path))
    assert res.settings == ["scenario_end_month"]
    assert list(res.final["facet"].cat.categories) == [
        "war ends · end month 0", "war ends · end month 12", "war ends · end month 24"]
    assert res.steps is not None
    assert set(res.steps["facet"].astype(str)) == set(res.final["facet"].astype(str))
    table = report.summary_table(res.final, res.facet, ["autonomy_prk"])
    assert sum(line.startswith("| war ends · end month 12 |") for line in table.splitlines()) == 2
    fig = figs.fan_chart(res.steps, "autonomy_prk", col=res.facet)
    assert [ax.get_title() for ax in fig.axes[:3]] == list(res.final["facet"].cat.categories)


def test_runs_of_different_lengths_are_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job(tmp_path, "short", months=4)
    job(tmp_path, "long", months=8, replications=4)
    with pytest.raises(report.ReportError, match="cannot share a time axis: 4 months in 1 file"):
        report.load(tmp_path, report.find_files(tmp_path))
    assert report.main([str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "8 months in 1 file" in err


def test_the_same_replications_twice_are_refused(tmp_path: Path) -> None:
    job(tmp_path, "first")
    job(tmp_path, "again")  # the same job under another name: replications 0-2 twice
    with pytest.raises(report.ReportError, match=r"6 runs appear more than once .* replications 0-2"):
        report.load(tmp_path, report.find_files(tmp_path))


def test_different_switches_are_split_and_each_figure_says_what_was_run(tmp_path: Path) -> None:
    job(tmp_path, "default")
    job(tmp_path, "no_jealousy", **{"switches.jealousy": False})
    res = report.load(tmp_path, report.find_files(tmp_path))
    assert res.settings == ["switches_jealousy"]
    assert list(res.final["facet"].cat.categories) == ["war ends · jealousy off", "war ends · jealousy on"]
    rep = report.write_report(res, tmp_path / "report", outcomes=["autonomy_prk"], fan_outcomes=[], prim=None,
                              formats=("png",), progress=False)
    assert "distributions" in rep.figures
    # settings every run shares are in each figure's title: here the one non-default engine
    job(tmp_path / "mesa", "m", engine="mesa")
    one = report.load(tmp_path / "mesa", report.find_files(tmp_path / "mesa"))
    assert one.what == "US pressure · point calibration · 6 months · settings: engine mesa"
    fig = figs.caption(figs.distributions(one.final, ["autonomy_prk"]), one.what)
    assert fig.get_suptitle().endswith("settings: engine mesa")
    triangles = figs.caption(figs.frequencies(one.final), one.what)  # legend above: its heading says it
    assert triangles.legends[0].get_title().get_text().startswith("US pressure · point calibration")


def test_a_swept_parameter_is_named_with_its_unit(tmp_path: Path) -> None:
    for value in (2.0, 6.0):
        job(tmp_path, f"v={value}", **{"params.value_chn": value})
    res = report.load(tmp_path, report.find_files(tmp_path))
    assert res.settings == ["value_chn"]
    assert list(res.final["facet"].cat.categories) == ["war ends · value_chn 2 USD bn/yr",
                                                       "war ends · value_chn 6 USD bn/yr"]


def test_labels_and_units_come_from_the_outcome_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, info in OUTCOME_INFO.items():
        assert outcome_label(name) == (f"{info.label} ({info.unit})" if info.unit else info.label)
        assert outcome_unit(name) == info.unit
    changed = OUTCOME_INFO["autonomy_prk"].__class__(**{**OUTCOME_INFO["autonomy_prk"].__dict__,
                                                         "label": "self-reliance", "unit": "index"})
    monkeypatch.setitem(OUTCOME_INFO, "autonomy_prk", changed)
    assert outcome_label("autonomy_prk") == "self-reliance (index)"
    from sim.plots import outcome_title

    assert outcome_title("autonomy_prk") == "self-reliance (index)"


def test_time_axes_show_calendar_months_when_given_a_start(steps: pd.DataFrame) -> None:
    fig = figs.fan_chart(steps, "autonomy_prk", start="2018-01")
    ax = fig.axes[-1]
    lo, hi = ax.get_xlim()
    shown = [t for t in ax.get_xticks() if lo <= t <= hi]
    label = ax.xaxis.get_major_formatter()
    assert shown[:2] == [0, 12]  # each January
    assert [label(t, 0) for t in shown[:2]] == ["2018", "2019"]
    july = figs.fan_chart(steps, "autonomy_prk", start="2018-07").axes[-1]
    assert july.xaxis.get_major_formatter()(6, 0) == "Jan 2019"
    assert fig.get_supxlabel() == "calendar month (month 0 = January 2018)"
    assert figs.fan_chart(steps, "autonomy_prk").get_supxlabel() == "month of simulation"
    with pytest.raises(ValueError, match="calendar month such as '2018-01'"):
        figs.fan_chart(steps, "autonomy_prk", start="spring")


def test_report_start_puts_dates_on_time_axes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job(tmp_path, "one", months=6, record="steps")
    out = tmp_path / "report"
    assert report.main([str(tmp_path), "--out", str(out), "--formats", "png", "--fan", "autonomy_prk",
                        "--outcomes", "autonomy_prk", "--start", "2018-01", "-q"]) == 0
    assert (out / "fan_autonomy_prk.png").is_file()
    assert report.main([str(tmp_path), "--start", "spring", "-q"]) == 2
    assert "calendar month such as '2018-01'" in capsys.readouterr().err


def test_the_default_jobs_figure_says_what_was_run_and_marks_collapsed_violins() -> None:
    from sim.plots import strategy_comparison

    frame = pd.concat([simulate(WorldSpec(strategy=s, months=6), replications=4, seed=0)
                       for s in ("balancing", "bandwagon", "engage_us")], ignore_index=True)
    at = frame.columns.get_loc("replication")
    frame.insert(at, "switches_jealousy", False)  # as a job labels an override
    frame.insert(at, "replications", 4)
    frame.insert(0, "calibration", "posterior")
    fig = strategy_comparison(frame)
    title = fig.get_suptitle()
    assert title.startswith("Outcomes by PRK strategy: status quo 2024 · US pressure, month 6 (4 replications each)")
    assert title.endswith("settings: posterior calibration, jealousy off")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["balancing", "bandwagon", "engage US"]
    assert fig.axes[0].get_title() == outcome_label("aid_total_prk")
    # bandwagon's autonomy is 0 in every run: drawn as a marked point, and the legend says so
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["every run ends at this one value"]
    plain = strategy_comparison(frame.drop(columns=["switches_jealousy", "calibration"]))
    assert plain.get_suptitle().endswith("default settings")

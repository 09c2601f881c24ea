"""``trisim report`` on a tiny result set: it writes every file its report lists."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import report
from sim.cli import main as cli_main
from sim.results import write_parquet

from .conftest import SCENARIOS, STRATEGIES, small_results


def write_results(root: Path, frame: pd.DataFrame) -> None:
    """One file per scenario, as two jobs of a sweep would leave them."""
    for sc in SCENARIOS:
        write_parquet(frame[frame["scenario"] == sc], root / f"scenario={sc}" / "outcomes.parquet",
                      meta={"scenario": sc})


def listed(md: str) -> list[str]:
    return re.findall(r"\]\(([^)]+)\)", md)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    write_results(root, small_results(replications=8, months=12))
    return root


@pytest.mark.slow
def test_report_writes_every_file_it_lists(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main([str(tiny), "--prim", "aid_total_prk > 2", "--outcomes", "autonomy_prk,aid_total_prk",
                        "--fan", "autonomy_prk"]) == 0
    out = tiny / "report"
    md = (out / "report.md").read_text()
    links = listed(md)
    assert links, "the report lists no figure"
    for link in links:
        assert (out / link).is_file(), link
        assert (out / link).stat().st_size > 1000
    stems = {Path(link).stem for link in links}
    assert {"distributions", "triangles", "trust_heatmap", "attention_heatmap", "aid_over_time",
            "fan_autonomy_prk", "prim_aid_total_prk_2"} <= stems
    for stem in stems:  # PNG and PDF of every figure
        assert {f"{stem}.png", f"{stem}.pdf"} <= set(links)
    assert sorted(p.name for p in out.iterdir()) == sorted({*links, "report.md"})
    assert "## Scenario discovery (PRIM)" in md
    assert "coverage" in md
    # the summary table has one row per strategy and scenario, with the run count
    rows = [line for line in md.splitlines() if line.startswith("| status quo 2024 |") or
            line.startswith("| war ends |")]
    assert len(rows) == len(STRATEGIES) * len(SCENARIOS)
    assert all("| 8 |" in r for r in rows)
    printed = capsys.readouterr().out
    assert "PRIM box for 'aid_total_prk > 2'" in printed
    assert "strategy in {balancing, counterweight}" in printed
    assert "48 runs from 2 file(s)" in printed


def test_report_reads_final_rows_only_and_says_what_it_skipped(tmp_path: Path) -> None:
    write_results(tmp_path, small_results(replications=6, months=6, record="final"))
    out = tmp_path / "elsewhere"
    assert report.main([str(tmp_path), "--out", str(out), "--formats", "png", "--outcomes", "autonomy_prk", "-q"]) == 0
    md = (out / "report.md").read_text()
    assert not any(link.startswith(("fan_", "aid_over_time")) for link in listed(md))
    assert "need results written with `trisim record=steps`" in md
    assert all((out / link).is_file() for link in listed(md))


def test_several_us_policies_become_separate_facets(tmp_path: Path) -> None:
    frame = small_results(replications=4, months=6, record="final")
    other = frame.assign(us_policy="engagement")
    write_parquet(pd.concat([frame, other], ignore_index=True), tmp_path / "outcomes.parquet")
    res = report.load(tmp_path, report.find_files(tmp_path))
    assert list(res.final["facet"].cat.categories) == [
        "status quo 2024 · engagement", "status quo 2024 · pressure", "war ends · engagement", "war ends · pressure"]
    assert res.steps is None


def test_bad_paths_and_names_fail_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main([str(tmp_path / "missing")]) == 2
    assert report.main([str(tmp_path)]) == 2
    write_parquet(small_results(replications=2, months=3, record="final"), tmp_path / "r.parquet")
    assert report.main([str(tmp_path), "--outcomes", "autonomy"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0] == f"trisim report: error: no such folder, file or sweep: '{tmp_path / 'missing'}' " \
                        "(looked in ., multirun/, outputs/ and the catalog)"
    assert errors[1] == f"trisim report: error: no Parquet result files under {tmp_path}"
    assert errors[2].startswith("trisim report: error: unknown outcome 'autonomy'; numeric outcomes")
    assert len(errors) == 3


def test_a_sweep_id_finds_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = small_results(replications=3, months=3, record="final")
    sweep = tmp_path / "multirun" / "2026-11-02"
    write_parquet(frame, sweep / "job_a" / "outcomes.parquet", meta={"sweep_id": "war1", "job_id": "job_a"})
    (sweep / "sweep.json").write_text('{"sweep_id": "war1", "jobs": []}')
    monkeypatch.chdir(tmp_path)
    assert report.resolve("2026-11-02") == Path("multirun/2026-11-02")
    assert report.resolve("war1").resolve() == sweep.resolve()  # through the catalog


def test_trisim_report_subcommand(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as done:
        cli_main(["report", str(tiny / "scenario=war_ends" / "outcomes.parquet"), "--out", str(tmp_path),
                  "--formats", "png", "--fan", "autonomy_prk", "--outcomes", "autonomy_prk", "-q"])
    assert done.value.code == 0
    assert (tmp_path / "report.md").is_file()
    assert (tmp_path / "fan_autonomy_prk.png").is_file()

"""The ``trisim`` command: the README's default job, re-runs, subcommands."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.cli import SUBCOMMANDS, main
from sim.results import read_meta
from sim.strategies import STRATEGIES
from tests.sweep.helpers import trisim


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_job_writes_table_figure_manifest_and_config(workdir, capsys):
    """``trisim`` (here in the debug size) runs every strategy and writes its results atomically
    beside the resolved config, with seed, versions and git revision in table and manifest."""
    assert trisim("debug=tiny", "sweep.id=first") == 0
    out = workdir / "outputs" / "first"
    assert {"outcomes.parquet", "strategies.png", "manifest.json", "config.yaml"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob(".*.tmp"))
    frame = pd.read_parquet(out / "outcomes.parquet")
    n = len(STRATEGIES)
    assert len(frame) == n * 4
    assert frame["strategy"].nunique() == n
    assert frame["run_id"].is_unique
    assert frame["run_id"].iloc[0] == "first/debug=tiny/balancing/0"
    assert (frame["sweep_id"] == "first").all()
    assert (frame["debug"] == "tiny").all()
    meta = read_meta(out / "outcomes.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    for record in (meta, manifest):
        assert record["seed"] == 0
        assert record["rows"] == 4 * n
        assert record["config"]["replications"] == 4
        assert record["versions"]["numpy"]
        assert record["versions"]["hydra-core"]
        assert record["git_revision"]
    assert manifest["status"] == "complete"
    assert f"{4 * n} rows ({n} strategies x 4 replications)" in capsys.readouterr().out


def test_rerun_with_the_same_id_skips_and_other_inputs_are_refused(workdir, capsys):
    assert trisim("debug=tiny", "output.figure=", "sweep.id=again") == 0
    table = workdir / "outputs" / "again" / "outcomes.parquet"
    written = table.stat().st_mtime_ns
    assert trisim("debug=tiny", "output.figure=", "sweep.id=again") == 0
    assert "nothing to do" in capsys.readouterr().out
    assert table.stat().st_mtime_ns == written
    assert trisim("debug=tiny", "seed=1", "sweep.id=again") == 2
    err = capsys.readouterr().err
    assert "holds the results of other inputs" in err
    assert "sweep.id" in err
    assert table.stat().st_mtime_ns == written


def test_subcommands_dispatch_to_their_module(workdir, capsys):
    assert set(SUBCOMMANDS) >= {"catalog", "sweep", "report", "explain"}
    with pytest.raises(SystemExit) as stop:
        main(["catalog"])
    assert stop.value.code == 0
    assert "no results yet" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["sweep", "--help"])
    assert stop.value.code == 0
    assert "resume" in capsys.readouterr().out


def test_a_failing_run_exits_1_and_leaves_its_record(workdir, monkeypatch, capsys):
    import sim.job

    def broken(spec, **kwargs):
        raise ArithmeticError("injected")

    monkeypatch.setattr(sim.job, "run_engine", broken)
    assert trisim("debug=tiny", "sweep.id=broken") == 1
    err = capsys.readouterr().err
    assert "trisim: error: the run failed: ArithmeticError: injected" in err
    record = json.loads((workdir / "outputs" / "broken" / "failure.json").read_text())
    assert record["error"] == "ArithmeticError: injected"
    assert not (workdir / "outputs" / "broken" / "outcomes.parquet").exists()


def test_a_subcommand_without_its_extra_says_what_to_install(monkeypatch, capsys):
    import sys

    monkeypatch.delitem(sys.modules, "sim.sweep.catalog", raising=False)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if the sweep extra were not installed
    with pytest.raises(SystemExit) as stop:
        main(["catalog"])
    assert stop.value.code == 2
    assert "needs the package duckdb" in capsys.readouterr().err


def run_main(*argv):
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return stop.value.code


def test_help_lists_commands_and_registries_and_version_is_trisims(capsys):
    from sim.policies import US_POLICIES
    from sim.scenarios import SCENARIOS
    from sim.strategies import STRATEGIES

    assert run_main("--help") == 0
    text = capsys.readouterr().out
    width = max(map(len, SUBCOMMANDS))
    for name, (_, description) in SUBCOMMANDS.items():
        assert f"  {name:<{width}} {description}" in text
    for name in (*STRATEGIES.names(), *SCENARIOS.names(), *US_POLICIES.names()):
        assert name in text
    assert "Hydra" not in text.splitlines()[0]
    assert run_main("--version") == 0
    assert capsys.readouterr().out.strip() == "trisim 0.1.0"


def test_list_params_gives_unit_bounds_default_and_source(capsys):
    from sim.params import describe

    assert run_main("list", "params") == 0
    text = " ".join(capsys.readouterr().out.split())
    for p in describe():
        assert f"{p['name']} {p['default']:g}" in text
        assert f"in [{p['low']:g}, {p['high']:g}]" in text
    first = describe()[0]
    assert " ".join(first["source"].split()) in text
    for kind, expected in (("strategies", "counterweight"), ("scenarios", "war_ends"),
                           ("policies", "us_policy=engagement")):
        assert run_main("list", kind) == 0
        assert expected in capsys.readouterr().out
    assert run_main("list", "nonsense") == 2


@pytest.mark.parametrize(("argv", "expected"), [
    (["reprot", "x"], "trisim: error: unknown command 'reprot'; did you mean 'trisim report'?"),
    (["foo"], "trisim: error: 'foo' is neither a command"),
    (["--strategy", "balancing"], "trisim: error: write overrides as key=value, without dashes: strategy=balancing"),
    (["months=6", "--replications=3"], "without dashes: replications=3 (not --replications=3)"),
])
def test_mistakes_get_a_one_line_suggestion(argv, expected, capsys):
    assert run_main(*argv) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err
    assert len(err.splitlines()) == 1


def test_the_mesa_engine_does_not_log_every_step(workdir, capsys):
    assert trisim("engine=mesa", "replications=1", "months=3", "strategy=balancing", "output.figure=",
                  "sweep.id=quiet") == 0
    captured = capsys.readouterr()
    assert "Step 1" not in captured.out + captured.err
    assert "Step" not in (workdir / "outputs" / "quiet" / "trisim.log").read_text()


def test_a_run_shows_replications_done_on_a_terminal_and_is_quiet_otherwise(workdir, monkeypatch, capsys):
    import sys

    assert trisim("debug=tiny", "output.figure=", "sweep.id=quiet_bar") == 0
    assert "replications:" not in capsys.readouterr().err  # not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert trisim("debug=tiny", "output.figure=", "sweep.id=bar") == 0
    err = capsys.readouterr().err
    assert "replications: 100%" in err
    assert "20.0/20.0" in err

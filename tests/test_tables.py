"""Typed tables: units and meanings in the Parquet schema, inputs as categoricals, parameters
as a DataFrame, the package version."""

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.engine import simulate
from sim.job import column_info
from sim.outcomes import OUTCOME_INFO
from sim.params import PARAM_FIELDS, ParameterError, Params
from sim.results import units, write_parquet
from sim.strategies import STRATEGIES
from sim.world import WorldSpec


def test_parquet_fields_carry_unit_and_meaning_from_the_declarations(tmp_path):
    frame = simulate(WorldSpec(months=6), replications=3, seed=1)
    frame["param_value_chn"] = 2.0
    path = write_parquet(frame, tmp_path / "t.parquet", columns=column_info)
    meta = units(path)
    for name in ("autonomy_prk", "sanctions", "triangle_prk_chn_rus"):
        o = OUTCOME_INFO[name]
        assert meta[name] == {"unit": o.unit, "description": o.label, "role": "outcome", "kind": o.kind}
    assert meta["param_value_chn"]["unit"] == PARAM_FIELDS["value_chn"].metadata["unit"]
    assert meta["param_value_chn"]["role"] == "parameter"
    assert meta["strategy"]["role"] == "input"
    # pyarrow reads the field metadata back itself
    assert pq.read_schema(path).field("autonomy_prk").metadata[b"unit"] == OUTCOME_INFO["autonomy_prk"].unit.encode()


def test_job_inputs_are_categoricals_with_the_registrys_levels(tmp_path, monkeypatch):
    from sim.policies import PATRON_POLICIES, US_POLICIES
    from sim.scenarios import SCENARIOS
    from tests.sweep.helpers import trisim

    monkeypatch.chdir(tmp_path)
    assert trisim("months=3", "replications=2", "sweep.id=t", "output.figure=") == 0
    path = tmp_path / "outputs" / "t" / "outcomes.parquet"
    frame = pd.read_parquet(path)
    levels = {"strategy": STRATEGIES, "scenario": SCENARIOS, "us_policy": US_POLICIES, "chn_policy": PATRON_POLICIES,
              "rus_policy": PATRON_POLICIES}
    for col, registry in levels.items():
        assert isinstance(frame[col].dtype, pd.CategoricalDtype), col
        assert list(frame[col].cat.categories) == registry.names()
    assert set(frame["strategy"]) == set(STRATEGIES.names()) - {"all"}
    assert units(path)["trust_chn_prk"]["unit"] == OUTCOME_INFO["trust_chn_prk"].unit


def test_simulate_takes_one_parameter_row_per_replication():
    df = pd.DataFrame({"value_chn": [1.0, 2.0, 3.0, 4.0], "jealousy": [0.0, 1.0, 2.0, 3.0]})
    got = simulate(WorldSpec(months=12), params=df, seed=2)
    ref = simulate(WorldSpec(months=12), replications=4, seed=2,
                   params=Params.with_overrides({"value_chn": df["value_chn"].to_numpy(),
                                                 "jealousy": df["jealousy"].to_numpy()}))
    assert len(got) == 4
    pd.testing.assert_frame_equal(got, ref)
    with pytest.raises(ValueError, match="4 rows but the run has 5 replications"):
        simulate(WorldSpec(months=2), params=df, replications=5)
    with pytest.raises(ParameterError, match="'colour', which is not a parameter"):
        simulate(WorldSpec(months=2), params=df.assign(colour=1.0))
    with pytest.raises(ParameterError, match="outside its bounds"):
        simulate(WorldSpec(months=2), params=df.assign(jealousy=-1.0))


def test_the_package_has_a_version_and_the_command_prints_it():
    assert sim.__version__
    assert sim.__version__[0].isdigit()
    out = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"trisim {sim.__version__}"


def test_a_sweeps_tables_read_plainly_with_pandas_polars_and_duckdb(tmp_path, monkeypatch):
    import duckdb

    from sim.analysis.report import find_files
    from tests.sweep.helpers import trisim

    monkeypatch.chdir(tmp_path)
    assert trisim("-m", "months=3", "replications=2", "strategy=balancing,bandwagon", "scenario=war_ends",
                  "sweep.id=s") == 0
    sweep = tmp_path / "multirun" / "s"
    tables = sweep / "tables"
    assert sorted(p.name for p in tables.iterdir()) == sorted(
        f"{json.loads(p.read_text())['inputs_hash']}.parquet" for p in sweep.glob("*/manifest.json"))
    frame = pd.read_parquet(tables)
    assert len(frame) == 2 * 2
    assert set(frame["strategy"].astype(str)) == {"balancing", "bandwagon"}
    assert isinstance(frame["scenario"].dtype, pd.CategoricalDtype)
    own = pd.read_parquet(sweep / "months=3,replications=2,scenario=war_ends,strategy=balancing" / "outcomes.parquet")
    assert list(frame.columns) == list(own.columns)  # no partition column inferred from the path
    rows = duckdb.sql(f"SELECT count(*), count(DISTINCT job_id) FROM read_parquet('{tables}/*.parquet')").fetchall()
    assert rows == [(4, 2)]
    names = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{tables}/*.parquet')").fetchall()]
    assert names == list(own.columns)
    pl = pytest.importorskip("polars")
    lazy = pl.scan_parquet(tables)
    assert lazy.select(pl.len()).collect().item() == 4
    assert lazy.collect_schema().names() == list(own.columns)
    # the report reads each job's table once, though tables/ links to it
    assert len(find_files(sweep)) == 2
    # a second run of the sweep skips every job and keeps the links
    assert trisim("-m", "months=3", "replications=2", "strategy=balancing,bandwagon", "scenario=war_ends",
                  "sweep.id=s") == 0
    assert len(pd.read_parquet(tables)) == 4

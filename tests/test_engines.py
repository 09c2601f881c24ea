"""The batch engine and the Mesa model run the same equations and agree exactly."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from sim.engine import simulate, simulate_mesa
from sim.model import TriangleModel, batch_run
from sim.params import Params, Switches
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

QUIET = Switches(noise=False, betrayal=False)


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.select_dtypes(include=["number", "bool"]).astype(float)


def categories(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.select_dtypes(include=["category"]).astype(str)


@pytest.mark.parametrize("scenario", SCENARIOS.names())
@pytest.mark.parametrize("strategy", STRATEGIES.names())
@pytest.mark.parametrize("switches", [QUIET, Switches()], ids=["noise-off", "noise-on"])
def test_mesa_and_batch_trajectories_agree(strategy, scenario, switches):
    """Same seed, every month, every outcome: noise off and (because replication r of the batch
    draws the very stream the Mesa model draws) noise on too."""
    spec = WorldSpec(strategy=strategy, scenario=scenario, months=36, switches=switches)
    batch = simulate(spec, replications=2, seed=5, record="steps")
    mesa = simulate_mesa(spec, replications=2, seed=5, record="steps")
    pd.testing.assert_frame_equal(numeric(batch), numeric(mesa), rtol=1e-12, atol=0)
    pd.testing.assert_frame_equal(categories(batch), categories(mesa))


def test_a_replication_does_not_depend_on_its_batch():
    spec = WorldSpec(strategy="counterweight", months=24)
    alone = simulate(spec, replication_ids=[7], seed=9)
    in_100 = simulate(spec, replications=100, seed=9)
    in_10k = simulate(spec, replications=10_000, seed=9, chunk=4096)
    reversed_ids = simulate(spec, replication_ids=range(99, -1, -1), seed=9)
    for other in (in_100, in_10k, reversed_ids):
        row = other[other["replication"] == 7]
        pd.testing.assert_frame_equal(numeric(alone).reset_index(drop=True), numeric(row).reset_index(drop=True))


def _half(ids: list[int]) -> pd.DataFrame:
    return simulate(WorldSpec(strategy="balancing", months=24), replication_ids=ids, seed=4)


def test_two_processes_give_the_one_process_result():
    ids = list(range(200))
    one = _half(ids)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(_half, [ids[1::2], ids[::2]]))
    two = pd.concat(parts).sort_values("replication").reset_index(drop=True)
    pd.testing.assert_frame_equal(numeric(one), numeric(two))


def test_mesa_batch_run_matches_the_batch_engine_and_restores_the_start_method():
    before = multiprocessing.get_start_method(allow_none=True)
    rows = batch_run({"strategy": ["balancing", "bandwagon"], "value_chn": 3.0, "months": 24,
                      "replication": range(3)}, seeds=[3], max_steps=24)
    assert multiprocessing.get_start_method(allow_none=True) == before
    assert len(rows) == 6
    assert set(rows["strategy"]) == {"balancing", "bandwagon"}
    for strategy in ("balancing", "bandwagon"):
        ref = simulate(WorldSpec(strategy=strategy, months=24), replications=3, seed=3, params={"value_chn": 3.0})
        got = rows[rows["strategy"] == strategy].sort_values("replication")
        np.testing.assert_allclose(got["autonomy_prk"].to_numpy(), ref["autonomy_prk"].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(got["trust_chn_prk"].to_numpy(), ref["trust_chn_prk"].to_numpy(), rtol=1e-12)


def test_mesa_model_stops_after_its_months_and_collects_every_month():
    model = TriangleModel(months=12, rng=1)
    frame = model.run()
    assert not model.running
    assert len(frame) == 12
    assert list(frame["month"]) == list(range(1, 13))


def test_mesa_model_reproduces_a_replication_of_a_batch_run():
    """Replication r of a run with seed s is the Mesa model built with rng=s, replication=r."""
    spec = WorldSpec(strategy="counterweight", months=30)
    batch = simulate(spec, replications=6, seed=11)
    model = TriangleModel(spec=spec, rng=11, replication=5)
    last = model.run().iloc[-1]
    for name in ("trust_chn_prk", "autonomy_prk", "bid_rus", "sanctions"):
        assert last[name] == batch.loc[5, name]
    assert TriangleModel(spec=spec, rng=11, replication=4).run().iloc[-1]["trust_chn_prk"] != last["trust_chn_prk"]
    with pytest.raises(ValueError, match="replication must be >= 0"):
        TriangleModel(spec=spec, rng=11, replication=-1)


def test_dashboard_style_string_seed_is_accepted():
    a = TriangleModel(months=6, rng="42").run()
    b = TriangleModel(months=6, rng=42).run()
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        TriangleModel(rng="forty-two")


def test_per_replication_parameters():
    """Calibration and posterior sweeps give each replication its own parameter vector."""
    from sim.params import Params

    values = np.array([1.0, 4.0, 8.0])
    spec = WorldSpec(months=24, switches=QUIET)
    many = simulate(spec, replications=3, seed=0, params=Params.with_overrides({"value_chn": values}))
    for r, v in enumerate(values):
        one = simulate(spec, replication_ids=[r], seed=0, params={"value_chn": float(v)})
        np.testing.assert_allclose(many.loc[r, "bid_chn"], one["bid_chn"].iloc[0], rtol=1e-12)


def test_bad_seed_and_replication_ids_are_refused_with_one_line():
    spec = WorldSpec(months=3)
    with pytest.raises(ValueError, match="replication ids must be >= 0"):
        simulate(spec, replication_ids=[0, -2])
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        simulate(spec, replications=2, seed=-1)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        TriangleModel(spec=spec, rng=-5)


def test_results_do_not_depend_on_the_number_of_threads():
    """The batch engine spreads chunks of replications over numba's threads; each replication
    runs alone on its own stream, so one thread and two give the same table to the last bit."""
    import numba

    spec = WorldSpec(strategy="counterweight", scenario="war_ends", months=36)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(spec, replications=300, seed=11, record="steps")
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = simulate(spec, replications=300, seed=11, record="steps")
    finally:
        numba.set_num_threads(before)
    pd.testing.assert_frame_equal(one, two)


def test_panels_are_the_steps_table_without_the_table():
    """engine.panels gives the per-month numbers of simulate(record="steps"), replication by month."""
    from sim.engine import panels

    spec = WorldSpec(strategy="balancing", months=7)
    params = Params.with_overrides({"value_chn": np.linspace(1.0, 3.0, 5)})
    frame = simulate(spec, replications=5, seed=4, params=params, record="steps")
    got = panels(spec, ["attention_prk_chn", "tech_transferred"], replications=5, seed=4, params=params)
    assert got["attention_prk_chn"].shape == (5, 7)
    np.testing.assert_array_equal(got["attention_prk_chn"].ravel(), frame["attention_prk_chn"].to_numpy())
    np.testing.assert_array_equal(got["tech_transferred"].ravel(), frame["tech_transferred"].to_numpy(dtype=float))
    with pytest.raises(ValueError, match="unknown outcome 'nope'"):
        panels(spec, ["nope"], replications=2)

def test_a_steps_run_streamed_to_parquet_is_the_in_memory_table(tmp_path):
    """The file holds, to the last bit, the table simulate returns, and the table pyarrow makes
    of it (the writers' own route), in batches of whole replications that fit ``max_rows``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.engine import simulate_to_parquet

    spec = WorldSpec(strategy="counterweight", scenario="war_ends", months=24)
    params = pd.DataFrame({"value_chn": np.linspace(1.0, 8.0, 30)})
    path = tmp_path / "steps.parquet"
    def info(name):
        return {"unit": "0-1"} if name.startswith("trust_") else None

    rows = simulate_to_parquet(path, spec, seed=3, params=params, max_rows=24 * 7 + 5, meta={"job": "x"}, columns=info)
    memory = simulate(spec, seed=3, params=params, record="steps")
    assert rows == len(memory) == 30 * 24
    back = pq.read_table(path)
    pd.testing.assert_frame_equal(back.to_pandas(), memory, check_exact=True)
    pq.write_table(pa.Table.from_pandas(memory, preserve_index=False), tmp_path / "memory.parquet")
    written = pq.read_table(tmp_path / "memory.parquet")
    assert back.schema.equals(written.schema, check_metadata=False)
    pd.testing.assert_frame_equal(back.to_pandas(), written.to_pandas(), check_exact=True)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 5  # 7 replications (168 rows) a batch: 7, 7, 7, 7, 2
    assert max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) == 7 * 24
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    from sim.results import read_meta

    assert read_meta(path) == {"job": "x"}
    from sim.results import units

    assert units(path)["trust_prk_chn"] == {"unit": "0-1"}
    assert "autonomy_prk" not in units(path)


def test_streamed_final_rows_are_the_in_memory_table(tmp_path):
    import pyarrow.parquet as pq

    from sim.engine import simulate_to_parquet

    spec = WorldSpec(months=12)
    simulate_to_parquet(tmp_path / "final.parquet", spec, replication_ids=[5, 2, 9], seed=1, record="final")
    pd.testing.assert_frame_equal(pq.read_table(tmp_path / "final.parquet").to_pandas(),
                                  simulate(spec, replication_ids=[5, 2, 9], seed=1), check_exact=True)


def test_a_streamed_run_holds_one_batch_whatever_the_number_of_replications(tmp_path, monkeypatch):
    """Memory does not grow with R: every batch handed to the writer has at most max_rows rows
    (and whole replications), for 10 replications as for 400."""
    import pyarrow.parquet as pq

    from sim import engine

    sizes: list[int] = []
    write = pq.ParquetWriter.write_batch

    def spy(self, batch, *args, **kwargs):
        sizes.append(batch.num_rows)
        return write(self, batch, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_batch", spy)
    spec = WorldSpec(months=6)
    for r in (10, 400):
        sizes.clear()
        engine.simulate_to_parquet(tmp_path / f"{r}.parquet", spec, replications=r, max_rows=60)
        assert sum(sizes) == r * 6
        assert max(sizes) == 60
        assert all(s % 6 == 0 for s in sizes)


def test_a_failed_stream_leaves_no_file(tmp_path, monkeypatch):
    from sim import engine

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "arrow_columns", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        engine.simulate_to_parquet(tmp_path / "x.parquet", WorldSpec(months=3), replications=4)
    assert list(tmp_path.iterdir()) == []

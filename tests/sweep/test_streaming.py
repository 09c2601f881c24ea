"""A job's per-month table (``record=steps``) is written to disk as its blocks of replications
finish (``sim.job.steps_tables``), never held whole, and reads back as the table built in memory."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

import sim.job
from sim.config import RunConfig, as_container, to_run
from sim.job import JobContext, execute, label, run_job, steps_tables
from sim.results import FAILURE, MANIFEST, RESULT, read_json, verify_result


def config(calibration: str = "point", **changes) -> dict:
    c = as_container(OmegaConf.structured(RunConfig))
    c.update(months=12, replications=30, record="steps", **changes)
    c["calibration"]["name"] = calibration
    return c


def context(tmp_path, in_sweep: bool = False) -> JobContext:
    return JobContext(directory=tmp_path / "job", sweep_id="s", job_id="record=steps", inputs={"record": "steps"},
                      in_sweep=in_sweep)


@pytest.mark.parametrize("calibration", ["point", "prior", "posterior"])
def test_blocks_of_replications_make_the_table_built_in_memory(calibration, tmp_path):
    """Each strategy's first block is built as execute builds it, the others from the engine's
    arrays: read back, all of them are execute's labelled table, dtypes included."""
    run = to_run(config(calibration))
    ctx = context(tmp_path)
    tables = list(steps_tables(run, ctx, rows=12 * 7))  # 7 replications a block: 5 blocks per strategy
    assert {t.num_rows for t in tables} == {12 * 7, 12 * 2}
    assert len({t.schema for t in tables}) == 1
    whole = label(execute(run, progress=False), ctx)
    back = pa.concat_tables(tables).to_pandas()
    assert back.equals(whole)
    assert back.dtypes.equals(whole.dtypes)


def test_a_steps_job_streams_its_table_in_row_groups_that_read_back_as_the_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.job, "STEP_ROWS", 12 * 8)
    c = config("prior")
    ctx = context(tmp_path)
    outcome = run_job(c, ctx, progress=False)
    assert outcome.status == "complete"
    assert outcome.rows == 5 * 30 * 12
    path = ctx.directory / RESULT
    assert pq.ParquetFile(path).num_row_groups == 5 * 4  # one per block: the table was never whole
    assert pd.read_parquet(path).equals(label(execute(to_run(c), progress=False), ctx))
    assert verify_result(ctx.directory).state == "complete"
    manifest = read_json(ctx.directory / MANIFEST)
    assert manifest["rows"] == manifest["result"]["rows"] == 5 * 30 * 12
    assert (ctx.directory / c["output"]["figure"]).stat().st_size > 0  # a single run's figure: final month
    assert sorted(manifest["files"]) == sorted([RESULT, MANIFEST, "config.yaml", c["output"]["figure"]])


def test_a_steps_job_that_fails_mid_stream_leaves_its_failure_and_no_table(tmp_path, monkeypatch):
    real = sim.job.steps_tables

    def failing(run, ctx, meta=None, rows=None):
        for k, block in enumerate(real(run, ctx, meta, rows=12 * 5)):
            if k == 3:
                raise MemoryError("no room for the fourth block")
            yield block

    monkeypatch.setattr(sim.job, "steps_tables", failing)
    ctx = context(tmp_path, in_sweep=True)
    outcome = run_job(config(), ctx, progress=False)
    assert outcome.status == "failed"
    assert read_json(ctx.directory / FAILURE)["error"] == "MemoryError: no room for the fourth block"
    assert not (ctx.directory / RESULT).exists()
    assert not (ctx.directory / MANIFEST).exists()
    assert not [p for p in ctx.directory.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(sim.job, "steps_tables", real)  # control: the same job then completes
    assert run_job(config(), ctx, progress=False).status == "complete"
    assert not (ctx.directory / FAILURE).exists()

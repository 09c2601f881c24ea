"""One job, as plain functions: a single run (``trisim``) and every job of a sweep
(``trisim -m ...``) go through :func:`run_job`, whichever launcher runs it.

A job runs every strategy of a validated :class:`~sim.config.Run`, labels each row with the
sweep, the job and the inputs that vary, and writes the outcome table atomically into the
job's folder beside its resolved config (layout in :mod:`sim.results`). A job whose folder
already holds its verified result is skipped, so re-running an interrupted sweep runs only
the rest; a job that another live run is computing is left to it; a job that raises (a write
error included) leaves ``failure.json`` (config, seed, traceback) instead.

Jobs of a sweep that differ only in their parameters can be computed together
(:func:`run_group`: one batch call per strategy, each job's table the one it would get alone),
and a job with per-month rows streams its table to disk in blocks (:func:`steps_tables`), so
its memory does not grow with its replications.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import yaml  # PyYAML, which OmegaConf reads and writes with
from tqdm.auto import tqdm

from sim.config import POINT, Run, as_container, inputs_hash, job_inputs, strategy_count, to_run
from sim.engine import STEP_ROWS  # a job streams its steps table in blocks of the engine's size
from sim.engine import run as run_engine
from sim.outcomes import OUTCOME_INFO
from sim.params import PARAM_FIELDS, Params
from sim.results import (
    CONFIG,
    FAILURE,
    MANIFEST,
    RESULT,
    TABLES,
    ClaimedElsewhereError,
    atomic_write_bytes,
    claimed,
    link_table,
    provenance,
    remove_stale_temporaries,
    result_state,
    sha256_file,
    stream_parquet,
    with_metadata,
    write_json,
    write_manifest,
    write_result,
)
from sim.world import WorldSpec

log = logging.getLogger(__name__)

#: Set by ``trisim`` for a sweep: the pid of the process that launched it. A job running in a
#: child of that process (a joblib or submitit-local worker) exits when its parent is gone.
PARENT_ENV = "TRISIM_SWEEP_PARENT"
_watching = threading.Event()

#: Columns every job's rows start with: identity, then the inputs every job has.
ID_COLUMNS = ("run_id", "sweep_id", "job_id")
INPUT_COLUMNS = ("strategy", "scenario", "us_policy", "chn_policy", "rus_policy", "calibration", "draw", "seed")
#: Config keys already shown by a column of :data:`INPUT_COLUMNS`.
_SHOWN = {"scenario": "scenario", "scenario.name": "scenario", "strategy": "strategy",
          "strategy.names": "strategy", "us_policy": "us_policy", "us_policy.name": "us_policy",
          "calibration": "calibration", "calibration.name": "calibration", "chn_policy": "chn_policy",
          "rus_policy": "rus_policy", "seed": "seed"}


@dataclass(frozen=True)
class JobContext:
    """Where a job writes and what it is called.

    Attributes:
        directory: the job's folder.
        sweep_id: the sweep's name (a single run is a sweep of one job).
        job_id: the job's name within the sweep: its overrides, sorted (``default`` if none).
        inputs: column name -> value of each input this job sets on the command line or in the
            sweep (see :func:`input_columns`), so that rows of different jobs tell them apart.
        in_sweep: part of a multirun: no figure, no per-strategy progress bar.
    """

    directory: Path
    sweep_id: str
    job_id: str
    inputs: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()
    in_sweep: bool = False


@dataclass(frozen=True)
class JobOutcome:
    """What became of a job: ``complete``, ``skipped`` (already complete) or ``failed``."""

    status: str
    directory: Path
    rows: int = 0
    error: str = ""


def parameters(run: Run, strategy: str | None = None) -> tuple[Params, np.ndarray | None]:
    """The parameters of a job's replications and, under a calibration, which draw each is.

    With ``calibration=point`` every replication runs ``run.params``. Otherwise
    ``sim.calibration.parameter_draws(name, n=replications, seed=seed, strategy=strategy)`` gives
    one parameter set per replication (fields of shape ``(n,)``) and the index of its draw (the
    posterior is the one fitted under ``strategy``); parameters set explicitly in the config
    (other than their defaults) then hold for every replication.
    """
    if run.calibration == POINT:
        return run.params, None
    from sim.calibration import parameter_draws  # checked by sim.config.check_calibration

    params, draws = parameter_draws(run.calibration, n=run.replications, seed=run.seed, strategy=strategy)
    if run.param_overrides:
        params = Params.with_overrides(run.param_overrides, base=params)
    return params, np.asarray(draws, dtype=np.int64)


def by_strategy(run: Run) -> Iterator[tuple[WorldSpec, Params, np.ndarray | None]]:
    """``(spec, params, draws)`` of each strategy of ``run``, as :func:`parameters` gives them:
    drawn once for all strategies, except under ``calibration=posterior``, where each strategy
    draws from the posterior fitted under it."""
    shared = None if run.calibration == "posterior" else parameters(run)
    for spec in run.specs:
        yield spec, *(shared or parameters(run, spec.strategy))


def _posterior_of(run: Run, strategy: str) -> str | None:
    """Which posterior a strategy's replications drew from (``None`` unless calibration=posterior)."""
    if run.calibration != "posterior":
        return None
    from sim.calibration import posterior_of

    return posterior_of(strategy)


def execute(run: Run, progress: bool = True) -> pd.DataFrame:
    """Outcomes of every strategy of ``run``, one table (strategy is a column).

    Replication r of every strategy draws the same stream (:mod:`sim.rng`, ``(seed, r)``) and,
    under a calibration, the same uniform to pick its parameter draw (the same draw under
    ``prior``; under ``posterior`` from the posterior fitted under that strategy, column
    ``posterior``): strategies are compared on common random numbers. Columns: ``run_id``
    (``<strategy>/<replication>``), the inputs of :data:`INPUT_COLUMNS`, drawn parameters that
    vary, then ``replication``, ``month`` and the outcomes of :mod:`sim.outcomes`.
    """
    parts = []
    # replications done (with an ETA) rather than strategies: a 20,000-replication run says how far it is
    bar = tqdm(total=len(run.specs) * run.replications, desc="replications", unit="rep", unit_scale=True,
               disable=not (progress and sys.stderr.isatty()))
    for spec, params, draws in by_strategy(run):
        bar.set_postfix_str(spec.strategy)
        part = run_engine(spec, engine=run.engine, replications=run.replications, seed=run.seed,
                          params=params, record=run.record)
        parts.append(_with_inputs(part, run, spec, params, draws))
        bar.update(run.replications)
    bar.close()
    return _assemble(parts)


#: Jobs run together (:func:`execute_group`) hold at most this many replications in one batch call,
#: and their tables at most :data:`GROUP_ROWS` rows in all (about 100 MiB).
GROUP_REPLICATIONS = 20_000
GROUP_ROWS = 100_000


def group_key(config: dict[str, Any]) -> str | None:
    """Jobs with one key differ only in their parameters, and :func:`execute_group` runs them
    together; None for a job that runs alone (the Mesa engine, or per-month rows, which a job
    streams to disk: :func:`steps_tables`)."""
    if config.get("engine") != "batch" or config.get("record") == "steps":
        return None
    inputs = job_inputs(config)
    inputs.pop("params", None)
    return inputs_hash(inputs)


def group_size(config: dict[str, Any]) -> int:
    """How many jobs of ``config``'s size one call of :func:`execute_group` takes: at most
    :data:`GROUP_REPLICATIONS` replications per strategy and :data:`GROUP_ROWS` rows in all."""
    reps = max(1, int(config.get("replications", 1)))
    return max(1, min(GROUP_REPLICATIONS // reps, GROUP_ROWS // (reps * strategy_count(config))))


def execute_group(runs: Sequence[Run]) -> list[pd.DataFrame]:
    """``[execute(run) for run in runs]`` for runs that differ only in their parameters
    (:func:`group_key`), in one batch call per strategy: replication r of each run keeps its
    stream ``(seed, r)`` and its run's parameters (one parameter row per replication: under a
    calibration its draw with the run's own overrides), so each
    table is, to the last bit, the one :func:`execute` gives. Many short jobs then cost one
    engine call, on every thread, instead of one each."""
    first = runs[0]
    if len(runs) == 1:
        return [execute(first, progress=False)]
    if first.engine != "batch":
        raise ValueError("execute_group runs engine=batch jobs")
    if any((r.specs, r.replications, r.seed, r.record, r.calibration) !=
           (first.specs, first.replications, first.seed, first.record, first.calibration) for r in runs):
        raise ValueError("execute_group runs jobs that differ only in their parameters")
    n = first.replications
    ids = np.tile(np.arange(n), len(runs))
    parts: list[list[pd.DataFrame]] = [[] for _ in runs]
    for each in zip(*(by_strategy(r) for r in runs)):  # each run's (spec, params, draws) of one strategy
        spec = each[0][0]
        whole = run_engine(spec, engine="batch", seed=first.seed, params=_stacked([p for _, p, _ in each], n),
                           record=first.record, replication_ids=ids)
        rows = len(whole) // len(runs)
        for j, (r, (_, params, draws)) in enumerate(zip(runs, each)):
            part = whole.iloc[j * rows:(j + 1) * rows].reset_index(drop=True)
            parts[j].append(_with_inputs(part, r, spec, params, draws))
    return [_assemble(p) for p in parts]


def _stacked(params: list[Params], n: int) -> Params:
    """One Params of ``len(params) * n`` replications: run j's parameters for replications
    ``j * n`` to ``(j + 1) * n``; a field every run holds at one same value stays a scalar."""
    def same(name: str) -> bool:
        values = [getattr(p, name) for p in params]
        return all(np.ndim(v) == 0 for v in values) and len(set(map(float, values))) == 1

    return Params.with_overrides({
        name: np.concatenate([np.broadcast_to(np.asarray(getattr(p, name), dtype=float), n) for p in params])
        for name in Params.names() if not same(name)})


def _with_inputs(part: pd.DataFrame, run: Run, spec: WorldSpec, params: Params,
                 draws: np.ndarray | None) -> pd.DataFrame:
    """One strategy's engine table with the job's input columns: policies, calibration, draw and
    the drawn parameters that vary."""
    reps = part["replication"].to_numpy()
    at = part.columns.get_loc("seed")
    part.insert(at, "chn_policy", spec.chn_policy)
    part.insert(at + 1, "rus_policy", spec.rus_policy)
    part.insert(at + 2, "calibration", run.calibration)
    part.insert(at + 3, "posterior", _posterior_of(run, spec.strategy))
    part.insert(at + 4, "draw", pd.array(draws[reps] if draws is not None else [None] * len(part), dtype="Int64"))
    if draws is not None:  # drawn parameters are inputs that vary by replication
        at = part.columns.get_loc("replication")
        for name in _drawn(params):  # every drawn field, whatever its values: same columns in every job
            part.insert(at, _free_name(name, part), np.broadcast_to(getattr(params, name), run.replications)[reps])
            at += 1
    return part


def _drawn(params: Params) -> list[str]:
    """The parameters drawn per replication (fields of shape ``(n,)``)."""
    return [name for name in Params.names() if np.ndim(getattr(params, name)) == 1]


def _assemble(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts (one per strategy) as one table: a ``run_id`` of ``<strategy>/<replication>``,
    and the named inputs as Categoricals of every registered name (so that every job's column has
    the same levels and tables concatenate), plus a strategy schedule's label
    (``bandwagon>balancing@48``)."""
    levels = input_levels()
    present = {col: {str(v) for part in parts for v in part[col].unique()} for col in levels}
    categories = {col: [*names, *sorted(present[col] - set(names))] for col, names in levels.items()}
    for part in parts:  # a part holds one value of each (a strategy, a scenario...): its codes are one number
        for col, cats in categories.items():
            values = part[col].unique()
            part[col] = (pd.Categorical.from_codes(np.full(len(part), cats.index(str(values[0])), dtype=np.int8 if
                                                           len(cats) < 128 else np.int16), categories=cats)
                         if len(values) == 1 else pd.Categorical(part[col].astype(str), categories=cats))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "run_id", frame["strategy"].astype("string") + "/" + frame["replication"].astype("string"))
    for col in ("calibration", "posterior"):
        frame[col] = frame[col].astype("string")
    return frame


def steps_tables(run: Run, ctx: JobContext, meta: dict[str, Any] | None = None,
                 rows: int | None = None) -> Iterator[pa.Table]:
    """``label(execute(run), ctx)`` of a ``record="steps"`` run as consecutive Arrow tables of
    whole replications of one strategy, at most ``rows`` rows each (default :data:`STEP_ROWS`;
    at least one replication), of one schema (with ``meta`` and each column's unit and meaning,
    :func:`column_info`): concatenated, they read back as that table, row for row, and memory
    holds one block whatever the number of replications. Each
    strategy's first block goes through pandas, as :func:`execute` builds it: it fixes the
    schema and the strategy's constant columns; its other blocks are built from the engine's
    outcome arrays (:func:`sim.engine.outcome_blocks`) without a pandas table, about three times
    as fast, and read back as the same rows."""
    from sim.engine import outcome_blocks
    from sim.outcomes import OUTCOMES

    months = _months(run)
    per_block = max(1, (STEP_ROWS if rows is None else rows) // months)
    schema = None
    for spec, params, draws in by_strategy(run):
        head = np.arange(min(per_block, run.replications))
        part = run_engine(spec, engine=run.engine, replication_ids=head, seed=run.seed, record="steps",
                          params=params.take(head) if draws is not None else params)
        engine_columns = set(part.columns)
        frame = label(_assemble([_with_inputs(part, run, spec, params, draws)]), ctx)
        if schema is None:
            schema = with_metadata(pa.Schema.from_pandas(frame, preserve_index=False), meta, column_info)
        first = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        yield first
        if run.replications <= per_block:
            continue
        drawn = {_free_name(n, engine_columns): n for n in _drawn(params)} if draws is not None else {}
        varying = {"run_id", "replication", "month", "draw", *OUTCOMES, *drawn}
        constants = {f.name: first.column(f.name).slice(0, 1).combine_chunks() for f in schema
                     if f.name not in varying}
        rest = np.arange(per_block, run.replications)
        for ids, table in outcome_blocks(spec, seed=run.seed, params=params.take(rest) if draws is not None else params,
                                         record="steps", replication_ids=rest, size=per_block):
            yield _arrow_block(schema, constants, drawn, f"{ctx.sweep_id}/{ctx.job_id}/{spec.strategy}/", ids, table,
                               months, params, draws, run.replications)


def _arrow_block(schema: pa.Schema, constants: dict[str, pa.Array], drawn: dict[str, str], prefix: str,
                 ids: np.ndarray, table: np.ndarray, months: int, params: Params, draws: np.ndarray | None,
                 replications: int) -> pa.Table:
    """One block of a job's steps table from the engine's outcome arrays: the columns
    :func:`label` of :func:`execute`'s table holds, in ``schema``'s types."""
    from sim.outcomes import OUTCOMES, arrow_columns

    n = len(ids) * months
    reps = np.repeat(ids, months)
    outcomes = dict(zip(OUTCOMES, arrow_columns(table.T)))
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    arrays = []
    for f in schema:
        if f.name in outcomes:
            a = outcomes[f.name]
        elif f.name == "run_id":
            a = pa.compute.binary_join_element_wise(pa.scalar(prefix), pa.array(reps).cast(pa.string()), "")
        elif f.name == "replication":
            a = pa.array(reps)
        elif f.name == "month":
            a = pa.array(np.tile(np.arange(1, months + 1), len(ids)))
        elif f.name == "draw":
            a = pa.array(draws[reps]) if draws is not None else pa.nulls(n, pa.int64())
        elif f.name in drawn:
            a = pa.array(np.broadcast_to(getattr(params, drawn[f.name]), replications)[reps])
        else:
            a = constants[f.name].take(zeros)
        arrays.append(a if a.type == f.type else a.cast(f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _figure_columns(names: list[str]) -> list[str]:
    """What :func:`write_figure` reads of a table with columns ``names``: the inputs (columns
    before ``replication``), the replication, the month and the outcomes it shows."""
    from sim.plots import MAIN_OUTCOMES

    inputs = names[1:names.index("replication") + 1]  # not run_id
    return [*inputs, "month", *(o for o in MAIN_OUTCOMES if o in names and o not in inputs)]


def _months(run: Run) -> int:
    return run.specs[0].months


def _stream_steps(run: Run, config: dict[str, Any], ctx: JobContext, meta: dict[str, Any], out: Path,
                  progress: bool, started: float) -> int:
    """A steps job's table written to disk as its blocks finish (:func:`steps_tables`,
    :func:`sim.results.stream_parquet`); once the temporary file is complete, and before its
    rename, the figure of a single run (from the final-month rows kept on the way) and the
    manifest (the finished file's size and SHA-256)."""
    months = _months(run)
    written = provenance(**meta, rows=len(run.specs) * run.replications * months, threads=numba.get_num_threads())
    files = [RESULT, MANIFEST, CONFIG]
    atomic_write_bytes(out / CONFIG, yaml.safe_dump(config, sort_keys=False).encode())
    figure = None if ctx.in_sweep else config["output"]["figure"]
    bar = tqdm(total=len(run.specs) * run.replications, desc="replications", unit="rep", unit_scale=True,
               disable=not (progress and sys.stderr.isatty()))
    finals: list[pa.Table] = []  # a single run's figure: its final month, in the columns it shows
    rows = 0

    def tables() -> Iterator[pa.Table]:
        nonlocal rows
        for table in steps_tables(run, ctx, written):
            if figure:
                finals.append(table.select(_figure_columns(table.schema.names))
                              .filter(pa.compute.equal(table["month"], months)))
            rows += table.num_rows
            bar.update(table.num_rows // months)
            yield table

    def finish(tmp: Path) -> None:  # the table is complete in tmp: the figure, then the manifest
        if figure:
            write_figure(pa.concat_tables(finals).to_pandas(), out / figure)
            finals.clear()
            files.append(figure)
        (out / FAILURE).unlink(missing_ok=True)  # before the table: a complete job never shows a failure
        written["seconds"] = round(time.perf_counter() - started, 3)
        write_manifest(out, written, files, rows, tmp.stat().st_size, sha256_file(tmp))

    stream_parquet(out / RESULT, tables(), before_rename=finish)
    bar.close()
    if ctx.in_sweep:
        with contextlib.suppress(OSError):
            link_table(out, meta["inputs_hash"], out.parent / TABLES)
    return rows


def input_levels() -> dict[str, list[str]]:
    """The levels of each named input column: every name in its registry (plugins included)."""
    from sim.policies import PATRON_POLICIES, US_POLICIES
    from sim.scenarios import SCENARIOS
    from sim.strategies import STRATEGIES

    patrons = PATRON_POLICIES.names()
    return {"strategy": STRATEGIES.names(), "scenario": SCENARIOS.names(), "us_policy": US_POLICIES.names(),
            "chn_policy": patrons, "rus_policy": patrons}


#: Meaning of the columns that are neither outcomes nor parameters.
ID_INFO: dict[str, tuple[str, str]] = {
    "run_id": ("id", "the run: <sweep id>/<job id>/<strategy>/<replication>"),
    "sweep_id": ("id", "the sweep (a single run is a sweep of one job)"),
    "job_id": ("id", "the job within its sweep: its overrides, sorted"),
    "strategy": ("name", "PRK's strategy (sim.strategies.STRATEGIES)"),
    "scenario": ("name", "the world's scenario (sim.scenarios.SCENARIOS)"),
    "us_policy": ("name", "the US policy (sim.policies.US_POLICIES)"),
    "chn_policy": ("name", "China's patron policy (sim.policies.PATRON_POLICIES)"),
    "rus_policy": ("name", "Russia's patron policy (sim.policies.PATRON_POLICIES)"),
    "calibration": ("name", "where the parameters come from: point, prior or posterior"),
    "posterior": ("name", "under calibration=posterior, the reading whose posterior the draws come from, or "
                          "'averaged' (a strategy that is none of the readings)"),
    "draw": ("index", "the calibration draw a replication runs (empty under calibration=point)"),
    "seed": ("seed", "the run's seed: replication r draws from stream (seed, r)"),
    "replication": ("index", "the replication r of the run"),
    "month": ("month", "months simulated (month 0 is January 2024)"),
}


def column_info(name: str) -> dict[str, str] | None:
    """Unit, meaning and role of a result column, from the single outcome and parameter
    declarations (:data:`sim.outcomes.OUTCOME_INFO`, :func:`sim.params.describe`); a
    parameter column may carry a ``param_`` or ``input_`` prefix. None for other columns."""
    if name in ID_INFO:
        unit, meaning = ID_INFO[name]
        return {"unit": unit, "description": meaning, "role": "input" if unit in ("name", "seed") else "id"}
    if name in OUTCOME_INFO:
        o = OUTCOME_INFO[name]
        return {"unit": o.unit, "description": o.label, "role": "outcome", "kind": o.kind}
    for prefix in ("", "param_", "input_"):
        f = PARAM_FIELDS.get(name.removeprefix(prefix)) if name.startswith(prefix) else None
        if f is not None:
            return {"unit": f.metadata["unit"], "description": f.metadata["doc"], "role": "parameter"}
    return None


def _free_name(name: str, columns: Any) -> str:
    """A drawn parameter's column: its name, or ``param_<name>`` if a column of ``columns`` (a
    table, or its column names) has that name."""
    names = columns.columns if isinstance(columns, pd.DataFrame) else columns
    return name if name not in names else f"param_{name}"


def input_columns(keys: Sequence[tuple[str, bool]], config: dict[str, Any],
                  choices: dict[str, Any] | None = None) -> dict[str, Any]:
    """Columns for the inputs a job sets: one per overridden key that no standard column shows.

    Args:
        keys: ``(key, is_group)`` of each override, e.g. ``("params.value_chn", False)`` or
            ``("experiment", True)``.
        config: the job's resolved config.
        choices: the option chosen in each config group (for group overrides).

    Returns:
        Column name -> value: ``params.value_chn`` -> ``value_chn``, ``switches.noise`` ->
        ``switches_noise``, ``scenario.options.end_month`` -> ``scenario_end_month``,
        ``experiment=war_ends`` -> ``experiment``; lists and dicts become JSON text.
    """
    choices = choices or {}
    out: dict[str, Any] = {}
    for key, is_group in keys:
        if key in _SHOWN or key.startswith(("hydra", "output.", "sweep.")) or key in ("output", "sweep"):
            continue
        if is_group:
            out[key.replace("/", "_")] = choices.get(key)
            continue
        value: Any = config
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, (list, dict)):
            value = json.dumps(value, sort_keys=True)
        name = key.removeprefix("params.").replace(".options.", "_").replace(".", "_")
        out[name] = value
    return out


def label(frame: pd.DataFrame, ctx: JobContext) -> pd.DataFrame:
    """Prefix a job's table with the sweep, the job, a global ``run_id`` and its varying inputs
    (a new table; ``frame`` is left as it was)."""
    frame = frame.copy(deep=False)  # copy-on-write: the new columns do not reach ``frame``
    frame["run_id"] = (f"{ctx.sweep_id}/{ctx.job_id}/" + frame["run_id"]).astype("string")
    frame.insert(1, "sweep_id", pd.array([ctx.sweep_id] * len(frame), dtype="string"))
    frame.insert(2, "job_id", pd.array([ctx.job_id] * len(frame), dtype="string"))
    at = frame.columns.get_loc("replication")
    for name, value in ctx.inputs.items():
        if name in frame.columns:
            name = f"input_{name}"
        frame.insert(at, name, value)
        at += 1
    return frame


def write_figure(frame: pd.DataFrame, path: Path) -> Path:
    """The strategy comparison figure of the final month, saved atomically."""
    import io

    from sim.plots import strategy_comparison

    final = frame[frame["month"] == frame["month"].max()]
    fig = strategy_comparison(final)
    buf = io.BytesIO()
    fig.savefig(buf, format=path.suffix.lstrip(".") or "png", dpi=150)
    return atomic_write_bytes(path, buf.getvalue())


def watch_parent(interval: float = 0.5) -> bool:
    """In a worker process of a sweep, exit as soon as the process that launched the sweep dies.

    A killed ``trisim`` cannot stop its workers itself; without this they would run on (each
    holding the compiled model in memory) and write results nobody waits for. Started once per
    process; True if this process is such a worker and is now watched.
    """
    try:
        parent = int(os.environ.get(PARENT_ENV, ""))
    except ValueError:
        return False
    if parent == os.getpid() or os.getppid() != parent:
        return False  # the sweep's own process, or a job on a cluster node
    if _watching.is_set():
        return True
    _watching.set()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(70)  # orphaned: the claim's owner is now dead, so a resumed sweep takes the job over

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return True


def record_failure(out: Path, meta: dict[str, Any], error: str, trace: str = "") -> str:
    """Write ``failure.json``; if even that fails (a full disk), say so in the returned error."""
    record = provenance(**meta, status="failed", error=error, traceback=trace)
    try:
        write_json(record, out / FAILURE)
    except OSError as err:
        return f"{error} (failure.json not written: {type(err).__name__}: {err})"
    return error


def run_job(cfg: Any, ctx: JobContext, progress: bool = True,
            compute: Callable[[Run], tuple[pd.DataFrame, float]] | None = None) -> JobOutcome:
    """Run one job and write its results into ``ctx.directory``; never raises for a failing job.

    Skips the job if the folder already holds its verified result, or if another live run holds
    the folder's claim (status ``claimed``). Otherwise claims the folder, removes temporary files
    of interrupted writes, and writes ``config.yaml``, the figure (single runs only),
    ``manifest.json`` and ``outcomes.parquet``, in that order and each atomically; if anything
    raises (a full disk too), writes ``failure.json`` with the config, seed and traceback and
    returns ``status="failed"`` so that a sweep goes on. ``compute(run)`` gives the job's table
    (and the seconds it took) if it was computed with others (:func:`run_group`); by default
    :func:`execute` computes it.
    """
    config = as_container(cfg)
    key = inputs_hash(job_inputs(config))
    out = Path(ctx.directory)
    if ctx.in_sweep:
        watch_parent()
    meta = {"sweep_id": ctx.sweep_id, "job_id": ctx.job_id, "overrides": list(ctx.overrides),
            "inputs_hash": key, "seed": config.get("seed"), "config": config}
    try:
        state = result_state(out, key)
        if state == "complete":
            if ctx.in_sweep and not (out.parent / TABLES / f"{key}.parquet").exists():  # killed before its link
                link_table(out, key, out.parent / TABLES)
            log.info("%s: already complete, skipped", ctx.job_id)
            return JobOutcome("skipped", out)
        if state == "other":
            error = f"{out} holds a run of other inputs; choose another sweep.id"
            log.error("%s: %s", ctx.job_id, error)
            return JobOutcome("failed", out, error=error)
        with claimed(out, key):
            if result_state(out, key) == "complete":  # finished by another run while we waited
                return JobOutcome("skipped", out)
            remove_stale_temporaries(out)
            rows = _compute_and_write(config, ctx, meta, out, progress, compute)
    except ClaimedElsewhereError as err:
        log.info("%s: %s, left to it", ctx.job_id, err)
        return JobOutcome("claimed", out, error=str(err))
    except Exception as err:
        error = record_failure(out, meta, f"{type(err).__name__}: {err}".splitlines()[0], traceback.format_exc())
        log.error("%s: failed: %s (traceback in %s)", ctx.job_id, error, out / FAILURE)
        return JobOutcome("failed", out, error=error)
    log.log(logging.INFO if ctx.in_sweep else logging.DEBUG, "%s: %d rows -> %s", ctx.job_id, rows, out / RESULT)
    return JobOutcome("complete", out, rows=rows)


def _compute_and_write(config: dict[str, Any], ctx: JobContext, meta: dict[str, Any], out: Path,
                       progress: bool, compute: Callable[[Run], tuple[pd.DataFrame, float]] | None) -> int:
    started = time.perf_counter()
    run = to_run(config)
    if run.record == "steps" and run.engine == "batch" and compute is None:
        return _stream_steps(run, config, ctx, meta, out, progress and not ctx.in_sweep, started)
    shared = 0.0  # seconds of a group's computation that are this job's share
    if compute is None:
        table = execute(run, progress=progress and not ctx.in_sweep)
    else:
        table, shared = compute(run)
        started = time.perf_counter()
    frame = label(table, ctx)
    # threads: the batch engine's (numba's) threads the job ran on, which a sweep shares out among its workers
    written = provenance(**meta, rows=len(frame), seconds=round(shared + time.perf_counter() - started, 3),
                         threads=numba.get_num_threads())
    files = [RESULT, MANIFEST, CONFIG]
    atomic_write_bytes(out / CONFIG, yaml.safe_dump(config, sort_keys=False).encode())
    figure = config["output"]["figure"]
    if figure and not ctx.in_sweep:
        write_figure(frame, out / figure)
        files.append(figure)
    (out / FAILURE).unlink(missing_ok=True)  # before the table: a complete job never shows a failure
    write_result(frame, out, written, files, columns=column_info)
    if ctx.in_sweep:
        # the job is complete once its table is renamed; the link is an index, remade on resume
        with contextlib.suppress(OSError):
            link_table(out, meta["inputs_hash"], out.parent / TABLES)
    return len(frame)


class _Group:
    """The tables of a group of jobs (:func:`group_key`), computed together when the first of
    them asks (:func:`execute_group`); a job whose group could not be computed (one job's config
    is bad) computes its own, so that its error is its own."""

    def __init__(self, configs: Sequence[dict[str, Any]]) -> None:
        self.configs = list(configs)
        self.tables: dict[int, pd.DataFrame] | None = None
        self.share = 0.0

    def compute(self, j: int) -> Callable[[Run], tuple[pd.DataFrame, float]]:
        def table(run: Run) -> tuple[pd.DataFrame, float]:
            if self.tables is None:
                started = time.perf_counter()
                try:
                    self.tables = dict(enumerate(execute_group([to_run(c) for c in self.configs])))
                except Exception as err:  # each job then runs alone and meets its own error
                    log.debug("group of %d jobs not run together: %s", len(self.configs), err)
                    self.tables = {}
                self.share = (time.perf_counter() - started) / len(self.configs)
            found = self.tables.pop(j, None)
            if found is None:
                started = time.perf_counter()
                return execute(run, progress=False), time.perf_counter() - started
            return found, self.share
        return table


def run_group(configs: Sequence[Any], contexts: Sequence[JobContext]) -> list[JobOutcome]:
    """:func:`run_job` of each job, its table computed with the group's others in one batch call
    (:func:`execute_group`) when the jobs differ only in their parameters (:func:`group_key`):
    the same tables, each written, claimed, skipped or failed as a job on its own."""
    configs = [as_container(c) for c in configs]
    keys = {group_key(c) for c in configs}
    if len(configs) == 1 or None in keys or len(keys) > 1:
        return [run_job(c, ctx, progress=False) for c, ctx in zip(configs, contexts)]
    group = _Group(configs)
    return [run_job(c, ctx, progress=False, compute=group.compute(j)) for j, (c, ctx) in
            enumerate(zip(configs, contexts))]


def groups(configs: Sequence[dict[str, Any]]) -> list[list[int]]:
    """The jobs (indices into ``configs``, in order) that run together: jobs of one
    :func:`group_key`, at most :func:`group_size` at a time; a job without a key alone."""
    out: list[list[int]] = []
    open_: dict[str, list[int]] = {}
    for i, c in enumerate(configs):
        key = group_key(c)
        if key is None:
            out.append([i])
            continue
        current = open_.get(key)
        if current is None or len(current) >= group_size(c):
            current = open_[key] = []
            out.append(current)
        current.append(i)
    return out

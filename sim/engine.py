"""The batch engine: R replications advanced at once through the same compiled functions.

Compiled code (:func:`sim.world.run_block`) runs each replication month by month through the
functions the Mesa model steps through: the agents' decisions, then
:func:`sim.dynamics.transition`, one call of each equation per replication and month.
Replication r of a run seeded with ``seed`` draws its noise from its own counter-based stream
(:mod:`sim.rng`), the very numbers the Mesa model draws for ``(seed, r)``.

Three ways out of a run, all from the same compiled blocks of replications: a DataFrame
(:func:`simulate`), a Parquet file written as the blocks finish (:func:`simulate_to_parquet`,
for steps runs too large to hold), and per-month arrays of a few outcomes (:func:`panels`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.outcomes import CATEGORICAL, N_OUTCOMES, OUTCOMES, arrow_columns, arrow_fields, columns, decode
from sim.params import ParameterError, Params
from sim.results import stream_parquet, with_metadata
from sim.rng import run_key
from sim.state import initial_state
from sim.world import WorldSpec, run_block

#: Replications handed to compiled code at once (bounds the memory of per-replication
#: parameters and state); results do not depend on it.
BLOCK = 10_000


_DEFAULTS = Params()


def as_params(params: Params | dict[str, Any] | pd.DataFrame | None) -> Params:
    """``params`` as a :class:`Params`: the defaults, a Params, a dict of overrides, or a
    DataFrame with one row per replication and one column per parameter that varies."""
    if params is None:
        return _DEFAULTS
    if isinstance(params, Params):
        return params
    if isinstance(params, pd.DataFrame):
        unknown = [c for c in params.columns if c not in Params.names()]
        if unknown:
            raise ParameterError(f"params has column {unknown[0]!r}, which is not a parameter; "
                                 f"known parameters: {', '.join(Params.names())}")
        return Params.with_overrides({c: params[c].to_numpy(dtype=float) for c in params.columns})
    return Params.with_overrides(params)


def simulate(
    spec: WorldSpec | None = None,
    *,
    replications: int | None = None,
    seed: int = 0,
    params: Params | dict[str, Any] | pd.DataFrame | None = None,
    record: str = "final",
    replication_ids: Iterable[int] | None = None,
    chunk: int = BLOCK,
) -> pd.DataFrame:
    """Run ``replications`` worlds of ``spec`` and return a tidy outcome table.

    Args:
        spec: strategy, policies, scenario, months and switches (default: :class:`WorldSpec`).
        replications: number of replications R (ignored when ``replication_ids`` is given;
            default: one per row of a DataFrame ``params``, else 100).
        seed: the run's seed; replication r draws from stream ``(seed, r)`` (:mod:`sim.rng`).
        params: one parameter set, or one value per replication (fields of shape ``(R,)``),
            or a dict of overrides of the defaults, or a DataFrame with one row per
            replication and a column per parameter it sets (the others keep their defaults).
        record: ``"final"`` for one row per replication, ``"steps"`` for one row per
            replication and month (held in memory: :func:`simulate_to_parquet` writes a large
            steps run to disk as it goes).
        replication_ids: which replications to run (to split a run across processes).
        chunk: replications advanced together (results do not depend on it).

    Returns:
        One row per replication (and month), outcomes named as in :mod:`sim.outcomes`.
    """
    run = _Run.make(spec, replications, seed, params, record, replication_ids, chunk)
    rows = run.rows_per_replication
    table = np.empty((N_OUTCOMES, len(run.ids) * rows))  # one outcome per row: its values lie together
    for start, stop, _ in run.blocks(run.chunk):
        run.advance(start, stop, table[:, start * rows:stop * rows])
    n_rows = table.shape[1]
    steps = run.steps
    frame = pd.DataFrame({**{k: _constant(v, n_rows) for k, v in inputs(run.spec, seed).items()},
                          "replication": np.repeat(run.ids, rows),
                          "month": np.tile(np.arange(1, run.months + 1), len(run.ids)) if steps
                          else np.full(n_rows, run.months),
                          **columns(table.T)})
    return decode(frame)


def _constant(value: Any, n: int) -> Any:
    """A column of ``n`` times ``value``: strings as pandas' ``str`` columns made from one Arrow
    string (a NumPy array of strings costs pandas 30 times as much to convert)."""
    if isinstance(value, str):
        return pd.Series(pa.array([value], pa.large_string()).take(pa.array(np.zeros(n, dtype=np.int32))), dtype="str")
    return np.full(n, value)


#: Most replication-months in one record batch of :func:`simulate_to_parquet` (written as one
#: row group): about 80 MiB of outcomes; it holds two, whatever the number of replications.
STEP_ROWS = 1 << 17


def simulate_to_parquet(
    path: str | os.PathLike,
    spec: WorldSpec | None = None,
    *,
    replications: int | None = None,
    seed: int = 0,
    params: Params | dict[str, Any] | pd.DataFrame | None = None,
    record: str = "steps",
    replication_ids: Iterable[int] | None = None,
    meta: dict[str, Any] | None = None,
    columns: Callable[[str], dict[str, str] | None] | None = None,
    max_rows: int = STEP_ROWS,
) -> int:
    """:func:`simulate`'s table written to the Parquet file ``path`` as the replications
    finish, in record batches of at most ``max_rows`` rows (replications whole), with no
    pandas table in between: memory holds two batches (one written while the next runs),
    whatever the number of replications.

    The file appears only when complete (a temporary file beside it, renamed at the end:
    :func:`sim.results.parquet_stream`); read back, it is the table :func:`simulate` returns
    for the same arguments, to the last bit. ``meta`` (JSON) goes into the file's metadata and
    ``columns(name)`` (a column's unit and meaning, e.g. :func:`sim.job.column_info`) into each
    column's, as :func:`sim.results.write_parquet` stores them. Arguments otherwise as
    :func:`simulate` (``record`` defaults to ``"steps"``).

    Returns:
        The number of rows written.
    """
    if max_rows < 1:
        raise ValueError(f"max_rows must be >= 1, got {max_rows}")
    run = _Run.make(spec, replications, seed, params, record, replication_ids, BLOCK)
    rows = run.rows_per_replication
    per_batch = max(1, min(BLOCK, max_rows // rows))
    names = inputs(run.spec, seed)
    schema = pa.schema([*(pa.field(k, pa.large_string() if isinstance(v, str) else pa.int64())
                          for k, v in names.items()),
                        pa.field("replication", pa.int64()), pa.field("month", pa.int64()), *arrow_fields()])
    n_max = per_batch * rows
    constants = [pa.array(np.full(n_max, v), type=schema.field(k).type) for k, v in names.items()]
    month = np.tile(np.arange(1, run.months + 1), per_batch) if run.steps else np.full(n_max, run.months)
    tables = (np.empty((N_OUTCOMES, n_max)), np.empty((N_OUTCOMES, n_max)))

    def batches() -> Iterator[pa.RecordBatch]:
        # a block runs while the one before it is written (its batch's columns are views of the
        # other table, free again once written: sim.results.stream_parquet)
        for k, (start, stop, block) in enumerate(run.blocks(per_batch)):
            n = (stop - start) * rows
            table = tables[k % 2]
            run.advance(start, stop, table[:, :n])
            arrays = [c.slice(0, n) for c in constants]
            arrays += [pa.array(np.repeat(block, rows)), pa.array(month[:n]), *arrow_columns(table[:, :n].T)]
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    return stream_parquet(path, batches(), with_metadata(schema, meta, columns))


def panels(
    spec: WorldSpec,
    columns: Iterable[str],
    *,
    replications: int | None = None,
    seed: int = 0,
    params: Params | dict[str, Any] | None = None,
    replication_ids: Iterable[int] | None = None,
    chunk: int = BLOCK,
) -> dict[str, np.ndarray]:
    """Per-month outcomes as ``(replications, months)`` float arrays, one per outcome named in
    ``columns``: the numbers of ``simulate(..., record="steps")`` without building its table
    (for statistics of many runs, as the calibration computes). Flags are 0/1 and categories
    their integer codes. Memory holds the arrays asked for and one block of replications'
    outcomes (at most :data:`STEP_ROWS` rows), not the steps table."""
    wanted = list(columns)
    unknown = [c for c in wanted if c not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome {unknown[0]!r}; outcomes: {', '.join(OUTCOMES)}")
    run = _Run.make(spec, replications, seed, params, "steps", replication_ids, chunk)
    months = run.months
    out = {c: np.empty((len(run.ids), months)) for c in wanted}
    per_block = max(1, min(chunk, STEP_ROWS // months))
    table = np.empty((N_OUTCOMES, per_block * months))
    for start, stop, _ in run.blocks(per_block):
        n = (stop - start) * months
        run.advance(start, stop, table[:, :n])
        for c in wanted:
            out[c][start:stop] = table[OUTCOMES.index(c), :n].reshape(stop - start, months)
    return out


def outcome_blocks(
    spec: WorldSpec,
    *,
    seed: int = 0,
    params: Params | dict[str, Any] | pd.DataFrame | None = None,
    record: str = "steps",
    replication_ids: Iterable[int],
    size: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The outcomes of :func:`simulate` for ``replication_ids``, a block of at most ``size``
    replications at a time: ``(ids, table)`` with ``table`` of shape ``(N_OUTCOMES, rows)``, one
    outcome per row of it (category codes, as :func:`sim.outcomes.arrow_columns` takes them),
    one column per replication (and month, replication-major, for ``record="steps"``).
    ``params`` holds one set, or one value per replication of ``replication_ids``. Each block
    has a table of its own (Arrow arrays made from it may share its memory)."""
    run = _Run.make(spec, None, seed, params, record, replication_ids, BLOCK)
    rows = run.rows_per_replication
    for start, stop, block in run.blocks(max(1, min(size, BLOCK))):
        table = np.empty((N_OUTCOMES, (stop - start) * rows))
        run.advance(start, stop, table)
        yield block, table


@dataclass
class _Run:
    """A batch run's inputs, checked, and its replications advanced a block at a time."""

    spec: WorldSpec
    ids: np.ndarray
    params: Params
    steps: bool
    months: int
    chunk: int
    key: tuple[int, int]
    agents: Any
    drivers: Any
    switches: Any
    rivalry: float
    hostility: float
    per_replication: bool  # some parameter holds one value per replication

    @property
    def rows_per_replication(self) -> int:
        return self.months if self.steps else 1

    @classmethod
    def make(cls, spec: WorldSpec | None, replications: int | None, seed: int, params: Any, record: str,
             replication_ids: Iterable[int] | None, chunk: int) -> _Run:
        spec = spec or WorldSpec()
        if record not in ("final", "steps"):
            raise ValueError(f"record must be 'final' or 'steps', got {record!r}")
        rows_given = len(params) if isinstance(params, pd.DataFrame) else None
        if replications is None:
            replications = 100 if rows_given is None else rows_given
        ids = (np.arange(replications) if replication_ids is None
               else np.asarray(list(replication_ids), dtype=np.int64))
        if rows_given is not None and rows_given != ids.size:
            raise ValueError(f"params has {rows_given} rows but the run has {ids.size} replications: "
                             "give one row per replication")
        if ids.size == 0:
            raise ValueError("replications must be >= 1")
        if (ids < 0).any():
            raise ValueError(f"replication ids must be >= 0, got {int(ids.min())}")
        if chunk < 1:
            raise ValueError(f"chunk must be >= 1, got {chunk}")
        world = spec.build()
        p = as_params(params)
        shaped = [np.shape(getattr(p, n)) for n in Params.names()]
        bad = next(((n, sh) for n, sh in zip(Params.names(), shaped) if sh not in ((), (ids.size,))), None)
        if bad:
            raise ParameterError(f"parameter {bad[0]!r} has shape {bad[1]}; expected () or ({ids.size},)")
        d0 = world.drivers
        return cls(spec=spec, ids=ids, params=p, steps=record == "steps", months=spec.months, chunk=chunk,
                   key=run_key(seed), agents=world.agents(), drivers=d0.arrays(), switches=spec.switches.flags(),
                   rivalry=d0.us_china_rivalry[0], hostility=d0.us_russia_hostility[0],
                   per_replication=any(shaped))

    def blocks(self, size: int) -> Iterator[tuple[int, int, np.ndarray]]:
        """``(start, stop, ids)`` of each block of at most ``size`` replications, in order."""
        for start in range(0, len(self.ids), size):
            stop = min(start + size, len(self.ids))
            yield start, stop, self.ids[start:stop]

    def advance(self, start: int, stop: int, out: np.ndarray) -> None:
        """Run replications ``ids[start:stop]`` from month 0 to the end, their outcomes into the
        columns of ``out`` ``(N_OUTCOMES, rows)``."""
        # one parameter record that every replication shares, unless they differ
        p = self.params.take(slice(start, stop)).arrays(stop - start) if self.per_replication else self.params.arrays(1)
        s = initial_state(p, stop - start, rivalry=self.rivalry, hostility=self.hostility)
        run_block(self.agents, s, self.drivers, p, self.switches, self.key, self.ids[start:stop], self.months,
                  self.steps, out)


def inputs(spec: WorldSpec, seed: int) -> dict[str, Any]:
    """The run's inputs that lead every outcome table: strategy, scenario, US policy, seed."""
    return {"strategy": spec.strategy, "scenario": spec.scenario, "us_policy": spec.us_policy, "seed": seed}


def label(frame: pd.DataFrame, spec: WorldSpec, seed: int) -> pd.DataFrame:
    """Prepend the run's inputs (strategy, scenario, US policy, seed) as columns."""
    for i, (k, v) in enumerate(inputs(spec, seed).items()):
        frame.insert(i, k, v)
    return frame


def simulate_mesa(
    spec: WorldSpec | None = None,
    *,
    replications: int = 100,
    seed: int = 0,
    params: Params | dict[str, Any] | None = None,
    record: str = "final",
    replication_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """The same table as :func:`simulate`, from the Mesa model, one replication at a time.

    Parameters must be one set for all replications (the Mesa model holds one world).
    """
    from sim.model import TriangleModel  # Mesa is only needed here

    spec = spec or WorldSpec()
    if record not in ("final", "steps"):
        raise ValueError(f"record must be 'final' or 'steps', got {record!r}")
    if isinstance(params, pd.DataFrame):
        raise ValueError("the Mesa engine runs one parameter set; per-replication parameters need engine='batch'")
    p = as_params(params)
    ids = range(replications) if replication_ids is None else list(replication_ids)
    if len(ids) == 0:
        raise ValueError("replications must be >= 1")
    frames = []
    for r in ids:
        model = TriangleModel(spec=spec, params=p, rng=seed, replication=r)
        traj = model.run()
        if record == "final":
            traj = traj.iloc[[-1]]
        traj.insert(0, "replication", r)
        frames.append(traj)
    frame = pd.concat(frames, ignore_index=True)
    for col, levels in CATEGORICAL.items():
        frame[col] = pd.Categorical(frame[col], categories=list(levels))
    return label(frame, spec, seed)


def run(spec: WorldSpec | None = None, *, engine: str = "batch", **kwargs: Any) -> pd.DataFrame:
    """One entry point for both engines: ``engine="batch"`` (default) or ``"mesa"``."""
    if engine == "batch":
        return simulate(spec, **kwargs)
    if engine == "mesa":
        return simulate_mesa(spec, **kwargs)
    raise ValueError(f"unknown engine {engine!r}; choose one of: batch, mesa")

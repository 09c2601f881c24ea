"""The batch engine: R replications advanced at once through the same compiled functions.

Compiled code (:func:`sim.world.run_block`) runs each replication month by month through the
functions the Mesa model steps through: the agents' decisions, then
:func:`sim.dynamics.transition`, one call of each equation per replication and month.
Replication r of a run seeded with ``seed`` draws its noise from its own counter-based stream
(:mod:`sim.rng`), the very numbers the Mesa model draws for ``(seed, r)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sim.outcomes import CATEGORICAL, N_OUTCOMES, OUTCOMES, columns, decode
from sim.params import ParameterError, Params
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
            replication and month.
        replication_ids: which replications to run (to split a run across processes).
        chunk: replications advanced together (results do not depend on it).

    Returns:
        One row per replication (and month), outcomes named as in :mod:`sim.outcomes`.
    """
    spec = spec or WorldSpec()
    if record not in ("final", "steps"):
        raise ValueError(f"record must be 'final' or 'steps', got {record!r}")
    rows_given = len(params) if isinstance(params, pd.DataFrame) else None
    if replications is None:
        replications = 100 if rows_given is None else rows_given
    ids = np.arange(replications) if replication_ids is None else np.asarray(list(replication_ids), dtype=np.int64)
    if rows_given is not None and rows_given != ids.size:
        raise ValueError(f"params has {rows_given} rows but the run has {ids.size} replications: "
                         "give one row per replication")
    if ids.size == 0:
        raise ValueError("replications must be >= 1")
    if (ids < 0).any():
        raise ValueError(f"replication ids must be >= 0, got {int(ids.min())}")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    months = spec.months
    steps = record == "steps"
    rows = months if steps else 1
    table = _table(spec, ids, seed, as_params(params), steps, chunk)
    n_rows = len(table)
    frame = pd.DataFrame({**{k: np.full(n_rows, v) for k, v in inputs(spec, seed).items()},
                          "replication": np.repeat(ids, rows),
                          "month": np.tile(np.arange(1, months + 1), len(ids)) if steps else np.full(n_rows, months),
                          **columns(table)})
    return decode(frame)


def _table(spec: WorldSpec, ids: np.ndarray, seed: int, params: Params, steps: bool, chunk: int) -> np.ndarray:
    """The raw outcome rows of replications ``ids`` (:func:`sim.outcomes.outcome_row` layout):
    one per replication, or one per replication and month with ``steps``."""
    world = spec.build()
    months = spec.months
    key = run_key(seed)
    p_all = params.arrays(len(ids))
    agents, drivers, sw = world.agents(), world.drivers.arrays(), spec.switches.flags()
    d0 = world.drivers
    rows = months if steps else 1
    table = np.empty((len(ids) * rows, N_OUTCOMES))
    for start in range(0, len(ids), chunk):
        block, p = ids[start:start + chunk], p_all[start:start + chunk]
        s = initial_state(p, len(block), rivalry=d0.us_china_rivalry[0], hostility=d0.us_russia_hostility[0])
        run_block(agents, s, drivers, p, sw, key, block, months, steps, table[start * rows:(start + len(block)) * rows])
    return table


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
    their integer codes."""
    spec = spec or WorldSpec()
    ids = np.arange(100 if replications is None else replications) if replication_ids is None else \
        np.asarray(list(replication_ids), dtype=np.int64)
    if ids.size == 0:
        raise ValueError("replications must be >= 1")
    wanted = list(columns)
    unknown = [c for c in wanted if c not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome {unknown[0]!r}; outcomes: {', '.join(OUTCOMES)}")
    table = _table(spec, ids, seed, as_params(params), True, chunk).reshape(len(ids), spec.months, N_OUTCOMES)
    return {c: np.ascontiguousarray(table[:, :, OUTCOMES.index(c)]) for c in wanted}


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

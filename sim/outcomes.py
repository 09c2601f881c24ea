"""Outcomes: named columns computed from a state, one value per replication.

Every outcome is declared once, in :data:`DECLARED` (name, type, unit, kind, label); the
compiled :func:`outcome_row`, the table columns and their types, the Parquet metadata, the
figures' labels and the dashboard all read that declaration. Names follow the house rule:
``<quantity>_<actor>`` or ``<quantity>_<from>_<to>``.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from sim import equations as eq
from sim.actors import CHANNELS, CHN, PAIRS, PRK, RUS, USA, code
from sim.derived import aid_total, food_coverage_now, support_shares
from sim.jitcache import jit, jit_inline
from sim.state import TRACKED, UNSC_COLUMNS, WorldState
from sim.triangle import ROLES, TRIANGLE_LABELS, TRIANGLE_TYPES, alliance, triangle
from sim.types import TRIO_GREAT, TRIO_PRK, Month

DONORS = (CHN, RUS, USA)
#: Kinds of outcome, as EMA Workbench declares them (``ScalarOutcome.kind``).
KINDS = ("maximize", "minimize", "info")
_NAMES = {"prk": "PRK", "chn": "China", "rus": "Russia", "usa": "US"}
_CHANNEL_NAMES = {"econ": "economic", "mil": "military"}


@dataclass(frozen=True)
class Outcome:
    """One outcome column.

    name: column name; dtype: ``"float"``, ``"bool"``, ``"int"`` or ``"category"`` (with
    ``levels``); unit: its unit, as axis labels and Parquet metadata show it; kind: ``maximize``,
    ``minimize`` or ``info`` (from PRK's point of view where one applies); label: what it is,
    in words.
    """

    name: str
    dtype: str
    unit: str
    kind: str
    label: str
    levels: tuple[str, ...] = ()


def _declare() -> tuple[Outcome, ...]:
    def o(name, dtype, unit, kind, label, levels=()):
        return Outcome(name, dtype, unit, kind, label, tuple(levels))

    n = _NAMES
    out = [o(f"aid_{code(d)}_prk_{ch}", "float", "USD bn/yr", "info",
             f"{_CHANNEL_NAMES[ch]} aid to PRK from {n[code(d)]}") for d in DONORS for ch in CHANNELS]
    out += [
        o("aid_total_prk", "float", "USD bn/yr", "maximize", "aid to PRK, all donors"),
        o("bid_chn", "float", "USD bn/yr", "info", "China's contest bid"),
        o("bid_rus", "float", "USD bn/yr", "info", "Russia's contest bid"),
        o("munitions_prk_rus", "float", "USD bn/yr", "info", "PRK munitions to Russia"),
        o("food_coverage", "float", "share of need", "maximize", "PRK food need covered"),
    ]
    out += [o(f"dependence_prk_{code(d)}", "float", "share of support", "info",
              f"PRK's dependence on {n[code(d)]}") for d in DONORS]
    out += [
        o("autonomy_prk", "float", "1 - HHI of dependence", "maximize", "PRK autonomy"),
        o("leverage_prk_chn", "float", "index", "maximize", "PRK's leverage over China"),
        o("leverage_prk_rus", "float", "index", "maximize", "PRK's leverage over Russia"),
    ]
    out += [o(f"trust_{code(a)}_{code(b)}", "float", "0-1", "info",
              f"{n[code(a)]}'s trust in {n[code(b)]}") for a, b in PAIRS]
    out += [o(f"attention_{code(a)}_{code(b)}", "float", "share", "info",
              f"{n[code(a)]}'s attention to {n[code(b)]}") for a, b in PAIRS]
    out += [
        o("tech_transferred", "bool", "share of runs", "info", "crown-jewel technology transferred"),
        o("tech_month", "int", "month", "info", "month of technology transfer"),
        o("resolutions_tabled", "int", "count", "info", "UNSC resolutions tabled"),
        o("resolutions_vetoed", "int", "count", "info", "UNSC resolutions vetoed"),
        o("resolutions_passed", "int", "count", "minimize", "UNSC resolutions passed"),
        o("sanctions", "float", "index", "minimize", "UN sanctions level"),
        o("triangle_prk_chn_rus", "category", "type", "info", "PRK-China-Russia triangle", TRIANGLE_TYPES),
        o("role_prk", "category", "role", "info", "PRK's role in the triangle", ROLES),
        o("triangle_chn_rus_usa", "category", "type", "info", "China-Russia-US triangle", TRIANGLE_TYPES),
        o("role_usa", "category", "role", "info", "US role in the triangle", ROLES),
        o("alliance_prk_chn_rus", "bool", "share of runs", "info", "PRK-China-Russia alliance"),
        o("alliance_ever", "bool", "share of runs", "info", "alliance formed at some month"),
        o("contestability_chn", "float", "1 = Tullock contest", "info", "PRK's contestability for China"),
        o("contestability_rus", "float", "1 = Tullock contest", "info", "PRK's contestability for Russia"),
    ]
    out += [o(f"share_{kind}_prk_chn_rus", "float", "share of months", "info",
              f"months as {TRIANGLE_LABELS[kind]} (PRK-China-Russia)") for kind in TRIANGLE_TYPES]
    base = {x.name: x for x in out}
    out += [o(f"mean_{name}", base[name].dtype, base[name].unit, base[name].kind,
              f"{base[name].label}, mean over the run") for name in TRACKED]
    out += [o(f"window_{name}", base[name].dtype, base[name].unit, base[name].kind,
              f"{base[name].label}, mean over the event window") for name in TRACKED]
    assert [u for u in UNSC_COLUMNS if u not in {x.name for x in out}] == []
    return tuple(out)


#: Every outcome, declared once, in the column order of :func:`outcome_row`.
DECLARED: tuple[Outcome, ...] = _declare()
#: Outcome name -> its declaration.
OUTCOME_INFO: dict[str, Outcome] = {x.name: x for x in DECLARED}
#: Every outcome's name, in column order.
OUTCOMES: tuple[str, ...] = tuple(x.name for x in DECLARED)
N_OUTCOMES = len(OUTCOMES)
CATEGORICAL: dict[str, tuple[str, ...]] = {x.name: x.levels for x in DECLARED if x.dtype == "category"}
BOOLEAN: tuple[str, ...] = tuple(x.name for x in DECLARED if x.dtype == "bool")
INTEGER: tuple[str, ...] = tuple(x.name for x in DECLARED if x.dtype == "int")
#: Column positions by name, for compiled code: ``out[COL.autonomy_prk]`` (a constant there).
COL = namedtuple("Columns", OUTCOMES)(*range(N_OUTCOMES))


def describe_outcomes() -> list[dict[str, object]]:
    """One record per outcome: name, type, unit, kind, label (and levels of categories)."""
    return [{"name": x.name, "dtype": x.dtype, "unit": x.unit, "kind": x.kind, "label": x.label,
             "levels": list(x.levels)} for x in DECLARED]


@jit_inline
def outcome_row(x: np.record, q: np.record, m: Month, out: np.ndarray) -> None:
    """Every outcome of one replication after month ``m`` (``x``, ``q``: its state and
    parameter records), written to ``out`` at the positions of :data:`COL` (flags as 0/1,
    categories as codes)."""
    k = COL.aid_chn_prk_econ
    for d in (CHN, RUS, USA):
        for c in range(2):
            out[k] = x.aid[d, PRK, c]
            k += 1
    out[COL.aid_total_prk], out[COL.bid_chn], out[COL.bid_rus] = aid_total(x), x.bids[CHN], x.bids[RUS]
    out[COL.munitions_prk_rus] = x.munitions
    out[COL.food_coverage] = food_coverage_now(x, q, m)
    dep_chn, dep_rus, dep_usa = support_shares(x, q)
    out[COL.dependence_prk_chn], out[COL.dependence_prk_rus], out[COL.dependence_prk_usa] = dep_chn, dep_rus, dep_usa
    out[COL.autonomy_prk] = eq.autonomy(dep_chn, dep_rus, dep_usa)
    out[COL.leverage_prk_chn] = eq.leverage(x.attention[CHN, PRK], dep_chn, q.outside_weight)
    out[COL.leverage_prk_rus] = eq.leverage(x.attention[RUS, PRK], dep_rus, q.outside_weight)
    k, j = COL.trust_prk_chn, COL.attention_prk_chn  # pairs in PAIRS order (row-major, no diagonal)
    for a in range(4):
        for b in range(4):
            if a != b:
                out[k], out[j] = x.trust[a, b], x.attention[a, b]
                k += 1
                j += 1
    out[COL.tech_transferred], out[COL.tech_month] = x.tech, x.tech_month
    out[COL.resolutions_tabled], out[COL.resolutions_vetoed] = x.unsc[0], x.unsc[1]
    out[COL.resolutions_passed], out[COL.sanctions] = x.unsc[2], x.sanctions
    kind, role_prk, _, _ = triangle(x.amity, TRIO_PRK)
    out[COL.triangle_prk_chn_rus], out[COL.role_prk] = kind, role_prk
    kind, _, _, role_usa = triangle(x.amity, TRIO_GREAT)
    out[COL.triangle_chn_rus_usa], out[COL.role_usa] = kind, role_usa
    out[COL.alliance_prk_chn_rus] = alliance(x.trust, TRIO_PRK, q.alliance_threshold)
    out[COL.alliance_ever] = x.alliance_ever
    out[COL.contestability_chn], out[COL.contestability_rus] = x.contestability[CHN], x.contestability[RUS]
    months = max(x.month, 1)
    for k in range(4):
        out[COL.share_menage_prk_chn_rus + k] = x.triangle_months[k] / months
    n = x.run_sum.shape[0]
    for k in range(n):
        out[COL.mean_autonomy_prk + k] = x.run_sum[k] / months
        out[COL.window_autonomy_prk + k] = x.window_sum[k] / x.window_months if x.window_months > 0 else np.nan


@jit
def outcome_rows(s: WorldState, p: np.recarray, m: Month) -> np.ndarray:
    """:func:`outcome_row` for every replication of ``s``, ``(R, len(OUTCOMES))``."""
    out = np.empty((s.shape[0], N_OUTCOMES))
    for r in range(s.shape[0]):
        outcome_row(s[r], p[r], m, out[r])
    return out


_NUMPY_TYPES = {"float": np.float64, "bool": bool, "int": np.int64, "category": np.int64}


def columns(table: np.ndarray) -> dict[str, np.ndarray]:
    """The outcome table of :func:`outcome_row` rows as named arrays of their declared types
    (bool flags, integer counts and category codes, floats)."""
    return {x.name: table[:, i].astype(_NUMPY_TYPES[x.dtype], copy=x.dtype != "float")
            for i, x in enumerate(DECLARED)}


def _arrow_type(x: Outcome) -> pa.DataType:
    if x.dtype == "category":  # what pyarrow makes of the table's pandas Categoricals
        return pa.dictionary(pa.int8(), pa.large_string())
    return {"float": pa.float64(), "bool": pa.bool_(), "int": pa.int64()}[x.dtype]


def arrow_fields() -> list[pa.Field]:
    """Every outcome as an Arrow field of its declared type, in column order: the types
    pyarrow gives the columns of :func:`columns` after :func:`decode`."""
    return [pa.field(x.name, _arrow_type(x)) for x in DECLARED]


def arrow_columns(table: np.ndarray) -> list[pa.Array]:
    """The outcome table of :func:`outcome_row` rows as Arrow arrays of :func:`arrow_fields`
    (categories as dictionary arrays of their levels), without a pandas table in between.
    Floats are not copied when ``table``'s columns are contiguous (a transposed
    ``(N_OUTCOMES, rows)`` array, as the kernel writes it)."""
    out = []
    for name, values in columns(table).items():
        levels = CATEGORICAL.get(name)
        if levels is None:
            out.append(pa.array(values))
        else:
            out.append(pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int8)),
                                                      pa.array(list(levels), pa.large_string())))
    return out


def decode(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace integer codes of categorical outcomes by their names (pandas Categoricals)."""
    for col, levels in CATEGORICAL.items():
        if col in frame and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = pd.Categorical.from_codes(frame[col].to_numpy(), categories=list(levels))
    return frame


__all__ = ["CATEGORICAL", "COL", "DECLARED", "OUTCOMES", "OUTCOME_INFO", "Outcome", "decode", "describe_outcomes",
           "outcome_row"]


def outcome_columns(s: WorldState, p: np.recarray, m: Month) -> dict[str, np.ndarray]:
    """Every outcome of the month just simulated (``m``) in each replication of ``s``, as
    ``(R,)`` arrays (``p``: the parameter records, :meth:`sim.params.Params.arrays`).
    Categorical outcomes are integer codes here; see :func:`decode` for their names."""
    return columns(outcome_rows(s, p, m))

"""Outcomes: named columns computed from a state, one value per replication.

Names follow the house rule: ``<quantity>_<actor>`` or ``<quantity>_<from>_<to>``.
:func:`outcome_row` computes every outcome of one replication in compiled code (both engines
call it); :func:`outcome_columns` gives them for all replications of a state as named arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import equations as eq
from sim.actors import ACTORS, CHANNELS, CHN, PAIRS, PRK, RUS, USA, code
from sim.dynamics import TRIO_PRK
from sim.equations import jit, jit_inline
from sim.params import Params
from sim.state import UNSC_COLUMNS, WorldState
from sim.strategies.base import Month
from sim.triangle import ROLES, TRIANGLE_TYPES, alliance, triangle

TRIO_GREAT = (CHN, RUS, USA)
DONORS = (CHN, RUS, USA)
CATEGORICAL = {
    "triangle_prk_chn_rus": TRIANGLE_TYPES,
    "role_prk": ROLES,
    "triangle_chn_rus_usa": TRIANGLE_TYPES,
    "role_usa": ROLES,
}
BOOLEAN = ("tech_transferred", "alliance_prk_chn_rus", "alliance_ever")
INTEGER = ("tech_month", *UNSC_COLUMNS)

#: Every outcome, in the column order of :func:`outcome_row`.
OUTCOMES: tuple[str, ...] = (
    *(f"aid_{code(d)}_prk_{ch}" for d in DONORS for ch in CHANNELS),
    "aid_total_prk", "bid_chn", "bid_rus", "munitions_prk_rus", "food_coverage",
    *(f"dependence_prk_{code(d)}" for d in DONORS),
    "autonomy_prk", "leverage_prk_chn", "leverage_prk_rus",
    *(f"trust_{code(a)}_{code(b)}" for a, b in PAIRS),
    *(f"attention_{code(a)}_{code(b)}" for a, b in PAIRS),
    "tech_transferred", "tech_month", *UNSC_COLUMNS, "sanctions",
    "triangle_prk_chn_rus", "role_prk", "triangle_chn_rus_usa", "role_usa",
    "alliance_prk_chn_rus", "alliance_ever",
)

N_OUTCOMES = len(OUTCOMES)


@jit_inline
def outcome_row(x: np.record, q: np.record, m: Month, out: np.ndarray) -> None:
    """Every outcome of one replication after month ``m`` (``x``, ``q``: its state and
    parameter records), written to ``out`` in the order of :data:`OUTCOMES` (flags as 0/1,
    categories as codes)."""
    aid = x.aid
    k = 0
    total = 0.0
    for d in (CHN, RUS, USA):
        for c in range(2):
            out[k] = aid[d, PRK, c]
            total += aid[d, PRK, c]
            k += 1
    econ = aid[CHN, PRK, 0] + aid[RUS, PRK, 0] + aid[USA, PRK, 0]
    out[k], out[k + 1], out[k + 2], out[k + 3] = total, x.bids[CHN], x.bids[RUS], x.munitions
    out[k + 4] = eq.food_coverage(q.food_need_mt, m.shortfall_mt, econ, q.food_share, q.tons_per_bn)
    k += 5
    w = q.mil_weight
    sup_chn = eq.valued_support(aid[CHN, PRK, 0], aid[CHN, PRK, 1], w)
    sup_rus = eq.valued_support(aid[RUS, PRK, 0], aid[RUS, PRK, 1], w)
    sup_usa = eq.valued_support(aid[USA, PRK, 0], aid[USA, PRK, 1], w)
    all_support = sup_chn + sup_rus + sup_usa
    dep_chn, dep_rus = eq.dependence(sup_chn, all_support), eq.dependence(sup_rus, all_support)
    dep_usa = eq.dependence(sup_usa, all_support)
    out[k], out[k + 1], out[k + 2] = dep_chn, dep_rus, dep_usa
    out[k + 3] = eq.autonomy(dep_chn, dep_rus, dep_usa)
    out[k + 4] = eq.leverage(x.attention[CHN, PRK], dep_chn, q.outside_weight)
    out[k + 5] = eq.leverage(x.attention[RUS, PRK], dep_rus, q.outside_weight)
    k += 6
    for matrix in (x.trust, x.attention):
        for a in range(4):
            for b in range(4):
                if a != b:
                    out[k] = matrix[a, b]
                    k += 1
    out[k], out[k + 1] = x.tech, x.tech_month
    out[k + 2], out[k + 3], out[k + 4] = x.unsc[0], x.unsc[1], x.unsc[2]
    out[k + 5] = x.sanctions
    k += 6
    kind, role_prk, _, _ = triangle(x.trust, TRIO_PRK, q.amity_threshold)
    out[k], out[k + 1] = kind, role_prk
    kind, _, _, role_usa = triangle(x.trust, TRIO_GREAT, q.amity_threshold)
    out[k + 2], out[k + 3] = kind, role_usa
    out[k + 4] = alliance(x.trust, TRIO_PRK, q.alliance_threshold)
    out[k + 5] = x.alliance_ever


@jit
def outcome_rows(s: WorldState, p: np.recarray, m: Month) -> np.ndarray:
    """:func:`outcome_row` for every replication of ``s``, ``(R, len(OUTCOMES))``."""
    out = np.empty((s.shape[0], N_OUTCOMES))
    for r in range(s.shape[0]):
        outcome_row(s[r], p[r], m, out[r])
    return out


def columns(table: np.ndarray) -> dict[str, np.ndarray]:
    """The outcome table of :func:`outcome_row` rows as named arrays of their own types
    (bool flags, integer counts and category codes, floats)."""
    out = {}
    for i, name in enumerate(OUTCOMES):
        col = table[:, i]
        if name in BOOLEAN:
            col = col.astype(bool)
        elif name in INTEGER or name in CATEGORICAL:
            col = col.astype(np.int64)
        out[name] = col
    return out


def outcome_columns(s: WorldState, p: Params, m: Month) -> dict[str, np.ndarray]:
    """Every outcome of the month just simulated (``m``), as ``(R,)`` arrays.

    Categorical outcomes (triangle types, roles) are integer codes here; see
    :func:`decode` for their names.
    """
    return columns(outcome_rows(s, p.arrays(), m))


def decode(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace integer codes of categorical outcomes by their names (pandas Categoricals)."""
    for col, levels in CATEGORICAL.items():
        if col in frame and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = pd.Categorical.from_codes(frame[col].to_numpy(), categories=list(levels))
    return frame


__all__ = ["ACTORS", "CATEGORICAL", "OUTCOMES", "decode", "outcome_columns", "outcome_row"]

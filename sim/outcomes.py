"""Outcomes: named columns computed from a state, one value per replication.

Names follow the house rule: ``<quantity>_<actor>`` or ``<quantity>_<from>_<to>``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import equations as eq
from sim.actors import ACTORS, CHANNELS, CHN, PAIRS, PRK, RUS, USA, code
from sim.dynamics import TRIO_PRK, econ_aid_to_prk
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


def outcome_columns(s: WorldState, p: Params, m: Month) -> dict[str, np.ndarray]:
    """Every outcome of the month just simulated (``m``), as ``(R,)`` arrays.

    Categorical outcomes (triangle types, roles) are integer codes here; see
    :func:`decode` for their names.
    """
    out: dict[str, np.ndarray] = {}
    received = s.aid[:, :, PRK, :]
    for d in DONORS:
        for c, ch in enumerate(CHANNELS):
            out[f"aid_{code(d)}_prk_{ch}"] = received[:, d, c]
    out["aid_total_prk"] = received.sum(axis=(1, 2))
    out["bid_chn"] = s.bids[:, CHN]
    out["bid_rus"] = s.bids[:, RUS]
    out["munitions_prk_rus"] = s.munitions
    out["food_coverage"] = eq.food_coverage(p.food_need_mt, m.shortfall_mt, econ_aid_to_prk(s),
                                            p.food_share, p.tons_per_bn)
    dep = eq.dependence(received, p.mil_weight)
    for d in DONORS:
        out[f"dependence_prk_{code(d)}"] = dep[:, d]
    out["autonomy_prk"] = eq.autonomy(dep)
    for d in (CHN, RUS):
        out[f"leverage_prk_{code(d)}"] = eq.leverage(s.attention[:, d, PRK], dep[:, d], p.outside_weight)
    for a, b in PAIRS:
        out[f"trust_{code(a)}_{code(b)}"] = s.trust[:, a, b]
    for a, b in PAIRS:
        out[f"attention_{code(a)}_{code(b)}"] = s.attention[:, a, b]
    out["tech_transferred"] = s.tech.copy()
    out["tech_month"] = s.tech_month.copy()
    for k, name in enumerate(UNSC_COLUMNS):
        out[name] = s.unsc[:, k].copy()
    out["sanctions"] = s.sanctions
    kind, roles = triangle(s.trust, TRIO_PRK, p.amity_threshold)
    out["triangle_prk_chn_rus"], out["role_prk"] = kind, roles[:, 0]
    kind, roles = triangle(s.trust, TRIO_GREAT, p.amity_threshold)
    out["triangle_chn_rus_usa"], out["role_usa"] = kind, roles[:, 2]
    out["alliance_prk_chn_rus"] = alliance(s.trust, TRIO_PRK, p.alliance_threshold)
    out["alliance_ever"] = s.alliance_ever.copy()
    return out


def decode(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace integer codes of categorical outcomes by their names (pandas Categoricals)."""
    for col, levels in CATEGORICAL.items():
        if col in frame and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = pd.Categorical.from_codes(frame[col].to_numpy(), categories=list(levels))
    return frame


__all__ = ["ACTORS", "CATEGORICAL", "decode", "outcome_columns"]

"""Quantities derived from one replication's state: PRK's dependence, autonomy, aid and food
(E8-E10), used by the outcomes and by the means the transition keeps (E16)."""

from __future__ import annotations

import numpy as np

from sim import equations as eq
from sim.actors import CHN, PRK, RUS, USA
from sim.jitcache import jit_inline
from sim.types import Month


@jit_inline
def support_shares(x: np.record, q: np.record) -> tuple[float, float, float]:
    """E9. PRK's dependence on China, Russia and the US: each donor's share of the valued
    support PRK received last month."""
    aid, w = x.aid, q.mil_weight
    sup_chn = eq.valued_support(aid[CHN, PRK, 0], aid[CHN, PRK, 1], w)
    sup_rus = eq.valued_support(aid[RUS, PRK, 0], aid[RUS, PRK, 1], w)
    sup_usa = eq.valued_support(aid[USA, PRK, 0], aid[USA, PRK, 1], w)
    total = sup_chn + sup_rus + sup_usa
    return eq.dependence(sup_chn, total), eq.dependence(sup_rus, total), eq.dependence(sup_usa, total)


@jit_inline
def aid_total(x: np.record) -> float:
    """Aid PRK received from all donors, both channels (USD bn/yr)."""
    total = 0.0
    for d in (CHN, RUS, USA):
        total += x.aid[d, PRK, 0] + x.aid[d, PRK, 1]
    return total


@jit_inline
def food_coverage_now(x: np.record, q: np.record, m: Month) -> float:
    """E8 for month ``m``: the share of PRK's food need its harvest and the food bought with its
    economic aid cover."""
    econ = x.aid[CHN, PRK, 0] + x.aid[RUS, PRK, 0] + x.aid[USA, PRK, 0]
    return eq.food_coverage(q.food_need_mt, m.shortfall_mt, econ, q.food_share, q.tons_per_bn)


@jit_inline
def tracked(x: np.record, q: np.record, m: Month) -> tuple[float, float, float, float, float, float, float, float,
                                                             float]:
    """The outcomes whose run and window means are kept, in the order of
    :data:`sim.state.TRACKED`."""
    dep_chn, dep_rus, dep_usa = support_shares(x, q)
    return (eq.autonomy(dep_chn, dep_rus, dep_usa), aid_total(x), food_coverage_now(x, q, m), x.trust[CHN, PRK],
            x.trust[RUS, PRK], x.trust[PRK, CHN], x.trust[PRK, RUS], x.bids[CHN], x.bids[RUS])

"""Counterweight: cap dependence on China by drawing Russia in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.registry import check_fields
from sim.state import WorldState
from sim.strategies.base import Month, PRKDecision, Strategy, acceptance, attention_row, china_support_share


@dataclass(frozen=True)
class Counterweight(Strategy):
    """PRK uses Russia as a counterweight to China: the more of its support comes from China,
    the more attention it turns to Russia (China gets ``1 - d_CHN`` of the patrons' share,
    where ``d_CHN`` is China's share of the patrons' support last month, and never more than
    ``china_cap``), and it sells Russia munitions for a second source of support. It cares
    about autonomy, not only about the total.

    Ken Gause (seed 002): 'It is using Russia as a counterweight to China'; Moscow gives Kim
    'a second source of funding and supplies'.
    """

    name = "counterweight"
    classifier = {
        "contestable": True, "caps_china_dependence": True, "complementary_channels": False,
        "sells_munitions": True, "accepts_russian_food": True, "engages_us": False,
        "analysts": ("Ken Gause",), "seeds": ("002",),
    }
    china_cap: float = 0.55
    usa_share: float = 0.05
    contestability: float = 0.6

    def __post_init__(self) -> None:
        check_fields(self, "strategy", china_cap=(0, 1), usa_share=(0, 1), contestability=(0, 1))

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        n = state.n
        patrons = 1.0 - self.usa_share
        s_chn = np.minimum(1.0 - china_support_share(state, params), self.china_cap) * patrons
        return PRKDecision(
            attention_target=attention_row(n, s_chn, patrons - s_chn, self.usa_share),
            contestability=np.full(n, self.contestability),
            accept=acceptance(n),
            munitions_supply=np.ones(n),
        )

"""Balancing: play the two patrons against each other."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.registry import check_fields
from sim.state import WorldState
from sim.strategies.base import Month, PRKDecision, Strategy, acceptance, attention_row, patron_bid_share


@dataclass(frozen=True)
class Balancing(Strategy):
    """PRK plays Beijing and Moscow against each other: its attention (and the influence that
    comes with it) goes to whichever patron offers more, so the patrons bid for it.

    John Delury (seed 003): Kim Il Sung 'subtly and effectively played on the vanities and
    anxieties of Beijing and Moscow'. Daniel Russel (seed 002): 'signaling to Beijing that it
    has other friends and other options'.
    """

    name = "balancing"
    classifier = {
        "contestable": True, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": True, "accepts_russian_food": True, "engages_us": False,
        "analysts": ("John Delury", "Daniel Russel"), "seeds": ("003", "002"),
    }
    usa_share: float = 0.05
    contestability: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, "strategy", usa_share=(0, 1), contestability=(0, 1))

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        n = state.n
        s_chn = patron_bid_share(state) * (1.0 - self.usa_share)
        return PRKDecision(
            attention_target=attention_row(n, s_chn, 1.0 - self.usa_share - s_chn, self.usa_share),
            contestability=np.full(n, self.contestability),
            accept=acceptance(n),
            munitions_supply=np.ones(n),
        )

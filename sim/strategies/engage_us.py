"""Engage the US (baseline): summitry with Washington, 2018-19."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.state import WorldState
from sim.strategies.base import Month, PRKDecision, Strategy, acceptance, attention_row


@dataclass(frozen=True)
class EngageUs(Strategy):
    """Baseline of the 2018-19 summitry: PRK turns much of its attention to Washington,
    accepts relief from any donor and sells Russia no munitions.

    Two US-PRK summits and an impromptu meeting in 2018-19 (seed 002); Xi's five summits with
    Kim in the same years were 'an attempt to match a diplomatic breakthrough between
    Pyongyang and Washington'.
    """

    name = "engage_us"
    classifier = {
        "contestable": False, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": False, "accepts_russian_food": True, "engages_us": True,
        "analysts": (), "seeds": ("002",),
    }
    chn_share: float = 0.35
    rus_share: float = 0.15
    contestability: float = 0.3

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        n = state.n
        return PRKDecision(
            attention_target=attention_row(n, self.chn_share, self.rus_share, 1.0 - self.chn_share - self.rus_share),
            contestability=np.full(n, self.contestability),
            accept=acceptance(n),
            munitions_supply=np.zeros(n),
        )

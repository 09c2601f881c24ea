"""Bandwagon (baseline): lean on China alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.state import WorldState
from sim.strategies.base import Month, PRKDecision, Strategy, acceptance, attention_row


@dataclass(frozen=True)
class Bandwagon(Strategy):
    """Baseline of the China-first era (2018-21): PRK leans on one patron, takes only its
    aid, sells Russia nothing and keeps its hostility to the US.

    Cheong Seong-chang (seed 004): 'Kim Jong Un expressed his interest in cooperating only
    with China, and continuing with hostility against the U.S.'
    """

    name = "bandwagon"
    classifier = {
        "contestable": False, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": False, "accepts_russian_food": False, "engages_us": False,
        "analysts": ("Cheong Seong-chang",), "seeds": ("004",),
    }
    chn_share: float = 0.85
    rus_share: float = 0.1
    contestability: float = 0.1

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        n = state.n
        return PRKDecision(
            attention_target=attention_row(n, self.chn_share, self.rus_share, 1.0 - self.chn_share - self.rus_share),
            contestability=np.full(n, self.contestability),
            accept=acceptance(n, rus_econ=0.0, rus_mil=0.0, usa_econ=0.0),
            munitions_supply=np.zeros(n),
        )

"""Bandwagon (baseline): lean on China alone."""

from __future__ import annotations

from dataclasses import dataclass

from sim.strategies.base import FixedShares


@dataclass(frozen=True)
class Bandwagon(FixedShares):
    """Baseline of the China-first era (2018-21): PRK leans on one patron, takes only its
    aid, sells Russia nothing and keeps its hostility to the US.

    Cheong Seong-chang (seed 004): 'Kim Jong Un expressed his interest in cooperating only
    with China, and continuing with hostility against the U.S.'

    The reading demands two corners, by design: PRK takes aid from China alone, so its
    dependence on China is 1 and its autonomy 0 in every run; and its attention does not
    follow the bids, so its measured contestability is 0 and the patrons do not bid (China's
    aid is its aid for stability).
    """

    name = "bandwagon"
    classifier = {
        "contestable": False, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": False, "accepts_russian_food": False, "engages_us": False,
        "analysts": ("Cheong Seong-chang",), "seeds": ("004",),
    }
    chn_share: float = 0.85
    rus_share: float = 0.1
    accept_rus_econ: float = 0.0
    accept_rus_mil: float = 0.0
    accept_usa_econ: float = 0.0
    munitions_supply: float = 0.0

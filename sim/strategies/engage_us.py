"""Engage the US (baseline): summitry with Washington, 2018-19."""

from __future__ import annotations

from dataclasses import dataclass

from sim.strategies.base import FixedShares


@dataclass(frozen=True)
class EngageUs(FixedShares):
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
    munitions_supply: float = 0.0

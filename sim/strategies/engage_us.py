"""Engage the US (baseline): summitry with Washington, 2018-19."""

from __future__ import annotations

from dataclasses import dataclass

from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies.base import PRKDecision, Strategy, patron_bid_share

OPTIONS = option_names("usa_share")


@prk_rule
def engage_us(x, m, q, opts):
    """The decision of :class:`EngageUs`: ``usa_share`` of PRK's attention to Washington, the
    rest split between the patrons by their bids; no munitions for Russia."""
    usa = opts[OPTIONS.usa_share]
    chn = patron_bid_share(x) * (1.0 - usa)
    return PRKDecision(chn, 1.0 - usa - chn, usa, (1.0, 1.0, 1.0, 1.0, 1.0), 0.0)


@dataclass(frozen=True)
class EngageUs(Strategy):
    """Baseline of the 2018-19 summitry: PRK turns half of its attention to Washington, splits
    the rest between the patrons by what they offer, accepts relief from any donor and sells
    Russia no munitions.

    Two US-PRK summits and an impromptu meeting in 2018-19 (seed 002); Xi's five summits with
    Kim in the same years were 'an attempt to match a diplomatic breakthrough between
    Pyongyang and Washington'.

    The reading in the model: the patrons still compete for what PRK's attention to them is
    worth, but for half the prize (measured contestability ``1 - usa_share``).
    """

    name = "engage_us"
    rule = engage_us
    OPTIONS = OPTIONS
    classifier = {
        "contestable": True, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": False, "accepts_russian_food": True, "engages_us": True,
        "analysts": (), "seeds": ("002",),
    }
    usa_share: float = 0.5

    def __post_init__(self) -> None:
        check_fields(self, "strategy", usa_share=(0, 1))

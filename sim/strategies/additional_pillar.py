"""Additional pillar: China for the economy, Russia for the military; closer to both."""

from __future__ import annotations

from dataclasses import dataclass

from sim.strategies.base import FixedShares


@dataclass(frozen=True)
class AdditionalPillar(FixedShares):
    """PRK keeps China as its economic pillar and adds Russia as its military pillar: fixed,
    complementary channels, so the patrons have little to bid for. PRK takes food and other
    economic aid from China and military aid from Russia, and declines Russian food aid.

    Evans Revere (seed 002): 'not as an alternative to improve ties with the PRC, but in
    order to establish an additional pillar of support ... the goal is to grow closer to
    both.' Kim rejected the food aid Moscow offered in September 2023 (seed 002, Matsegora).
    """

    name = "additional_pillar"
    classifier = {
        "contestable": False, "caps_china_dependence": False, "complementary_channels": True,
        "sells_munitions": True, "accepts_russian_food": False, "engages_us": False,
        "analysts": ("Evans Revere",), "seeds": ("002",),
    }
    chn_share: float = 0.5
    rus_share: float = 0.4
    contestability: float = 0.3
    accept_rus_econ: float = 0.0

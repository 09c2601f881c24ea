"""Additional pillar: China for the economy, Russia for the military; closer to both."""

from __future__ import annotations

from dataclasses import dataclass

from sim.actors import CHN, RUS
from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies.base import PRKDecision, Strategy

OPTIONS = option_names("usa_share")


@prk_rule
def additional_pillar(x, m, q, opts):
    """The decision of :class:`AdditionalPillar`: of what the US does not get, China gets the
    share of its economic offer in the two pillars' offers (China's economic, Russia's
    military), Russia the rest; Russian food (economic) aid is declined."""
    usa = opts[OPTIONS.usa_share]
    econ_chn = (1.0 - q.mil_share_chn) * x.bids[CHN] + q.stability_aid_chn
    mil_rus = q.mil_share_rus * (x.bids[RUS] + q.barter_rate * x.munitions) + (q.tech_value if x.tech else 0.0)
    pillars = econ_chn + mil_rus
    chn = (1.0 - usa) * (econ_chn / pillars if pillars > 0 else 0.5)
    return PRKDecision(chn, 1.0 - usa - chn, usa, (1.0, 1.0, 0.0, 1.0, 1.0), 1.0)


@dataclass(frozen=True)
class AdditionalPillar(Strategy):
    """PRK keeps China as its economic pillar and adds Russia as its military pillar: its
    attention to each follows what that patron supplies in its own channel (China's economic
    offer, with its aid for stability; Russia's military offer, with its payment for munitions
    and any technology released), not the two patrons' bids against each other. PRK takes food
    and other economic aid from China and military aid from Russia, and declines Russian food
    aid.

    Evans Revere (seed 002): 'not as an alternative to improve ties with the PRC, but in
    order to establish an additional pillar of support ... the goal is to grow closer to
    both.' Kim rejected the food aid Moscow offered in September 2023 (seed 002, Matsegora).

    The reading in the model: a patron's extra bid buys attention only through its own
    channel's share, and China's aid for stability and Russia's payment for munitions already
    fill each pillar, so PRK's measured contestability is well below balancing's and depends
    on the war (E2a).
    """

    name = "additional_pillar"
    rule = additional_pillar
    OPTIONS = OPTIONS
    classifier = {
        "contestable": False, "caps_china_dependence": False, "complementary_channels": True,
        "sells_munitions": True, "accepts_russian_food": False, "engages_us": False,
        "analysts": ("Evans Revere",), "seeds": ("002",),
    }
    usa_share: float = 0.1

    def __post_init__(self) -> None:
        check_fields(self, "strategy", usa_share=(0, 1))

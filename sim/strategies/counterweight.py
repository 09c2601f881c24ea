"""Counterweight: cap dependence on China by drawing Russia in."""

from __future__ import annotations

from dataclasses import dataclass

from sim import equations as eq
from sim.actors import CHN, RUS
from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies.base import PRKDecision, Strategy, china_support_share

OPTIONS = option_names("weight", "usa_share")


@prk_rule
def counterweight(x, m, q, opts):
    """The decision of :class:`Counterweight`: of what the US does not get, China gets
    ``x_CHN / (x_CHN + lambda x_RUS)`` with ``lambda = 1 + weight d_CHN``, ``d_CHN`` China's
    share of the support PRK took from the two last month; Russia the rest."""
    usa = opts[OPTIONS.usa_share]
    lam = 1.0 + opts[OPTIONS.weight] * china_support_share(x, q.mil_weight)
    chn = (1.0 - usa) * eq.bid_share(x.bids[CHN], lam * x.bids[RUS])
    return PRKDecision(chn, 1.0 - usa - chn, usa, (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)


@dataclass(frozen=True)
class Counterweight(Strategy):
    """PRK uses Russia as a counterweight to China: its attention follows the patrons' bids,
    but the more of its support comes from China, the more a Russian dollar counts (each is
    worth ``1 + weight d_CHN`` Chinese dollars, ``d_CHN`` China's share of the support PRK took
    from the two last month), and it sells Russia munitions for a second source of support. It
    cares about autonomy, not only about the total; China stays engaged, since its bids still
    buy attention.

    Ken Gause (seed 002): 'It is using Russia as a counterweight to China'; Moscow gives Kim
    'a second source of funding and supplies'.

    The reading in the model: a weighted Tullock contest, tilted toward Russia as China's
    share of PRK's support grows; PRK's measured contestability rises for Russia and falls for
    China with that share (E2a); with ``weight = 0`` it is balancing.
    """

    name = "counterweight"
    rule = counterweight
    OPTIONS = OPTIONS
    classifier = {
        "contestable": True, "caps_china_dependence": True, "complementary_channels": False,
        "sells_munitions": True, "accepts_russian_food": True, "engages_us": False,
        "analysts": ("Ken Gause",), "seeds": ("002",),
    }
    weight: float = 2.0
    usa_share: float = 0.05

    def __post_init__(self) -> None:
        check_fields(self, "strategy", weight=(0, 100), usa_share=(0, 1))

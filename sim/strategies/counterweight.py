"""Counterweight: cap dependence on China by drawing Russia in."""

from __future__ import annotations

from dataclasses import dataclass

from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies.base import PRKDecision, Strategy, china_support_share

OPTIONS = option_names("china_cap", "usa_share", "contestability")


@prk_rule
def counterweight(x, m, q, opts):
    """The decision of :class:`Counterweight`: China gets ``min(1 - d_CHN, china_cap)`` of the
    patrons' share."""
    usa = opts[OPTIONS.usa_share]
    patrons = 1.0 - usa
    chn = min(1.0 - china_support_share(x, q.mil_weight), opts[OPTIONS.china_cap]) * patrons
    return PRKDecision(chn, patrons - chn, usa, opts[OPTIONS.contestability], (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)


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
    rule = counterweight
    OPTIONS = OPTIONS
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

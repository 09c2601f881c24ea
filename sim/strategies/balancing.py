"""Balancing: play the two patrons against each other."""

from __future__ import annotations

from dataclasses import dataclass

from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies.base import PRKDecision, Strategy, patron_bid_share

OPTIONS = option_names("usa_share")


@prk_rule
def balancing(x, m, q, opts):
    """The decision of :class:`Balancing`: China gets its share of the patrons' bids of what
    the US does not get, Russia the rest."""
    usa = opts[OPTIONS.usa_share]
    chn = patron_bid_share(x) * (1.0 - usa)
    return PRKDecision(chn, 1.0 - usa - chn, usa, (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)


@dataclass(frozen=True)
class Balancing(Strategy):
    """PRK plays Beijing and Moscow against each other: its attention (and the influence that
    comes with it) goes to whichever patron offers more, so the patrons bid for it.

    John Delury (seed 003): Kim Il Sung 'subtly and effectively played on the vanities and
    anxieties of Beijing and Moscow'. Daniel Russel (seed 002): 'signaling to Beijing that it
    has other friends and other options'.

    The reading in the model: PRK's attention to each patron is its share of the two bids
    (of what the US does not get), so its measured contestability is ``1 - usa_share`` and the
    patrons play the full Tullock contest for it.
    """

    name = "balancing"
    rule = balancing
    OPTIONS = OPTIONS
    classifier = {
        "contestable": True, "caps_china_dependence": False, "complementary_channels": False,
        "sells_munitions": True, "accepts_russian_food": True, "engages_us": False,
        "analysts": ("John Delury", "Daniel Russel"), "seeds": ("003", "002"),
    }
    usa_share: float = 0.05

    def __post_init__(self) -> None:
        check_fields(self, "strategy", usa_share=(0, 1))

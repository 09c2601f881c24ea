"""Hedging: a PRK strategy defined outside the package (the worked example of docs/odd.md,
section 9).

Use it by name, from any folder: ``trisim plugins=[path/to/hedging.py] strategy=hedging``.
"""

from dataclasses import dataclass

from sim.actors import CHN, PRK, RUS
from sim.registry import check_fields
from sim.rules import option_names, prk_rule
from sim.strategies import STRATEGIES, Strategy
from sim.types import PRKDecision

OPTIONS = option_names("usa_share")


@prk_rule
def hedging(x, m, q, opts):
    """Attention follows trust: of what the US does not get, each patron gets its share of
    PRK's trust in the two (an even split while PRK trusts neither)."""
    usa = opts[OPTIONS.usa_share]
    t_chn, t_rus = x.trust[PRK, CHN], x.trust[PRK, RUS]
    chn = (1.0 - usa) * (t_chn / (t_chn + t_rus) if t_chn + t_rus > 0 else 0.5)
    return PRKDecision(chn, 1.0 - usa - chn, usa, (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)


@STRATEGIES.register
@dataclass(frozen=True)
class Hedging(Strategy):
    """PRK hedges between its patrons: its attention follows its trust in each (an example of a
    strategy of one's own; no analyst in the seeds names it)."""

    name = "hedging"
    rule = hedging
    OPTIONS = OPTIONS
    classifier = {"contestable": True, "caps_china_dependence": False, "complementary_channels": False,
                  "sells_munitions": True, "accepts_russian_food": True, "engages_us": False,
                  "analysts": (), "seeds": ()}
    usa_share: float = 0.05

    def __post_init__(self) -> None:
        check_fields(self, "strategy", usa_share=(0, 1))

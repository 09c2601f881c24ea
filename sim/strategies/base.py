"""What every PRK strategy is: a small class with a name, a classifier, options and one
compiled decision rule.

A strategy's rule is a function made with :data:`sim.rules.prk_rule`, of one replication's
state, the month and the replication's parameters, with the strategy's options (its dataclass
fields, laid out by ``OPTIONS``) as a float array. Both engines run the same rule: the batch
engine from compiled code (:func:`sim.world.run_block`), the Mesa model through
:meth:`Strategy.decide`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim import equations as eq
from sim.actors import CHN, PRK, RUS
from sim.jitcache import jit_inline
from sim.registry import check_fields
from sim.rules import PRKRuleBase, option_names, prk_rule
from sim.types import ACCEPT_CHANNELS, Month, PRKDecision

__all__ = ["ACCEPT_CHANNELS", "FixedShares", "Month", "PRKDecision", "Strategy", "china_support_share",
           "patron_bid_share"]


@jit_inline
def patron_bid_share(x: np.record) -> float:
    """China's share of the two patrons' current bids in state record ``x`` (0.5 when neither
    bids)."""
    return eq.bid_share(x.bids[CHN], x.bids[RUS])


@jit_inline
def china_support_share(x: np.record, mil_weight: float) -> float:
    """China's share of the support PRK received from the two patrons last month (E9 over the
    two patrons; 0.5 when it received none)."""
    aid = x.aid
    chn = eq.valued_support(aid[CHN, PRK, 0], aid[CHN, PRK, 1], mil_weight)
    rus = eq.valued_support(aid[RUS, PRK, 0], aid[RUS, PRK, 1], mil_weight)
    return eq.dependence(chn, chn + rus) if chn + rus > 0 else 0.5


class Strategy(PRKRuleBase):
    """Base class of PRK strategies.

    ``name`` ties the class to its config file (``configs/strategy/<name>.yaml``), module and
    test module; ``classifier`` is metadata that the shared contract test checks against what
    the strategy actually decides; ``rule`` is its compiled decision (:data:`sim.rules.prk_rule`)
    and its dataclass fields, in the order of ``OPTIONS``, are the rule's options.
    """

    classifier: ClassVar[dict[str, object]]


FIXED_OPTIONS = option_names("chn_share", "rus_share", "munitions_supply", *(
    f"accept_{c}" for c in ACCEPT_CHANNELS))


@prk_rule
def fixed_shares(x, m, q, opts):
    """The decision of :class:`FixedShares`: its options, whatever the state."""
    o = FIXED_OPTIONS
    chn, rus = opts[o.chn_share], opts[o.rus_share]
    return PRKDecision(chn, rus, 1.0 - chn - rus,
                       (opts[o.accept_chn_econ], opts[o.accept_chn_mil], opts[o.accept_rus_econ],
                        opts[o.accept_rus_mil], opts[o.accept_usa_econ]), opts[o.munitions_supply])


@dataclass(frozen=True)
class FixedShares(Strategy):
    """A strategy whose choices do not depend on the state: fixed attention shares
    (``chn_share``, ``rus_share``, the rest to the US), acceptance by donor and channel
    (``accept_<donor>_<channel>``, 1 unless set) and munitions supply. Its attention does not
    follow the bids, so its measured contestability is 0 (E2a)."""

    rule = fixed_shares
    OPTIONS = FIXED_OPTIONS
    chn_share: float = 0.5
    rus_share: float = 0.4
    munitions_supply: float = 1.0
    accept_chn_econ: float = 1.0
    accept_chn_mil: float = 1.0
    accept_rus_econ: float = 1.0
    accept_rus_mil: float = 1.0
    accept_usa_econ: float = 1.0

    def __post_init__(self) -> None:
        accept = {f"accept_{c}": (0, 1) for c in ACCEPT_CHANNELS}
        check_fields(self, "strategy", chn_share=(0, 1), rus_share=(0, 1), munitions_supply=(0, 1), **accept)
        check_fields(self, "strategy", chn_share=(0, 1 - self.rus_share))  # the US gets the rest

"""What every PRK strategy is: a small class with a name, a classifier and one decision.

A strategy's decision is a compiled function (its *rule*) of replication r's state, with the
strategy's options as a float array; the class holds the options and validates them. Both
engines run the same rule, through :func:`sim.world.prk_decide`: the batch engine from
compiled code, the Mesa model through :meth:`Strategy.decide`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from sim import equations as eq
from sim.actors import CHN, PRK, RUS
from sim.equations import jit_inline
from sim.params import Params
from sim.registry import check_fields
from sim.scenarios import Drivers
from sim.state import WorldState

#: Decision rules (:attr:`Strategy.rule`), dispatched by :func:`sim.world.prk_decide`.
FIXED_SHARES, BALANCING, COUNTERWEIGHT = range(3)
#: Order of PRK's acceptance shares in :attr:`PRKDecision.accept` (donor_channel).
ACCEPT_CHANNELS = ("chn_econ", "chn_mil", "rus_econ", "rus_mil", "usa_econ")


class Month(NamedTuple):
    """The exogenous drivers of one month (scalars; ``summits`` one indicator per actor)."""

    t: int
    war: float
    rivalry: float
    hostility: float
    shortfall_mt: float
    border_open: float
    summits: tuple[float, float, float, float]

    @classmethod
    def of(cls, drivers: Drivers, t: int) -> Month:
        return month_at(drivers.arrays(), t)


@jit_inline
def month_at(drivers: tuple, t: int) -> Month:
    """Month ``t`` of the drivers (as :meth:`sim.scenarios.Drivers.arrays` gives them)."""
    war, rivalry, hostility, shortfall, border, summits = drivers
    return Month(t, war[t], rivalry[t], hostility[t], shortfall[t], border[t],
                 (summits[t, 0], summits[t, 1], summits[t, 2], summits[t, 3]))


class PRKDecision(NamedTuple):
    """PRK's choices for one month in one replication.

    attention_chn, attention_rus, attention_usa: the attention row PRK's attention moves
        toward (shares summing to 1).
    contestability: in [0, 1], the share of each patron's value of influence that PRK puts
        up for bidding (1: attention goes to whoever offers more).
    accept: in [0, 1], the share of each donor's aid per channel PRK accepts, in the order of
        :data:`ACCEPT_CHANNELS`.
    munitions_supply: in [0, 1], the share of munitions capacity PRK sells Russia.
    """

    attention_chn: float
    attention_rus: float
    attention_usa: float
    contestability: float
    accept: tuple[float, float, float, float, float]
    munitions_supply: float


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


class Strategy:
    """Base class of PRK strategies.

    ``name`` ties the class to its config file (``configs/strategy/<name>.yaml``), module and
    test module; ``classifier`` is metadata that the shared contract test checks against what
    the strategy actually decides. ``rule`` names the compiled decision rule and
    :meth:`options` gives its arguments.
    """

    name: ClassVar[str]
    classifier: ClassVar[dict[str, object]]
    rule: ClassVar[int]

    def options(self) -> np.ndarray:
        raise NotImplementedError

    def decide(self, state: WorldState, month: Month, params: Params, r: int = 0) -> PRKDecision:
        """PRK's decision in replication ``r`` of ``state`` (``params`` broadcast)."""
        from sim.world import prk_decide_at

        return prk_decide_at(self.rule, self.options(), state, r, month, params.arrays())


@jit_inline
def fixed_shares(opts: np.ndarray) -> PRKDecision:
    """The decision of :class:`FixedShares` with options ``(chn_share, rus_share,
    contestability, munitions_supply, accept...)`` (accept in :data:`ACCEPT_CHANNELS` order)."""
    return PRKDecision(opts[0], opts[1], 1.0 - opts[0] - opts[1], opts[2],
                       (opts[4], opts[5], opts[6], opts[7], opts[8]), opts[3])


@dataclass(frozen=True)
class FixedShares(Strategy):
    """A strategy whose choices do not depend on the state: fixed attention shares
    (``chn_share``, ``rus_share``, the rest to the US), contestability, acceptance by donor and
    channel (``ACCEPT``, keys of :data:`ACCEPT_CHANNELS`, 1 if not given) and munitions supply."""

    rule = FIXED_SHARES
    chn_share: float = 0.5
    rus_share: float = 0.4
    contestability: float = 0.3
    munitions_supply: float = 1.0
    ACCEPT: ClassVar[dict[str, float]] = {}

    def __post_init__(self) -> None:
        check_fields(self, "strategy", chn_share=(0, 1), rus_share=(0, 1), contestability=(0, 1),
                     munitions_supply=(0, 1))
        check_fields(self, "strategy", chn_share=(0, 1 - self.rus_share))  # the US gets the rest

    def options(self) -> np.ndarray:
        accept = [float(self.ACCEPT.get(k, 1.0)) for k in ACCEPT_CHANNELS]
        return np.array([self.chn_share, self.rus_share, self.contestability, self.munitions_supply, *accept])

"""Named behaviours of the patrons (CHN, RUS) and of the US, in explicit registries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from sim import equations as eq
from sim.actors import CHN, RUS
from sim.equations import jit, jit_inline
from sim.params import Params
from sim.registry import Registry, check_fields
from sim.state import WorldState
from sim.strategies.base import Month

PATRON_POLICIES: Registry[PatronPolicy] = Registry("patron policy")
US_POLICIES: Registry[USPolicy] = Registry("US policy")


#: Patron decision rules (:attr:`PatronPolicy.rule`), dispatched by :func:`sim.world.patron_decide`.
CONTEST, FIXED = range(2)


@jit_inline
def patron_value_now(actor: int, month: Month, q: np.record) -> float:
    """E1 for ``actor`` in ``month``; ``q`` is the replication's parameter record."""
    if actor == CHN:
        return eq.patron_value(q.value_chn, q.value_chn * q.rivalry_value_chn, month.rivalry)
    return eq.patron_value(q.value_rus, q.war_value_rus, month.war)


@jit_inline
def patron_cost_now(actor: int, x: np.record, q: np.record, pressure_sensitive: bool) -> float:
    """E4 for ``actor`` given last month's US stance and sanctions in force (``x`` is the
    replication's state record)."""
    if actor == CHN:
        slope = q.pressure_cost_chn if pressure_sensitive else 0.0
        return eq.patron_cost(q.cost_chn, slope, x.us_stance[0], q.sanctions_cost_chn, x.sanctions)
    return eq.patron_cost(q.cost_rus, q.condemnation_cost_rus, x.us_stance[2], 0.0, x.sanctions)


@jit_inline
def contest_bid(actor: int, x: np.record, month: Month, q: np.record, pressure_sensitive: bool) -> float:
    """The bid of :class:`Contest` (and :class:`Cautious`): a step toward the Tullock best
    response (E2, E3) to the rival's last bid, the prize being PRK's contestability times E1."""
    rival = RUS if actor == CHN else CHN
    value = x.contestability * patron_value_now(actor, month, q)
    cost = patron_cost_now(actor, x, q, pressure_sensitive)
    target = eq.best_response(value, x.bids[rival], cost)
    return eq.adjust(x.bids[actor], target, q.bid_rate)


@jit_inline
def fixed_bid(actor: int, x: np.record, bid: float) -> float:
    """The bid of :class:`Fixed`: ``bid`` every month, or the current bid when ``bid`` is NaN."""
    return x.bids[actor] if np.isnan(bid) else bid


class PatronPolicy:
    """How a patron sets its aid offer to PRK each month: a compiled ``rule`` with
    :meth:`options`; :meth:`decide` returns the new bid."""

    name: ClassVar[str]
    rule: ClassVar[int]

    def options(self) -> np.ndarray:
        raise NotImplementedError

    def decide(self, actor: int, state: WorldState, month: Month, p: Params, r: int = 0) -> float:
        """The bid of ``actor`` in replication ``r`` of ``state`` (``p`` broadcast)."""
        from sim.world import patron_decide_at

        return patron_decide_at(self.rule, self.options(), actor, state, r, month, p.arrays())


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Contest(PatronPolicy):
    """Bid for influence over PRK: move toward the Tullock best response (E2, E3) to the
    rival's last bid, valuing the prize at PRK's contestability times E1."""

    name = "contest"
    rule = CONTEST
    pressure_sensitive: ClassVar[bool] = False

    def options(self) -> np.ndarray:
        return np.array([float(self.pressure_sensitive)])


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Cautious(Contest):
    """China's cautious stance: a contest in which US pressure raises the cost of overt
    support (E4). Hong Min (seed 001): Beijing 'sought to prevent emphasizing its ties with
    North Korea overtly, while still demonstrating its engagement'."""

    name = "cautious"
    pressure_sensitive: ClassVar[bool] = True


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Fixed(PatronPolicy):
    """A patron with fixed behaviour, for scripted encounters: it offers ``bid`` USD bn/yr
    every month (its current bid when ``bid`` is None)."""

    name = "fixed"
    rule = FIXED
    bid: float | None = None

    def options(self) -> np.ndarray:
        return np.array([np.nan if self.bid is None else float(self.bid)])


class USDecision(NamedTuple):
    """The US's stance for one month in one replication, each in [0, 1]: pressure (sanctions,
    urging China to cooperate), engagement (talks without preconditions), condemnation (joint
    statements with Seoul and Tokyo), and the monthly chance of tabling a UNSC resolution."""

    pressure: float
    engagement: float
    condemnation: float
    table_rate: float


@jit_inline
def us_stance(x: np.record, opts: np.ndarray) -> USDecision:
    """The US's decision with options ``(pressure, engagement, condemnation, table_rate,
    condemn_arms)``: constant levels, except that with ``condemn_arms`` set the US condemns
    whenever PRK ships munitions to Russia (``x`` is the replication's state record)."""
    condemnation = (1.0 if x.munitions > 0 else 0.0) if opts[4] > 0 else opts[2]
    return USDecision(opts[0], opts[1], condemnation, opts[3])


@jit
def us_stance_at(s: WorldState, r: int, opts: np.ndarray) -> USDecision:
    """:func:`us_stance` in replication ``r`` of ``s`` (for callers outside compiled code)."""
    return us_stance(s[r], opts)


class USPolicy:
    """How the US acts each month: :func:`us_stance` with this policy's :meth:`options`."""

    name: ClassVar[str]
    condemn_arms: ClassVar[bool] = False

    def options(self) -> np.ndarray:
        raise NotImplementedError

    def decide(self, state: WorldState, month: Month, p: Params, r: int = 0) -> USDecision:
        """The US's stance in replication ``r`` of ``state``."""
        return us_stance_at(state, r, self.options())


@dataclass(frozen=True)
class _ConstantUS(USPolicy):
    pressure: float = 0.0
    engagement: float = 0.0
    condemnation: float = 0.0
    table_rate: float = 0.0

    def __post_init__(self) -> None:
        check_fields(self, "US policy", pressure=(0, 1), engagement=(0, 1), condemnation=(0, 1), table_rate=(0, 1))

    def options(self) -> np.ndarray:
        return np.array([self.pressure, self.engagement, self.condemnation, self.table_rate,
                         float(self.condemn_arms)])


@US_POLICIES.register
@dataclass(frozen=True)
class Pressure(_ConstantUS):
    """Maximum pressure: sanctions resolutions tabled about twice a year and China urged to
    cooperate (seed 001: 'U.S. messages urging China's cooperation on North Korean issues';
    seed 002: 'repeated U.S.-proposed sanctions')."""

    name = "pressure"
    pressure: float = 1.0
    table_rate: float = 0.15


@US_POLICIES.register
@dataclass(frozen=True)
class Engagement(_ConstantUS):
    """Talks without preconditions (seed 004: Biden wants a return to the table 'without
    preconditions'): relief on offer, little pressure, resolutions rarely tabled."""

    name = "engagement"
    pressure: float = 0.2
    engagement: float = 1.0
    table_rate: float = 0.02


@US_POLICIES.register
@dataclass(frozen=True)
class TrilateralCondemnation(_ConstantUS):
    """Pressure plus joint condemnation with Seoul and Tokyo whenever PRK ships arms to
    Russia (seed 002: the joint statement condemning the transfers)."""

    name = "trilateral_condemnation"
    condemn_arms = True
    pressure: float = 0.6
    table_rate: float = 0.15


@US_POLICIES.register
@dataclass(frozen=True)
class Disengaged(_ConstantUS):
    """No pressure, no engagement, no resolutions: a US that looks away."""

    name = "disengaged"

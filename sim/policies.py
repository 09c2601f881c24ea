"""Named behaviours of the patrons (CHN, RUS) and of the US, in explicit registries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim import equations as eq
from sim.actors import CHN, RUS
from sim.params import Params
from sim.registry import Registry, check_fields
from sim.state import WorldState
from sim.strategies.base import Month

PATRON_POLICIES: Registry[PatronPolicy] = Registry("patron policy")
US_POLICIES: Registry[USPolicy] = Registry("US policy")


def patron_value_now(actor: int, month: Month, p: Params) -> np.ndarray:
    """E1 for ``actor`` in ``month``."""
    if actor == CHN:
        return eq.patron_value(p.value_chn, p.value_chn * p.rivalry_value_chn, month.rivalry)
    return eq.patron_value(p.value_rus, p.war_value_rus, month.war)


def patron_cost_now(actor: int, state: WorldState, p: Params, pressure_sensitive: bool) -> np.ndarray:
    """E4 for ``actor`` given last month's US stance and sanctions in force."""
    pressure, _, condemnation = state.us_stance.T
    if actor == CHN:
        slope = p.pressure_cost_chn if pressure_sensitive else 0.0
        return eq.patron_cost(p.cost_chn, slope, pressure, p.sanctions_cost_chn, state.sanctions)
    return eq.patron_cost(p.cost_rus, p.condemnation_cost_rus, condemnation, 0.0, state.sanctions)


class PatronPolicy:
    """How a patron sets its aid offer to PRK each month: ``decide`` returns the new bid."""

    name: ClassVar[str]

    def decide(self, actor: int, state: WorldState, month: Month, p: Params) -> np.ndarray:
        raise NotImplementedError


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Contest(PatronPolicy):
    """Bid for influence over PRK: move toward the Tullock best response (E2, E3) to the
    rival's last bid, valuing the prize at PRK's contestability times E1."""

    name = "contest"
    pressure_sensitive: ClassVar[bool] = False

    def decide(self, actor: int, state: WorldState, month: Month, p: Params) -> np.ndarray:
        rival = RUS if actor == CHN else CHN
        value = state.contestability * patron_value_now(actor, month, p)
        cost = patron_cost_now(actor, state, p, self.pressure_sensitive)
        target = eq.best_response(value, state.bids[:, rival], cost)
        return eq.adjust(state.bids[:, actor], target, p.bid_rate)


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
    bid: float | None = None

    def decide(self, actor: int, state: WorldState, month: Month, p: Params) -> np.ndarray:
        if self.bid is None:
            return state.bids[:, actor].copy()
        return np.full(state.n, float(self.bid))


@dataclass(frozen=True)
class USDecision:
    """The US's stance for one month, each ``(R,)`` in [0, 1]: pressure (sanctions, urging
    China to cooperate), engagement (talks without preconditions), condemnation (joint
    statements with Seoul and Tokyo), and the monthly chance of tabling a UNSC resolution."""

    pressure: np.ndarray
    engagement: np.ndarray
    condemnation: np.ndarray
    table_rate: np.ndarray


class USPolicy:
    """How the US acts each month."""

    name: ClassVar[str]

    def decide(self, state: WorldState, month: Month, p: Params) -> USDecision:
        raise NotImplementedError


@dataclass(frozen=True)
class _ConstantUS(USPolicy):
    pressure: float = 0.0
    engagement: float = 0.0
    condemnation: float = 0.0
    table_rate: float = 0.0

    def __post_init__(self) -> None:
        check_fields(self, "US policy", pressure=(0, 1), engagement=(0, 1), condemnation=(0, 1), table_rate=(0, 1))

    def decide(self, state: WorldState, month: Month, p: Params) -> USDecision:
        n = state.n
        return USDecision(np.full(n, self.pressure), np.full(n, self.engagement),
                          np.full(n, self.condemnation), np.full(n, self.table_rate))


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
    pressure: float = 0.6
    table_rate: float = 0.15

    def decide(self, state: WorldState, month: Month, p: Params) -> USDecision:
        d = super().decide(state, month, p)
        return USDecision(d.pressure, d.engagement, (state.munitions > 0).astype(float), d.table_rate)


@US_POLICIES.register
@dataclass(frozen=True)
class Disengaged(_ConstantUS):
    """No pressure, no engagement, no resolutions: a US that looks away."""

    name = "disengaged"

"""What a run is made of: the named strategy, policies and scenario, resolved from their
registries, and the compiled month loop both engines share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from sim.actors import CHN, RUS
from sim.dynamics import Decisions, transition
from sim.equations import jit, jit_inline
from sim.outcomes import outcome_row
from sim.params import Switches, SwitchFlags
from sim.policies import FIXED, PATRON_POLICIES, US_POLICIES, PatronPolicy, USPolicy, contest_bid, fixed_bid, us_stance
from sim.rng import N_NORMAL, N_UNIFORM, replication_noise
from sim.scenarios import Drivers, scenario_drivers
from sim.state import WorldState
from sim.strategies import STRATEGIES, Month, Strategy
from sim.strategies.balancing import balancing
from sim.strategies.base import BALANCING, COUNTERWEIGHT, PRKDecision, fixed_shares, month_at
from sim.strategies.counterweight import counterweight


class Agents(NamedTuple):
    """The agents' decision rules and their options, as compiled code takes them."""

    prk_rule: int
    prk_options: np.ndarray
    chn_rule: int
    chn_options: np.ndarray
    rus_rule: int
    rus_options: np.ndarray
    usa_options: np.ndarray


@jit_inline
def prk_decide(rule: int, opts: np.ndarray, x: np.record, m: Month, q: np.record) -> PRKDecision:
    """PRK's decision by its strategy's rule (:mod:`sim.strategies`); ``x`` and ``q`` are the
    replication's state and parameter records."""
    if rule == BALANCING:
        return balancing(x, opts)
    if rule == COUNTERWEIGHT:
        return counterweight(x, q.mil_weight, opts)
    return fixed_shares(opts)


@jit_inline
def patron_decide(rule: int, opts: np.ndarray, actor: int, x: np.record, m: Month, q: np.record) -> float:
    """A patron's new bid by its policy's rule (:mod:`sim.policies`)."""
    if rule == FIXED:
        return fixed_bid(actor, x, opts[0])
    return contest_bid(actor, x, m, q, opts[0] > 0)


@jit_inline
def decide(a: Agents, x: np.record, m: Month, q: np.record) -> Decisions:
    """Every agent's decision in one replication (what the Mesa agents do one by one)."""
    return Decisions(
        prk=prk_decide(a.prk_rule, a.prk_options, x, m, q),
        bid_chn=patron_decide(a.chn_rule, a.chn_options, CHN, x, m, q),
        bid_rus=patron_decide(a.rus_rule, a.rus_options, RUS, x, m, q),
        usa=us_stance(x, a.usa_options),
    )


@jit
def prk_decide_at(rule: int, opts: np.ndarray, s: WorldState, r: int, m: Month, p: np.recarray) -> PRKDecision:
    """:func:`prk_decide` in replication ``r`` (for callers outside compiled code)."""
    return prk_decide(rule, opts, s[r], m, p[r])


@jit
def patron_decide_at(rule: int, opts: np.ndarray, actor: int, s: WorldState, r: int, m: Month,
                     p: np.recarray) -> float:
    """:func:`patron_decide` in replication ``r`` (for callers outside compiled code)."""
    return patron_decide(rule, opts, actor, s[r], m, p[r])


@jit
def decide_at(a: Agents, s: WorldState, r: int, m: Month, p: np.recarray) -> Decisions:
    """:func:`decide` in replication ``r`` (for callers outside compiled code)."""
    return decide(a, s[r], m, p[r])


@jit
def run_block(a: Agents, s: WorldState, drivers: tuple, p: np.recarray, sw: SwitchFlags, key: tuple[int, int],
              replications: np.ndarray, months: int, steps: bool, out: np.ndarray) -> None:
    """Run every replication of ``s`` (replication ``replications[i]`` of the run in row i)
    from month 0 to ``months``, in place: each month every agent decides (:func:`decide`),
    then :func:`sim.dynamics.transition`. The replication's draws come from its own stream
    (:func:`sim.rng.replication_noise`). Outcomes (:func:`sim.outcomes.outcome_row`) go to
    ``out``: one row per replication and month when ``steps``, else one per replication."""
    normal, uniform = np.empty((months, N_NORMAL)), np.empty((months, N_UNIFORM))
    dT, target = np.zeros((4, 4)), np.zeros(4)
    for i in range(replications.shape[0]):
        x, q = s[i], p[i]
        replication_noise(key[0], key[1], replications[i], normal, uniform)
        for t in range(months):
            m = month_at(drivers, t)
            transition(x, decide(a, x, m, q), m, q, sw, normal, uniform, dT, target)
            if steps:
                outcome_row(x, q, m, out[i * months + t])
        if not steps:
            outcome_row(x, q, month_at(drivers, months - 1), out[i])


@dataclass(frozen=True)
class WorldSpec:
    """A run's choices by name: PRK's strategy, the patrons' and US policies, the scenario."""

    strategy: str = "balancing"
    scenario: str = "status_quo_2024"
    us_policy: str = "pressure"
    chn_policy: str = "cautious"
    rus_policy: str = "contest"
    months: int = 120
    switches: Switches = field(default_factory=Switches)
    strategy_options: dict[str, Any] = field(default_factory=dict)
    scenario_options: dict[str, Any] = field(default_factory=dict)
    us_policy_options: dict[str, Any] = field(default_factory=dict)

    def build(self) -> World:
        if self.months < 1:
            raise ValueError(f"months must be >= 1, got {self.months}")
        return World(
            spec=self,
            strategy=STRATEGIES.create(self.strategy, **self.strategy_options),
            chn=PATRON_POLICIES.create(self.chn_policy),
            rus=PATRON_POLICIES.create(self.rus_policy),
            usa=US_POLICIES.create(self.us_policy, **self.us_policy_options),
            drivers=scenario_drivers(self.scenario, self.months, self.switches.shocks, **self.scenario_options),
        )


@dataclass(frozen=True)
class World:
    """A :class:`WorldSpec` resolved to objects."""

    spec: WorldSpec
    strategy: Strategy
    chn: PatronPolicy
    rus: PatronPolicy
    usa: USPolicy
    drivers: Drivers

    def month(self, t: int) -> Month:
        return Month.of(self.drivers, t)

    def agents(self) -> Agents:
        return Agents(self.strategy.rule, self.strategy.options(), self.chn.rule, self.chn.options(),
                      self.rus.rule, self.rus.options(), self.usa.options())


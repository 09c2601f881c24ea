"""What a run is made of: the named strategy, policies and scenario, resolved from their
registries, plus the seeding rule both engines share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.actors import CHN, RUS
from sim.dynamics import Decisions
from sim.params import Params, Switches
from sim.policies import PATRON_POLICIES, US_POLICIES, PatronPolicy, USPolicy
from sim.scenarios import Drivers, scenario_drivers
from sim.state import WorldState
from sim.strategies import STRATEGIES, Month, Strategy


def replication_seed(seed: int, replication: int) -> int:
    """The integer seed of replication ``replication`` of a run seeded with ``seed``.

    It comes from ``numpy.random.SeedSequence(seed, spawn_key=(replication,))``, the
    ``replication``-th child of ``SeedSequence(seed).spawn(...)``: a replication's stream does
    not depend on how many run beside it, in what order, or in how many processes. Pass it to
    the Mesa model as ``rng=`` to reproduce that replication of a batch run exactly.
    """
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be >= 0, got {seed} and {replication}")
    ss = np.random.SeedSequence(seed, spawn_key=(replication,))
    return int(ss.generate_state(2, np.uint64)[0])


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

    def decide(self, s: WorldState, m: Month, p: Params) -> Decisions:
        """Every agent's decision from state ``s`` (what the Mesa agents do one by one)."""
        return Decisions(
            prk=self.strategy.decide(s, m, p),
            bid_chn=self.chn.decide(CHN, s, m, p),
            bid_rus=self.rus.decide(RUS, s, m, p),
            usa=self.usa.decide(s, m, p),
        )

from __future__ import annotations

import pandas as pd
import pytest

from sim.engine import simulate
from sim.world import WorldSpec

STRATEGIES = ("balancing", "counterweight", "additional_pillar")
SCENARIOS = ("status_quo_2024", "war_ends")


def small_results(replications: int = 12, months: int = 24, record: str = "steps", seed: int = 5) -> pd.DataFrame:
    """Three strategies in two scenarios, as one long table (what a sweep's files hold)."""
    return pd.concat([simulate(WorldSpec(strategy=s, scenario=sc, months=months), replications=replications,
                               seed=seed, record=record) for sc in SCENARIOS for s in STRATEGIES],
                     ignore_index=True)


@pytest.fixture(scope="session")
def steps() -> pd.DataFrame:
    return small_results()

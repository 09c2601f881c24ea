"""Invariants after every month, over the whole parameter box (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.params import PARAM_FIELDS, Params, Switches
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec
from tests.conftest import run_steps

param_values = st.fixed_dictionaries(
    {name: st.floats(*f.metadata["bounds"], allow_nan=False) for name, f in PARAM_FIELDS.items()}
)
switches = st.builds(Switches, **{n: st.booleans() for n in Switches.names()})


def check_invariants(s, m):
    assert np.all(np.isfinite(s.trust))
    assert np.all(np.isfinite(s.attention))
    assert np.all(np.isfinite(s.aid))
    assert np.all((s.trust >= 0) & (s.trust <= 1))
    assert np.all(s.attention >= 0)
    np.testing.assert_allclose(s.attention.sum(axis=2), 1.0, atol=1e-12)
    assert np.all(s.aid >= 0)
    assert np.all(s.bids >= 0)
    assert np.all(np.isfinite(s.bids))
    assert np.all(s.munitions >= 0)
    assert np.all((s.sanctions >= 0) & (s.sanctions <= 1))
    tabled, vetoed, passed = s.unsc.T
    assert np.all(vetoed + passed == tabled)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=param_values, strategy=st.sampled_from(STRATEGIES.names()),
       scenario=st.sampled_from(SCENARIOS.names()), sw=switches, seed=st.integers(0, 2**32))
def test_state_stays_valid_every_month(values, strategy, scenario, sw, seed):
    spec = WorldSpec(strategy=strategy, scenario=scenario, months=30, switches=sw)
    run_steps(spec, Params(**values), n=3, seed=seed, callback=check_invariants)


def test_invariants_hold_for_every_strategy_and_scenario_at_defaults():
    for strategy in STRATEGIES:
        for scenario in SCENARIOS:
            run_steps(WorldSpec(strategy=strategy, scenario=scenario, months=60), n=8, callback=check_invariants)

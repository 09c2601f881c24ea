"""One contract every registered strategy must meet (Axelrod-style)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from sim.actors import CHN, ECON, PRK, RUS
from sim.engine import simulate
from sim.params import Params, Switches
from sim.state import initial_state
from sim.strategies import ANALYST_STRATEGIES, BASELINES, STRATEGIES
from sim.strategies.base import ACCEPT_CHANNELS
from sim.world import WorldSpec

ALL = STRATEGIES.names()
OUT = ["trust_chn_prk", "trust_prk_rus", "aid_total_prk", "autonomy_prk", "attention_prk_chn"]


def decision(name: str, china_support: float = 0.5, n: int = 3):
    """The strategy's decision in a month-0 world where China provided ``china_support`` of the
    patrons' aid last month."""
    p = Params().broadcast(n)
    s = initial_state(p, n)
    s.aid[:, CHN, PRK, ECON] = china_support
    s.aid[:, RUS, PRK, ECON] = 1.0 - china_support
    m = WorldSpec().build().drivers.month(0)
    q = p.arrays()
    return [STRATEGIES.create(name).decide(s[r], m, q[r]) for r in range(n)]


def contestability(name: str) -> float:
    """PRK's contestability for China under the strategy, as the patrons measure it (E2a), in
    the month-0 world of :func:`decision`."""
    from sim.dynamics import sense
    from sim.rules import compiled_rule

    p = Params().broadcast(1)
    s, q = initial_state(p, 1), p.arrays()
    strategy = STRATEGIES.create(name)
    sense(compiled_rule(type(strategy)), s[0], WorldSpec().build().drivers.month(0), q[0], strategy.options())
    return float(s.contestability[0, CHN])


def test_registry_lists_the_analysts_strategies_and_the_baselines():
    assert set(ALL) == set(ANALYST_STRATEGIES) | set(BASELINES)


@pytest.mark.parametrize("name", ALL)
def test_builds_and_names_itself(name):
    cls = STRATEGIES[name]
    assert cls.name == name
    assert cls.__module__ == f"sim.strategies.{name}"  # one stem: config, module, class, test
    assert inspect.getdoc(cls)


@pytest.mark.parametrize("name", ALL)
def test_docstring_cites_its_analysts_and_seeds(name):
    cls = STRATEGIES[name]
    doc = inspect.getdoc(cls)
    for analyst in cls.classifier["analysts"]:
        assert analyst in doc
    for seed in cls.classifier["seeds"]:
        assert f"seed {seed}" in doc


@pytest.mark.parametrize("name", ALL)
def test_decision_is_well_formed(name):
    for d in decision(name):
        row = np.array([d.attention_chn, d.attention_rus, d.attention_usa])
        assert row.sum() == pytest.approx(1.0)
        assert np.all(row >= 0)
        assert all(0 <= a <= 1 for a in d.accept)
        assert len(d.accept) == len(ACCEPT_CHANNELS)
        assert 0 <= d.munitions_supply <= 1


@pytest.mark.parametrize("name", ALL)
def test_reproducible_with_a_seed_and_different_with_another(name):
    spec = WorldSpec(strategy=name, months=36)
    a = simulate(spec, replications=5, seed=1)[OUT].to_numpy()
    b = simulate(spec, replications=5, seed=1)[OUT].to_numpy()
    c = simulate(spec, replications=5, seed=2)[OUT].to_numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", ALL)
def test_without_noise_replications_are_identical(name):
    spec = WorldSpec(strategy=name, months=36, switches=Switches(noise=False, betrayal=False, us_policy=False))
    table = simulate(spec, replications=4, seed=3)[OUT].to_numpy()
    np.testing.assert_array_equal(table, np.repeat(table[:1], 4, axis=0))


@pytest.mark.parametrize("name", ALL)
def test_classifier_matches_what_the_strategy_decides(name):
    c = STRATEGIES[name].classifier
    accept = {k: i for i, k in enumerate(ACCEPT_CHANNELS)}
    kappa = contestability(name)
    assert c["contestable"] == (kappa >= 0.45), kappa
    for d in decision(name):
        assert c["sells_munitions"] == (d.munitions_supply > 0)
        assert c["accepts_russian_food"] == (d.accept[accept["rus_econ"]] > 0)
        assert c["engages_us"] == (d.attention_usa >= 0.3)
        assert c["complementary_channels"] == (
            d.accept[accept["rus_econ"]] != d.accept[accept["rus_mil"]] and d.accept[accept["chn_econ"]] > 0
        )
    # caps China dependence: the more China provides, the less attention it gets
    more = [d.attention_chn for d in decision(name, china_support=0.9)]
    less = [d.attention_chn for d in decision(name, china_support=0.1)]
    assert c["caps_china_dependence"] == bool(np.all(np.array(more) < np.array(less)))

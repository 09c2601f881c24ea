"""Targets: statistics computed from outcome tables, and the band observation model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration.targets import (
    BLOCKS,
    TARGET_NAMES,
    TARGETS,
    Observation,
    seed_observation,
    simulate_statistics,
    synthetic_observation,
    target,
)
from sim.params import Params


def test_every_target_names_its_seed_and_a_block():
    assert {t.seed for t in TARGETS} == {"000", "002", "003", "004"}
    for t in TARGETS:
        assert t.block in BLOCKS
        assert 1 <= t.months[0] <= t.months[1] <= BLOCKS[t.block].months
        assert t.low < t.high
        assert t.softness > 0
    with pytest.raises(KeyError, match="unknown target"):
        target("nope")


def test_known_answers_of_the_statistics():
    p = Params(food_share=0.0, munitions_capacity=2.5, veto_hostility=0.95)
    s = simulate_statistics(p, 6, seed=3)
    # balancing sells Russia all its capacity while the war runs at full intensity (E5)
    assert s["munitions_bn"].to_numpy() == pytest.approx(2.5)
    # no food in the aid: the gap is the scenario's 1 Mt harvest shortfall (E8)
    assert s["food_gap_mt"].to_numpy() == pytest.approx(1.0)
    # a veto needs distrust above 0.95; Russia's trust in the US sits near 0.1: rarely
    assert s["veto_share"].max() < 0.5
    # the weakest PRK-CHN-RUS pair stays below the alliance threshold
    assert (s["alliance_margin"] < 0).all()
    assert ((s["china_aid_share"] > 0) & (s["china_aid_share"] <= 1)).all()


def test_statistics_do_not_depend_on_the_batch_size():
    p = Params.with_overrides({"value_chn": np.linspace(1, 8, 7), "attention_rate": np.linspace(0.05, 0.6, 7)})
    a = simulate_statistics(p, 7, seed=11)
    b = simulate_statistics(p, 7, seed=11, batch=3)
    assert np.array_equal(a.to_numpy(), b.to_numpy())


def test_band_likelihood():
    obs = Observation(("a", "b"), np.array([1.0, 0.5]), np.array([2.0, np.inf]), np.array([0.1, 0.05]))
    S = np.array([[1.5, 0.9], [1.0, 0.9], [0.5, 0.9], [1.5, 0.3], [40.0, -40.0]])
    ll = obs.loglik(S)
    assert ll[0] == pytest.approx(0.0, abs=1e-6)  # inside both bands, far from the edges
    assert ll[1] == pytest.approx(np.log(0.5), abs=1e-6)  # on an edge: half the error mass inside
    assert ll[2] < ll[1]
    assert ll[3] < ll[1]
    assert ll[4] < -1e4


def test_seed_observation_and_synthetic_observations():
    obs = seed_observation()
    assert obs.names == TARGET_NAMES
    ex = TARGET_NAMES.index("exchange_ratio")
    assert (obs.low[ex], obs.high[ex]) == pytest.approx((0.2, 0.6))
    stats = np.array([0.5, 0.8, 0.7, 4.0, 0.95, -0.2])
    syn = synthetic_observation(stats)
    for t, lo, hi, s in zip(TARGETS, syn.low, syn.high, stats):
        if t.kind == "band":
            assert (lo, hi) == pytest.approx((s - t.half_width, s + t.half_width))
        else:
            assert lo <= s <= hi
    assert syn.within(stats).all()
    noisy = synthetic_observation(stats, np.random.default_rng(0))
    assert not np.allclose(noisy.low[ex], syn.low[ex])

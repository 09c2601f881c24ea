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
)
from sim.params import Params


def test_every_target_names_its_seed_and_a_block_before_the_hold_out():
    assert {t.seed for t in TARGETS} == {"002"}
    for t in TARGETS:
        assert t.block in BLOCKS
        assert 1 <= t.months[0] <= t.months[1] <= BLOCKS[t.block].months
        assert t.low < t.high
        assert t.softness > 0
    # the 2018-22 block is the replay before any reading starts (September 2023)
    for spec in BLOCKS.values():
        assert spec.scenario == "history_2018_2024"
        assert spec.months <= 68


def test_known_answers_of_the_statistics():
    """China's share of PRK's economic aid is 1 when no one else gives any, and the mean of the
    monthly shares otherwise."""
    from sim.engine import panels

    s = simulate_statistics(Params(value_rus=0.1, bid0_rus=0.0), 4, seed=3)
    assert ((s["china_aid_share"] > 0) & (s["china_aid_share"] <= 1)).all()
    spec = BLOCKS["history_2018_22"]
    P = panels(spec, ("aid_chn_prk_econ", "aid_rus_prk_econ", "aid_usa_prk_econ"), replications=4, seed=3,
               params=Params(value_rus=0.1, bid0_rus=0.0))
    total = P["aid_chn_prk_econ"] + P["aid_rus_prk_econ"] + P["aid_usa_prk_econ"]
    share = np.where(total > 0, P["aid_chn_prk_econ"] / np.where(total > 0, total, 1), 0.5)
    np.testing.assert_allclose(s["china_aid_share"], share.mean(axis=1))


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


def test_seed_observation_holds_every_target_band():
    obs = seed_observation()
    assert obs.names == TARGET_NAMES
    share = TARGET_NAMES.index("china_aid_share")
    assert (obs.low[share], obs.high[share]) == (0.5, np.inf)
    assert obs.within(np.array([0.8])).all()
    assert not obs.within(np.array([0.3])).any()

"""The shipped posterior: small files, consistent summaries, every seed target reproduced,
and draws for runs and sweeps."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Params, WorldSpec, simulate
from sim.calibration import CALIBRATED, parameter_draws
from sim.calibration.fit import check_targets, predictive
from sim.calibration.store import DATA_DIR, FILES, load, load_posterior
from sim.calibration.targets import TARGET_NAMES, seed_observation
from sim.params import bounds


def test_files_are_small_and_complete():
    sizes = {k: (DATA_DIR / f).stat().st_size for k, f in FILES.items() if (DATA_DIR / f).exists()}
    assert {"samples", "summary", "diagnostics", "sensitivity", "fit"} <= set(sizes)
    assert sum(sizes.values()) < 1_000_000
    fit = load("fit")
    assert fit["simulations"] >= fit["settings"]["candidates"]
    assert 0 < fit["acceptance_rate"] <= 1
    assert fit["generations"][-1]["beta"] == 1.0


def test_samples_lie_in_bounds_and_match_the_summary():
    samples = load_posterior()
    assert list(samples.columns) == ["draw", *CALIBRATED]
    assert (samples["draw"].to_numpy() == np.arange(len(samples))).all()
    summary = load("summary").set_index("parameter")
    for name in CALIBRATED:
        lo, hi = bounds(name)
        assert samples[name].between(lo, hi).all()
        assert summary.loc[name, "posterior_median"] == pytest.approx(samples[name].median(), rel=1e-4)
    assert (load("diagnostics")["within"]).all()


def test_shipped_posterior_reproduces_every_seed_target():
    draws = load_posterior().sample(600, random_state=1)
    table = check_targets(predictive(draws, seed=2024), seed_observation())
    assert list(table["target"]) == list(TARGET_NAMES)
    bad = table[~table["within"]]
    assert bad.empty, bad.to_string()


def test_point_draws_are_the_base_values():
    params, draw = parameter_draws("point", 4, seed=0, base=Params(value_chn=2.5))
    assert (draw == -1).all()
    assert params.value_chn.shape == (4,)
    assert (params.value_chn == 2.5).all()
    assert (params.food_share == Params().food_share).all()


@pytest.mark.parametrize("source", ["prior", "posterior"])
def test_draws_are_reproducible_and_independent_of_n(source):
    p5, d5 = parameter_draws(source, 5, seed=9)
    p20, d20 = parameter_draws(source, 20, seed=9)
    p_other, _ = parameter_draws(source, 20, seed=10)
    assert np.array_equal(d5, d20[:5])
    for name in CALIBRATED:
        assert getattr(p20, name).shape == (20,)
        assert np.array_equal(getattr(p5, name), getattr(p20, name)[:5])
    assert not np.array_equal(p20.value_chn, p_other.value_chn)
    assert p20.bid_rate == Params().bid_rate  # uncalibrated fields keep their value


def test_posterior_draws_are_rows_of_the_shipped_posterior():
    samples = load_posterior()
    params, draw = parameter_draws("posterior", 50, seed=1)
    assert draw.dtype == np.int64
    assert ((draw >= 0) & (draw < len(samples))).all()
    for name in CALIBRATED:
        assert np.array_equal(params.__dict__[name], samples[name].to_numpy()[draw])


def test_draws_run_in_the_engine_one_vector_per_replication():
    params, _ = parameter_draws("posterior", 30, seed=2)
    final = simulate(WorldSpec(months=12), replications=30, seed=0, params=params)
    assert len(final) == 30
    assert final["munitions_prk_rus"].to_numpy() == pytest.approx(params.munitions_capacity)


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown calibration source 'posteriors'; choose one of: point, prior"):
        parameter_draws("posteriors", 3, seed=0)
    with pytest.raises(ValueError, match="n must be"):
        parameter_draws("prior", 0, seed=0)

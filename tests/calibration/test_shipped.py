"""The shipped calibration: small files, consistent summaries, posteriors under each reading,
and draws for runs and sweeps."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Params, WorldSpec, simulate
from sim.calibration import AVERAGED, CALIBRATED, parameter_draws, posterior_of
from sim.calibration import history as h
from sim.calibration.store import DATA_DIR, FILES, load, load_posterior
from sim.calibration.targets import INFORMATIVE, TARGET_NAMES
from sim.params import bounds


def test_files_are_small_and_complete():
    sizes = {k: (DATA_DIR / f).stat().st_size for k, f in FILES.items() if (DATA_DIR / f).exists()}
    assert {"samples", "summary", "targets", "screening", "holdout", "readings", "fit"} <= set(sizes)
    assert sum(sizes.values()) < 1_000_000
    fit = load("fit")
    assert [s["stage"].split(" (")[0] for s in fit["stages"]][:4] == ["targets", "screening", "fit 2018-22",
                                                                      "hold-out and readings"]
    assert fit["replications"] == sum(s["replications"] for s in fit["stages"])
    for reading, f in fit["posteriors"].items():
        assert f["generations"][-1]["beta"] == 1.0, reading
        assert 0 < f["acceptance_rate"] <= 1


def test_samples_lie_in_bounds_and_match_the_summary():
    samples = load_posterior()
    assert list(samples.columns) == ["draw", "reading", *CALIBRATED]
    assert (samples["draw"].to_numpy() == np.arange(len(samples))).all()
    assert set(samples["reading"]) == set(h.READINGS)
    summary = load("summary").set_index(["reading", "parameter"])
    for reading, rows in samples.groupby("reading"):
        for name in CALIBRATED:
            lo, hi = bounds(name)
            assert rows[name].between(lo, hi).all()
            assert summary.loc[(reading, name), "posterior_median"] == pytest.approx(rows[name].median(), rel=1e-4)


def test_targets_without_information_are_dropped_and_the_prior_fit_is_recorded():
    info = load("targets")
    assert list(info["target"]) == list(TARGET_NAMES)
    assert (info["informative"] == (info["hit_rate"] < INFORMATIVE)).all()
    fit = load("fit")
    assert (fit["fit_2018_22"] is None) == (not info["informative"].any())


def test_screening_finds_no_parameter_that_moves_the_counts_without_being_calibrated():
    screen = load("screening").set_index("parameter")
    assert set(h.moving(screen)) <= set(CALIBRATED)
    assert load("fit")["moving"] == h.moving(screen)


def test_readings_probabilities_sum_to_one_and_match_the_fit():
    readings = load("readings")
    assert list(readings["reading"]) == list(h.READINGS)
    assert readings["probability"].sum() == pytest.approx(1.0, abs=1e-3)
    assert dict(zip(readings["reading"], readings["probability"])) == pytest.approx(load("fit")["readings"], abs=1e-4)


def test_point_draws_are_the_base_values():
    params, draw = parameter_draws("point", 4, seed=0, base=Params(value_chn=2.5))
    assert (draw == -1).all()
    assert params.value_chn.shape == (4,)
    assert (params.value_chn == 2.5).all()
    assert (params.food_share == Params().food_share).all()


@pytest.mark.parametrize("source", ["prior", "posterior"])
def test_draws_are_reproducible_and_independent_of_n(source):
    p5, d5 = parameter_draws(source, 5, seed=9, strategy="balancing")
    p20, d20 = parameter_draws(source, 20, seed=9, strategy="balancing")
    p_other, _ = parameter_draws(source, 20, seed=10, strategy="balancing")
    assert np.array_equal(d5, d20[:5])
    for name in CALIBRATED:
        assert getattr(p20, name).shape == (20,)
        assert np.array_equal(getattr(p5, name), getattr(p20, name)[:5])
    assert not np.array_equal(p20.value_chn, p_other.value_chn)
    assert p20.alliance_threshold == Params().alliance_threshold  # uncalibrated fields keep their value


def test_posterior_draws_come_from_the_posterior_of_the_strategy_run():
    samples = load_posterior()
    reading = samples["reading"].to_numpy()
    for strategy in h.READINGS:
        params, draw = parameter_draws("posterior", 200, seed=1, strategy=strategy)
        assert posterior_of(strategy) == strategy
        assert draw.dtype == np.int64
        assert (reading[draw] == strategy).all()
        for name in CALIBRATED:
            assert np.array_equal(getattr(params, name), samples[name].to_numpy(dtype=float)[draw])
    # the same uniform picks the same rank within each reading's draws: common random numbers
    _, a = parameter_draws("posterior", 50, seed=1, strategy="balancing")
    _, b = parameter_draws("posterior", 50, seed=1, strategy="counterweight")
    first = {k: int(np.flatnonzero(reading == k)[0]) for k in h.READINGS}
    assert np.array_equal(a - first["balancing"], b - first["counterweight"])


def test_a_strategy_that_is_no_reading_draws_from_the_model_average():
    """A plugin's strategy or a schedule: the readings' posteriors weighed by their probabilities."""
    assert posterior_of("hedging") == AVERAGED
    assert posterior_of("bandwagon>balancing@48") == AVERAGED
    _, draw = parameter_draws("posterior", 20_000, seed=3, strategy="hedging")
    reading = load_posterior()["reading"].to_numpy()[draw]
    probability = load("fit")["readings"]
    for k in h.READINGS:
        assert np.mean(reading == k) == pytest.approx(probability[k], abs=0.015)


def test_draws_run_in_the_engine_one_vector_per_replication():
    params, _ = parameter_draws("posterior", 30, seed=2, strategy="balancing")
    final = simulate(WorldSpec(months=12), replications=30, seed=0, params=params)
    assert len(final) == 30
    assert final["munitions_prk_rus"].to_numpy() == pytest.approx(params.munitions_capacity)


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown calibration source 'posteriors'; choose one of: point, prior"):
        parameter_draws("posteriors", 3, seed=0)
    with pytest.raises(ValueError, match="n must be"):
        parameter_draws("prior", 0, seed=0)

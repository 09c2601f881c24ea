"""History 2018-2024: the observation models' known answers, the patterns, the model choice
and its recovery of a known reading, and `trisim validate` (sim/calibration/history.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.calibration import history as h
from sim.calibration import parameter_draws
from sim.params import Params


@pytest.mark.parametrize(("a23", "a24", "lam"), [(0.8, 0.3, 13.0), (0.5, 0.5, 5.0), (0.2, 0.7, 40.0)])
def test_exchanges_are_poisson_in_attention_and_the_rate_drops_out(a23, a24, lam):
    """P(3 in 2024 | 13 in all) for Poisson counts of means lam a23, lam a24 is binomial,
    whatever the rate lam."""
    joint = stats.poisson.pmf(10, lam * a23) * stats.poisson.pmf(3, lam * a24)
    conditional = joint / stats.poisson.pmf(13, lam * (a23 + a24))
    assert np.exp(h.exchanges_loglik(a23, a24)) == pytest.approx(conditional, rel=1e-9)


def test_the_most_likely_attention_split_is_the_seeds_own():
    grid = np.linspace(0.01, 0.99, 981)
    best = grid[np.argmax(h.exchanges_loglik(1.0 - grid, grid))]
    assert best == pytest.approx(3 / 13, abs=1e-3)
    share = grid[np.argmax(h.photos_loglik(grid, 1.0 - grid))]
    assert share == pytest.approx(84 / 114, abs=1e-3)


def test_no_seed_figure_is_both_an_input_and_a_history_target():
    """The counts the history fits (exchanges, photos) are no parameter's source; the figure
    that is (several billion dollars of artillery, munitions_capacity) is not a target."""
    from sim.calibration.claims import CLAIMS, TARGET_FIGURES, bearings_for
    from sim.params import describe

    sources = " ".join(p["source"] for p in describe()).lower()
    for word in ("photo", "exchanges", "victory day", "10 in 2023", "3 in 2024"):
        assert word not in sources, word
    assert "several billion" in sources
    assert not hasattr(h, "SEVERAL_BILLION")
    # a claim that reads a target figure sets no prior: O'Carroll's 'palpable distance' reads the
    # exchanges, Hong Min's 'difference in reporting' the photos
    readers = {c.id: c.interprets for c in CLAIMS if c.interprets}
    assert readers == {"ocarroll_distance": TARGET_FIGURES[0], "hongmin_cautious": TARGET_FIGURES[1]}
    for c in (c for c in CLAIMS if c.interprets):
        for b in c.bearings:
            assert c not in [claim for claim, _ in bearings_for(b.parameter)]


def test_equal_evidence_gives_equal_odds_and_an_impossible_reading_gets_none():
    probs = h.model_probabilities({"a": np.zeros(10), "b": np.zeros(10), "c": np.full(10, -np.inf)}, boot=20)
    np.testing.assert_allclose(probs["probability"], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(probs["mc_error"], 0.0)


@pytest.fixture(scope="module")
def replays():
    params, _ = parameter_draws("prior", 400, seed=1)
    return {k: h.replay(k, params, 400, seed=1) for k in h.READINGS}


def test_patterns_name_their_seed_and_are_probabilities(replays):
    table = h.pattern_table(replays)
    assert table["source"].str.contains("seed 00").all()
    values = table[list(h.READINGS)].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    food = table.set_index("pattern").loc["Kim declines Russian food aid after the September 2023 summit"]
    assert food["additional_pillar"] == 1.0
    assert food["balancing"] == 0.0


def test_model_choice_recovers_a_reading_the_exchanges_tell_apart(replays):
    """Synthetic data from bandwagon (attention to China does not fall in 2024) are
    recognised more often than chance (1 in 5); with no data every reading keeps its prior
    odds (the control: the observation model carries all the information)."""
    params, _ = parameter_draws("prior", 100, seed=2)
    truths = {"bandwagon": h.replay("bandwagon", params, 100, seed=2)}
    table = h.recovery(replays, truths, trials=40, seed=3)
    assert table.loc[0, "recovered"] > 0.4
    blank = h.model_probabilities({k: h.loglik_of(r, (0, 0)) for k, r in replays.items()}, boot=5)
    np.testing.assert_allclose(blank["probability"], 1 / len(h.READINGS))


def test_validate_prints_the_patterns_and_the_readings_and_writes_the_figure(tmp_path, capsys):
    from sim.calibration.validate import main

    assert main(["--replays", "40", "--figure", str(tmp_path / "v.png")]) == 0
    out = capsys.readouterr().out
    assert "no crown-jewel technology transferred" in out
    assert "seed 003" in out
    assert "counterweight" in out
    assert "mc_error" in out
    assert (tmp_path / "v.png").stat().st_size > 10_000


def test_validate_recovery_reports_a_share_per_reading_and_count(tmp_path, capsys):
    from sim.calibration.validate import main

    assert main(["--replays", "40", "--recovery", "4", "--figure", str(tmp_path / "v.png")]) == 0
    out = capsys.readouterr().out
    table = out[out.index("13 exchanges"):].splitlines()
    rows = [line.split() for line in table[1:6]]
    assert [r[0] for r in rows] == list(h.READINGS)
    assert all(0.0 <= float(x) <= 1.0 for r in rows for x in r[1:])


def test_replay_reads_one_value_per_replication():
    r = h.replay("balancing", Params(), 3, seed=0)
    assert r.attention_chn_2023.shape == (3,)
    assert np.isfinite(r.loglik()).all()


def test_screening_ranks_parameters_and_gives_a_parameter_without_effect_exactly_zero():
    """Morris over the whole box with common random numbers per trajectory: attention_rate
    moves both statistics; the alliance threshold, which no attention depends on, moves none."""
    s = h.screening(readings=("balancing", "bandwagon"), trajectories=6, seed=1)
    assert list(s.columns) == ["balancing:exchange_share_2024", "balancing:photo_share",
                               "bandwagon:exchange_share_2024", "bandwagon:photo_share", "max"]
    assert s.loc["attention_rate", "max"] == 1.0
    assert (s.loc["alliance_threshold"] == 0.0).all()
    assert "attention_rate" in h.moving(s)
    assert "alliance_threshold" not in h.moving(s)


def test_each_recoding_changes_one_bearing_one_step_and_moves_its_prior():
    from sim.calibration.priors import prior_for

    recoded = h.recodings()
    assert len(recoded) > 20
    _, parameter, step, claims = recoded[0]
    assert step in (-1, 1)
    assert prior_for(parameter, claims=claims) != prior_for(parameter)


@pytest.mark.slow
def test_coding_robustness_reports_every_reading_within_its_range():
    table = h.coding_robustness(30, seed=1)
    assert list(table["reading"]) == list(h.READINGS)
    assert ((table["min"] <= table["as_coded"] + 1e-12) & (table["as_coded"] <= table["max"] + 1e-12)).all()
    assert table["min"].sum() <= 1.0 + 1e-9 <= table["max"].sum() + 1e-9


def test_the_photos_precede_the_readings_so_they_cannot_weigh_them(replays):
    """July 2023 comes before the readings part (September 2023): under common random numbers
    and parameters every reading replays the same Victory Day, so the photos' likelihood is the
    same under each and drops out of the readings' odds; the exchanges (2023-24) differ."""
    first = replays[h.READINGS[0]]
    for r in replays.values():
        np.testing.assert_array_equal(r.photo_share, first.photo_share)
    assert not np.array_equal(replays["balancing"].attention_chn_2024, replays["bandwagon"].attention_chn_2024)
    assert h.VICTORY_DAY < h.SUMMIT_2023


def test_the_photo_pattern_is_the_binomial_interval_of_the_seed_count():
    from scipy import stats

    lo, hi = h.PHOTO_INTERVAL
    assert lo < 84 / 114 < hi
    assert stats.beta.cdf(hi, 85, 31) - stats.beta.cdf(lo, 85, 31) == pytest.approx(0.9)

"""Priors from claims: the rule moves mass where the analysts put it and widens on disagreement."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration import priors as pr
from sim.calibration.claims import AT, HIGHER, LOWER, Bearing, Claim
from sim.params import PARAM_FIELDS


def _fake(monkeypatch, bearings):
    claim = Claim("x", "A", "B", "000", "2024", "q", tuple(bearings))
    monkeypatch.setattr(pr, "bearings_for",
                        lambda name, claims=None: [(claim, b) for b in bearings if b.parameter == name])


def test_no_claims_anchor_at_the_default(monkeypatch):
    _fake(monkeypatch, [])
    beta = pr.prior_for("trust0_prk_chn", "beta")
    assert beta.a / (beta.a + beta.b) == pytest.approx(PARAM_FIELDS["trust0_prk_chn"].default)
    assert beta.a + beta.b == pytest.approx(pr.KAPPA0)
    logn = pr.prior_for("value_chn", "lognormal")
    assert logn.mu == pytest.approx(np.log(PARAM_FIELDS["value_chn"].default))
    assert logn.sigma == pytest.approx(pr.SIGMA0)


@pytest.mark.parametrize("name", ["value_chn", "trust0_prk_chn"])
def test_direction_moves_the_median(monkeypatch, name):
    default = PARAM_FIELDS[name].default
    _fake(monkeypatch, [Bearing(name, HIGHER, 2, "")])
    up = pr.prior_for(name).median()
    _fake(monkeypatch, [Bearing(name, LOWER, 2, "")])
    down = pr.prior_for(name).median()
    assert down < default * 1.02
    assert up > default * 0.98
    assert up > down


@pytest.mark.parametrize("name", ["value_chn", "trust0_prk_chn"])
def test_disagreement_widens_and_agreement_narrows(monkeypatch, name):
    def width(bearings):
        _fake(monkeypatch, bearings)
        lo, hi = pr.prior_for(name).interval(0.9)
        return hi - lo

    none = width([])
    agree = width([Bearing(name, AT, 2, ""), Bearing(name, AT, 2, "")])
    split = width([Bearing(name, HIGHER, 2, ""), Bearing(name, LOWER, 2, "")])
    assert agree < none < split


def test_registry_priors_follow_the_claims():
    p = pr.priors()
    assert set(p) == set(pr.CALIBRATED)
    # Easley, Bennett, Delury all say China distrusts PRK: below the default 0.4
    assert p["trust0_chn_prk"].median() < PARAM_FIELDS["trust0_chn_prk"].default
    # Hong Min, Gause, Lukin: Russia values PRK highly in wartime: above the default 3
    assert p["war_value_rus"].median() > PARAM_FIELDS["war_value_rus"].default
    # Hong Min (lower) against the CCP source and Delury (higher): wider than Russia's agreed value
    assert p["value_chn"].sigma > p["war_value_rus"].sigma


@pytest.mark.parametrize("name", list(pr.CALIBRATED))
def test_prior_lives_in_the_bounds_and_is_a_density(name):
    p = pr.prior_for(name)
    x = p.ppf(np.array([0.0, 1e-9, 0.5, 1 - 1e-9, 1.0]))
    assert np.all((x >= p.lo) & (x <= p.hi))
    z = np.linspace(-30, 30, 60_001)
    assert np.trapezoid(np.exp(p.logpdf_z(z)), z) == pytest.approx(1.0, abs=2e-3)
    z = p.to_z(p.ppf(np.array([0.3, 0.7])))
    assert p.from_z(z) == pytest.approx(p.ppf(np.array([0.3, 0.7])))

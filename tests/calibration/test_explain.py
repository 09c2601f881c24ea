"""``trisim explain``: the claims, prior, posterior and targets behind a parameter."""

from __future__ import annotations

import json

import pytest

from sim.calibration.explain import explain, main
from sim.params import ParameterError


def test_explain_returns_claims_prior_posterior_and_targets():
    info = explain("food_share")
    assert info["calibrated"]
    assert any(c["analyst"] == "Evans Revere" and c["seed"] == "002" for c in info["claims"])
    assert info["prior"]["family"] == "beta"
    post = info["posterior"]
    assert post["posterior_q05"] <= post["posterior_median"] <= post["posterior_q95"]
    assert post["identified"]
    assert info["targets"][0]["target"] == "food_gap_mt"  # food aid closes the food gap


def test_uncalibrated_parameter_has_claims_but_no_prior():
    info = explain("tech_threshold")
    assert not info["calibrated"]
    assert info["prior"] is None
    assert {c["analyst"] for c in info["claims"]} >= {"Leif-Eric Easley", "Hong Min"}


def test_unknown_parameter_raises():
    with pytest.raises(ParameterError, match="unknown parameter 'trust_prk_chn'"):
        explain("trust_prk_chn")


def test_command_prints_text_json_and_errors(capsys):
    assert main(["value_chn"]) == 0
    out = capsys.readouterr().out
    assert "bargaining chip" in out
    assert "Posterior: median" in out
    assert main(["munitions_capacity", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameter"] == "munitions_capacity"
    assert main(["--list"]) == 0
    assert "value_chn" in capsys.readouterr().out
    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trisim explain: error: unknown parameter 'nope'")
    assert err.count("\n") == 1

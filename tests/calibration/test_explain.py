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
    assert set(post) == {"balancing", "counterweight", "additional_pillar", "bandwagon", "engage_us"}
    for p in post.values():
        assert p["posterior_q05"] <= p["posterior_median"] <= p["posterior_q95"]
        assert not p["identified"]  # the Xi-Kim exchanges say nothing about food
    assert max(t["effect"] for t in info["targets"]) < 0.05  # nor does food move them
    attention = explain("attention_rate")["targets"]
    assert attention[0]["effect"] == 1.0  # the most influential parameter of some count


def test_uncalibrated_parameter_has_claims_but_no_prior():
    info = explain("alliance_threshold")
    assert not info["calibrated"]
    assert info["prior"] is None
    assert info["claims"]


def test_unknown_parameter_raises():
    with pytest.raises(ParameterError, match="unknown parameter 'trust_prk_chn'"):
        explain("trust_prk_chn")


def test_command_prints_text_json_and_errors(capsys):
    assert main(["value_chn"]) == 0
    out = capsys.readouterr().out
    assert "bargaining chip" in out
    assert "Posterior, under each reading" in out
    assert "counterweight      median" in out
    assert main(["munitions_capacity", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameter"] == "munitions_capacity"
    assert main(["--list"]) == 0
    assert "value_chn" in capsys.readouterr().out
    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trisim explain: error: unknown parameter 'nope'")
    assert err.count("\n") == 1

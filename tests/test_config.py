"""Configs: bad input stops before any job runs, with one line naming the key and what is allowed."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, RunConfig, allowed_keys, inputs_hash, job_inputs, to_run
from sim.job import execute
from sim.params import Params
from sim.strategies import STRATEGIES
from tests.sweep.helpers import TINY, trisim

#: (overrides, words the error must contain: the key, and what is allowed)
BAD = {
    "unknown key": (["colour=red"], ["unknown config key 'colour'", "known keys:", "replications"]),
    "unknown nested key": (["params.charm=1"], ["'params.charm'", "value_chn"]),
    "new key with +": (["+new_key=1"], ["unknown config key 'new_key'", "known keys:", "months"]),
    "new nested key with +": (["+scenario.weather=rain"], ["'scenario.weather'", "name, options"]),
    "wrong type": (["months=ten"], ["'months'", "Integer"]),
    "wrong type of parameter": (["params.value_chn=lots"], ["'params.value_chn'", "Float"]),
    "unknown group option": (["strategy=juche"], ["unknown strategy option 'juche'", "balancing", "all"]),
    "unknown experiment": (["experiment=moon"], ["unknown experiment option 'moon'", "war_ends"]),
    "parameter out of bounds": (["params.value_chn=99"], ["value_chn", "99", "[0.5, 10]"]),
    "months out of bounds": (["months=0"], ["months", ">= 1"]),
    "negative seed": (["seed=-1"], ["seed", ">= 0"]),
    "unknown strategy name": (["strategy.names=[balancing,juche]"], ["unknown strategy 'juche'", "counterweight"]),
    "unknown scenario name": (["scenario.name=atlantis"], ["unknown scenario 'atlantis'", "war_ends"]),
    "unknown US policy": (["us_policy.name=charm"], ["unknown us_policy 'charm'", "engagement"]),
    "unknown engine": (["engine=warp"], ["unknown engine 'warp'", "batch, mesa"]),
    "unknown scenario option": (["scenario=war_ends", "+scenario.options.length=3"], ["length"]),
    "several values without --multirun": (["months=6,12"], ["months=6,12", "--multirun"]),
    "experiment without --multirun": (["experiment=war_ends"], ["sweeps", "--multirun"]),
    "bad sweep id": (["sweep.id=a/b"], ["sweep.id", "letters, digits"]),
}


@pytest.mark.parametrize(("overrides", "words"), list(BAD.values()), ids=list(BAD))
def test_bad_config_stops_with_one_line(overrides, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert trisim(*TINY, *overrides) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("trisim: error: ")
    for word in words:
        assert word in err
    assert not (tmp_path / "outputs").exists()
    assert not (tmp_path / "multirun").exists()


@pytest.mark.parametrize("sweep", [["scenario=war_ends,atlantis"], ["params.value_chn=2,3,99"],
                                   ["seed=0,1", "months=6,zero"]],
                         ids=["group option", "parameter bound", "type"])
def test_bad_value_in_a_sweep_stops_before_any_job(sweep, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert trisim("-m", *TINY, *sweep) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("trisim: error: ")
    assert not list(tmp_path.rglob("outcomes.parquet")), "a job ran"


def test_known_keys_follow_the_schema():
    assert allowed_keys("") == list(RunConfig.__dataclass_fields__)
    assert allowed_keys("scenario") == ["name", "options"]
    assert allowed_keys("params") == list(Params.names())
    assert allowed_keys("scenario.options") == []


def test_default_config_is_valid_and_runs_every_strategy():
    run = to_run(RunConfig())
    assert [s.strategy for s in run.specs] == STRATEGIES.names()
    assert (run.replications, run.seed, run.calibration, run.param_overrides) == (100, 0, "point", {})


def test_parameters_set_in_the_config_are_recorded_as_overrides():
    cfg = OmegaConf.structured(RunConfig)
    cfg.params.value_chn = 2.5
    assert to_run(cfg).param_overrides == {"value_chn": 2.5}


def test_inputs_hash_ignores_where_results_go():
    a = OmegaConf.structured(RunConfig)
    b = OmegaConf.structured(RunConfig)
    b.sweep.id, b.output.figure = "elsewhere", ""
    assert inputs_hash(job_inputs(a)) == inputs_hash(job_inputs(b))
    b.seed = 1
    assert inputs_hash(job_inputs(a)) != inputs_hash(job_inputs(b))


def test_calibration_without_its_module_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sim.calibration", None)  # import fails
    cfg = OmegaConf.structured(RunConfig)
    cfg.calibration.name = "posterior"
    with pytest.raises(ConfigError, match=r"calibration=posterior needs the module sim.calibration.*calibration=point"):
        to_run(cfg)


def test_calibration_needs_the_batch_engine():
    cfg = OmegaConf.structured(RunConfig)
    cfg.calibration.name, cfg.engine = "prior", "mesa"
    with pytest.raises(ConfigError, match="engine=batch"):
        to_run(cfg)


def test_calibration_draws_one_parameter_set_per_replication(monkeypatch):
    """Rows record which draw they ran and the drawn values; explicit params override the draws."""
    calls = []

    def parameter_draws(name, n, seed, strategy=None):
        calls.append((name, n, seed, strategy))
        values = np.linspace(1.0, 5.0, n)
        return Params.with_overrides({"value_chn": values, "value_rus": values / 2}), np.arange(n)[::-1] + 100

    monkeypatch.setitem(sys.modules, "sim.calibration", types.SimpleNamespace(parameter_draws=parameter_draws,
                                                                              posterior_of=lambda s: f"of {s}"))
    cfg = OmegaConf.structured(RunConfig)
    cfg.calibration.name, cfg.replications, cfg.months, cfg.seed = "posterior", 4, 3, 7
    cfg.strategy.names = ["balancing", "bandwagon"]
    cfg.params.value_rus = 3.0  # fixed by the user: the same in every replication
    frame = execute(to_run(cfg), progress=False)
    assert calls == [("posterior", 4, 7, "balancing"), ("posterior", 4, 7, "bandwagon")]  # each its posterior
    assert frame["calibration"].unique().tolist() == ["posterior"]
    assert frame.groupby("strategy", observed=True)["posterior"].first().to_dict() == {
        "balancing": "of balancing", "bandwagon": "of bandwagon"}
    by_rep = frame[frame.strategy == "bandwagon"].set_index("replication")
    assert by_rep["draw"].tolist() == [103, 102, 101, 100]
    assert np.allclose(by_rep["value_chn"], np.linspace(1.0, 5.0, 4))
    assert "value_rus" not in frame.columns  # it does not vary
    both = frame.pivot(index="replication", columns="strategy", values="value_chn")
    assert (both["balancing"] == both["bandwagon"]).all()  # common draws across strategies


def test_point_calibration_leaves_draw_empty():
    cfg = OmegaConf.structured(RunConfig)
    cfg.replications, cfg.months = 2, 2
    cfg.strategy.names = ["balancing"]
    frame = execute(to_run(cfg), progress=False)
    assert frame["draw"].isna().all()
    assert frame["calibration"].eq("point").all()

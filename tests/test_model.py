"""The Mesa model as Mesa users drive it: Mesa's own batch_run call, and Mesa's ``scenario``."""

import multiprocessing

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario

from sim.engine import simulate
from sim.model import TriangleModel, batch_frame, batch_run
from sim.world import WorldSpec


def test_batch_run_takes_mesas_own_call_and_returns_what_mesa_returns():
    before = multiprocessing.get_start_method(allow_none=True)
    parameters = {"strategy": ["balancing", "counterweight"], "months": 12, "replication": range(2)}
    rows = batch_run(TriangleModel, parameters, 1, rng=[5], max_steps=12, data_collection_period=-1,
                     display_progress=False)
    assert multiprocessing.get_start_method(allow_none=True) == before
    assert isinstance(rows, list)
    assert all(isinstance(r, dict) for r in rows)
    assert len(rows) == 4
    assert {r["strategy"] for r in rows} == {"balancing", "counterweight"}
    for strategy in ("balancing", "counterweight"):
        ref = simulate(WorldSpec(strategy=strategy, months=12), replications=2, seed=5)
        got = sorted((r for r in rows if r["strategy"] == strategy), key=lambda r: r["replication"])
        np.testing.assert_array_equal([r["trust_chn_prk"] for r in got], ref["trust_chn_prk"].to_numpy())
    # the same call to mesa.batch_run itself gives the same rows (it then changes the start method)
    try:
        mesa_rows = mesa.batch_run(TriangleModel, parameters, 1, rng=[5], max_steps=12, display_progress=False)
    finally:
        multiprocessing.set_start_method(before, force=True)
    assert pd.DataFrame(mesa_rows).equals(pd.DataFrame(rows))


def test_batch_run_collects_every_step_with_a_period_and_gives_a_frame():
    frame = batch_frame(TriangleModel, {"months": 6}, rng=[1, 2], max_steps=6, data_collection_period=1,
                        display_progress=False)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 2 * 6
    assert sorted(frame["Step"].unique()) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(TypeError, match="needs parameters"):
        batch_run(TriangleModel)


def test_scenario_name_does_not_clash_with_mesas_scenario():
    model = TriangleModel(scenario_name="war_ends", rng=1, months=3)
    assert model.scenario_name == "war_ends"
    assert isinstance(model.scenario, Scenario)  # Mesa's experiment record, as SolaraViz reads it
    assert model.scenario.scenario_name == "war_ends"
    assert model.scenario.model is model


def test_scenario_as_a_string_is_still_the_scenario_name():
    old = TriangleModel(scenario="war_ends", rng=1, months=6).run()
    new = TriangleModel(scenario_name="war_ends", rng=1, months=6).run()
    pd.testing.assert_frame_equal(old, new)
    assert TriangleModel(scenario="war_ends", rng=1).scenario_name == "war_ends"


def test_a_mesa_scenario_is_accepted_and_seeds_the_model():
    record = Scenario(rng=7)
    model = TriangleModel(scenario_name="food_crisis", scenario=record, months=4)
    assert model.scenario is record
    assert model.seed == 7
    assert model.scenario_name == "food_crisis"
    ref = TriangleModel(scenario_name="food_crisis", rng=7, months=4).run()
    pd.testing.assert_frame_equal(model.run(), ref)

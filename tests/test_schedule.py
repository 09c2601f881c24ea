"""Strategy schedules (PRK changes strategy over time) and means over the run and a
scenario's event window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, RunConfig, StrategyCfg, to_run
from sim.engine import simulate, simulate_mesa
from sim.world import WorldSpec, schedule_label

SWITCH = 24
SCHEDULE = (("bandwagon", 0), ("balancing", SWITCH))


def steps(spec: WorldSpec, engine=simulate, n: int = 3) -> pd.DataFrame:
    return engine(spec, replications=n, seed=5, record="steps")


def numeric(frame: pd.DataFrame) -> np.ndarray:
    return frame[[c for c in frame.columns if frame[c].dtype.kind in "fiub"]].to_numpy(float)


def test_a_schedule_of_one_strategy_is_that_strategy():
    plain = steps(WorldSpec(strategy="counterweight", months=36))
    scheduled = steps(WorldSpec(strategy="counterweight", schedule=(("counterweight", 0),), months=36))
    np.testing.assert_array_equal(numeric(plain), numeric(scheduled))


def test_prk_plays_each_strategy_in_its_months():
    spec = WorldSpec(strategy=schedule_label(SCHEDULE), schedule=SCHEDULE, months=48)
    both = steps(spec)
    first = steps(WorldSpec(strategy="bandwagon", months=48))
    before = both["month"] <= SWITCH
    np.testing.assert_array_equal(numeric(both[before]), numeric(first[before]))  # the same months, the same world
    after = both[both["month"] > SWITCH]
    assert (both.loc[before, "contestability_chn"] == 0).all()  # bandwagon ignores the bids
    assert np.allclose(after["contestability_chn"], 0.95)  # balancing: 1 - usa_share
    assert after["aid_rus_prk_econ"].iloc[-1] > 0 == both.loc[before, "aid_rus_prk_econ"].max()


def test_a_schedule_runs_bit_identically_in_both_engines():
    spec = WorldSpec(strategy=schedule_label(SCHEDULE), schedule=SCHEDULE, months=36)
    np.testing.assert_array_equal(numeric(steps(spec, n=2)), numeric(steps(spec, simulate_mesa, n=2)))


@pytest.mark.parametrize(("schedule", "message"), [
    ([{"name": "bandwagon", "from_month": 3}], "must start at from_month 0"),
    ([{"name": "bandwagon", "from_month": 0}, {"name": "balancing", "from_month": 0}], "months increase"),
    ([{"name": "bandwagn", "from_month": 0}], "unknown strategy.schedule\\[0\\].name 'bandwagn'"),
    ([{"strategy": "bandwagon"}], "must be a mapping with keys name and from_month"),
])
def test_a_wrong_schedule_is_refused_in_one_line(schedule, message):
    with pytest.raises(ConfigError, match=message):
        to_run(RunConfig(strategy=StrategyCfg(schedule=schedule)))


def test_config_schedule_is_one_job_named_by_its_label():
    run = to_run(RunConfig(strategy=StrategyCfg(schedule=[{"name": n, "from_month": t} for n, t in SCHEDULE])))
    assert [s.strategy for s in run.specs] == ["bandwagon>balancing@24"]
    assert run.specs[0].schedule == SCHEDULE


def test_a_crisis_that_ends_still_shows_in_its_window_mean():
    """The food crisis ends at month 24; at month 120 its world looks like the status quo's,
    but the means over its event window do not. Control: a crisis of strength 0 (the harvest
    no shorter, the border open)."""
    def run(scenario, months=120, **options):
        return simulate(WorldSpec(scenario=scenario, months=months, scenario_options=options), replications=50, seed=9)

    crisis, quo = run("food_crisis"), run("status_quo_2024")
    assert crisis["window_food_coverage"].mean() < quo["window_food_coverage"].mean() - 0.03
    assert abs(crisis["food_coverage"].mean() - quo["food_coverage"].mean()) < 0.02
    assert crisis["mean_food_coverage"].mean() < quo["mean_food_coverage"].mean()
    mild = run("food_crisis", crisis_shortfall_mt=1.0, border_open=1.0)
    quo_crisis_months = run("status_quo_2024", months=24)  # the status quo over the crisis's 24 months
    np.testing.assert_allclose(mild["window_food_coverage"], quo_crisis_months["mean_food_coverage"], rtol=1e-12)


def test_history_calendar_puts_the_seeds_events_in_their_months():
    """history_2018_2024, month 0 = January 2018: Xi-Kim meetings in March, May, June 2018 and
    January, June 2019 (seeds 002, 003); the war from February 2022 (seed 002); the border
    closed from February 2020 through 2022 (seed 004); the Kim-Putin summits of April 2019,
    September 2023 and June 2024 (seeds 003, 002, 000); the event window is 2023-24."""
    from sim.actors import CHN, RUS
    from sim.scenarios import SCENARIOS, scenario_drivers

    d = scenario_drivers("history_2018_2024", 84)
    assert SCENARIOS["history_2018_2024"].start == "2018-01"
    assert list(np.flatnonzero(d.summits[:, CHN])) == [2, 4, 5, 12, 17]
    assert list(np.flatnonzero(d.summits[:, RUS] == 1.0)) == [15, 68, 77]
    assert d.war_intensity[48] == 0.0 < d.war_intensity[49]
    assert d.border_open[24] == 1.0 > d.border_open[25] == d.border_open[59] < d.border_open[60]
    assert list(np.flatnonzero(d.window)) == list(range(60, 84))


def test_history_with_its_strategy_schedule_runs_in_both_engines():
    schedule = (("engage_us", 0), ("bandwagon", 24), ("balancing", 68))
    spec = WorldSpec(strategy=schedule_label(schedule), schedule=schedule, scenario="history_2018_2024", months=84)
    np.testing.assert_array_equal(numeric(steps(spec, n=2)), numeric(steps(spec, simulate_mesa, n=2)))

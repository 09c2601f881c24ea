"""Parameters are plain data with bounds, and bad values get a clear one-line error."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.params import ParameterError, Params, Switches, bounds, parameter_space
from sim.registry import UnknownNameError
from sim.scenarios import scenario_drivers
from sim.world import WorldSpec


def test_out_of_bounds_names_the_parameter_and_its_bounds():
    with pytest.raises(ParameterError, match=r"'value_chn' = 20 is outside its bounds \[0.5, 10\]"):
        Params(value_chn=20.0)


def test_out_of_bounds_in_a_per_replication_array():
    with pytest.raises(ParameterError, match="'jealousy' = -1"):
        Params(jealousy=np.array([1.0, -1.0]))


def test_nan_is_out_of_bounds():
    with pytest.raises(ParameterError, match="trust_rate"):
        Params(trust_rate=float("nan"))


def test_unknown_parameter_lists_the_known_ones():
    with pytest.raises(ParameterError, match="unknown parameter 'valu_chn'; known parameters: value_chn"):
        Params.with_overrides({"valu_chn": 1.0})


def test_unknown_mechanism():
    with pytest.raises(ParameterError, match="unknown mechanism 'contest'"):
        Switches.only("contest")


@pytest.mark.parametrize(
    ("field", "name", "allowed"),
    [("strategy", "balance", "balancing, counterweight"), ("scenario", "war", "status_quo_2024, war_ends"),
     ("us_policy", "sanctions", "pressure, engagement"), ("chn_policy", "nice", "contest, cautious, fixed")],
)
def test_unknown_names_list_what_is_allowed(field, name, allowed):
    with pytest.raises(UnknownNameError) as err:
        WorldSpec(**{field: name}).build()
    assert f"{name!r}" in str(err.value)
    assert allowed in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_scenario_option_is_named():
    with pytest.raises(UnknownNameError, match="end_mnth"):
        scenario_drivers("war_ends", 12, end_mnth=3)


def test_parameter_space_is_salib_data():
    space = parameter_space(["value_chn", "jealousy"])
    assert space == {"num_vars": 2, "names": ["value_chn", "jealousy"],
                     "bounds": [list(bounds("value_chn")), list(bounds("jealousy"))]}
    assert parameter_space()["num_vars"] == len(Params.names())


def test_broadcast_keeps_per_replication_values():
    p = Params.with_overrides({"value_chn": np.array([1.0, 2.0, 3.0])}).broadcast(3)
    np.testing.assert_array_equal(p.value_chn, [1.0, 2.0, 3.0])
    assert p.value_rus.shape == (3,)
    with pytest.raises(ParameterError, match="shape"):
        Params.with_overrides({"value_chn": np.array([1.0, 2.0])}).broadcast(3)


@pytest.mark.parametrize(
    ("registry", "name", "options", "message"),
    [
        ("strategy", "bandwagon", {"chn_share": 0.99}, "chn_share = 0.99 must be in"),
        ("strategy", "balancing", {"usa_share": 7}, "usa_share = 7 must be in [0, 1]"),
        ("strategy", "counterweight", {"usa_share": -0.5}, "usa_share = -0.5"),
        ("scenario", "food_crisis", {"border_open": 1.5}, "border_open = 1.5"),
        ("scenario", "war_ends", {"end_month": -3}, "end_month = -3"),
        ("us_policy", "pressure", {"table_rate": 2.0}, "table_rate = 2.0"),
    ],
)
def test_options_out_of_range_are_refused(registry, name, options, message):
    """Options of strategies, scenarios and policies are user input: a value that would break
    the state's invariants (e.g. negative attention) is refused with one line."""
    spec = WorldSpec(**{registry: name, f"{registry}_options": options})
    with pytest.raises(ValueError, match=re.escape(message)):
        spec.build()

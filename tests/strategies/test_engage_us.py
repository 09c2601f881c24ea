from sim.actors import ECON, PRK, USA
from sim.params import Switches
from tests.strategies.encounters import encounter, received

WITH_US = Switches(noise=False, betrayal=False, shocks=False)


def test_takes_us_relief_under_engagement_and_turns_to_washington():
    """Seed 002: the 2018-19 summitry; seed 004: talks 'without preconditions'."""
    s = encounter("engage_us", 1.0, 1.0, switches=WITH_US, us_policy="engagement")
    assert received(s, USA, ECON) > 0
    assert s.attention[0, PRK].argmax() == USA
    assert s.munitions[0] == 0.0


def test_engagement_builds_trust_with_the_us():
    engaged = encounter("engage_us", 1.0, 1.0, switches=WITH_US, us_policy="engagement")
    pressed = encounter("engage_us", 1.0, 1.0, switches=WITH_US, us_policy="pressure")
    assert engaged.trust[0, PRK, USA] > pressed.trust[0, PRK, USA]

from sim.actors import ECON, MIL, PRK, RUS, USA
from sim.params import Switches
from tests.strategies.encounters import encounter, received


def test_takes_nothing_from_russia_and_sells_it_nothing():
    """Cheong Seong-chang (seed 004): cooperating only with China."""
    s = encounter("bandwagon", bid_chn=1.0, bid_rus=3.0)
    assert received(s, RUS, ECON) == received(s, RUS, MIL) == 0.0
    assert s.munitions[0] == 0.0
    assert s.attention[0, PRK].argmax() == 1  # China


def test_refuses_us_relief():
    """Cheong (seed 004): 'continuing with hostility against the U.S.'"""
    with_us = Switches(noise=False, betrayal=False, shocks=False)
    s = encounter("bandwagon", 1.0, 1.0, switches=with_us, us_policy="engagement")
    assert received(s, USA, ECON) == 0.0

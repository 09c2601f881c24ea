from sim.actors import CHN, ECON, MIL, RUS
from tests.strategies.encounters import encounter, received


def test_food_from_china_arms_from_russia_and_russian_food_declined():
    """Revere (seed 002): China the economic pillar, Russia the military pillar; Kim turned
    down Moscow's food aid in September 2023 (seed 002, Matsegora)."""
    s = encounter("additional_pillar", bid_chn=2.0, bid_rus=2.0)
    assert received(s, CHN, ECON) > 0
    assert received(s, RUS, MIL) > 0
    assert received(s, RUS, ECON) == 0.0


def test_attention_is_fixed_whoever_pays_more():
    a = encounter("additional_pillar", bid_chn=3.0, bid_rus=0.5)
    b = encounter("additional_pillar", bid_chn=0.5, bid_rus=3.0)
    assert a.attention[0, 0, CHN] == b.attention[0, 0, CHN]

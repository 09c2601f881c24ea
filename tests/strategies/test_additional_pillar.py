from sim.actors import CHN, ECON, MIL, RUS
from tests.strategies.encounters import encounter, received


def test_food_from_china_arms_from_russia_and_russian_food_declined():
    """Revere (seed 002): China the economic pillar, Russia the military pillar; Kim turned
    down Moscow's food aid in September 2023 (seed 002, Matsegora)."""
    s = encounter("additional_pillar", bid_chn=2.0, bid_rus=2.0)
    assert received(s, CHN, ECON) > 0
    assert received(s, RUS, MIL) > 0
    assert received(s, RUS, ECON) == 0.0


def china_swing(strategy: str) -> float:
    """How far PRK's attention to China moves when the patrons' fixed offers swap (3 against 0.5)."""
    a = encounter(strategy, bid_chn=3.0, bid_rus=0.5)
    b = encounter(strategy, bid_chn=0.5, bid_rus=3.0)
    return float(a.attention[0, 0, CHN] - b.attention[0, 0, CHN])


def test_each_pillar_is_paid_in_its_own_channel_so_bids_move_attention_less_than_under_balancing():
    """Revere (seed 002): complementary pillars, not an alternative; China's aid for stability
    and Russia's payment for munitions fill each pillar, so the bids swing PRK less."""
    pillar, balancing = china_swing("additional_pillar"), china_swing("balancing")
    assert 0.0 < pillar < 0.75 * balancing

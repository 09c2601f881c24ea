from sim.actors import CHN, PRK, RUS
from tests.strategies.encounters import encounter


def test_turns_to_russia_when_china_dominates_support():
    """Gause (seed 002): 'using Russia as a counterweight to China'."""
    s = encounter("counterweight", bid_chn=4.0, bid_rus=0.5, months=120)
    assert s.attention[0, PRK, RUS] > s.attention[0, PRK, CHN]


def test_autonomy_beats_plain_balancing_when_china_pays_most():
    from sim.outcomes import outcome_columns
    from sim.params import Params
    from sim.world import WorldSpec

    def autonomy(strategy):
        s = encounter(strategy, bid_chn=4.0, bid_rus=0.5, months=120)
        m = WorldSpec(months=120).build().drivers.month(119)
        return outcome_columns(s, Params().arrays(1), m)["autonomy_prk"][0]

    # Russia's fixed offer is the same; counterweight keeps the Russian channel and sells munitions
    assert autonomy("counterweight") > autonomy("bandwagon")

from sim.actors import PRK, RUS
from tests.strategies.encounters import encounter


def test_turns_to_russia_when_china_dominates_support():
    """Gause (seed 002): 'using Russia as a counterweight to China': when China pays most, a
    Russian dollar buys more attention than under balancing; with weight 0 it is balancing."""
    from sim.params import Params
    from sim.world import WorldSpec
    from tests.conftest import run_steps
    from tests.strategies.encounters import FIXED

    def to_russia(strategy, **options):
        p = Params.with_overrides({"bid0_chn": 4.0, "bid0_rus": 0.5})
        spec = WorldSpec(strategy=strategy, chn_policy="fixed", rus_policy="fixed", months=120, switches=FIXED,
                         strategy_options=options)
        return float(run_steps(spec, p, n=1).attention[0, PRK, RUS])

    assert to_russia("counterweight") > to_russia("balancing") + 0.05
    assert to_russia("counterweight", weight=0.0) == to_russia("balancing")


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

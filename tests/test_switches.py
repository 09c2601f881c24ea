"""Each mechanism can be switched off, and switching it off removes its effect."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.actors import CHN, MIL, PRK, RUS
from sim.engine import simulate
from sim.params import Params, Switches
from sim.world import WorldSpec
from tests.conftest import run_steps

OUT = ["trust_chn_prk", "trust_rus_prk", "trust_prk_chn", "bid_chn", "bid_rus", "aid_total_prk",
       "munitions_prk_rus", "resolutions_tabled", "attention_prk_chn"]


def table(switches: Switches, params: Params | None = None, **spec) -> np.ndarray:
    spec = {"strategy": "balancing", "months": 48, **spec}
    df = simulate(WorldSpec(switches=switches, **spec), replications=20, seed=11, params=params)
    return df[OUT].to_numpy(dtype=float)


def off(name: str, base: Switches | None = None) -> Switches:
    return dataclasses.replace(base or Switches(), **{name: False})


@pytest.mark.parametrize(
    ("switch", "zero"),
    [
        ("jealousy", {"jealousy": 0.0, "summit_jealousy": 0.0}),
        ("betrayal", {"betrayal_rate": 0.0}),
        ("noise", {"trust_noise": 0.0, "delivery_noise": 0.0}),
        ("transaction", {"munitions_capacity": 0.0, "tech_value": 0.0}),
    ],
)
def test_switching_off_equals_zero_strength(switch, zero):
    """Off removes exactly the mechanism: the same run as with its strength set to zero."""
    on = table(Switches())
    assert not np.allclose(table(off(switch)), on), f"{switch} has no effect when on"
    np.testing.assert_allclose(table(off(switch)), table(Switches(), Params.with_overrides(zero)))


def test_structural_balance_off_equals_zero_rate():
    on = Switches(structural_balance=True)
    assert not np.allclose(table(on), table(Switches()))
    np.testing.assert_allclose(table(on, Params(balance_rate=0.0)), table(Switches()))


def test_patron_competition_off_keeps_offers_at_month_0():
    s = run_steps(WorldSpec(months=24, switches=off("patron_competition")), n=3)
    np.testing.assert_allclose(s.bids[:, CHN], Params().bid0_chn)
    np.testing.assert_allclose(s.bids[:, RUS], Params().bid0_rus)
    s_on = run_steps(WorldSpec(months=24), n=3)
    assert not np.allclose(s_on.bids[:, CHN], Params().bid0_chn)


def test_transaction_off_means_no_munitions_and_no_crown_jewels():
    p = Params(tech_threshold=0.0)  # would release technology at once
    s = run_steps(WorldSpec(months=12, switches=off("transaction")), p, n=3)
    assert np.all(s.munitions == 0)
    assert not s.tech.any()
    s_on = run_steps(WorldSpec(months=12), p, n=3)
    assert np.all(s_on.munitions > 0)
    assert s_on.tech.all()
    assert np.all(s_on.aid[:, RUS, PRK, MIL] > s.aid[:, RUS, PRK, MIL])


def test_reciprocity_off_freezes_trust_when_nothing_else_moves_it():
    sw = Switches(reciprocity=False, jealousy=False, betrayal=False, noise=False, shocks=False)
    s = run_steps(WorldSpec(months=24, switches=sw), n=2)
    assert s.trust[0, PRK, CHN] == Params().trust0_prk_chn
    assert s.trust[0, CHN, PRK] == Params().trust0_chn_prk
    s_on = run_steps(WorldSpec(months=24, switches=dataclasses.replace(sw, reciprocity=True)), n=2)
    assert s_on.trust[0, PRK, CHN] != Params().trust0_prk_chn


def test_us_policy_off_means_no_resolutions_and_no_pressure():
    s = run_steps(WorldSpec(months=60, switches=off("us_policy")), n=5)
    assert np.all(s.unsc == 0)
    assert np.all(s.us_stance == 0)
    assert run_steps(WorldSpec(months=60), n=5).unsc[:, 0].sum() > 0


def test_shocks_off_freezes_the_scenario_at_month_0():
    """With shocks off, 'war ends' and 'status quo' are the same world."""
    sw = off("shocks")
    np.testing.assert_array_equal(table(sw, scenario="war_ends"), table(sw, scenario="status_quo_2024"))
    assert not np.array_equal(table(Switches(), scenario="war_ends"), table(Switches(), scenario="status_quo_2024"))

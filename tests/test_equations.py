"""Known answers of the equations (sim/equations.py, sim/triangle.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import equations as eq
from sim.actors import CHN, PRK, RUS, USA
from sim.params import Params, Switches
from sim.triangle import ROLES, TRIANGLE_TYPES, alliance, triangle, update_amity
from sim.world import WorldSpec
from tests.conftest import run_steps


@pytest.mark.parametrize(("v", "xj", "c"), [(4.0, 1.0, 1.0), (1.0, 4.0, 1.0), (9.0, 1.0, 2.0)])
def test_best_response_is_the_tullock_formula(v, xj, c):
    assert eq.best_response(v, xj, c) == pytest.approx(max(np.sqrt(v * xj / c) - xj, 0))


def test_a_rival_bidding_more_than_the_prize_is_worth_is_not_answered():
    assert eq.best_response(1.0, 4.0, 1.0) == 0.0


def test_best_response_maximises_the_contest_payoff():
    v, xj, c = 5.0, 0.7, 1.3
    grid = np.linspace(0, 5, 200_001)
    payoff = v * grid / (grid + xj) - c * grid
    best = eq.best_response(v, xj, c)
    assert best == pytest.approx(grid[np.argmax(payoff)], abs=1e-4)


@pytest.mark.parametrize(("vi", "vj"), [(4.0, 4.0), (4.0, 1.0), (2.5, 7.0)])
def test_tullock_equilibrium_is_a_mutual_best_response(vi, vj):
    xi, xj = eq.tullock_equilibrium(vi, vj), eq.tullock_equilibrium(vj, vi)
    assert xi == pytest.approx(vi**2 * vj / (vi + vj) ** 2)
    assert eq.best_response(vi, float(xj), 1.0) == pytest.approx(xi)
    assert eq.best_response(vj, float(xi), 1.0) == pytest.approx(xj)


CORNERS = [  # (value_chn, value_rus, cost_chn, cost_rus, bid_rate): the parameter box's corners and beyond
    (4.0, 1.0, 1.0, 1.0, 0.5), (2.0, 2.0, 1.0, 1.0, 1.0), (1.0, 6.0, 1.0, 1.0, 0.5),
    (10.0, 0.5, 0.2, 5.0, 1.0),  # value-to-cost ratio 500 (China)
    (0.5, 10.0, 5.0, 0.2, 1.0),  # 500 (Russia)
    (10.0, 0.5, 0.2, 5.0, 0.01),  # the slowest adjustment
    (0.5, 10.0, 5.0, 0.1, 1.0),  # 1,000
]


@pytest.mark.parametrize(("value_chn", "value_rus", "cost_chn", "cost_rus", "bid_rate"), CORNERS)
def test_simulated_bids_converge_to_the_two_patron_equilibrium(value_chn, value_rus, cost_chn, cost_rus, bid_rate):
    """Only the patron contest on, PRK balancing: the patrons measure PRK's contestability as
    1 - usa_share (E2a) and their bids reach the Tullock equilibrium of the prizes kappa V,
    from any starting bids, for any ratio of their value-to-cost ratios, at any bid_rate."""
    if cost_rus < 0.2:  # beyond the box's cost bound: a ratio of 1,000 through Russia's war value instead
        p = Params(value_rus=10.0, war_value_rus=10.0, cost_rus=0.2, value_chn=0.5, cost_chn=5.0, bid_rate=1.0,
                   rivalry_value_chn=0.0, bid0_chn=3.0, bid0_rus=0.0)
    else:
        p = Params(value_chn=value_chn, value_rus=value_rus, rivalry_value_chn=0.0, war_value_rus=0.0,
                   cost_chn=cost_chn, cost_rus=cost_rus, bid_rate=bid_rate, bid0_chn=3.0, bid0_rus=0.0)
    months = 40 if bid_rate >= 0.5 else 3000
    spec = WorldSpec(strategy="balancing", chn_policy="contest", rus_policy="contest", months=months,
                     switches=Switches.only("patron_competition", "transaction"))
    s = run_steps(spec, p, n=1)
    kappa = 1.0 - 0.05  # balancing's usa_share
    war = 1.0  # status quo 2024
    w_chn = kappa * p.value_chn / p.cost_chn
    w_rus = kappa * (p.value_rus + p.war_value_rus * war) / p.cost_rus
    np.testing.assert_allclose(s.contestability[0, [CHN, RUS]], kappa, rtol=1e-12)
    np.testing.assert_allclose(s.bids[0, CHN], eq.tullock_equilibrium(w_chn, w_rus), rtol=1e-9)
    np.testing.assert_allclose(s.bids[0, RUS], eq.tullock_equilibrium(w_rus, w_chn), rtol=1e-9)


def test_contestability_is_the_response_of_attention_relative_to_a_tullock_contest():
    # attention that follows the bids exactly (balancing without the US): 1
    step, total = 0.2, 2.0
    share = lambda c, r: c / (c + r)  # noqa: E731
    assert eq.measured_contestability(share(1.2, 1.0), share(1.0, 1.2), step, total) == pytest.approx(1.0)
    # attention that ignores the bids: 0; that moves against them: floored at 0
    assert eq.measured_contestability(0.6, 0.6, step, total) == 0.0
    assert eq.measured_contestability(0.5, 0.6, step, total) == 0.0


def test_contest_equilibrium_is_zero_when_no_one_values_the_prize():
    assert eq.contest_equilibrium(0.0, 0.0) == 0.0
    assert eq.contest_equilibrium(0.0, 3.0) == 0.0
    assert eq.contest_equilibrium(3.0, 1.0) == pytest.approx(eq.tullock_equilibrium(3.0, 1.0))


@pytest.mark.parametrize(("aid", "autonomy"), [
    ({CHN: (1.0, 0.0)}, 0.0),  # all from China
    ({CHN: (1.0, 0.0), RUS: (0.0, 1.0)}, 0.5),  # even split (military aid weighted 1)
    ({}, 1.0),  # nothing received: autonomous
])
def test_dependence_shares_sum_to_one_and_autonomy_is_one_minus_herfindahl(aid, autonomy):
    support = {d: eq.valued_support(*aid.get(d, (0.0, 0.0)), 1.0) for d in (CHN, RUS, USA)}
    total = sum(support.values())
    dep = [eq.dependence(support[d], total) for d in (CHN, RUS, USA)]
    assert sum(dep) == pytest.approx(1.0 if aid else 0.0)
    assert eq.autonomy(*dep) == pytest.approx(autonomy)


def test_military_aid_counts_by_its_weight():
    assert eq.valued_support(1.0, 2.0, 0.5) == 2.0


def test_food_coverage_of_the_seed_figures():
    """Seed 004: 5.5 Mt needed, 1 Mt short, no aid -> 4.5 / 5.5 covered."""
    assert eq.food_coverage(5.5, 1.0, 0.0, 0.3, 2.5) == pytest.approx(4.5 / 5.5)
    # enough food aid closes the gap exactly: 1 Mt at 0.3 * 2.5 Mt per bn -> 4/3 bn
    assert eq.food_coverage(5.5, 1.0, 4 / 3, 0.3, 2.5) == pytest.approx(1.0)


def test_adjust_keeps_attention_rows_stochastic():
    rng = np.random.default_rng(1)
    for a, b in zip(rng.dirichlet(np.ones(4), size=5), rng.dirichlet(np.ones(4), size=5), strict=True):
        assert sum(eq.adjust(x, y, 0.3) for x, y in zip(a, b, strict=True)) == pytest.approx(1.0)


def test_patron_attention_target_is_a_row_with_no_self_attention():
    trust = np.random.default_rng(2).random((4, 4))
    for actor in (CHN, RUS, USA):
        to_prk = eq.attention_to_prk(actor, 2.0, 5.0, 0.5)
        row = eq.patron_attention_target(actor, to_prk, trust, np.empty(4))
        assert row.sum() == pytest.approx(1.0)
        assert row[actor] == 0.0
        assert row[PRK] == pytest.approx(2.0 / 7.0 if actor != USA else 0.05 + 0.45 * 0.5)


def test_summit_pull_moves_half_the_target_to_the_summit_partner():
    target = np.array([0.0, 0.6, 0.3, 0.1])
    summits = (0.0, 0.0, 1.0, 0.0)
    np.testing.assert_allclose(eq.summit_pull(target, summits), [0.0, 0.3, 0.65, 0.05])


def test_structural_balance_pushes_toward_a_balanced_triad():
    t = np.full((4, 4), 0.5)
    t[PRK, CHN] = t[CHN, PRK] = 0.9  # friends
    t[CHN, RUS] = t[RUS, CHN] = 0.1  # enemies
    d = eq.structural_balance(t, 0.1, np.zeros((4, 4)))
    assert d[PRK, RUS] < 0  # the friend of my enemy... PRK cools on RUS
    assert d[RUS, PRK] < 0
    assert np.all(np.diagonal(d) == 0)
    # the known value: through CHN only (USA is neutral at 0.5): 0.1 * (0.8 * -0.8) / 4
    assert d[PRK, RUS] == pytest.approx(0.1 * (0.8 * -0.8) / 4)


def _trust(pairs: dict[tuple[int, int], float]) -> np.ndarray:
    t = np.zeros((4, 4))
    for (a, b), v in pairs.items():
        t[a, b] = t[b, a] = v
    return t


@pytest.mark.parametrize(
    ("edges", "kind", "roles"),
    [
        ({(PRK, CHN): 0.8, (PRK, RUS): 0.8, (CHN, RUS): 0.8}, "menage", ("friend", "friend", "friend")),
        ({(PRK, CHN): 0.8, (PRK, RUS): 0.8, (CHN, RUS): 0.2}, "romantic", ("pivot", "wing", "wing")),
        ({(PRK, CHN): 0.8, (PRK, RUS): 0.2, (CHN, RUS): 0.8}, "romantic", ("wing", "pivot", "wing")),
        ({(PRK, CHN): 0.2, (PRK, RUS): 0.2, (CHN, RUS): 0.8}, "marriage", ("pariah", "partner", "partner")),
        ({(PRK, CHN): 0.2, (PRK, RUS): 0.2, (CHN, RUS): 0.2}, "unit_veto", ("foe", "foe", "foe")),
    ],
)
def test_triangle_types_and_roles(edges, kind, roles):
    k, *r = triangle(_amity(_trust(edges)), (PRK, CHN, RUS))
    assert TRIANGLE_TYPES[k] == kind
    assert tuple(ROLES[i] for i in r) == roles


def _amity(trust: np.ndarray, threshold: float = 0.5, band: float = 0.0, before: bool = False) -> np.ndarray:
    relation = np.full((4, 4), np.uint8(before))
    update_amity(trust, relation, threshold, band)
    return relation


def test_amity_has_hysteresis_inside_the_band():
    """E15a: inside the band a pair keeps its last relation; outside it, the threshold rules."""
    inside = _trust({(PRK, CHN): 0.53})
    assert _amity(inside, 0.5, 0.1, before=True)[PRK, CHN] == 1
    assert _amity(inside, 0.5, 0.1, before=False)[PRK, CHN] == 0
    assert _amity(_trust({(PRK, CHN): 0.56}), 0.5, 0.1, before=False)[PRK, CHN] == 1
    assert _amity(_trust({(PRK, CHN): 0.44}), 0.5, 0.1, before=True)[PRK, CHN] == 0
    # without a band it is the threshold itself
    assert _amity(inside, 0.5, 0.0, before=False)[PRK, CHN] == 1


def test_alliance_needs_every_pair_above_the_threshold():
    t = _trust({(PRK, CHN): 0.8, (PRK, RUS): 0.8, (CHN, RUS): 0.69, (CHN, USA): 0.0})
    assert not alliance(t, (PRK, CHN, RUS), 0.7)
    assert alliance(t, (PRK, CHN, RUS), 0.6)


def test_trust_noise_fills_the_off_diagonal_in_pair_order():
    z = np.arange(1.0, 15.0)
    d = eq.trust_noise(np.stack([-z, z]), 1, 0.5, np.zeros((4, 4)))
    assert np.all(np.diagonal(d) == 0)
    np.testing.assert_array_equal(d[~np.eye(4, dtype=bool)], 0.5 * z[:12])


def test_prk_reciprocation_is_full_when_prk_engages_a_patron_as_much_as_it_pays():
    assert eq.prk_reciprocation(0.5, 0.9, 0.5, 1.0) == 1.0  # engaged more than paid for
    assert eq.prk_reciprocation(0.2, 0.8, 0.5, 1.0) == pytest.approx(0.5)  # half of what was paid for
    assert eq.prk_reciprocation(0.2, 0.8, 0.0, 0.9) == 0.9  # a patron that pays nothing expects nothing


def test_veto_and_sanctions():
    assert eq.veto(0.2, 0.5)
    assert not eq.veto(0.6, 0.5)
    assert eq.sanctions_level(0.5, True, 0.2, 0.1) == pytest.approx(0.65)
    assert eq.sanctions_level(0.95, True, 0.2, 0.0) == 1.0

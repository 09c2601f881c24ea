"""Known answers of the equations (sim/equations.py, sim/triangle.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import equations as eq
from sim.actors import CHN, PRK, RUS, USA
from sim.params import Params, Switches
from sim.triangle import ROLES, TRIANGLE_TYPES, alliance, triangle
from sim.world import WorldSpec
from tests.conftest import run_steps


def test_best_response_is_the_tullock_formula():
    v, xj, c = np.array([4.0, 1.0, 9.0]), np.array([1.0, 4.0, 1.0]), np.array([1.0, 1.0, 2.0])
    expected = np.maximum(np.sqrt(v * xj / c) - xj, 0)
    np.testing.assert_allclose(eq.best_response(v, xj, c), expected)
    # a rival bidding more than the prize is worth is not answered
    assert eq.best_response(np.array([1.0]), np.array([4.0]), np.array([1.0]))[0] == 0.0


def test_best_response_maximises_the_contest_payoff():
    v, xj, c = 5.0, 0.7, 1.3
    grid = np.linspace(0, 5, 200_001)
    payoff = v * grid / (grid + xj) - c * grid
    best = eq.best_response(np.array([v]), np.array([xj]), np.array([c]))[0]
    assert best == pytest.approx(grid[np.argmax(payoff)], abs=1e-4)


@pytest.mark.parametrize(("vi", "vj"), [(4.0, 4.0), (4.0, 1.0), (2.5, 7.0)])
def test_tullock_equilibrium_is_a_mutual_best_response(vi, vj):
    xi, xj = eq.tullock_equilibrium(vi, vj), eq.tullock_equilibrium(vj, vi)
    assert xi == pytest.approx(vi**2 * vj / (vi + vj) ** 2)
    assert eq.best_response(np.array([vi]), np.array([xj]), np.array([1.0]))[0] == pytest.approx(xi)
    assert eq.best_response(np.array([vj]), np.array([xi]), np.array([1.0]))[0] == pytest.approx(xj)


@pytest.mark.parametrize(("value_chn", "value_rus"), [(4.0, 1.0), (2.0, 2.0), (1.0, 6.0)])
def test_simulated_bids_converge_to_the_two_patron_equilibrium(value_chn, value_rus):
    """Only the patron contest on, PRK balancing (the whole prize contestable), c = 1."""
    p = Params(value_chn=value_chn, value_rus=value_rus, rivalry_value_chn=0.0, war_value_rus=0.0)
    spec = WorldSpec(strategy="balancing", chn_policy="contest", rus_policy="contest", months=80,
                     switches=Switches.only("patron_competition"))
    s = run_steps(spec, p, n=2)
    np.testing.assert_allclose(s.bids[:, CHN], value_chn**2 * value_rus / (value_chn + value_rus) ** 2, rtol=1e-9)
    np.testing.assert_allclose(s.bids[:, RUS], value_rus**2 * value_chn / (value_chn + value_rus) ** 2, rtol=1e-9)


def test_dependence_shares_sum_to_one_and_autonomy_is_one_minus_herfindahl():
    received = np.zeros((3, 4, 2))
    received[0, CHN, 0] = 1.0  # all from China
    received[1, CHN, 0], received[1, RUS, 1] = 1.0, 1.0  # even split
    dep = eq.dependence(received, np.ones(3))
    np.testing.assert_allclose(dep[:2].sum(axis=1), 1.0)
    np.testing.assert_allclose(eq.autonomy(dep), [0.0, 0.5, 1.0])  # nothing received: autonomous


def test_food_coverage_of_the_seed_figures():
    """Seed 004: 5.5 Mt needed, 1 Mt short, no aid -> 4.5 / 5.5 covered."""
    cov = eq.food_coverage(np.array([5.5]), 1.0, np.array([0.0]), np.array([0.3]), np.array([2.5]))
    assert cov[0] == pytest.approx(4.5 / 5.5)
    # enough food aid closes the gap exactly: 1 Mt at 0.3 * 2.5 Mt per bn -> 4/3 bn
    cov = eq.food_coverage(np.array([5.5]), 1.0, np.array([4 / 3]), np.array([0.3]), np.array([2.5]))
    assert cov[0] == pytest.approx(1.0)


def test_adjust_keeps_attention_rows_stochastic():
    rng = np.random.default_rng(1)
    a = rng.dirichlet(np.ones(4), size=5)
    b = rng.dirichlet(np.ones(4), size=5)
    np.testing.assert_allclose(eq.adjust(a, b, np.full(5, 0.3)).sum(axis=1), 1.0)


def test_structural_balance_pushes_toward_a_balanced_triad():
    t = np.full((1, 4, 4), 0.5)
    t[0, PRK, CHN] = t[0, CHN, PRK] = 0.9  # friends
    t[0, CHN, RUS] = t[0, RUS, CHN] = 0.1  # enemies
    d = eq.structural_balance(t, np.array([0.1]))
    assert d[0, PRK, RUS] < 0  # the friend of my enemy... PRK cools on RUS
    assert d[0, RUS, PRK] < 0
    assert np.all(np.diagonal(d[0]) == 0)


def _trust(pairs: dict[tuple[int, int], float]) -> np.ndarray:
    t = np.zeros((1, 4, 4))
    for (a, b), v in pairs.items():
        t[0, a, b] = t[0, b, a] = v
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
    k, r = triangle(_trust(edges), (PRK, CHN, RUS), np.array([0.5]))
    assert TRIANGLE_TYPES[k[0]] == kind
    assert tuple(ROLES[i] for i in r[0]) == roles


def test_alliance_needs_every_pair_above_the_threshold():
    t = _trust({(PRK, CHN): 0.8, (PRK, RUS): 0.8, (CHN, RUS): 0.69, (CHN, USA): 0.0})
    assert not alliance(t, (PRK, CHN, RUS), np.array([0.7]))[0]
    assert alliance(t, (PRK, CHN, RUS), np.array([0.6]))[0]


def test_draw_noise_is_one_stream_in_a_fixed_order():
    """Normals first, then uniforms: what one generator gives, month block by month block."""
    z, u = eq.draw_noise(np.random.default_rng(3), 50_000)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(z, rng.standard_normal((50_000, eq.N_NORMAL)))
    np.testing.assert_array_equal(u, rng.random((50_000, eq.N_UNIFORM)))
    assert abs(z.mean()) < 0.01
    assert z.std() == pytest.approx(1.0, abs=0.01)
    assert u.min() >= 0
    assert u.max() < 1

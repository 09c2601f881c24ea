"""Sobol wrapper: Ishigami's known indices, and a switched-off mechanism's parameter has none."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from SALib.test_functions import Ishigami

from sim.analysis.sobol import model_sobol, sobol_figure, sobol_indices
from sim.params import Switches
from sim.world import WorldSpec

#: Analytic indices of Ishigami-Homma with A = 7, B = 0.1 (Saltelli et al. 2008, the Primer).
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def test_ishigami_indices_within_confidence_intervals() -> None:
    res = sobol_indices(ISHIGAMI, Ishigami.evaluate, n=1024, seed=3)
    ind = res.indices
    assert list(ind.index) == ["x1", "x2", "x3"]
    assert res.evaluations == 1024 * 5
    assert (np.abs(ind["S1"].to_numpy() - ISHIGAMI_S1) <= ind["S1_conf"].to_numpy()).all()
    assert (np.abs(ind["ST"].to_numpy() - ISHIGAMI_ST) <= ind["ST_conf"].to_numpy()).all()
    assert (ind["S1_conf"] < 0.1).all()  # intervals narrow enough to mean something


def test_bad_sample_size_is_refused() -> None:
    with pytest.raises(ValueError, match="power of 2"):
        sobol_indices(ISHIGAMI, Ishigami.evaluate, n=1000)


NAMES = ["jealousy", "reliability_prk", "trust_rate"]


@pytest.mark.parametrize("jealousy_on", [True, False])
def test_switched_off_mechanism_has_zero_total_index(jealousy_on: bool) -> None:
    spec = WorldSpec(months=36, switches=Switches(jealousy=jealousy_on))
    res = model_sobol(spec, "trust_chn_prk", NAMES, n=64, seed=1, num_resamples=50)
    st = res.indices["ST"]
    if jealousy_on:
        assert st["jealousy"] > 0.05  # China's trust in PRK responds to jealousy (seed 003, Delury)
    else:
        assert st["jealousy"] == pytest.approx(0.0, abs=1e-12)
        assert res.indices.loc["jealousy", "S1"] == pytest.approx(0.0, abs=1e-12)
    assert st["reliability_prk"] > 0.05  # reciprocity stays on


def test_unknown_outcome_and_categorical_outcome_are_refused() -> None:
    with pytest.raises(ValueError, match="categorical"):
        model_sobol(WorldSpec(months=6), "role_prk", NAMES, n=4)
    with pytest.raises(ValueError, match="unknown outcome 'nope'"):
        model_sobol(WorldSpec(months=6), "nope", NAMES, n=4)


def test_sobol_figure_one_row_per_parameter() -> None:
    res = sobol_indices(ISHIGAMI, Ishigami.evaluate, n=256, seed=0)
    fig = sobol_figure(res)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["x1", "x2", "x3"]
    assert ax.get_yticklabels()[-1].get_text() == res.indices["ST"].idxmax()  # largest total index on top
    assert "Sobol index" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["total effect $S_T$", "first order $S_1$"]


def test_ishigami_second_order_indices() -> None:
    res = sobol_indices(ISHIGAMI, Ishigami.evaluate, n=1024, seed=3, calc_second_order=True)
    assert res.evaluations == 1024 * (2 * 3 + 2)
    s2 = res.second_order
    assert list(s2.index) == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]
    # Ishigami: only x1 and x3 interact, S13 = ST1 - S1 (Saltelli et al. 2008)
    known = {("x1", "x2"): 0.0, ("x1", "x3"): 0.2437, ("x2", "x3"): 0.0}
    for pair, value in known.items():
        assert abs(s2.loc[pair, "S2"] - value) <= max(s2.loc[pair, "S2_conf"], 0.02)
    assert (np.abs(res.indices["ST"].to_numpy() - ISHIGAMI_ST) <= res.indices["ST_conf"].to_numpy()).all()


#: tech_threshold only matters through the transaction mechanism (crown jewels, seed 003)
NO_EFFECT = ["tech_threshold", "reliability_prk", "trust_rate"]
NO_TRANSACTION = WorldSpec(months=24, switches=Switches(transaction=False))


@pytest.mark.parametrize("second_order", [False, True])
def test_a_parameter_without_effect_gets_exactly_zero_in_either_design(second_order: bool) -> None:
    res = model_sobol(NO_TRANSACTION, "trust_chn_prk", NO_EFFECT, n=32, seed=2, num_resamples=20,
                      calc_second_order=second_order)
    assert res.indices.loc["tech_threshold", "S1"] == 0.0
    assert res.indices.loc["tech_threshold", "ST"] == 0.0
    assert res.indices.loc["reliability_prk", "ST"] > 0.05
    if second_order:
        assert res.evaluations == 32 * (2 * 3 + 2)
        s2 = res.second_order
        assert s2.loc[("tech_threshold", "reliability_prk"), "S2"] == pytest.approx(0.0, abs=1e-12)


def test_a_problemspec_design_keeps_its_blocks_on_common_noise() -> None:
    """SALib's ProblemSpec samples second order by default (2D + 2 rows per block)."""
    from SALib import ProblemSpec

    from sim.analysis.sobol import model_function
    from sim.params import parameter_space

    sp = ProblemSpec({k: v for k, v in parameter_space(NO_EFFECT).items() if k != "num_vars"})
    f = model_function(NO_TRANSACTION, "trust_chn_prk", NO_EFFECT, seed=2)
    sp.sample_sobol(32, seed=1).evaluate(f).analyze_sobol(num_resamples=20, seed=1)
    total, first = sp.analysis["ST"], sp.analysis["S1"]
    assert total[0] == 0.0
    assert first[0] == 0.0
    assert total[1] > 0.05


def test_a_design_of_the_wrong_size_is_refused() -> None:
    from sim.analysis.sobol import model_function

    f = model_function(NO_TRANSACTION, "trust_chn_prk", NO_EFFECT)
    with pytest.raises(ValueError, match=r"N \* 5 or N \* 8 rows"):
        f(np.full((7, 3), 0.5))

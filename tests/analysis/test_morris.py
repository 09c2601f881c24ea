"""Morris screening: a linear function's known effects, and a parameter without effect has none."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.morris import model_morris, morris_indices
from sim.analysis.sensitivity import main as sensitivity
from sim.params import Switches
from sim.world import WorldSpec


def test_linear_function_has_its_slopes_as_effects() -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0], [0.0, 2.0], [0.0, 1.0]]}
    # y = 3a - b: effects per unit of each parameter's range are 3, -2 and 0
    res = morris_indices(problem, lambda X: 3 * X[:, 0] - X[:, 1], trajectories=10, seed=1, num_resamples=20)
    ind = res.indices
    assert res.evaluations == 10 * 4
    np.testing.assert_allclose(ind["mu_star"], [3.0, 2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["mu"], [3.0, -2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["sigma"], [0.0, 0.0, 0.0], atol=1e-12)  # linear: no interactions


def test_a_parameter_without_effect_has_no_elementary_effect() -> None:
    spec = WorldSpec(months=24, switches=Switches(transaction=False))
    res = model_morris(spec, "trust_chn_prk", ["tech_threshold", "reliability_prk", "trust_rate"],
                       trajectories=6, seed=1, num_resamples=20)
    assert res.indices.loc["tech_threshold", "mu_star"] == 0.0
    assert res.indices.loc["reliability_prk", "mu_star"] > 0


def test_bad_levels_are_refused() -> None:
    with pytest.raises(ValueError, match="even number"):
        model_morris(WorldSpec(months=2), "trust_chn_prk", ["trust_rate", "jealousy"], num_levels=3)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_command_runs_either_method(method: str, tmp_path, capsys) -> None:
    size = ["-n", "4"] if method == "sobol" else ["-r", "3"]
    code = sensitivity(["--method", method, "--params", "trust_rate,jealousy", "--months", "6", *size,
                        "--out", str(tmp_path)])
    assert code == 0
    assert (tmp_path / f"{method}_trust_chn_prk.csv").is_file()
    assert sensitivity(["--method", method, "--params", "nope", "--out", str(tmp_path)]) == 2
    assert f"trisim sensitivity --method {method}: error: unknown parameter 'nope'" in capsys.readouterr().err

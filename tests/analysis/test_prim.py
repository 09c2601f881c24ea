"""PRIM scenario discovery finds a planted box and reports its coverage and density."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.analysis.prim import cases, discover, parse_condition, peeling_figure, sweep_discovery


def planted(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Cases of interest are likely (90%) inside a > 0.6 and b < 4, rare (5%) elsewhere;
    c is noise, k an integer input, s a categorical one."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 10, n), "c": rng.uniform(-1, 1, n),
                      "k": rng.integers(0, 5, n), "s": rng.choice(["p", "q", "r"], n)})
    inside = (x["a"] > 0.6) & (x["b"] < 4)
    y = np.where(inside, rng.random(n) < 0.9, rng.random(n) < 0.05)
    return x, y, inside


def test_prim_finds_the_planted_box() -> None:
    x, y, inside = planted()
    res = discover(x, y, outcome="planted")
    assert set(res.limits.index) == {"a", "b"}
    assert res.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.03)
    assert res.limits.loc["a", "high"] == res.limits.loc["a", "range_high"]
    assert res.limits.loc["b", "high"] == pytest.approx(4.0, abs=0.3)
    assert res.limits.loc["b", "low"] == res.limits.loc["b", "range_low"]
    # coverage and density are what the box holds in the data
    box = (x["a"] >= res.limits.loc["a", "low"]) & (x["b"] <= res.limits.loc["b", "high"])
    assert res.coverage == pytest.approx(y[box].sum() / y.sum())
    assert res.density == pytest.approx(y[box].mean())
    assert res.mass == pytest.approx(box.mean())
    # and close to the planted box's own
    assert res.coverage == pytest.approx(y[inside].sum() / y.sum(), abs=0.05)
    assert res.density == pytest.approx(y[inside].mean(), abs=0.05)
    text = res.summary()
    assert "a >= 0.6" in text
    assert f"coverage {res.coverage:.3f}, density {res.density:.3f}" in text


def test_prim_restricts_a_categorical_input() -> None:
    x, _, _ = planted(seed=1)
    rng = np.random.default_rng(2)
    y = np.where((x["s"] == "q") & (x["a"] < 0.5), rng.random(len(x)) < 0.95, rng.random(len(x)) < 0.02)
    res = discover(x, y, outcome="q and low a")
    assert res.limits.loc["s", "values"] == frozenset({"q"})
    assert res.limits.loc["a", "high"] == pytest.approx(0.5, abs=0.03)
    assert "s in {q}" in res.summary()


def test_min_coverage_picks_the_densest_box_that_keeps_it() -> None:
    x, y, _ = planted()
    res = discover(x, y, min_coverage=0.95)
    assert res.coverage >= 0.95
    ok = res.trajectory[res.trajectory["coverage"] >= 0.95]
    assert res.density == pytest.approx(ok["density"].max())


def test_outcome_that_never_varies_is_refused() -> None:
    x, _, _ = planted(n=200)
    with pytest.raises(ValueError, match="false in every one of the 200 runs"):
        discover(x, np.zeros(200, dtype=bool), outcome="never")


def test_conditions() -> None:
    assert parse_condition("autonomy_prk > 0.3") == ("autonomy_prk", ">", 0.3)
    assert parse_condition("tech_transferred") == ("tech_transferred", None, None)
    with pytest.raises(ValueError, match="cannot read condition"):
        parse_condition("autonomy_prk >> 1")
    frame = pd.DataFrame({"autonomy_prk": [0.1, 0.5], "tech_transferred": [True, False]})
    assert cases(frame, "autonomy_prk>=0.5").tolist() == [False, True]
    with pytest.raises(ValueError, match="not boolean; give a threshold"):
        cases(frame, "autonomy_prk")


def test_sweep_discovery_on_a_result_table_and_figure() -> None:
    x, y, _ = planted(n=600)
    frame = x.rename(columns={"a": "tech_threshold", "b": "value_chn"}).assign(
        strategy=np.where(np.arange(600) % 2, "balancing", "counterweight"), month=12, replication=np.arange(600),
        tech_transferred=y)
    res = sweep_discovery(frame, "tech_transferred")
    assert {"tech_threshold", "value_chn"} <= set(res.limits.index)
    assert "c" not in res.limits.index  # not an input column of a sweep
    fig = peeling_figure(res)
    assert isinstance(fig, Figure)
    top, bottom = fig.axes[:2]
    assert top.get_xlabel().startswith("coverage")
    assert top.get_ylabel().startswith("density")
    assert len(top.collections) == 2  # the trajectory and the ring around the chosen box
    assert any(t.get_text().startswith("tech_threshold >=") for t in bottom.get_yticklabels())

"""trisim as an EMA Workbench model: declarations, the batch evaluator, PRIM, optimisation."""

import warnings

import numpy as np
import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ema_workbench warns at import about optional extras
    ema = pytest.importorskip("ema_workbench")

from ema_workbench import ScalarOutcome, SequentialEvaluator, perform_experiments

from sim.analysis.prim import discover
from sim.ema import US_LEVELS, BatchEvaluator, labelled, trisim_model
from sim.engine import simulate
from sim.outcomes import OUTCOME_INFO
from sim.params import ParameterError, describe
from sim.policies import US_POLICIES
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

OUTCOMES = ["autonomy_prk", "aid_total_prk", "tech_transferred", "resolutions_passed"]


def small_model(**kwargs):
    base = {"uncertainties": ["value_chn", "jealousy", "scenario_name"], "outcomes": OUTCOMES,
            "replications": 2, "months": 12, "seed": 3}
    return trisim_model(**{**base, **kwargs})


def design(model, evaluator, scenarios=6, policies=3):
    return perform_experiments(model, scenarios=scenarios, policies=policies, evaluator=evaluator,
                               uncertainty_sampling_kwargs={"rng": 1}, lever_sampling_kwargs={"rng": 2},
                               log_progress=False)


def test_the_model_reads_the_declarations():
    model = trisim_model()
    records = {r["name"]: r for r in describe()}
    assert [u.name for u in model.uncertainties] == list(records)
    for u in model.uncertainties:
        assert (u.lower_bound, u.upper_bound) == (records[u.name]["low"], records[u.name]["high"])
    assert [lev.name for lev in model.levers] == ["strategy", "us_policy", *US_LEVELS]
    assert model.levers["strategy"].upper_bound == len(STRATEGIES) - 1
    assert model.levers["us_policy"].upper_bound == len(US_POLICIES) - 1
    kinds = {"maximize": ScalarOutcome.MAXIMIZE, "minimize": ScalarOutcome.MINIMIZE, "info": ScalarOutcome.INFO}
    assert {o.name: o.kind for o in model.outcomes} == {n: kinds[o.kind] for n, o in OUTCOME_INFO.items()
                                                        if o.dtype != "category"}
    with pytest.raises(ParameterError, match="unknown uncertainty 'colour'"):
        trisim_model(uncertainties=["colour"])
    with pytest.raises(ValueError, match="is a category"):
        trisim_model(outcomes=["role_prk"])


def test_batch_evaluator_is_bit_identical_to_the_sequential_evaluator_and_to_simulate():
    model = small_model()
    x_batch, y_batch = design(model, BatchEvaluator(model))
    x_seq, y_seq = design(model, SequentialEvaluator(model))
    ids = ["scenario", "policy"]  # EMA numbers samples with a process-wide counter
    pd.testing.assert_frame_equal(x_batch.drop(columns=ids), x_seq.drop(columns=ids))
    assert set(y_batch) == set(OUTCOMES)
    for name in OUTCOMES:
        np.testing.assert_array_equal(y_batch[name], y_seq[name])
    # one experiment by hand: the mean over replications 0 and 1 of a direct simulate call
    row = labelled(x_batch, model).iloc[4]
    options = {k: row[k] for k in US_LEVELS}
    spec = WorldSpec(strategy=str(row["strategy"]), us_policy=str(row["us_policy"]), scenario=str(row["scenario_name"]),
                     months=12, us_policy_options=options)
    direct = simulate(spec, replications=2, seed=3, params={"value_chn": row["value_chn"], "jealousy": row["jealousy"]})
    assert y_batch["autonomy_prk"][4] == np.mean(direct["autonomy_prk"].to_numpy())


def test_prim_finds_a_box_in_the_evaluators_results():
    model = small_model(replications=1)
    x, y = design(model, BatchEvaluator(model), scenarios=40, policies=2)
    inputs = labelled(x, model).drop(columns=["scenario", "policy", "model"])
    high = y["aid_total_prk"] > np.quantile(y["aid_total_prk"], 0.7)
    box = discover(inputs, high, outcome="aid_total_prk high")
    assert box.density > box.base_rate
    assert 0 < box.coverage <= 1
    assert len(box.limits) >= 1


@pytest.mark.slow
def test_optimize_and_robust_optimize_over_the_levers(tmp_path):
    model = small_model(outcomes=["autonomy_prk", "resolutions_passed"], replications=1, months=6)
    with BatchEvaluator(model) as evaluator:
        front, _ = evaluator.optimize(nfe=40, searchover="levers", epsilons=[0.05, 0.5], rng=1,
                                      filename="opt.tar.gz", directory=str(tmp_path))
    assert {"strategy", "us_policy", *US_LEVELS, "autonomy_prk", "resolutions_passed"} <= set(front.columns)
    assert front["strategy"].between(0, len(STRATEGIES) - 1).all()
    assert len(front) >= 1
    robust = [ScalarOutcome("mean_autonomy", kind=ScalarOutcome.MAXIMIZE, variable_name="autonomy_prk",
                            function=np.mean),
              ScalarOutcome("worst_resolutions", kind=ScalarOutcome.MINIMIZE, variable_name="resolutions_passed",
                            function=np.max)]
    with BatchEvaluator(model) as evaluator:
        result = evaluator.robust_optimize(robust, scenarios=3, nfe=20, epsilons=[0.05, 0.5], rng=1,
                                           filename="robust.tar.gz", directory=str(tmp_path))
    front = result[0] if isinstance(result, tuple) else result
    assert {"strategy", "us_policy", "mean_autonomy", "worst_resolutions"} <= set(front.columns)

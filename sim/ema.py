"""trisim as an EMA Workbench model, and an evaluator that runs a whole design in batch.

EMA Workbench (Kwakkel 2017) splits a model's inputs into *uncertainties* (the world: here the
model's parameters within their declared bounds, and the named scenario) and *levers* (the
choices: PRK's strategy, the US policy and the US policy's continuous levels), and declares
each outcome once with a kind (maximise, minimise, info). :func:`trisim_model` builds that
model from the project's own declarations (:func:`sim.params.describe`,
:data:`sim.outcomes.DECLARED`, the registries), so it never lists a parameter twice.

Strategy and US policy are *integer index* levers into the registries' names (and the named
scenario, ``scenario_name``, an integer index uncertainty): ema_workbench 3.0's ``CategoricalParameter`` crashes
in ``optimize`` under numpy 2.5. :func:`labelled` turns an experiments table's indices back
into names.

Every experiment runs ``replications`` replications; replication r of every experiment draws
stream ``(seed, r)`` (common random numbers), and each outcome is the mean over replications
(for a flag: the share of replications). Any EMA evaluator runs the model. :class:`BatchEvaluator`
runs a whole ``perform_experiments`` design through the batch engine instead, one
:func:`sim.engine.simulate` call per group of experiments that share strategy, US policy,
its levels and the scenario, with per-replication parameter arrays; its results are
bit-identical to EMA's ``SequentialEvaluator`` on the same design.

Needs the ``ema`` extra (``pip install 'trisim[ema]'``; the ``analysis`` extra includes it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine import simulate
from sim.outcomes import DECLARED, OUTCOME_INFO
from sim.params import ParameterError, Params, describe
from sim.policies import US_POLICIES
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns at import about optional extras (ipyparallel)
        from ema_workbench import IntegerParameter, RealParameter, ReplicatorModel, ScalarOutcome
        from ema_workbench.em_framework.evaluators import BaseEvaluator
except ModuleNotFoundError as err:  # an optional extra: say which
    raise ModuleNotFoundError(f"sim.ema needs ema_workbench ({err}): pip install 'trisim[ema]'",
                              name=err.name) from None

#: The US policies' continuous levels, each in [0, 1] (:class:`sim.policies.Pressure` and kin).
US_LEVELS = ("pressure", "engagement", "condemnation", "table_rate")
#: Lever and uncertainty names that are not model parameters.
NAMED = ("strategy", "us_policy", "scenario_name")
_KIND = {"maximize": ScalarOutcome.MAXIMIZE, "minimize": ScalarOutcome.MINIMIZE, "info": ScalarOutcome.INFO}


@dataclass(frozen=True)
class TrisimFunction:
    """The model function EMA calls once per experiment and replication.

    Keyword arguments are the experiment's uncertainties, levers and constants plus
    ``replication`` (the replication index); the result maps each outcome to its value in
    that replication. Attributes fix what the model's indices mean and how long a run is.
    """

    strategies: tuple[str, ...]
    us_policies: tuple[str, ...]
    scenarios: tuple[str, ...]
    outcomes: tuple[str, ...]
    months: int = 120
    seed: int = 0
    defaults: dict[str, Any] = field(default_factory=dict)

    def spec(self, values: dict[str, Any]) -> WorldSpec:
        """The world of one experiment: named choices from their indices, US levels as options."""
        levels = {k: float(values[k]) for k in US_LEVELS if values.get(k) is not None}
        return WorldSpec(strategy=_pick(self.strategies, values.get("strategy", self.defaults["strategy"]), "strategy"),
                         us_policy=_pick(self.us_policies, values.get("us_policy", self.defaults["us_policy"]),
                                         "us_policy"),
                         scenario=_pick(self.scenarios, values.get("scenario_name", self.defaults["scenario"]),
                                        "scenario_name"),
                         months=self.months, us_policy_options=levels)

    def __call__(self, replication: int = 0, **values: Any) -> dict[str, Any]:
        params = {k: float(v) for k, v in values.items() if k not in NAMED and k not in US_LEVELS}
        row = simulate(self.spec(values), replication_ids=[int(replication)], seed=self.seed, params=params)
        return {name: row[name].to_numpy()[0] for name in self.outcomes}


def _pick(names: tuple[str, ...], value: Any, what: str) -> str:
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(names)}")
        return value
    i = int(value)
    if not 0 <= i < len(names):
        raise ValueError(f"{what} index {i} is outside 0..{len(names) - 1} ({', '.join(names)})")
    return names[i]


def trisim_model(
    name: str = "trisim",
    *,
    uncertainties: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    replications: int = 10,
    months: int = 120,
    seed: int = 0,
    us_levels: bool = True,
    statistic: Callable[[Any], float] = np.mean,
) -> ReplicatorModel:
    """trisim as an EMA Workbench ``ReplicatorModel``.

    Args:
        name: the model's name (a Python identifier).
        uncertainties: parameters to vary within their declared bounds (default: every
            parameter of :func:`sim.params.describe`); ``"scenario_name"`` adds the named
            scenario as an integer index uncertainty into ``SCENARIOS.names()`` (EMA's
            experiments table has a ``scenario`` column of its own).
        outcomes: outcomes to report, each with its declared kind (default: every outcome
            of :data:`sim.outcomes.DECLARED` that is not a category).
        replications: replications per experiment (streams ``(seed, 0..replications-1)``).
        months: months per run.
        seed: the run's seed.
        us_levels: add the US policy's levels (pressure, engagement, condemnation,
            table_rate, each in [0, 1]) as levers; unset, each named policy keeps its own.
        statistic: how an outcome's replications become one value (default: the mean).

    Returns:
        The model, with levers ``strategy`` and ``us_policy`` (integer indices into
        ``STRATEGIES.names()`` and ``US_POLICIES.names()``), ``uncertainties`` and ``outcomes``.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    records = {r["name"]: r for r in describe()}
    names = list(records) if uncertainties is None else list(uncertainties)
    unknown = [n for n in names if n not in records and n != "scenario_name"]
    if unknown:
        raise ParameterError(f"unknown uncertainty {unknown[0]!r}; known: scenario_name, {', '.join(records)}")
    outs = [o.name for o in DECLARED if o.dtype != "category"] if outcomes is None else list(outcomes)
    for o in outs:
        if o not in OUTCOME_INFO:
            raise ValueError(f"unknown outcome {o!r}; outcomes: {', '.join(OUTCOME_INFO)}")
        if OUTCOME_INFO[o].dtype == "category":
            raise ValueError(f"outcome {o!r} is a category; an EMA scalar outcome needs a number or a flag")
    strategies, us_policies, scenarios = (tuple(STRATEGIES.names()), tuple(US_POLICIES.names()),
                                          tuple(SCENARIOS.names()))
    defaults = {"strategy": "balancing", "us_policy": "pressure", "scenario": WorldSpec().scenario}
    function = TrisimFunction(strategies, us_policies, scenarios, tuple(outs), months=int(months), seed=int(seed),
                              defaults=defaults)
    model = ReplicatorModel(name, function=function)
    unc = []
    for n in names:
        if n == "scenario_name":
            unc.append(IntegerParameter("scenario_name", 0, len(scenarios) - 1,
                                        default=scenarios.index(defaults["scenario"])))
        else:
            r = records[n]
            unc.append(RealParameter(n, float(r["low"]), float(r["high"]), default=float(r["default"])))
    model.uncertainties = unc
    levers = [IntegerParameter("strategy", 0, len(strategies) - 1, default=strategies.index(defaults["strategy"])),
              IntegerParameter("us_policy", 0, len(us_policies) - 1, default=us_policies.index(defaults["us_policy"]))]
    if us_levels:
        levers += [RealParameter(k, 0.0, 1.0) for k in US_LEVELS]
    model.levers = levers
    model.outcomes = [ScalarOutcome(o, kind=_KIND[OUTCOME_INFO[o].kind], function=statistic) for o in outs]
    model.replications = [{"replication": r} for r in range(int(replications))]
    return model


def labelled(experiments: pd.DataFrame, model: ReplicatorModel | None = None) -> pd.DataFrame:
    """An experiments table with the index levers and uncertainties as named categories
    (``strategy``, ``us_policy``, ``scenario_name``), e.g. for PRIM or figures."""
    f = model.function if model is not None else None
    lists = {"strategy": f.strategies if f else tuple(STRATEGIES.names()),
             "us_policy": f.us_policies if f else tuple(US_POLICIES.names()),
             "scenario_name": f.scenarios if f else tuple(SCENARIOS.names())}
    out = experiments.copy()
    for col, names in lists.items():
        if col in out.columns and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = pd.Categorical.from_codes(out[col].astype(int).to_numpy(), categories=list(names))
    return out


def _values(sample: Any, parameters: Iterable[Any]) -> dict[str, Any]:
    """The values an experiment sets: sampled, else the parameter's default (as EMA does)."""
    out = {}
    for p in parameters:
        value = sample.get(p.name, p.default)
        if value is not None:
            out[p.name] = value
    return out


class BatchEvaluator(BaseEvaluator):
    """Runs every experiment of a design through the batch engine, a group at a time.

    Experiments that share strategy, US policy and its levels and the scenario form one group;
    the group runs as one :func:`sim.engine.simulate` call with ``experiments x replications``
    rows, each with its experiment's parameters. Results (and the outcome processing, the
    model's own ``ScalarOutcome``) are those of any other evaluator, in less time.

    Example::

        model = trisim_model(uncertainties=["value_chn", "value_rus"], outcomes=["autonomy_prk"])
        with BatchEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=100, policies=4)
    """

    def initialize(self) -> None:
        """Nothing to start: the batch engine runs in this process."""

    def finalize(self) -> None:
        """Nothing to stop."""

    def evaluate_experiments(self, experiments: Iterable[Any], callback: Callable, **kwargs: Any) -> None:
        """Run ``experiments`` in groups and hand each one's outcomes to ``callback``."""
        models = {m.name: m for m in self._msis}
        groups: dict[tuple, list[tuple[Any, dict[str, Any]]]] = {}
        for experiment in experiments:
            model = models[experiment.model_name]
            f = model.function
            if not isinstance(f, TrisimFunction):
                raise TypeError(f"BatchEvaluator runs trisim models (sim.ema.trisim_model); "
                                f"{model.name!r} is not one")
            values = {**_values(experiment.scenario, model.uncertainties), **_values(experiment.policy, model.levers),
                      **{c.name: c.value for c in model.constants}}
            spec = f.spec(values)
            key = (model.name, spec.strategy, spec.us_policy, tuple(sorted(spec.us_policy_options.items())),
                   spec.scenario)
            groups.setdefault(key, []).append((experiment, values))
        for (model_name, *_), members in groups.items():
            self._run_group(models[model_name], members, callback)

    @staticmethod
    def _run_group(model: ReplicatorModel, members: list[tuple[Any, dict[str, Any]]], callback: Callable) -> None:
        f: TrisimFunction = model.function
        reps = np.array([r["replication"] for r in model.replications], dtype=np.int64)
        R, n = len(reps), len(members)
        names = sorted({k for _, v in members for k in v if k not in NAMED and k not in US_LEVELS})
        params = Params.with_overrides({k: np.repeat([float(v[k]) for _, v in members], R) for k in names})
        frame = simulate(f.spec(members[0][1]), params=params, replication_ids=np.tile(reps, n), seed=f.seed)
        columns = {o: frame[o].to_numpy() for o in f.outcomes}
        for i, (experiment, _) in enumerate(members):
            model.outcomes_output = {o: list(col[i * R:(i + 1) * R]) for o, col in columns.items()}
            callback(experiment, dict(model.outcomes_output))


__all__ = ["US_LEVELS", "BatchEvaluator", "TrisimFunction", "labelled", "trisim_model"]

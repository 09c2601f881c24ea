"""Screening: Morris elementary effects of a model outcome over parameter bounds.

Morris (1991) screening, with the mean of absolute effects ``mu_star`` (Campolongo et al.
2007), ranks many parameters by influence at a fraction of a Sobol' analysis's cost: ``r``
trajectories of ``D + 1`` runs each, every step of a trajectory moving one parameter by a grid
step. Samples come from ``SALib.sample.morris`` and the statistics from
``SALib.analyze.morris`` (bootstrap intervals of ``mu_star``). Every row is one replication
of the batch engine; the ``D + 1`` rows of a trajectory share one replication seed (common
random numbers), so an elementary effect measures the parameter, not the noise, and a
parameter that changes nothing has ``mu_star`` of exactly 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.sobol import DEFAULT_NAMES, model_function, world_arguments, world_from
from sim.params import ParameterError, Params, parameter_space
from sim.world import WorldSpec


@dataclass(frozen=True)
class MorrisResult:
    """Morris statistics of one outcome over one parameter space.

    Attributes:
        outcome: the outcome analysed.
        indices: one row per parameter: ``mu_star`` (mean absolute elementary effect, in the
            outcome's unit per unit of the parameter's range), ``mu_star_conf`` (half-width of
            its ``conf_level`` bootstrap interval), ``mu`` (mean effect: its sign) and ``sigma``
            (spread of the effects: interactions or non-linearity).
        trajectories: r, the number of trajectories.
        evaluations: model runs, r * (D + 1).
        num_levels: grid levels per parameter.
        seconds: wall time of sampling, simulation and analysis.
    """

    outcome: str
    indices: pd.DataFrame
    trajectories: int
    evaluations: int
    num_levels: int
    conf_level: float
    seconds: float = float("nan")

    def summary(self) -> str:
        """The statistics as a fixed-width table, largest ``mu_star`` first."""
        table = self.indices.sort_values("mu_star", ascending=False).round(4).to_string()
        return (f"Morris screening of {self.outcome} (r={self.trajectories}, {self.evaluations} runs, "
                f"{self.num_levels} levels)\n{table}")


def morris_indices(
    problem: dict[str, Any],
    evaluate: Callable[[np.ndarray], np.ndarray],
    *,
    trajectories: int = 20,
    num_levels: int = 4,
    seed: int = 0,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    outcome: str = "y",
) -> MorrisResult:
    """Morris elementary-effect statistics of ``evaluate`` over ``problem``.

    Args:
        problem: SALib problem dict (``names``, ``bounds``, ``num_vars``).
        evaluate: maps the sample matrix ``(r * (D + 1), D)`` to outcomes ``(r * (D + 1),)``.
        trajectories: r, the number of trajectories.
        num_levels: grid levels per parameter (even; 4 is Morris's usual choice).
        seed: seed of the trajectories and of the bootstrap.
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    if trajectories < 2:
        raise ValueError(f"trajectories must be >= 2, got {trajectories}")
    if num_levels < 2 or num_levels % 2:
        raise ValueError(f"num_levels must be an even number >= 2, got {num_levels}")
    start = time.perf_counter()
    X = sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    Y = np.asarray(evaluate(X), dtype=float)
    if Y.shape != (X.shape[0],):
        raise ValueError(f"evaluate returned shape {Y.shape}; expected ({X.shape[0]},)")
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"outcome {outcome!r} is not finite for {int(np.sum(~np.isfinite(Y)))} sample rows")
    res = analyze.analyze(problem, X, Y, num_resamples=num_resamples, conf_level=conf_level, num_levels=num_levels,
                          seed=seed)
    indices = pd.DataFrame({k: np.asarray(res[k], dtype=float) for k in ("mu_star", "mu_star_conf", "mu", "sigma")},
                           index=pd.Index(problem["names"], name="parameter"))
    return MorrisResult(outcome=outcome, indices=indices, trajectories=trajectories, evaluations=int(X.shape[0]),
                        num_levels=num_levels, conf_level=conf_level, seconds=time.perf_counter() - start)


def model_morris(
    spec: WorldSpec | None = None,
    outcome: str = "trust_chn_prk",
    names: Sequence[str] | None = None,
    *,
    trajectories: int = 20,
    num_levels: int = 4,
    seed: int = 0,
    params: Params | None = None,
    num_resamples: int = 200,
    conf_level: float = 0.95,
) -> MorrisResult:
    """Morris screening of ``outcome`` (last month) over parameters ``names`` within their
    bounds, simulated with the batch engine (``trajectories * (len(names) + 1)`` replications;
    the rows of a trajectory share a replication seed)."""
    names = list(names or DEFAULT_NAMES)
    problem = parameter_space(names)
    spec = spec or WorldSpec()
    f = model_function(spec, outcome, names, seed=seed, params=params, block=len(names) + 1)
    return morris_indices(problem, f, trajectories=trajectories, num_levels=num_levels, seed=seed,
                          num_resamples=num_resamples, conf_level=conf_level, outcome=outcome)


def main(argv: list[str] | None = None, prog: str = "trisim sensitivity --method morris") -> int:
    """Morris screening of one outcome, as CSV."""
    from sim.registry import UnknownNameError

    ap = argparse.ArgumentParser(prog=prog, description="Morris screening of a model outcome over parameter bounds.")
    world_arguments(ap)
    ap.add_argument("-r", "--trajectories", type=int, default=20, help="number of trajectories")
    ap.add_argument("--levels", type=int, default=4, help="grid levels per parameter (even)")
    ap.add_argument("--out", type=Path, default=Path("morris"), help="output folder")
    args = ap.parse_args(argv)
    try:
        spec, names = world_from(args)
        result = model_morris(spec, args.outcome, names, trajectories=args.trajectories, num_levels=args.levels,
                              seed=args.seed)
    except (ParameterError, UnknownNameError, ValueError) as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2
    from sim.results import atomic_write_bytes

    path = atomic_write_bytes(args.out / f"morris_{args.outcome}.csv", result.indices.to_csv().encode())
    print(result.summary())
    print(f"{result.seconds:.1f} s; wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

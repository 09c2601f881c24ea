"""Global sensitivity analysis: Sobol' first-order, second-order and total indices of a model outcome.

The parameter space is plain data (:func:`sim.params.parameter_space`, SALib's problem format).
Samples come from SALib's Sobol' sequence design (``SALib.sample.sobol``: Saltelli's scheme
on a scrambled Sobol' sequence) and the indices from ``SALib.analyze.sobol`` with bootstrap
confidence intervals. Every sample row is one replication of the batch engine, run with that
row's parameters: all rows are simulated in one call, as per-replication parameter arrays.

Noise: the rows of one Saltelli block share one replication seed (common random numbers). A
block is a base row A, the D rows that swap one column in from B, and B (D + 2 rows); with
second-order indices also the D rows that swap one column in from A into B (2D + 2 rows).
The block size follows the design that is evaluated (SALib's ``ProblemSpec`` samples second
order by default). A parameter that changes nothing then has first-order and total indices of
exactly 0, and the stochastic part of the outcome is not credited to any parameter: it only
enlarges the output variance the indices divide by.

References: Sobol' (2001), Saltelli et al. (2010), Jansen (1999) estimators as implemented
in SALib 1.6 (Herman and Usher 2017; Iwanaga, Usher and Herman 2022).
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
from matplotlib.figure import Figure

from sim.analysis.figures import save_figure, styled
from sim.analysis.labels import COLUMN_WIDTH, outcome_label
from sim.engine import simulate
from sim.outcomes import CATEGORICAL
from sim.params import ParameterError, Params, Switches, parameter_space
from sim.world import WorldSpec

#: Parameters a model-wide analysis varies by default: the ones the analysts' views bear on.
DEFAULT_NAMES = (
    "value_chn", "value_rus", "war_value_rus", "cost_chn", "cost_rus", "reliability_chn",
    "reliability_rus", "reliability_prk", "trust_rate", "jealousy", "betrayal_rate", "tech_threshold",
)


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices of one outcome over one parameter space.

    Attributes:
        outcome: the outcome analysed (a column name, or a label for a test function).
        indices: one row per parameter; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
            (``*_conf``: half-width of the ``conf_level`` bootstrap interval).
        base_samples: N, the Sobol' base sample size (a power of 2).
        evaluations: model runs, N * (D + 2), or N * (2D + 2) with second-order indices.
        variance: variance of the outcome over all runs.
        conf_level: confidence level of the intervals.
        seconds: wall time of sampling, simulation and analysis.
    """

    outcome: str
    indices: pd.DataFrame
    base_samples: int
    evaluations: int
    variance: float
    conf_level: float
    seconds: float = float("nan")
    #: second-order indices, one row per pair of parameters (``S2``, ``S2_conf``), or None
    second_order: pd.DataFrame | None = None

    def summary(self) -> str:
        """The indices as a fixed-width table, largest total index first."""
        table = self.indices.sort_values("ST", ascending=False).round(3).to_string()
        text = (f"Sobol indices of {self.outcome} (N={self.base_samples}, {self.evaluations} runs, "
                f"{self.conf_level:.0%} intervals)\n{table}")
        if self.second_order is not None:
            top = self.second_order.sort_values("S2", ascending=False).head(10).round(3).to_string()
            text += f"\nlargest second-order indices\n{top}"
        return text


def block_size(rows: int, d: int, calc_second_order: bool | None = None) -> int:
    """Rows per Saltelli block of a Sobol' design of ``rows`` rows over ``d`` parameters: D + 2
    (first order and total) or 2D + 2 (also second order); ``None`` infers it from ``rows``
    (only one of the two gives a power-of-2 base sample)."""
    sizes = [d + 2, 2 * d + 2] if calc_second_order is None else [2 * d + 2 if calc_second_order else d + 2]
    fits = [b for b in sizes if rows % b == 0 and _power_of_2(rows // b)]
    if not fits:
        wanted = " or ".join(f"N * {b}" for b in sizes)
        raise ValueError(f"a Sobol' design over {d} parameters has {wanted} rows (N a power of 2), not {rows}")
    return fits[0]


def _power_of_2(n: int) -> bool:
    return n >= 1 and not n & (n - 1)


def sobol_indices(
    problem: dict[str, Any],
    evaluate: Callable[[np.ndarray], np.ndarray],
    *,
    n: int = 1024,
    seed: int = 0,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    outcome: str = "y",
    calc_second_order: bool = False,
) -> SobolResult:
    """First-order and total (and, if asked, second-order) Sobol' indices of ``evaluate``.

    Args:
        problem: SALib problem dict (``names``, ``bounds``, ``num_vars``).
        evaluate: maps the sample matrix ``(N * B, D)`` to outcomes ``(N * B,)``, where the
            block size B is D + 2, or 2D + 2 with ``calc_second_order``.
        n: base sample size N, a power of 2.
        seed: seed of the scrambled Sobol' sequence and of the bootstrap.
        num_resamples: bootstrap resamples of the confidence intervals.
        conf_level: confidence level of the intervals.
        outcome: name of the outcome, for labels.
        calc_second_order: also estimate the second-order indices (2D + 2 rows per block).
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    if n < 2 or n & (n - 1):
        raise ValueError(f"n (the Sobol base sample size) must be a power of 2 >= 2, got {n}")
    start = time.perf_counter()
    X = sample.sample(problem, n, calc_second_order=calc_second_order, seed=seed)
    Y = np.asarray(evaluate(X), dtype=float)
    if Y.shape != (X.shape[0],):
        raise ValueError(f"evaluate returned shape {Y.shape}; expected ({X.shape[0]},)")
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"outcome {outcome!r} is not finite for {int(np.sum(~np.isfinite(Y)))} sample rows")
    variance = float(np.var(Y))
    if variance == 0:
        raise ValueError(f"outcome {outcome!r} is {Y[0]:g} for every sampled parameter set; no variance to divide")
    res = analyze.analyze(problem, Y, calc_second_order=calc_second_order, num_resamples=num_resamples,
                          conf_level=conf_level, seed=seed)
    names = list(problem["names"])
    indices = pd.DataFrame({k: np.asarray(res[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")},
                           index=pd.Index(names, name="parameter"))
    second = None
    if calc_second_order:
        pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
        second = pd.DataFrame({"S2": [float(res["S2"][i, j]) for i, j in pairs],
                               "S2_conf": [float(res["S2_conf"][i, j]) for i, j in pairs]},
                              index=pd.MultiIndex.from_tuples([(names[i], names[j]) for i, j in pairs],
                                                              names=["parameter", "other"]))
    return SobolResult(outcome=outcome, indices=indices, base_samples=n, evaluations=int(X.shape[0]),
                       variance=variance, conf_level=conf_level, seconds=time.perf_counter() - start,
                       second_order=second)


def model_function(
    spec: WorldSpec,
    outcome: str,
    names: Sequence[str],
    *,
    seed: int = 0,
    params: Params | None = None,
    common_noise: bool = True,
    calc_second_order: bool | None = None,
    block: int | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """The model as a function of parameter rows: row i of ``X`` sets ``names`` (other
    parameters from ``params``) for one replication of ``spec``; returns ``outcome`` at the
    last month, one value per row (booleans as 0/1).

    With ``common_noise`` the rows of one block of the design share a replication seed;
    otherwise every row has its own. A block is a Saltelli block (D + 2 rows, or 2D + 2 with
    ``calc_second_order``; ``None`` infers which from the design's size, see
    :func:`block_size`), or ``block`` consecutive rows if given (a Morris trajectory: D + 1).
    """
    names = list(names)
    if outcome in CATEGORICAL:
        raise ValueError(f"outcome {outcome!r} is categorical; choose a numeric or boolean outcome")
    base = params or Params()

    def evaluate(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(names):
            raise ValueError(f"the design has shape {X.shape}; expected (rows, {len(names)}) for {', '.join(names)}")
        rows = np.arange(X.shape[0])
        size = block or block_size(X.shape[0], len(names), calc_second_order)
        if X.shape[0] % size:
            raise ValueError(f"the design has {X.shape[0]} rows, not a multiple of its block of {size}")
        ids = rows // size if common_noise else rows
        p = Params.with_overrides({name: X[:, i] for i, name in enumerate(names)}, base=base)
        frame = simulate(spec, params=p, replication_ids=ids, seed=seed, record="final")
        if outcome not in frame.columns:
            raise ValueError(f"unknown outcome {outcome!r}; outcomes: {', '.join(frame.columns[6:])}")
        return frame[outcome].to_numpy(dtype=float)

    return evaluate


def model_sobol(
    spec: WorldSpec | None = None,
    outcome: str = "trust_chn_prk",
    names: Sequence[str] | None = None,
    *,
    n: int = 256,
    seed: int = 0,
    params: Params | None = None,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    calc_second_order: bool = False,
) -> SobolResult:
    """Sobol' indices of ``outcome`` (last month) over parameters ``names`` within their bounds,
    simulated with the batch engine (``n * (len(names) + 2)`` replications, or
    ``n * (2 * len(names) + 2)`` with second-order indices).

    Args:
        spec: strategy, scenario, policies, months and switches of the runs.
        outcome: numeric or boolean outcome column (e.g. ``trust_chn_prk``, ``tech_transferred``).
        names: parameters to vary over their bounds (default :data:`DEFAULT_NAMES`); the
            others stay at ``params``.
        n: base sample size, a power of 2.
        seed: seeds the sample, the bootstrap and the model's noise.
        params: values of the parameters that are not varied (default: :class:`Params`).
        calc_second_order: also estimate second-order indices.
    """
    names = list(names or DEFAULT_NAMES)
    problem = parameter_space(names)
    spec = spec or WorldSpec()
    f = model_function(spec, outcome, names, seed=seed, params=params, calc_second_order=calc_second_order)
    return sobol_indices(problem, f, n=n, seed=seed, num_resamples=num_resamples, conf_level=conf_level,
                         outcome=outcome, calc_second_order=calc_second_order)


@styled
def sobol_figure(result: SobolResult, *, title: str | None = None, width: float = COLUMN_WIDTH) -> Figure:
    """First-order (filled circle) and total (open square) Sobol' indices with their
    confidence intervals, one row per parameter, largest total index on top."""
    ind = result.indices.sort_values("ST", ascending=True)
    fig = Figure(figsize=(width, 0.9 + 0.22 * len(ind)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(ind))
    ax.errorbar(ind["ST"], y + 0.15, xerr=ind["ST_conf"], fmt="s", markersize=3.5, mfc="white", mec="black",
                ecolor="0.45", elinewidth=0.8, capsize=1.5, color="black", label="total effect $S_T$")
    ax.errorbar(ind["S1"], y - 0.15, xerr=ind["S1_conf"], fmt="o", markersize=3.5, color="black",
                ecolor="0.45", elinewidth=0.8, capsize=1.5, label="first order $S_1$")
    ax.axvline(0, color="0.6", linewidth=0.6)
    ax.set_yticks(y, list(ind.index))
    ax.set_xlabel(f"Sobol index (share of output variance; bars: {result.conf_level:.0%} CI)")
    ax.grid(axis="x", linewidth=0.3, alpha=0.5)
    ax.set_xlim(min(-0.05, float((ind["S1"] - ind["S1_conf"]).min()) - 0.02),
                max(1.0, float((ind["ST"] + ind["ST_conf"]).max()) + 0.02))
    ax.legend(loc="lower right", handletextpad=0.3)
    label = outcome_label(result.outcome) if result.outcome else "y"
    ax.set_title(title or f"{label}\nN = {result.base_samples}, {result.evaluations} runs")
    return fig


def world_arguments(ap: argparse.ArgumentParser) -> None:
    """The command-line options of a sensitivity analysis that set the world and the outcome."""
    ap.add_argument("--outcome", default="trust_chn_prk", help="numeric or boolean outcome column")
    ap.add_argument("--params", default=",".join(DEFAULT_NAMES), help="comma-separated parameters to vary")
    ap.add_argument("--strategy", default="balancing")
    ap.add_argument("--scenario", default="status_quo_2024")
    ap.add_argument("--us-policy", default="pressure")
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--off", default="", help="comma-separated mechanisms to switch off (see Switches)")
    ap.add_argument("--seed", type=int, default=0)


def world_from(args: argparse.Namespace) -> tuple[WorldSpec, list[str]]:
    """The world and the parameters to vary that :func:`world_arguments` options name
    (unknown names raise :class:`ParameterError` or ``UnknownNameError``)."""
    off = [s for s in args.off.split(",") if s]
    bad = sorted(set(off) - set(Switches.names()))
    if bad:
        raise ParameterError(f"unknown mechanism {bad[0]!r}; known mechanisms: {', '.join(Switches.names())}")
    spec = WorldSpec(strategy=args.strategy, scenario=args.scenario, us_policy=args.us_policy,
                     months=args.months, switches=Switches(**dict.fromkeys(off, False)))
    spec.build()
    return spec, [s for s in args.params.split(",") if s]


def main(argv: list[str] | None = None, prog: str = "trisim sobol") -> int:
    """``trisim sobol``: Sobol' indices of one outcome, as CSV and figure."""
    from sim.registry import UnknownNameError

    ap = argparse.ArgumentParser(prog=prog, description="Sobol' indices of a model outcome over parameter bounds.")
    world_arguments(ap)
    ap.add_argument("-n", "--samples", type=int, default=256, help="base sample size, a power of 2")
    ap.add_argument("--second-order", action="store_true", help="also estimate second-order indices")
    ap.add_argument("--out", type=Path, default=Path("sobol"), help="output folder")
    args = ap.parse_args(argv)
    try:
        spec, names = world_from(args)
        result = model_sobol(spec, args.outcome, names, n=args.samples, seed=args.seed,
                             calc_second_order=args.second_order)
    except (ParameterError, UnknownNameError, ValueError) as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2
    from sim.results import atomic_write_bytes

    stem = args.out / f"sobol_{args.outcome}"
    atomic_write_bytes(stem.with_suffix(".csv"), result.indices.to_csv().encode())
    written = [stem.with_suffix(".csv")]
    if result.second_order is not None:
        written.append(atomic_write_bytes(args.out / f"sobol2_{args.outcome}.csv",
                                          result.second_order.to_csv().encode()))
    title = (f"{outcome_label(args.outcome)}\n{args.strategy}, {args.scenario}, {args.us_policy}; "
             f"N = {result.base_samples}, {result.evaluations} runs")
    written += save_figure(sobol_figure(result, title=title), stem)
    print(result.summary())
    print(f"{result.seconds:.1f} s; wrote " + ", ".join(map(str, written)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

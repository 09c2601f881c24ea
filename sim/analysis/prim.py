"""Scenario discovery: which input ranges make an outcome likely (PRIM).

The Patient Rule Induction Method (Friedman and Fisher 1999; Bryant and Lempert 2010 for
scenario discovery) peels a box off the input space, step by step, trading *coverage* (the
share of all cases of interest that fall in the box) for *density* (the share of the box's
runs that are cases of interest). The peeling itself is ema_workbench's implementation
(``ema_workbench.analysis.prim``); this module prepares the inputs, chooses a box on the
trajectory and reports and draws it.

Box choice: PRIM peels until the box holds ``mass_min`` of the runs, which over-fits. By
default the box with the best balance of the two, the largest harmonic mean of coverage
and density (the F1 score of the box as a classifier of cases of interest), is chosen;
``min_coverage`` instead picks the densest box that keeps at least that coverage.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.figures import final_rows, own_ticks, styled
from sim.analysis.labels import COLUMN_WIDTH, outcome_label
from sim.params import Params

#: Columns that are choices or scenario inputs of a sweep (levers and uncertainties).
SPEC_INPUTS = ("strategy", "scenario", "us_policy", "chn_policy", "rus_policy")
_PARAM_PREFIXES = ("", "param_", "params.", "param.")
_CONDITION = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<|==|!=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class PrimResult:
    """A box found by PRIM and the peeling trajectory it was chosen from.

    Attributes:
        outcome: the condition that defines a case of interest (e.g. ``autonomy_prk > 0.3``).
        limits: one row per restricted input: ``low`` and ``high`` (numeric inputs; inclusive)
            or ``values`` (categorical inputs: the levels kept), with the input's full range
            in ``range_low``/``range_high`` or ``all_values``.
        coverage: share of all cases of interest inside the box.
        density: share of the box's runs that are cases of interest.
        mass: share of all runs inside the box.
        base_rate: share of cases of interest among all runs (the density of the full space).
        trajectory: the peeling and pasting trajectory (``coverage``, ``density``, ``mass``,
            ``res_dim``: number of restricted inputs), one row per box.
        selected: row of ``trajectory`` that is the chosen box.
        n: number of runs.
    """

    outcome: str
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    trajectory: pd.DataFrame
    selected: int
    n: int

    def summary(self) -> str:
        """Box limits, coverage and density as text (what ``trisim report`` prints)."""
        lines = [f"PRIM box for '{self.outcome}' ({self.n} runs; {self.base_rate:.1%} are cases of interest)",
                 f"  box {self.selected} of {len(self.trajectory) - 1}: coverage {self.coverage:.3f}, "
                 f"density {self.density:.3f}, mass {self.mass:.3f}, {len(self.limits)} restricted input(s)"]
        for name, row in self.limits.iterrows():
            if isinstance(row.get("values"), (set, frozenset, list, tuple)):
                lines.append(f"  {name} in {{{', '.join(sorted(map(str, row['values'])))}}}")
            else:
                lines.append(f"  {_interval(name, row)}  (range {row['range_low']:.4g} to {row['range_high']:.4g})")
        if self.limits.empty:
            lines.append("  no restriction: no input range concentrates the cases of interest")
        return "\n".join(lines)


def _interval(name: str, row: pd.Series, digits: int = 4) -> str:
    """``a >= 0.6``, ``b <= 4`` or ``0.6 <= a <= 0.9``: only the sides the box restricts."""
    low, high = row["low"] > row["range_low"], row["high"] < row["range_high"]
    lo, hi = f"{row['low']:.{digits}g}", f"{row['high']:.{digits}g}"
    if low and not high:
        return f"{name} >= {lo}"
    if high and not low:
        return f"{name} <= {hi}"
    return f"{lo} <= {name} <= {hi}"


def prepare_inputs(x: pd.DataFrame) -> pd.DataFrame:
    """Inputs as PRIM needs them: numbers (ints and booleans) as float64 (ema_workbench 3.0
    with pandas 3 fails on int64 columns), text as categories; constant columns dropped."""
    out = {}
    for name in x.columns:
        col = x[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            col = col.astype("float64")
        else:
            col = col.astype(str).astype("category")
        if col.nunique(dropna=False) > 1:
            out[str(name)] = col.reset_index(drop=True)
    if not out:
        raise ValueError(f"no input varies across the runs (inputs: {', '.join(map(str, x.columns)) or 'none'})")
    return pd.DataFrame(out)


def discover(
    x: pd.DataFrame,
    y: Any,
    *,
    outcome: str = "y",
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    min_coverage: float | None = None,
) -> PrimResult:
    """Find the box of inputs ``x`` in which the cases of interest ``y`` concentrate.

    Args:
        x: one row per run, one column per input (numbers, booleans or categories).
        y: boolean per run: is the run a case of interest?
        outcome: description of the condition, for reports.
        mass_min: smallest share of runs a box may hold (where peeling stops).
        peel_alpha: share of runs peeled off per step.
        paste_alpha: share of runs pasted back per step.
        min_coverage: pick the densest box with at least this coverage instead of the
            largest F1 score.

    Returns:
        The chosen box, its statistics and the whole trajectory.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns on import about optional extras
        from ema_workbench.analysis import prim as ema_prim

    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"x has {len(x)} runs but y has {len(y)}")
    if y.all() or not y.any():
        raise ValueError(f"'{outcome}' is {'true' if y.all() else 'false'} in every one of the {len(y)} runs; "
                         "PRIM needs both cases and non-cases")
    xp = prepare_inputs(x)
    with warnings.catch_warnings():  # ema_workbench 3.0 uses pandas' deprecated inplace drop
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        p = ema_prim.Prim(xp, y, mass_min=mass_min, peel_alpha=peel_alpha, paste_alpha=paste_alpha)
        box = p.find_box()
    traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float).reset_index(drop=True)
    traj["res_dim"] = traj["res_dim"].astype(int)
    if min_coverage is None:
        f1 = 2 * traj["coverage"] * traj["density"] / (traj["coverage"] + traj["density"])
        i = int(f1.idxmax())
    else:
        ok = traj[traj["coverage"] >= min_coverage]
        if ok.empty:
            raise ValueError(f"no box keeps coverage >= {min_coverage}")
        i = int(ok["density"].idxmax())
    box.select(i)
    stats = traj.loc[i]
    return PrimResult(outcome=outcome, limits=_limits(box.box_lims[i], p.box_init), coverage=float(stats["coverage"]),
                      density=float(stats["density"]), mass=float(stats["mass"]), base_rate=float(y.mean()),
                      trajectory=traj, selected=i, n=len(y))


def _limits(box: pd.DataFrame, init: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for name in box.columns:
        lo, hi = box[name].iloc[0], box[name].iloc[1]
        ilo, ihi = init[name].iloc[0], init[name].iloc[1]
        if isinstance(lo, (set, frozenset)):
            if set(lo) != set(ilo):
                rows[name] = {"values": frozenset(lo), "all_values": frozenset(ilo)}
        elif lo > ilo or hi < ihi:
            rows[name] = {"low": float(lo), "high": float(hi), "range_low": float(ilo), "range_high": float(ihi)}
    cols = ["low", "high", "range_low", "range_high", "values", "all_values"]
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=cols)


def parse_condition(text: str) -> tuple[str, str | None, float | None]:
    """``"autonomy_prk > 0.3"`` -> ``("autonomy_prk", ">", 0.3)``; ``"tech_transferred"`` ->
    ``("tech_transferred", None, None)`` (a boolean outcome)."""
    if m := _CONDITION.match(text):
        return m[1], m[2], float(m[3])
    if re.fullmatch(r"\s*[A-Za-z_]\w*\s*", text):
        return text.strip(), None, None
    raise ValueError(f"cannot read condition {text!r}; write a boolean outcome (tech_transferred) "
                     "or '<outcome> <op> <number>' with op one of > >= < <= == !=")


def cases(frame: pd.DataFrame, condition: str) -> pd.Series:
    """Which rows satisfy ``condition`` (see :func:`parse_condition`)."""
    name, op, value = parse_condition(condition)
    if name not in frame.columns:
        raise ValueError(f"unknown outcome {name!r} in condition {condition!r}")
    col = frame[name]
    if op is None:
        if not pd.api.types.is_bool_dtype(col):
            raise ValueError(f"{name!r} is not boolean; give a threshold, e.g. '{name} > {col.median():.3g}'")
        return col.astype(bool)
    ops = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal, "==": np.equal,
           "!=": np.not_equal}
    return pd.Series(ops[op](col.astype(float).to_numpy(), value), index=frame.index)


def input_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of a result table that are inputs of a sweep: the named choices and scenario
    (strategy, scenario, policies) and parameters (``<name>`` or ``param_<name>``)."""
    names = set(Params.names())
    out = [c for c in SPEC_INPUTS if c in frame.columns]
    for c in frame.columns:
        for prefix in _PARAM_PREFIXES:
            if c.startswith(prefix) and c[len(prefix):] in names and c not in out:
                out.append(c)
    return out


def sweep_discovery(frame: pd.DataFrame, condition: str = "tech_transferred", *, inputs: list[str] | None = None,
                    month: int | None = None, **kwargs: Any) -> PrimResult:
    """PRIM over a sweep's inputs (see :func:`input_columns`) for a condition on its outcomes,
    using each run's last month (or ``month``)."""
    data = final_rows(frame, month)
    inputs = inputs or input_columns(data)
    if not inputs:
        raise ValueError("the table has no input columns (strategy, scenario, us_policy, parameters)")
    return discover(data[inputs], cases(data, condition).to_numpy(), outcome=condition.strip(), **kwargs)


@styled
def peeling_figure(result: PrimResult, *, width: float = COLUMN_WIDTH) -> Figure:
    """Top: the peeling trajectory, density against coverage, one point per box coloured by
    the number of restricted inputs, the chosen box ringed. Bottom: the chosen box's limits
    on each restricted input, as a share of the input's range (categorical inputs: the
    levels kept)."""
    traj = result.trajectory
    n_lim = max(len(result.limits), 1)
    fig = Figure(figsize=(width, 2.5 + 0.28 * n_lim), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[2.3, 0.35 + 0.28 * n_lim])
    dims = traj["res_dim"].to_numpy()
    levels = np.arange(dims.min(), dims.max() + 2) - 0.5
    cmap = mpl.colormaps["viridis"].resampled(len(levels) - 1)
    norm = mpl.colors.BoundaryNorm(levels, cmap.N)
    sc = top.scatter(traj["coverage"], traj["density"], c=dims, cmap=cmap, norm=norm, s=9, linewidths=0)
    top.plot(traj["coverage"], traj["density"], color="0.7", linewidth=0.5, zorder=0)
    top.scatter([result.coverage], [result.density], s=60, facecolors="none", edgecolors="black", linewidths=1.0,
                label=f"chosen box {result.selected}")
    top.axhline(result.base_rate, color="0.5", linestyle=":", linewidth=0.8, label="density of all runs")
    top.set_xlabel("coverage (box's share of all cases)")
    top.set_ylabel("density (cases' share of the box)")
    top.set_xlim(-0.02, 1.02)
    top.set_ylim(0, 1.02)
    top.grid(linewidth=0.3, alpha=0.5)
    top.legend(loc="lower left")
    cb = fig.colorbar(sc, ax=top, ticks=np.arange(dims.min(), dims.max() + 1), aspect=20, pad=0.01)
    cb.set_label("restricted inputs")
    top.set_title(f"PRIM: {_title(result.outcome)}")
    _draw_limits(bottom, result)
    return fig


def _draw_limits(ax: Any, result: PrimResult) -> None:
    lim = result.limits
    if lim.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no input restricted", ha="center", va="center", transform=ax.transAxes)
        return
    for k, (_name, row) in enumerate(lim.iterrows()):
        if isinstance(row.get("values"), (set, frozenset)):
            ax.barh(k, 1, color="0.85", height=0.6)
            ax.text(0.5, k, "{" + ", ".join(sorted(map(str, row["values"]))) + "}", ha="center", va="center",
                    fontsize=6.5)
            continue
        span = row["range_high"] - row["range_low"]
        lo, hi = (row["low"] - row["range_low"]) / span, (row["high"] - row["range_low"]) / span
        ax.barh(k, 1, color="0.9", height=0.6)
        ax.barh(k, hi - lo, left=lo, color="#0173b2", height=0.6)
    labels = [str(name) if isinstance(row.get("values"), (set, frozenset)) else _interval(str(name), row, 3)
              for name, row in lim.iterrows()]
    ax.set_yticks(range(len(lim)), labels)
    ax.set_xlim(0, 1)
    ax.set_ylim(len(lim) - 0.5, -0.5)
    numeric = lim["values"].isna().any()
    ax.set_xticks([0, 1], ["input's\nlowest", "input's\nhighest"] if numeric else ["", ""])
    if not numeric:
        ax.spines["bottom"].set_visible(False)
    own_ticks(ax, axis="y", length=0)
    if not numeric:
        own_ticks(ax, axis="x", length=0)
    ax.set_xlabel(f"chosen box: coverage {result.coverage:.2f}, density {result.density:.2f}", labelpad=2)
    ax.spines["left"].set_visible(False)


def box_outcome_label(condition: str) -> str:
    """A readable form of a condition: ``autonomy_prk > 0.3`` -> ``PRK autonomy > 0.3``."""
    name, op, value = parse_condition(condition)
    return outcome_label(name, unit=False) + (f" {op} {value:g}" if op else "")


def _title(condition: str) -> str:
    try:
        return box_outcome_label(condition)
    except ValueError:
        return condition

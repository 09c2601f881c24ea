"""Publication figures of outcome distributions, drawn from the tidy outcome table.

Every function takes the long-form table that :func:`sim.engine.simulate` returns (one row per
replication, or per replication and month with ``record="steps"``; several strategies,
scenarios or runs may be concatenated) and returns a :class:`matplotlib.figure.Figure`. Figures
are built without pyplot, so nothing is shown and nothing global is left behind; save them with
:func:`save_figure`. Strategies keep the colours of :func:`sim.plots.strategy_palette` in every
figure, panels are sized to stay readable at one journal column (89 mm) and palettes are
colour-blind safe.

Facets: columns are the values of ``col`` (default ``"scenario"``; the report uses a column
that joins scenario and US policy when both vary), rows are outcomes or strategies.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.actors import ACTORS
from sim.analysis.labels import (
    COLUMN_WIDTH,
    FULL_WIDTH,
    STYLE,
    actor_name,
    ordered,
    outcome_label,
    scenario_label,
    scenario_order,
    strategy_label,
    strategy_order,
)
from sim.outcomes import CATEGORICAL
from sim.plots import strategy_palette
from sim.results import atomic_write_bytes
from sim.triangle import TRIANGLE_LABELS

#: Columns that identify one simulated run (whichever of them the table has).
RUN_KEYS = ("source", "strategy", "scenario", "us_policy", "seed", "replication")

#: Readable names of the triangle types (Dittmer 1981; ``sim/triangle.py``).
CATEGORY_LABELS = TRIANGLE_LABELS

#: Default outcomes of the distribution figure: the quantities the seeds' analysts argue about.
DISTRIBUTION_OUTCOMES = ("autonomy_prk", "aid_total_prk", "trust_chn_prk", "food_coverage")

#: Donor colours of the aid figure (not strategy colours: its panels already are strategies).
DONOR_COLOURS = {"chn": "#ca9161", "rus": "#56b4e9", "usa": "#949494"}


class FigureDataError(ValueError):
    """The table lacks what a figure needs (a column, per-month rows, a strategy)."""


def styled(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure under :data:`STYLE`; tick sizes are fixed explicitly because
    matplotlib creates tick labels lazily, after the style context has closed."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(STYLE):
            fig = fn(*args, **kwargs)
        for ax in fig.axes:
            ax.tick_params(labelsize=STYLE["xtick.labelsize"])
            if not getattr(ax, "trisim_own_ticks", False):
                ax.tick_params(width=STYLE["xtick.major.width"], length=STYLE["xtick.major.size"])
        return fig

    return wrapper


def own_ticks(ax: Any, **tick_params: Any) -> None:
    """Tick settings of ``ax`` that :func:`styled` must keep (e.g. no tick marks on a heatmap)."""
    ax.tick_params(**tick_params)
    ax.trisim_own_ticks = True


def require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`FigureDataError` naming the columns ``what`` needs that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FigureDataError(f"{what} needs column(s) {', '.join(missing)}; the table has: "
                              f"{', '.join(map(str, frame.columns[:12]))}{' ...' if frame.shape[1] > 12 else ''}")
    if frame.empty:
        raise FigureDataError(f"{what}: the table is empty")


def final_rows(frame: pd.DataFrame, month: int | None = None) -> pd.DataFrame:
    """The rows of ``month``, or each run's last month (a table without ``month`` is final)."""
    if "month" not in frame.columns:
        return frame
    if month is not None:
        out = frame[frame["month"] == month]
        if out.empty:
            raise FigureDataError(f"no rows at month {month}; months in the table: "
                                  f"{int(frame['month'].min())}-{int(frame['month'].max())}")
        return out
    keys = run_keys(frame)
    if not keys:
        return frame[frame["month"] == frame["month"].max()]
    last = frame.groupby(keys, observed=True, sort=False)["month"].transform("max")
    return frame[frame["month"] == last]


def run_keys(frame: pd.DataFrame) -> list[str]:
    """The columns that identify a run: ``run_key`` (report), ``run_id`` (sweep jobs) or the
    inputs plus replication (a table straight from :func:`sim.engine.simulate`)."""
    for key in ("run_key", "run_id"):
        if key in frame.columns:
            return [k for k in ("source", key) if k in frame.columns]
    return [k for k in RUN_KEYS if k in frame.columns]


def facet_values(frame: pd.DataFrame, col: str | None) -> list[str]:
    """The facet keys of column ``col`` in a stable order: a categorical column's order,
    registry order for scenarios, else sorted."""
    if col is None or col not in frame.columns:
        return [""]
    if isinstance(frame[col].dtype, pd.CategoricalDtype):
        present = set(frame[col].dropna().astype(str))
        return [str(c) for c in frame[col].cat.categories if str(c) in present]
    if col == "scenario":
        return scenario_order(frame[col])
    return ordered(frame[col])


def facet_rows(frame: pd.DataFrame, col: str | None, key: str) -> pd.DataFrame:
    if col is None or col not in frame.columns:
        return frame
    return frame[frame[col].astype(str) == key]


def facet_title(col: str | None, key: str) -> str:
    return scenario_label(key) if col in ("scenario", "us_policy") else key


def _strategies(frame: pd.DataFrame, what: str) -> list[str]:
    require(frame, ["strategy"], what)
    return strategy_order(frame["strategy"])


def _numeric(frame: pd.DataFrame, outcome: str, what: str) -> None:
    if outcome in CATEGORICAL or isinstance(frame[outcome].dtype, pd.CategoricalDtype):
        raise FigureDataError(f"{what}: {outcome!r} is categorical; use frequencies() for it")


def _steps(frame: pd.DataFrame, what: str) -> None:
    require(frame, ["month"], what)
    if frame["month"].nunique() < 2:
        raise FigureDataError(f"{what} needs one row per month (simulate with record='steps'); "
                              f"the table has only month {int(frame['month'].iloc[0])}")


def caption(fig: Figure, text: str) -> Figure:
    """Say what was run under the figure's title (or as its title if it has none): the
    scenario, policy, calibration and settings its runs share (see ``trisim report``)."""
    if not text:
        return fig
    title = fig.get_suptitle()
    top = [leg for leg in fig.legends if getattr(leg, "trisim_top", False)]
    if title:
        fig.suptitle(f"{title}\n{text}", fontsize=STYLE["figure.titlesize"])
    elif top:  # a title would overlap a legend above the panels: head the legend instead
        old = top[0].get_title().get_text()
        top[0].set_title(f"{text}\n{old}" if old else text)
    else:
        fig.suptitle(text, fontsize=STYLE["figure.titlesize"])
    return fig


def top_legend(fig: Figure, **kwargs: Any) -> Any:
    """A legend above the panels (``loc="outside upper center"``), marked so that
    :func:`caption` heads it rather than overlap it with a title."""
    legend = fig.legend(loc="outside upper center", **kwargs)
    legend.trisim_top = True
    return legend


def calendar(start: str | None) -> pd.Period | None:
    """The calendar month of month 0, from ``"2018-01"`` (None: no calendar)."""
    if start is None:
        return None
    try:
        return pd.Period(str(start), freq="M")
    except ValueError:
        raise ValueError(f"start must be a calendar month such as '2018-01', got {start!r}") from None


def month_axis(fig: Figure, axes: Any, start: str | None) -> None:
    """The shared time axis: months of simulation, or calendar months when ``start`` (month 0)
    is given, ticks on each January (every second one past ten years)."""
    origin = calendar(start)
    ax = axes.flat[0]
    last = max(line_end(a) for a in axes.flat)
    step = 12 if last <= 72 else 24 if last <= 240 else 60
    if origin is None:  # whole years of months, not matplotlib's 25, 50, 75
        ax.xaxis.set_major_locator(mpl.ticker.MultipleLocator(step))
        fig.supxlabel("month of simulation", fontsize=STYLE["axes.labelsize"])
        return
    step = 12 if last <= 120 else 24
    ax.xaxis.set_major_locator(mpl.ticker.MultipleLocator(step, offset=(13 - origin.month) % 12))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda t, _: (origin + round(t)).strftime("%b %Y" if origin.month != 1 else "%Y")))
    fig.supxlabel(f"calendar month (month 0 = {origin.strftime('%B %Y')})", fontsize=STYLE["axes.labelsize"])


def line_end(ax: Any) -> float:
    """The last month an axis shows."""
    return float(ax.get_xlim()[1])


def _strategy_legend(fig: Figure, order: list[str], kind: str = "patch", ncol: int | None = None,
                     loc: str = "outside upper center") -> None:
    pal = strategy_palette()
    if kind == "line":
        handles = [mpl.lines.Line2D([], [], color=pal.get(s, "0.4"), label=strategy_label(s)) for s in order]
    else:
        handles = [Patch(facecolor=pal.get(s, "0.4"), edgecolor="none", label=strategy_label(s)) for s in order]
    kwargs = {"handles": handles, "ncol": ncol or min(len(order), 5), "title": "PRK strategy", "handlelength": 1.4,
              "columnspacing": 1.0}
    if loc == "outside upper center":
        top_legend(fig, **kwargs)
    else:
        fig.legend(loc=loc, **kwargs)


def _strategy_grid(rows: int, ncol: int, width: float | None, base: float, per_row: float) -> tuple[Figure, Any]:
    """A figure of one row of panels per strategy and one column per facet, sharing both axes:
    one column wide for up to two facets, full page for more (unless ``width`` is given),
    ``base + per_row * rows`` inches high."""
    width = width or (COLUMN_WIDTH if ncol <= 2 else FULL_WIDTH)
    fig = Figure(figsize=(width, base + per_row * rows), layout="constrained")
    return fig, fig.subplots(rows, ncol, sharex=True, sharey=True, squeeze=False)


def _row_label(ax: Any, text: str, colour: Any) -> None:
    """A facet row's name, right of its last panel, in the row's (strategy) colour."""
    ax.annotate(text, xy=(1.03, 0.5), xycoords="axes fraction", rotation=270, ha="left", va="center",
                color=colour, fontweight="bold", fontsize=STYLE["legend.fontsize"])


# --------------------------------------------------------------------------------------------
# outcome distributions
# --------------------------------------------------------------------------------------------


@styled
def distributions(
    frame: pd.DataFrame,
    outcomes: str | Sequence[str] = DISTRIBUTION_OUTCOMES,
    *,
    kind: str = "violin",
    col: str | None = "scenario",
    month: int | None = None,
    width: float | None = None,
) -> Figure:
    """Distributions of outcomes across runs, one row of panels per outcome, one column per
    scenario, one violin (box, or ECDF curve) per PRK strategy.

    Args:
        frame: tidy outcome table; with per-month rows, each run's last month is used
            unless ``month`` is given.
        outcomes: outcome column(s), numeric (booleans count as 0/1).
        kind: ``"violin"`` (quartiles inside), ``"box"`` or ``"ecdf"``.
        col: column whose values are the facet columns (``None``: one column).
        month: the month to show instead of each run's last.
        width: figure width in inches (default: one column, or full page for 3+ facets).

    Returns:
        The figure; ``fig.axes`` are the panels, row by row.
    """
    if kind not in ("violin", "box", "ecdf"):
        raise ValueError(f"kind must be one of violin, box, ecdf; got {kind!r}")
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    require(frame, [*outcomes, "strategy"], "distributions")
    for o in outcomes:
        _numeric(frame, o, "distributions")
    data = final_rows(frame, month)
    order = _strategies(data, "distributions")
    keys = facet_values(data, col)
    pal = {s: strategy_palette().get(s, "0.4") for s in order}
    ncol = len(keys)
    width = width or (COLUMN_WIDTH if ncol <= 2 else FULL_WIDTH)
    panel_h = 0.5 + 0.2 * len(order) if kind != "ecdf" else 1.45
    fig = Figure(figsize=(width, 0.45 + panel_h * len(outcomes) + (0.35 if kind == "ecdf" else 0)),
                 layout="constrained")
    rows = fig.subfigures(len(outcomes), 1, squeeze=False)[:, 0]
    constant = False
    for r, (sub, outcome) in enumerate(zip(rows, outcomes)):
        axes = sub.subplots(1, ncol, sharex=True, sharey=True, squeeze=False)[0]
        for c, (ax, key) in enumerate(zip(axes, keys)):
            d = facet_rows(data, col, key)
            d = d.assign(**{outcome: d[outcome].astype(float), "strategy": d["strategy"].astype(str)})
            if kind == "violin":
                sns.violinplot(data=d, x=outcome, y="strategy", hue="strategy", order=order, hue_order=order,
                               palette=pal, saturation=1, cut=0, inner="quart", density_norm="width", linewidth=0.6,
                               inner_kws={"linewidth": 0.5}, legend=False, ax=ax)
            elif kind == "box":
                with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib's deprecated vert=
                    warnings.simplefilter("ignore", mpl.MatplotlibDeprecationWarning)
                    sns.boxplot(data=d, x=outcome, y="strategy", hue="strategy", order=order, hue_order=order,
                                palette=pal, saturation=1, linewidth=0.6, fliersize=1.2, width=0.65, legend=False,
                                ax=ax)
            else:
                for s in order:
                    v = d.loc[d["strategy"] == s, outcome].dropna().sort_values().to_numpy()
                    if v.size:
                        ax.step(np.r_[v[0], v], np.arange(v.size + 1) / v.size, where="post",
                                color=pal[s], label=s)
                ax.set_ylim(0, 1.02)
                ax.set_yticks([0, 0.5, 1])
            ax.set_xlabel("")
            ax.set_ylabel("share of runs ≤ value" if kind == "ecdf" and c == 0 else "")
            if kind != "ecdf":
                ax.set_yticks(range(len(order)), [strategy_label(s) for s in order])
                ax.grid(axis="x", linewidth=0.3, alpha=0.5)
                constant |= _mark_constant(ax, d, outcome, order, pal)
            else:
                ax.grid(linewidth=0.3, alpha=0.5)
            if r == 0 and col is not None and keys != [""]:
                ax.set_title(facet_title(col, key))
        sub.supxlabel(outcome_label(outcome), fontsize=STYLE["axes.labelsize"])
    if kind == "ecdf":
        _strategy_legend(fig, order, kind="line", ncol=3, loc="outside lower center")
    elif constant:
        marker = mpl.lines.Line2D([], [], marker="D", markersize=3.5, color="0.6", markeredgecolor="black",
                                  markeredgewidth=0.4, linestyle="none", label="every run ends at this one value")
        fig.legend(handles=[marker], loc="outside lower center", handletextpad=0.2)
    n = data.groupby(["strategy", *([col] if col in data.columns else [])], observed=True).size()
    runs = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
    when = f"month {month}" if month is not None else "last month"
    fig.suptitle(f"Outcomes at the {when} ({runs} runs each)")
    return fig


def _mark_constant(ax: Any, d: pd.DataFrame, outcome: str, order: list[str], pal: dict[str, Any]) -> bool:
    """A diamond where a strategy's runs all end at one value (a violin would be invisible);
    whether any was drawn."""
    spread = d.groupby("strategy", observed=True)[outcome].agg(["min", "max"])
    drawn = False
    for k, s in enumerate(order):
        if s in spread.index and spread.loc[s, "min"] == spread.loc[s, "max"]:
            ax.plot([spread.loc[s, "min"]], [k], marker="D", markersize=3.5, color=pal[s],
                    markeredgecolor="black", markeredgewidth=0.4, linestyle="none", zorder=3)
            drawn = True
    return drawn


# --------------------------------------------------------------------------------------------
# fan chart
# --------------------------------------------------------------------------------------------


def quantile_bands(frame: pd.DataFrame, outcome: str, by: Sequence[str],
                   bands: Sequence[int] = (50, 90)) -> pd.DataFrame:
    """Median and central ``bands`` (percent of runs) of ``outcome`` per ``by`` and month.

    Returns one row per group and month with columns ``q50`` and ``lo<b>``/``hi<b>`` per band.
    """
    qs = sorted({0.5, *[(1 - b / 100) / 2 for b in bands], *[1 - (1 - b / 100) / 2 for b in bands]})
    q = (frame.assign(**{outcome: frame[outcome].astype(float)})
         .groupby([*by, "month"], observed=True)[outcome].quantile(qs).unstack())
    out = pd.DataFrame({"q50": q[0.5]})
    for b in bands:
        out[f"lo{b}"] = q[(1 - b / 100) / 2]
        out[f"hi{b}"] = q[1 - (1 - b / 100) / 2]
    return out.reset_index()


@styled
def fan_chart(
    frame: pd.DataFrame,
    outcome: str = "autonomy_prk",
    *,
    col: str | None = "scenario",
    bands: Sequence[int] = (50, 90),
    width: float | None = None,
    start: str | None = None,
) -> Figure:
    """Fan chart of ``outcome`` over the months: the median run and the central 50% and 90% of
    runs, one row of panels per PRK strategy (in its colour), one column per scenario.

    Args:
        frame: tidy outcome table with one row per run and month (``record="steps"``).
        outcome: numeric outcome column.
        col: column whose values are the facet columns.
        bands: central shares of runs (percent) drawn as bands, widest lightest.
        width: figure width in inches (default: one column, full page for 3+ facets).
        start: calendar month of month 0 (``"2018-01"``) to label the time axis with dates.
    """
    calendar(start)
    require(frame, [outcome, "strategy", "month"], "fan chart")
    _numeric(frame, outcome, "fan chart")
    _steps(frame, "fan chart")
    order = _strategies(frame, "fan chart")
    keys = facet_values(frame, col)
    by = ["strategy", *([col] if col in frame.columns else [])]
    q = quantile_bands(frame, outcome, by, bands)
    q["strategy"] = q["strategy"].astype(str)
    pal = strategy_palette()
    fig, axes = _strategy_grid(len(order), len(keys), width, 0.75, 0.95)
    ncol = axes.shape[1]
    alphas = np.linspace(0.22, 0.45, len(bands))
    for r, s in enumerate(order):
        for c, key in enumerate(keys):
            ax = axes[r, c]
            d = q[q["strategy"] == s]
            if col in q.columns:
                d = d[d[col].astype(str) == key]
            colour = pal.get(s, "0.4")
            for b, a in zip(sorted(bands, reverse=True), alphas):
                ax.fill_between(d["month"], d[f"lo{b}"], d[f"hi{b}"], color=colour, alpha=a, linewidth=0,
                                label=f"{b}% of runs")
            ax.plot(d["month"], d["q50"], color=colour, label=s)
            ax.grid(linewidth=0.3, alpha=0.5)
            if r == 0 and keys != [""]:
                ax.set_title(facet_title(col, key))
            if c == ncol - 1:
                _row_label(ax, strategy_label(s), colour)
    grey = "0.35"
    handles = [mpl.lines.Line2D([], [], color=grey, label="median run")]
    handles += [Patch(facecolor=grey, alpha=a, edgecolor="none", label=f"central {b}% of runs")
                for b, a in zip(sorted(bands, reverse=True), alphas)]
    top_legend(fig, handles=handles, ncol=len(handles), handlelength=1.4)
    month_axis(fig, axes, start)
    fig.supylabel(outcome_label(outcome), fontsize=STYLE["axes.labelsize"])
    return fig


# --------------------------------------------------------------------------------------------
# triangle types and roles
# --------------------------------------------------------------------------------------------


def category_shares(frame: pd.DataFrame, column: str, by: Sequence[str]) -> pd.DataFrame:
    """Share of runs in each level of categorical ``column``, per ``by`` group (rows sum to 1)."""
    levels = list(CATEGORICAL.get(column, ordered(frame[column])))
    values = pd.Categorical(frame[column].astype(str), categories=levels)
    counts = pd.crosstab([frame[b].astype(str) for b in by], values, dropna=False)
    counts = counts.reindex(columns=levels, fill_value=0)
    return counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)


@styled
def frequencies(
    frame: pd.DataFrame,
    columns: Sequence[str] = ("triangle_prk_chn_rus", "role_prk"),
    *,
    row: str | None = "scenario",
    month: int | None = None,
    width: float | None = None,
) -> Figure:
    """How often each triangle type (Dittmer 1981) and each PRK role occurs, by strategy:
    horizontal grouped bars, one bar group per category, one bar (and bar container) per
    strategy; one column of panels per categorical outcome, one row per scenario.

    Args:
        frame: tidy outcome table; with per-month rows each run's last month is used.
        columns: categorical outcome columns (``triangle_prk_chn_rus``, ``role_prk``, ...).
        row: column whose values are the facet rows.
        month: the month to show instead of each run's last.
        width: figure width in inches (default: one column).
    """
    columns = list(columns)
    require(frame, [*columns, "strategy"], "frequencies")
    data = final_rows(frame, month)
    order = _strategies(data, "frequencies")
    keys = facet_values(data, row)
    pal = strategy_palette()
    n_levels = max(len(CATEGORICAL.get(c, ordered(data[c]))) for c in columns)
    panel_h = 0.35 + 0.075 * n_levels * len(order)
    fig = Figure(figsize=(width or COLUMN_WIDTH, 0.6 + panel_h * len(keys)), layout="constrained")
    axes = fig.subplots(len(keys), len(columns), sharex=True, squeeze=False)
    height = 0.8 / len(order)
    for r, key in enumerate(keys):
        d = facet_rows(data, row, key)
        for c, column in enumerate(columns):
            ax = axes[r, c]
            shares = category_shares(d, column, ["strategy"])
            levels = list(shares.columns)
            y = np.arange(len(levels))
            for k, s in enumerate(order):
                v = shares.loc[s].to_numpy() if s in shares.index else np.zeros(len(levels))
                ax.barh(y - 0.4 + height * (k + 0.5), v, height=height, color=pal.get(s, "0.4"),
                        label=s, linewidth=0)
            ax.set_yticks(y, [CATEGORY_LABELS.get(lv, lv.replace("_", " ")) for lv in levels])
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.grid(axis="x", linewidth=0.3, alpha=0.5)
            if r == 0:
                ax.set_title(outcome_label(column, unit=False))
            if keys != [""] and c == len(columns) - 1:
                _row_label(ax, facet_title(row, key), "black")
            if r == len(keys) - 1:
                ax.set_xlabel("share of runs")
    _strategy_legend(fig, order, ncol=3)
    return fig


# --------------------------------------------------------------------------------------------
# trust and attention matrices
# --------------------------------------------------------------------------------------------


def mean_matrix(frame: pd.DataFrame, kind: str) -> np.ndarray:
    """Mean over rows of the 4x4 ``kind`` matrix (``trust`` or ``attention``), actors in the
    order PRK, CHN, RUS, USA; the diagonal (no self-trust) is NaN."""
    m = np.full((4, 4), np.nan)
    for i, a in enumerate(ACTORS):
        for j, b in enumerate(ACTORS):
            name = f"{kind}_{a.lower()}_{b.lower()}"
            if i != j and name in frame.columns:
                m[i, j] = float(frame[name].astype(float).mean())
    return m


@styled
def matrix_heatmap(
    frame: pd.DataFrame,
    kind: str = "trust",
    *,
    col: str | None = "scenario",
    month: int | None = None,
    width: float | None = None,
) -> Figure:
    """Mean trust (or attention) matrix, row actor towards column actor, one panel per
    strategy (rows) and scenario (columns); with one scenario the strategies wrap in 3 columns.

    Args:
        frame: tidy outcome table with ``<kind>_<a>_<b>`` columns; each run's last month.
        kind: ``"trust"`` (a's belief that b delivers, 0-1) or ``"attention"`` (a's share of
            diplomatic engagement on b).
        col: column whose values are the facet columns.
        month: the month to show instead of each run's last.
    """
    if kind not in ("trust", "attention"):
        raise ValueError(f"kind must be 'trust' or 'attention', got {kind!r}")
    cols = [f"{kind}_{a.lower()}_{b.lower()}" for a in ACTORS for b in ACTORS if a != b]
    require(frame, [*cols, "strategy"], f"{kind} heatmap")
    data = final_rows(frame, month)
    order = _strategies(data, f"{kind} heatmap")
    keys = facet_values(data, col)
    grid = len(keys) > 1  # strategies x scenarios; else the strategies wrap in rows of 3
    cells = [(s, k) for s in order for k in keys]
    ncol = len(keys) if grid else min(3, len(order))
    nrow = -(-len(cells) // ncol)
    width = width or (COLUMN_WIDTH if ncol <= 3 else FULL_WIDTH)
    side = (width - 1.0) / ncol
    fig = Figure(figsize=(width, 1.2 + (side + (0.05 if grid else 0.2)) * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, sharex=True, sharey=True, squeeze=False)
    cmap = mpl.colormaps["viridis"].with_extremes(bad="0.92")
    pal = strategy_palette()
    labels = [actor_name(a) for a in ACTORS]
    image = None
    for n, (ax, (s, key)) in enumerate(zip(axes.flat, cells)):
        m = mean_matrix(facet_rows(data[data["strategy"].astype(str) == s], col, key), kind)
        image = ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect="equal")
        for i in range(4):
            for j in range(4):
                if np.isfinite(m[i, j]):
                    ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=5.5,
                            color="black" if m[i, j] > 0.55 else "white")
        ax.set_xticks(range(4), labels, rotation=90)
        ax.set_yticks(range(4), labels)
        own_ticks(ax, length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if grid:
            if n < ncol:
                ax.set_title(facet_title(col, key))
            if n % ncol == ncol - 1:
                _row_label(ax, strategy_label(s), pal.get(s, "black"))
        else:
            ax.set_title(strategy_label(s), color=pal.get(s, "black"), fontweight="bold")
    for n, ax in enumerate(axes.flat):
        if n >= len(cells):
            ax.set_visible(False)
        elif n + ncol >= len(cells):  # the last panel of its column shows the column's labels
            ax.xaxis.set_tick_params(labelbottom=True)
    what = "trust of row actor in column actor (0-1)" if kind == "trust" else \
        "row actor's share of attention on column actor"
    fig.colorbar(image, ax=axes, location="bottom", shrink=0.85, aspect=35, pad=0.02, label=f"mean {what}")
    fig.supylabel("from", fontsize=STYLE["axes.labelsize"])
    return fig


# --------------------------------------------------------------------------------------------
# aid by patron and channel
# --------------------------------------------------------------------------------------------

AID_COLUMNS = tuple(f"aid_{d}_prk_{ch}" for d in ("chn", "rus", "usa") for ch in ("econ", "mil"))


@styled
def aid_over_time(
    frame: pd.DataFrame,
    *,
    col: str | None = "scenario",
    width: float | None = None,
    start: str | None = None,
) -> Figure:
    """Mean aid PRK receives from each donor by channel (economic solid, military hatched),
    stacked over the months; one row of panels per PRK strategy, one column per scenario.
    Donors whose aid is zero in every run are left out of the stack and the legend.

    Args:
        frame: tidy outcome table with one row per run and month (``record="steps"``) and
            the ``aid_<donor>_prk_<channel>`` columns (USD bn/yr).
        col: column whose values are the facet columns.
        start: calendar month of month 0 (``"2018-01"``) to label the time axis with dates.
    """
    calendar(start)
    require(frame, [*AID_COLUMNS, "strategy", "month"], "aid figure")
    _steps(frame, "aid figure")
    order = _strategies(frame, "aid figure")
    keys = facet_values(frame, col)
    by = ["strategy", *([col] if col in frame.columns else [])]
    used = [c for c in AID_COLUMNS if frame[c].abs().max() > 0] or list(AID_COLUMNS[:2])
    means = frame.groupby([*by, "month"], observed=True)[used].mean().reset_index()
    means["strategy"] = means["strategy"].astype(str)
    pal = strategy_palette()
    fig, axes = _strategy_grid(len(order), len(keys), width, 1.0, 1.0)
    ncol = axes.shape[1]
    colours = [DONOR_COLOURS[c.split("_")[1]] for c in used]
    hatches = ["////" if c.endswith("_mil") else "" for c in used]
    for r, s in enumerate(order):
        for c, key in enumerate(keys):
            ax = axes[r, c]
            d = means[means["strategy"] == s]
            if col in means.columns:
                d = d[d[col].astype(str) == key]
            with mpl.rc_context({"hatch.linewidth": 0.4, "hatch.color": "white"}):
                ax.stackplot(d["month"], *[d[u] for u in used], colors=colours, hatch=hatches,
                             linewidth=0, labels=used)
            ax.grid(axis="y", linewidth=0.3, alpha=0.5)
            if len(d):
                ax.set_xlim(0, d["month"].max())
            if r == 0 and keys != [""]:
                ax.set_title(facet_title(col, key))
            if c == ncol - 1:
                _row_label(ax, strategy_label(s), pal.get(s, "0.3"))
    handles = [Patch(facecolor=colour, hatch=h, edgecolor="white", linewidth=0,
                     label=f"{actor_name(u.split('_')[1])}, {'military' if u.endswith('_mil') else 'economic'}")
               for u, colour, h in zip(used, colours, hatches)]
    top_legend(fig, handles=handles, ncol=3, handlelength=1.6, title="donor, channel")
    month_axis(fig, axes, start)
    fig.supylabel("aid to PRK, mean over runs (USD bn/yr)", fontsize=STYLE["axes.labelsize"])
    return fig


# --------------------------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------------------------


def save_figure(fig: Figure, stem: Path | str, formats: Sequence[str] = ("png", "pdf"), dpi: int = 200) -> list[Path]:
    """Write ``fig`` as ``<stem>.<format>`` for each format, each file atomically."""
    stem = Path(stem)
    written = []
    for fmt in formats:
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.03,
                    metadata={"Software": None} if fmt == "png" else None)
        written.append(atomic_write_bytes(stem.with_suffix(f".{fmt}"), buf.getvalue()))
    return written

"""The default job's figure: outcome distributions by strategy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.outcomes import OUTCOME_INFO
from sim.params import PARAM_FIELDS
from sim.strategies import STRATEGIES

#: Outcomes of the default job's figure.
MAIN_OUTCOMES = ("aid_total_prk", "autonomy_prk", "food_coverage", "trust_chn_prk", "trust_rus_prk",
                 "leverage_prk_chn")


def outcome_title(name: str) -> str:
    """A panel title for outcome ``name``: its label and unit from :data:`sim.outcomes.OUTCOME_INFO`."""
    info = OUTCOME_INFO.get(name)
    if info is None:
        return name.replace("_", " ")
    return f"{info.label} ({info.unit})" if info.unit else info.label


#: Input columns every table has; the others before ``replication`` are settings a run changed.
STANDARD_INPUTS = ("run_id", "sweep_id", "job_id", "strategy", "scenario", "us_policy", "chn_policy", "rus_policy",
                   "calibration", "draw", "seed", "source", "run_key", "facet",
                   "replications", "record")  # how many and what was recorded: the title says it already
#: Patron policies and calibration of the default config: named in a title only when a run changes them.
DEFAULT_CHOICES = {"chn_policy": "cautious", "rus_policy": "contest", "calibration": "point"}


def setting_text(name: str, value: object) -> str:
    """One setting as a title shows it: ``switches_jealousy = False`` -> ``jealousy off``,
    ``scenario_end_month = 12`` -> ``end month 12``, ``value_chn = 3.0`` -> ``value_chn 3 USD bn/yr``."""
    if isinstance(value, (bool, np.bool_)) or str(value) in ("True", "False"):
        on = str(value) == "True"
        return f"{name.removeprefix('switches_').replace('_', ' ')} {'on' if on else 'off'}"
    if name == "calibration":
        return f"{value} calibration"
    if name in ("chn_policy", "rus_policy"):
        return f"{'China' if name == 'chn_policy' else 'Russia'} policy {value}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if name in PARAM_FIELDS:  # a parameter: with its unit, as the declaration gives it
        unit = PARAM_FIELDS[name].metadata["unit"]
        return f"{name} {value:g}" + ("" if unit == "1" else f" {unit}")
    shown = name.removeprefix("scenario_").replace("_", " ") if name.startswith("scenario_") else name
    return f"{shown} {value}"


def run_settings(frame: pd.DataFrame) -> list[tuple[str, object]]:
    """The settings every row of ``frame`` shares that differ from the defaults: a
    calibration or patron policy other than the default, and each input a job set by override
    (the columns a sweep places before ``replication``) that is one value throughout."""
    out: list[tuple[str, object]] = []
    for col, default in DEFAULT_CHOICES.items():
        if col in frame.columns and frame[col].nunique() == 1 and str(frame[col].iloc[0]) != default:
            out.append((col, frame[col].iloc[0]))
    if "replication" in frame.columns:
        for col in frame.columns[: frame.columns.get_loc("replication")]:
            if col in STANDARD_INPUTS or col in DEFAULT_CHOICES or frame[col].nunique(dropna=False) != 1:
                continue
            value = frame[col].iloc[0]
            if not pd.isna(value):
                out.append((col, value))
    return out


def settings_line(frame: pd.DataFrame) -> str:
    """:func:`run_settings` as one line of a figure title ('' for the defaults)."""
    parts = [setting_text(k, v) for k, v in run_settings(frame)]
    return ("settings: " + ", ".join(parts)) if parts else "default settings"


def strategy_palette() -> dict[str, tuple[float, float, float]]:
    """One colour-blind-safe colour per strategy, the same in every figure."""
    colours = sns.color_palette("colorblind", n_colors=len(STRATEGIES))
    return dict(zip(STRATEGIES.names(), colours))


def strategy_comparison(frame: pd.DataFrame, outcomes: Sequence[str] | None = None, settings: str = "") -> Figure:
    """Violin plots of the final-month outcomes, one panel per outcome, one violin per strategy.

    Args:
        frame: the tidy outcome table (one row per replication) with a ``strategy`` column.
        outcomes: outcome columns, one panel each (default :data:`MAIN_OUTCOMES`); titles and
            units come from :data:`sim.outcomes.OUTCOME_INFO`.
        settings: what was run beyond scenario and US policy, shown under the title so that
            unlike runs never look alike (default: :func:`settings_line` of ``frame``).
    """
    settings = settings or settings_line(frame)
    outcomes = {o: outcome_title(o) for o in (outcomes or MAIN_OUTCOMES)}
    present = {str(s) for s in frame["strategy"].unique()}
    # registry order, then any schedule (bandwagon>balancing@48)
    order = [s for s in STRATEGIES.names() if s in present] + sorted(present - set(STRATEGIES.names()))
    frame = frame.assign(strategy=frame["strategy"].astype(str))
    long = frame.melt(id_vars=["strategy"], value_vars=list(outcomes), var_name="outcome", value_name="value")
    ncol = 3
    nrow = -(-len(outcomes) // ncol)
    # a bare Figure (no pyplot): nothing global changes and nothing is shown
    fig = Figure(figsize=(10, 3.2 * nrow), layout="tight")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    palette = {**dict(zip(order, sns.color_palette("colorblind", n_colors=len(order)))), **strategy_palette()}
    collapsed = False
    for ax, (name, label) in zip(axes.flat, outcomes.items()):
        sub = long[long["outcome"] == name].astype({"value": float})
        sns.violinplot(data=sub, x="strategy", y="value", hue="strategy", order=order, hue_order=order,
                       palette=palette, saturation=1, cut=0, inner="quartile", linewidth=0.8, ax=ax, legend=False)
        # a violin of runs that all end at one value is a bare line: mark it so it reads as such
        spread = sub.groupby("strategy")["value"].agg(["min", "max"])
        for k, s in enumerate(order):
            if s in spread.index and spread.loc[s, "min"] == spread.loc[s, "max"]:
                ax.plot([k], [spread.loc[s, "min"]], marker="D", markersize=6, color=palette[s],
                        markeredgecolor="black", markeredgewidth=0.6, linestyle="none", zorder=3)
                collapsed = True
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks(range(len(order)), [strategy_label(s) for s in order])
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    what = []
    for col in ("scenario", "us_policy"):
        if col in frame:
            values = sorted(map(str, frame[col].unique()))
            what.append(("US " if col == "us_policy" else "") + ", ".join(v.replace("_", " ") for v in values))
    month = int(frame["month"].max()) if "month" in frame else None
    title = (f"Outcomes by PRK strategy: {' · '.join(what)}" + (f", month {month}" if month else "")
             + f" ({frame.groupby('strategy').size().min()} replications each)")
    if settings:
        title += f"\n{settings}"
    fig.suptitle(title, fontsize=11)
    if collapsed:
        fig.legend(handles=[Line2D([], [], marker="D", color="0.6", markeredgecolor="black", linestyle="none",
                                   label="every run ends at this one value")], loc="lower right", fontsize=8,
                   frameon=False)
    return fig


def strategy_label(name: str) -> str:
    """``"engage_us"`` -> ``"engage US"``."""
    return " ".join("US" if w == "us" else w for w in str(name).split("_"))

"""The default job's figure: outcome distributions by strategy."""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from sim.strategies import STRATEGIES

#: Outcome -> axis label with units.
MAIN_OUTCOMES = {
    "aid_total_prk": "aid to PRK (USD bn/yr)",
    "autonomy_prk": "PRK autonomy (1 - HHI)",
    "food_coverage": "food need covered (share)",
    "trust_chn_prk": "China's trust in PRK",
    "trust_rus_prk": "Russia's trust in PRK",
    "leverage_prk_chn": "PRK's leverage over China",
}


def strategy_palette() -> dict[str, tuple[float, float, float]]:
    """One colour-blind-safe colour per strategy, the same in every figure."""
    colours = sns.color_palette("colorblind", n_colors=len(STRATEGIES))
    return dict(zip(STRATEGIES.names(), colours))


def strategy_comparison(frame: pd.DataFrame, outcomes: dict[str, str] | None = None) -> Figure:
    """Violin plots of the final-month outcomes, one panel per outcome, one violin per strategy.

    ``frame`` is the tidy outcome table (one row per replication) with a ``strategy`` column.
    """
    outcomes = outcomes or MAIN_OUTCOMES
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
    for ax, (name, label) in zip(axes.flat, outcomes.items()):
        sub = long[long["outcome"] == name]
        sns.violinplot(data=sub, x="strategy", y="value", hue="strategy", order=order, hue_order=order,
                       palette=palette, saturation=1, cut=0, inner="quartile", linewidth=0.8, ax=ax, legend=False)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    scen = ", ".join(sorted(map(str, frame["scenario"].unique()))) if "scenario" in frame else ""
    month = int(frame["month"].max()) if "month" in frame else None
    fig.suptitle(f"Outcomes by PRK strategy, {scen}" + (f", month {month}" if month else "")
                 + f" ({frame.groupby('strategy').size().min()} replications each)", fontsize=11)
    return fig

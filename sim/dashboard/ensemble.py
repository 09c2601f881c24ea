"""The dashboard's ensemble view: many replications of the current run's settings with the
batch engine (:func:`sim.engine.simulate`, ``record="steps"``), shown as fan charts over the
months and distributions of the last month, so that students see a spread and not one path.

It is a Solara component with its own state: it runs only when its button is pressed and is
not redrawn when the single run steps, so it costs the month-by-month view nothing.
"""

from __future__ import annotations

import base64
import html
import io
import time
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.analysis.labels import outcome_label
from sim.engine import simulate

#: Outcomes of the ensemble view: fan chart over the months and distribution at the end.
ENSEMBLE_OUTCOMES = ("trust_chn_prk", "trust_rus_prk", "autonomy_prk", "aid_total_prk")
DEFAULT_REPLICATIONS = 200
COLOUR = "#0072B2"


def run_ensemble(model: Any, replications: int) -> pd.DataFrame:
    """``replications`` worlds of ``model``'s settings (strategy, scenario, policies, months,
    slider parameters, seed), one row per replication and month, from the batch engine."""
    return simulate(model.spec, replications=int(replications), seed=int(model.seed),
                    params=dict(getattr(model, "param_overrides", {})), record="steps")


def ensemble_figure(frame: pd.DataFrame, outcomes: tuple[str, ...] = ENSEMBLE_OUTCOMES,
                    title: str = "") -> Figure:
    """Fan charts (median run, central 50% and 90% of runs) of ``outcomes`` over the months,
    and below each its distribution over runs at the last month. A distribution whose runs
    all end at one value is drawn as a marked line and says so."""
    fig = Figure(figsize=(2.6 * len(outcomes), 4.6), dpi=80, layout="constrained")
    axes = fig.subplots(2, len(outcomes), squeeze=False)
    last = frame[frame["month"] == frame["month"].max()]
    for k, outcome in enumerate(outcomes):
        q = frame.groupby("month")[outcome].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        ax = axes[0, k]
        ax.fill_between(q.index, q[0.05], q[0.95], color=COLOUR, alpha=0.2, linewidth=0, label="90% of runs")
        ax.fill_between(q.index, q[0.25], q[0.75], color=COLOUR, alpha=0.4, linewidth=0, label="50% of runs")
        ax.plot(q.index, q[0.5], color=COLOUR, linewidth=1.5, label="median run")
        ax.set_xlim(0, frame["month"].max())
        ax.set_title(outcome_label(outcome), fontsize=8.5)
        ax.set_xlabel("month", fontsize=8)
        ax.grid(alpha=0.3)
        values = last[outcome].astype(float).to_numpy()
        ax = axes[1, k]
        if np.ptp(values) == 0:
            ax.axvline(values[0], color=COLOUR, linewidth=2)
            ax.plot([values[0]], [0.5], marker="D", color=COLOUR, markeredgecolor="black",
                    transform=ax.get_xaxis_transform())
            ax.text(0.5, 0.8, f"every run ends at {values[0]:.2f}", transform=ax.transAxes, ha="center", fontsize=8)
        else:
            ax.hist(values, bins=30, color=COLOUR, alpha=0.75)
            ax.axvline(np.median(values), color="black", linewidth=1, linestyle="--", label="median")
        ax.set_xlabel(f"at month {int(frame['month'].max())}", fontsize=8)
        ax.set_ylabel("runs" if k == 0 else "", fontsize=8)
        for a in axes[:, k]:
            a.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, loc="best", frameon=False)
    if title:
        fig.suptitle(title, fontsize=9.5)
    return fig


def figure_html(fig: Figure) -> str:
    """The figure as an inline PNG (no file, no asset)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = base64.b64encode(buf.getvalue()).decode()
    return f"<img src='data:image/png;base64,{data}' style='width: 100%' alt='ensemble fan charts and distributions'>"


def settings_key(model: Any) -> str:
    """What an ensemble depends on: the run's world, parameters and seed."""
    return repr((model.spec, sorted(getattr(model, "param_overrides", {}).items()), model.seed))


def describe(model: Any, replications: int, seconds: float) -> str:
    spec = model.spec
    return (f"{replications} replications of {spec.strategy} in {spec.scenario} under US {spec.us_policy}, "
            f"{model.months} months, seed {model.seed} (batch engine, {seconds:.2f} s)")


@solara.component
def EnsembleView(model: Any) -> None:  # noqa: N802 (a Solara component)
    """Dashboard component: run N replications of the current settings and show their spread."""
    replications = solara.use_reactive(DEFAULT_REPLICATIONS)
    result, set_result = solara.use_state(None)  # (settings key, caption, image html)

    def run() -> None:
        started = time.perf_counter()
        frame = run_ensemble(model, replications.value)
        caption = describe(model, replications.value, time.perf_counter() - started)
        set_result((settings_key(model), caption, figure_html(ensemble_figure(frame, title=caption))))

    with solara.Column(classes=["trisim-ensemble"], style="height: 100%; overflow-y: auto; padding: 4px 8px"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<b>Ensemble: many runs of these settings</b><br>One run is one path among many. Run N replications "
            "of the current settings (those of the last Reset) with the fast batch engine: fan charts show the "
            "median run and where 50% and 90% of runs lie each month, histograms the spread at the end."),
            style="font-size: 12.5px")
        with solara.Row():
            solara.SliderInt("Replications", value=replications, min=20, max=2000, step=20)
            solara.Button("Run ensemble", on_click=run, color="primary")
        if result is not None:
            key, caption, image = result
            stale = key != settings_key(model)
            note = ("<p style='color: #B00020'>The settings changed since this ensemble ran: press RUN ENSEMBLE "
                    "again.</p>") if stale else ""
            solara.HTML(tag="div", unsafe_innerHTML=f"{note}<p class='trisim-ensemble-caption'>"
                        f"{html.escape(caption)}</p>{image}", style="font-size: 12px")

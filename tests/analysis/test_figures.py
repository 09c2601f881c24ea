"""The figure functions: facets, axis labels with units, one artist per strategy in its colour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from sim.analysis import figures as figs
from sim.analysis.labels import outcome_label, strategy_label
from sim.plots import strategy_palette

from .conftest import SCENARIOS, STRATEGIES

LABELS = [strategy_label(s) for s in STRATEGIES]
TITLES = ["status quo 2024", "war ends"]


def colour(s: str) -> tuple[float, ...]:
    return to_rgba(strategy_palette()[s])


def visible(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_labels_carry_units() -> None:
    assert outcome_label("trust_chn_prk") == "China's trust in PRK (0-1)"
    assert outcome_label("aid_rus_prk_mil") == "military aid to PRK from Russia (USD bn/yr)"
    assert outcome_label("attention_prk_usa") == "PRK's attention to US (share)"


@pytest.mark.parametrize("kind", ["violin", "box"])
def test_distributions_one_violin_or_box_per_strategy(steps: pd.DataFrame, kind: str) -> None:
    outcomes = ["autonomy_prk", "aid_total_prk"]
    fig = figs.distributions(steps, outcomes, kind=kind)
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == len(outcomes) * len(SCENARIOS)
    assert [ax.get_title() for ax in axes[:2]] == TITLES
    assert [sf.get_supxlabel() for sf in fig.subfigs] == [outcome_label(o) for o in outcomes]
    assert "(USD bn/yr)" in fig.subfigs[1].get_supxlabel()
    for ax in axes[:: len(SCENARIOS)]:  # inner panels share the first one's labels
        assert [t.get_text() for t in ax.get_yticklabels()] == LABELS
    for ax in axes:
        artists = [c for c in ax.collections if isinstance(c, PolyCollection)] if kind == "violin" else ax.patches
        assert len(artists) == len(STRATEGIES)
        assert [tuple(a.get_facecolor()[0] if kind == "violin" else a.get_facecolor()) for a in artists] == \
            [colour(s) for s in STRATEGIES]


def test_distributions_ecdf_lines_end_at_one(steps: pd.DataFrame) -> None:
    fig = figs.distributions(steps, "trust_chn_prk", kind="ecdf")
    assert len(fig.axes) == len(SCENARIOS)
    for ax in fig.axes:
        lines = [ln for ln in ax.lines if ln.get_label() in STRATEGIES]
        assert [ln.get_label() for ln in lines] == list(STRATEGIES)
        assert [to_rgba(ln.get_color()) for ln in lines] == [colour(s) for s in STRATEGIES]
        assert all(ln.get_ydata()[-1] == pytest.approx(1.0) for ln in lines)
    assert fig.axes[0].get_ylabel() == "share of runs ≤ value"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == LABELS


def test_distributions_use_each_runs_last_month(steps: pd.DataFrame) -> None:
    final = figs.final_rows(steps)
    assert len(final) == steps.groupby(["strategy", "scenario", "replication"]).ngroups
    assert set(final["month"]) == {24}
    assert set(figs.final_rows(steps, month=6)["month"]) == {6}


def test_fan_chart_grid_bands_and_median(steps: pd.DataFrame) -> None:
    fig = figs.fan_chart(steps, "autonomy_prk")
    axes = np.array(fig.axes).reshape(len(STRATEGIES), len(SCENARIOS))
    assert [ax.get_title() for ax in axes[0]] == TITLES
    assert fig.get_supylabel() == outcome_label("autonomy_prk")
    assert fig.get_supxlabel() == "month of simulation"
    q = figs.quantile_bands(steps, "autonomy_prk", ["strategy", "scenario"])
    for r, s in enumerate(STRATEGIES):
        for c, sc in enumerate(SCENARIOS):
            ax = axes[r, c]
            (median,) = ax.lines
            assert median.get_label() == s
            assert to_rgba(median.get_color()) == colour(s)
            assert len(ax.collections) == 2  # the 90% and the 50% band
            want = q[(q["strategy"] == s) & (q["scenario"] == sc)]["q50"].to_numpy()
            np.testing.assert_allclose(median.get_ydata(), want)
    for lower, upper in [("lo90", "lo50"), ("lo50", "q50"), ("q50", "hi50"), ("hi50", "hi90")]:
        assert (q[lower] <= q[upper]).all()


def test_fan_chart_needs_monthly_rows(steps: pd.DataFrame) -> None:
    with pytest.raises(figs.FigureDataError, match="record='steps'"):
        figs.fan_chart(figs.final_rows(steps))


def test_frequencies_one_bar_container_per_strategy_shares_sum_to_one(steps: pd.DataFrame) -> None:
    fig = figs.frequencies(steps)
    assert len(fig.axes) == 2 * len(SCENARIOS)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["PRK-China-Russia triangle", "PRK's role in the triangle"]
    assert fig.axes[-1].get_xlabel() == "share of runs"
    for ax in fig.axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert [b.get_label() for b in bars] == list(STRATEGIES)
        for b, s in zip(bars, STRATEGIES):
            assert all(p.get_facecolor() == colour(s) for p in b.patches)
            assert sum(p.get_width() for p in b.patches) == pytest.approx(1.0)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["ménage à trois", "romantic triangle", "stable marriage", "unit veto"]


def test_heatmap_shows_the_mean_matrix(steps: pd.DataFrame) -> None:
    fig = figs.matrix_heatmap(steps, "trust")
    panels = visible(fig)
    assert len(panels) == len(STRATEGIES) * len(SCENARIOS)
    final = figs.final_rows(steps)
    for ax, (s, sc) in zip(panels, [(s, sc) for s in STRATEGIES for sc in SCENARIOS]):
        (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
        m = np.asarray(image.get_array().filled(np.nan))
        assert np.isnan(np.diag(m)).all()
        rows = final[(final["strategy"] == s) & (final["scenario"] == sc)]
        assert m[1, 0] == pytest.approx(rows["trust_chn_prk"].mean())  # row China, column PRK
        assert m[0, 2] == pytest.approx(rows["trust_prk_rus"].mean())
    assert "(0-1)" in fig.axes[-1].get_xlabel()  # the colour bar


def test_heatmap_wraps_strategies_for_one_scenario(steps: pd.DataFrame) -> None:
    fig = figs.matrix_heatmap(steps[steps["scenario"] == "war_ends"], "attention")
    panels = visible(fig)
    assert [ax.get_title() for ax in panels] == LABELS
    assert [to_rgba(ax.title.get_color()) for ax in panels] == [colour(s) for s in STRATEGIES]


def test_aid_stack_adds_up_to_total_aid(steps: pd.DataFrame) -> None:
    fig = figs.aid_over_time(steps)
    axes = np.array(fig.axes).reshape(len(STRATEGIES), len(SCENARIOS))
    assert fig.get_supylabel() == "aid to PRK, mean over runs (USD bn/yr)"
    used = [c for c in figs.AID_COLUMNS if steps[c].abs().max() > 0]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["China, economic", "China, military"]
    assert len(legend) == len(used)
    for (r, s), (c, sc) in [((0, STRATEGIES[0]), (0, SCENARIOS[0])), ((2, STRATEGIES[2]), (1, SCENARIOS[1]))]:
        layers = axes[r, c].collections
        assert len(layers) == len(used)
        top = pd.DataFrame(layers[-1].get_paths()[0].vertices).groupby(0)[1].max()  # upper edge per month
        total = steps[(steps["strategy"] == s) & (steps["scenario"] == sc)].groupby("month")["aid_total_prk"].mean()
        np.testing.assert_allclose(top.to_numpy(), total.to_numpy())


def test_bad_input_gives_one_line_errors(steps: pd.DataFrame) -> None:
    with pytest.raises(figs.FigureDataError, match="categorical; use frequencies"):
        figs.distributions(steps, "role_prk")
    with pytest.raises(figs.FigureDataError, match="needs column"):
        figs.distributions(steps, "no_such_outcome")
    with pytest.raises(ValueError, match="kind must be one of"):
        figs.distributions(steps, kind="pie")
    with pytest.raises(figs.FigureDataError, match="no rows at month 99"):
        figs.frequencies(steps, month=99)


def test_save_figure_writes_png_and_pdf(steps: pd.DataFrame, tmp_path) -> None:
    fig = figs.frequencies(steps[steps["scenario"] == "war_ends"])
    written = figs.save_figure(fig, tmp_path / "triangles")
    assert [p.name for p in written] == ["triangles.png", "triangles.pdf"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert written[1].read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob(".*"))  # no temporary files left

"""The dashboard's views, each a plain function of the model (SolaraViz re-renders it every step).

- :func:`triangle_figure`: the strategic triangle (Dittmer 1981) as a diagram. PRK, CHN, RUS
  and USA are nodes; each pair is an edge coloured by amity or enmity (mean mutual trust against
  ``amity_threshold``, the rule of :mod:`sim.triangle`) and as wide as that trust; the triangle
  types and the roles of PRK and the USA are written on it.
- :data:`SERIES`: time series of trust, attention and aid by channel, drawn from month 0 as
  SVG (:func:`series_svg`) from the model's DataCollector columns.
- :func:`explanation`: what the student is looking at and the run's key numbers;
  :func:`parameters_view`: the slider parameters' meanings, values, units and sources.

The figure functions take plain arrays and names, so they can be tested without a browser.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Polygon

from sim.actors import ACTORS, CHN, PRK, RUS, USA
from sim.params import PARAM_FIELDS
from sim.policies import US_POLICIES
from sim.scenarios import SCENARIOS
from sim.scenarios import Scenario as WorldScenario
from sim.strategies import STRATEGIES
from sim.triangle import ROLES, TRIANGLE_LABELS, TRIANGLE_TYPES

#: Full names of the actors, in the order of :data:`sim.actors.ACTORS`.
ACTOR_NAMES = {"PRK": "North Korea", "CHN": "China", "RUS": "Russia", "USA": "United States"}

#: Colour-blind-safe colours (Okabe and Ito 2008) and line styles of the two relations.
AMITY_COLOUR = "#009E73"  # bluish green
ENMITY_COLOUR = "#D55E00"  # vermillion
AMITY_STYLE = "solid"
ENMITY_STYLE = (0, (5, 3))  # dashed, so the relation reads without colour too

TRIANGLE_MEANING = {
    "menage": "all three pairs in amity",
    "romantic": "a pivot in amity with two wings who are at odds",
    "marriage": "one pair in amity against a pariah",
    "unit_veto": "every pair at odds",
}
ROLE_MEANING = {
    "friend": "in amity with both others",
    "pivot": "in amity with both others, who are at odds with each other",
    "wing": "in amity with the pivot only",
    "partner": "in the one pair in amity",
    "pariah": "at odds with both others",
    "foe": "at odds with both others",
}

#: Node positions: China west, Russia north, the United States east, PRK between them. Drawn
#: this way no edge crosses another, and PRK-CHN-RUS is the shaded triangle on the left.
POSITIONS = {CHN: (0.0, 0.0), RUS: (1.3, 1.95), USA: (2.8, 0.0), PRK: (1.3, 0.72)}
NODE_RADIUS = 0.27
TRIO_PRK = (PRK, CHN, RUS)
TRIO_GREAT = (CHN, RUS, USA)
PAIRS = ((PRK, CHN), (PRK, RUS), (CHN, RUS), (PRK, USA), (CHN, USA), (RUS, USA))


def mutual_trust(trust: np.ndarray) -> dict[tuple[int, int], float]:
    """Mean mutual trust ``(T[a,b] + T[b,a]) / 2`` of every pair, from a 4x4 trust matrix
    (rows trust columns, actor order of :data:`sim.actors.ACTORS`)."""
    t = np.asarray(trust, dtype=float)
    if t.shape != (4, 4):
        raise ValueError(f"trust must be a 4x4 matrix, got shape {t.shape}")
    return {(a, b): 0.5 * float(t[a, b] + t[b, a]) for a, b in PAIRS}


def edge_style(mean_trust: float, amity_threshold: float, in_amity: bool | None = None) -> dict[str, Any]:
    """How the edge of a pair is drawn: amity in green and solid, enmity in vermillion and
    dashed; width grows with trust (1 pt at no trust, 11 pt at full trust). ``in_amity`` is the
    model's relation (E15a, with its hysteresis band); without it, mean mutual trust at least
    the threshold."""
    in_amity = bool(mean_trust >= amity_threshold) if in_amity is None else bool(in_amity)
    return {
        "amity": bool(in_amity),
        "color": AMITY_COLOUR if in_amity else ENMITY_COLOUR,
        "linestyle": AMITY_STYLE if in_amity else ENMITY_STYLE,
        "linewidth": 1.0 + 10.0 * float(np.clip(mean_trust, 0.0, 1.0)),
    }


def triangle_caption(triangle_prk: str, role_prk: str, triangle_great: str, role_usa: str) -> list[str]:
    """Two sentences naming both triangles' types and PRK's and the USA's roles, and what
    they mean."""
    out = []
    for trio, kind, actor, role in (("PRK–CHN–RUS", triangle_prk, "PRK", role_prk),
                                    ("CHN–RUS–USA", triangle_great, "the USA", role_usa)):
        label = TRIANGLE_LABELS[kind]
        out.append(f"{trio} is a {label} ({TRIANGLE_MEANING[kind]}); "
                   f"{actor} is {_role_article(role)} {role}: {ROLE_MEANING[role]}.")
    return out


def _role_article(role: str) -> str:
    # a triangle has one pivot and one pariah, but two wings, partners, ...
    return "the" if role in ("pivot", "pariah") else "a"


def triangle_sentence(trio: str, kind: str, actor: str, role: str) -> str:
    """E.g. 'PRK–CHN–RUS is a romantic triangle; PRK is the pivot'."""
    return f"{trio} is a {TRIANGLE_LABELS[kind]}; {actor} is {_role_article(role)} {role}"


def triangle_figure(
    trust: np.ndarray,
    amity_threshold: float,
    triangle_prk: str,
    role_prk: str,
    triangle_great: str,
    role_usa: str,
    month: int | None = None,
) -> Figure:
    """The strategic triangle as a diagram.

    Args:
        trust: 4x4 trust matrix in [0, 1], ``trust[a, b]`` = a's trust in b (actor order PRK,
            CHN, RUS, USA).
        amity_threshold: mean mutual trust at or above which a pair is in amity (parameter
            ``amity_threshold``, Dittmer 1981).
        triangle_prk, role_prk: type of the PRK-CHN-RUS triangle and PRK's role in it (names
            in :data:`sim.triangle.TRIANGLE_TYPES` and :data:`sim.triangle.ROLES`).
        triangle_great, role_usa: the same for the CHN-RUS-USA triangle and the USA.
        month: month shown in the title.

    Returns:
        A matplotlib figure; each pair's edge carries the gid ``edge-<A>-<B>`` (e.g.
        ``edge-PRK-CHN``) so that tests can find it.
    """
    if triangle_prk not in TRIANGLE_TYPES or triangle_great not in TRIANGLE_TYPES:
        raise ValueError(f"triangle type must be one of {', '.join(TRIANGLE_TYPES)}")
    if role_prk not in ROLES or role_usa not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    pairs = mutual_trust(trust)
    # fixed axes boxes rather than a layout engine: this figure is redrawn every month
    fig = Figure(figsize=(5.6, 3.9), dpi=90)
    ax = fig.add_axes((0.0, 0.0, 0.76, 0.85))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(Polygon([POSITIONS[i] for i in TRIO_PRK], closed=True, facecolor="#EDEDED",
                         edgecolor="none", zorder=0))
    for (a, b), mean in pairs.items():
        style = edge_style(mean, amity_threshold)
        (x0, y0), (x1, y1) = POSITIONS[a], POSITIONS[b]
        ax.add_line(Line2D([x0, x1], [y0, y1], color=style["color"], linestyle=style["linestyle"],
                           linewidth=style["linewidth"], solid_capstyle="round", zorder=1,
                           gid=f"edge-{ACTORS[a]}-{ACTORS[b]}"))
        ax.text(0.5 * (x0 + x1), 0.5 * (y0 + y1), f"{mean:.2f}", ha="center", va="center", fontsize=8.5,
                zorder=3, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": style["color"]})
    for i, (x, y) in POSITIONS.items():
        ax.add_patch(Circle((x, y), NODE_RADIUS, facecolor="#FFFFFF" if i != PRK else "#FFF3C4",
                            edgecolor="#333333", linewidth=1.5, zorder=4))
        ax.text(x, y + 0.04, ACTORS[i], ha="center", va="center", fontsize=12, fontweight="bold", zorder=5)
        ax.text(x, y - 0.1, ACTOR_NAMES[ACTORS[i]], ha="center", va="center", fontsize=6, zorder=5)
    ax.set_xlim(-0.35, 3.15)
    ax.set_ylim(-0.35, 2.25)
    when = f"Month {month}: " if month is not None else ""
    fig.suptitle(f"{when}{triangle_sentence('PRK–CHN–RUS', triangle_prk, 'PRK', role_prk)}\n"
                 f"{triangle_sentence('CHN–RUS–USA', triangle_great, 'the USA', role_usa)}", fontsize=9.5)
    handles = [
        Line2D([], [], color=AMITY_COLOUR, linestyle=AMITY_STYLE, linewidth=3,
               label=f"amity\n(mean mutual\ntrust ≥ {amity_threshold:.2f})"),
        Line2D([], [], color=ENMITY_COLOUR, linestyle=ENMITY_STYLE, linewidth=3,
               label=f"enmity\n(mean mutual\ntrust < {amity_threshold:.2f})"),
        Line2D([], [], color="#777777", linewidth=1, label="thin: low trust"),
        Line2D([], [], color="#777777", linewidth=8, label="thick: high trust"),
    ]
    fig.legend(handles=handles, loc="center right", bbox_to_anchor=(0.998, 0.45), fontsize=7.5, handlelength=2.0,
               labelspacing=0.9, borderpad=0.5, title="Edges\n(number: mean\nmutual trust,\n0 none, 1 full)",
               title_fontsize=7.5)
    return fig


def triangle_state(model: Any) -> dict[str, Any]:
    """What the triangle diagram shows, read off a :class:`~sim.model.TriangleModel`: the trust
    matrix (replication 0), the amity threshold, triangle types and roles by name, the month."""
    out = model.outcomes
    return {
        "trust": np.asarray(model.state.trust[0]),
        "amity_threshold": float(np.asarray(model.params.amity_threshold).ravel()[0]),
        "triangle_prk": TRIANGLE_TYPES[int(out["triangle_prk_chn_rus"][0])],
        "role_prk": ROLES[int(out["role_prk"][0])],
        "triangle_great": TRIANGLE_TYPES[int(out["triangle_chn_rus_usa"][0])],
        "role_usa": ROLES[int(out["role_usa"][0])],
        "month": model.month,
        "amity": np.asarray(model.state.amity[0]),
    }


def triangle_view(model: Any) -> Any:
    """Dashboard component: the strategic-triangle diagram of the model's current month (SVG)."""
    return solara.HTML(tag="div", unsafe_innerHTML=triangle_svg(**triangle_state(model)),
                       classes=["trisim-triangle"])


# --- time series -----------------------------------------------------------------------------

#: Line colours by the other actor (Okabe and Ito 2008), the same in every series.
ACTOR_COLOURS = {"chn": "#E69F00", "rus": "#0072B2", "usa": "#CC79A7", "prk": "#000000"}
#: A second shade per actor for the dashed line of a pair, drawn on top: where two series of
#: one actor coincide (Russia's economic and military aid are often equal) both stay visible.
ACTOR_SHADES = {"chn": "#8C5A00", "rus": "#56B4E9", "usa": "#7A3D6B", "prk": "#666666"}


@dataclass(frozen=True)
class Series:
    """A time-series panel: DataCollector columns with their legend labels, a title, a y label."""

    key: str
    title: str
    ylabel: str
    columns: dict[str, str]  #: column -> legend label
    styles: dict[str, tuple[str, Any]]  #: column -> (colour, line style)
    ylim: tuple[float, float] | None = None
    threshold: bool = False  #: draw the amity threshold as a horizontal line

    def measure(self) -> dict[str, str]:
        """The ``{column: colour}`` measure Mesa's plot component takes."""
        return {c: self.styles[c][0] for c in self.columns}


def _styles(columns: list[str], other: Callable[[str], str], dashed: Callable[[str], bool]) -> dict:
    return {c: (ACTOR_SHADES[other(c)], "--") if dashed(c) else (ACTOR_COLOURS[other(c)], "-") for c in columns}


_TRUST = ["trust_prk_chn", "trust_chn_prk", "trust_prk_rus", "trust_rus_prk", "trust_chn_rus"]
_ATTENTION = ["attention_prk_chn", "attention_prk_rus", "attention_prk_usa"]
_AID = ["aid_chn_prk_econ", "aid_chn_prk_mil", "aid_rus_prk_econ", "aid_rus_prk_mil", "aid_usa_prk_econ"]

SERIES: tuple[Series, ...] = (
    Series(
        key="trust",
        title="Trust (0 = none, 1 = full) by month",
        ylabel="trust",
        columns={"trust_prk_chn": "PRK trusts China", "trust_chn_prk": "China trusts PRK",
                 "trust_prk_rus": "PRK trusts Russia", "trust_rus_prk": "Russia trusts PRK",
                 "trust_chn_rus": "China trusts Russia"},
        styles={**_styles(_TRUST[:4], lambda c: "chn" if "chn" in c else "rus",
                          lambda c: not c.startswith("trust_prk")),
                "trust_chn_rus": ("#000000", ":")},
        ylim=(0.0, 1.0),
        threshold=True,
    ),
    Series(
        key="attention",
        title="PRK's diplomatic attention (shares sum to 1) by month",
        ylabel="share of PRK's attention",
        columns={"attention_prk_chn": "to China", "attention_prk_rus": "to Russia",
                 "attention_prk_usa": "to the United States"},
        styles=_styles(_ATTENTION, lambda c: c.rsplit("_", 1)[1], lambda c: False),
        ylim=(0.0, 1.0),
    ),
    Series(
        key="aid",
        title="Aid PRK receives (USD bn/yr) by month",
        ylabel="aid (USD bn per year)",
        columns={"aid_chn_prk_econ": "China, economic", "aid_chn_prk_mil": "China, military",
                 "aid_rus_prk_econ": "Russia, economic", "aid_rus_prk_mil": "Russia, military",
                 "aid_usa_prk_econ": "United States, economic"},
        styles=_styles(_AID, lambda c: c.split("_")[1], lambda c: c.endswith("_mil")),
    ),
)


def series_view(series: Series) -> Callable[[Any], Any]:
    """Dashboard component drawing ``series`` (SVG) from the model's DataCollector columns,
    from month 0, with the model's amity threshold on the trust panel."""

    def view(model: Any) -> Any:
        threshold = float(np.asarray(model.params.amity_threshold).ravel()[0])
        svg = series_svg(series, model.datacollector.model_vars, model.months, threshold, model.month)
        return solara.HTML(tag="div", unsafe_innerHTML=svg, classes=[f"trisim-series-{series.key}"])

    view.__name__ = f"{series.key}_series"
    return view


# --- explanation and parameters ----------------------------------------------------------------
# Rendered as plain HTML (solara.HTML): solara.Markdown would fetch a math renderer from a CDN
# on every page, which fails where only the package registries are reachable.

_CELL = " style='padding: 2px 5px; white-space: normal'"
_PANEL_STYLE = "height: 100%; overflow-y: auto; font-size: 12.5px; line-height: 1.4; padding: 4px 8px;"


def _summary(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line, as HTML (reST literals as code)."""
    first = " ".join((doc or "").strip().split("\n\n")[0].split())
    return re.sub(r"``([^`]+)``", r"<code>\1</code>", html.escape(first, quote=False))


def _scenario_settings(name: str) -> str:
    """A scenario's own settings (fields beyond the base scenario), e.g. ``end_month = 12``."""
    scenario = SCENARIOS.create(name)
    base = {f.name for f in dataclasses.fields(WorldScenario)}
    own = [f"<code>{f.name} = {getattr(scenario, f.name)}</code>" for f in dataclasses.fields(scenario)
           if f.name not in base]
    return f" Settings: {', '.join(own)}." if own else ""


def explanation_html(model: Any) -> str:
    """How to use the dashboard, the month's key numbers and what the triangle means now, and
    what the current run is (strategy, scenario, US policy, seed), as HTML."""
    spec = model.spec
    out = model.outcomes
    s = triangle_state(model)
    tech = bool(out["tech_transferred"][0])
    seed = html.escape(str(getattr(model, "seed_text", "not set")))
    how = ("<b>How to use.</b> Pick a scenario, PRK's strategy, the US policy and the parameters on the "
           "left, then press <b>RESET</b>: changes apply only at Reset. <b>STEP</b> advances one month "
           f"(one step = one month); <b>▶</b> plays and pauses. A run lasts {model.months} months. "
           "The table at the bottom right lists the parameters' meanings, values and sources.")
    meaning = triangle_caption(s["triangle_prk"], s["role_prk"], s["triangle_great"], s["role_usa"])[0]
    now = (f"<p style='margin: 6px 0 2px'><b>Month {s['month']} of {model.months}</b>:</p><ul style='margin: 0'>"
           f"<li>aid to PRK <b>{float(out['aid_total_prk'][0]):.2f} USD bn/yr</b>; "
           f"food need covered <b>{100 * float(out['food_coverage'][0]):.0f} %</b></li>"
           f"<li>PRK's autonomy (1 − concentration of its support) <b>{float(out['autonomy_prk'][0]):.2f}</b></li>"
           f"<li>Russian crown-jewel technology transferred: <b>{'yes' if tech else 'no'}</b>; "
           f"UN sanctions level <b>{float(out['sanctions'][0]):.2f}</b></li>"
           f"<li>{html.escape(meaning)}</li></ul>")
    run = (f"<p style='margin: 6px 0 2px'><b>This run</b> (seed {seed}):</p><ul style='margin: 0'>"
           f"<li><b>PRK strategy <code>{spec.strategy}</code></b>: {_summary(STRATEGIES[spec.strategy].__doc__)}</li>"
           f"<li><b>Scenario <code>{spec.scenario}</code></b>: {_summary(SCENARIOS[spec.scenario].__doc__)}"
           f"{_scenario_settings(spec.scenario)}</li>"
           f"<li><b>US policy <code>{spec.us_policy}</code></b>: {_summary(US_POLICIES[spec.us_policy].__doc__)}</li>"
           "</ul>")
    parts = [how, now, run]
    if model.month >= model.months:  # the end of the run, said where it is seen first
        parts.insert(0, "<p class='trisim-finished' style='background: #E8F4EA; border-left: 4px solid #009E73; "
                        f"padding: 4px 8px; margin: 0 0 6px'><b>Run complete</b>: all {model.months} months "
                        "simulated; Step and ▶ are off. Press <b>RESET</b> for a new run (change the settings "
                        "first), or press <b>RUN ENSEMBLE</b> below to see the spread over many runs.</p>")
    notice = getattr(model, "notice", "")
    if notice:  # first, where it is seen
        parts.insert(0, f"<p style='color: #B00020; margin: 0 0 4px'><b>Note:</b> {html.escape(notice)}</p>")
    return "\n".join(parts)


def explanation(model: Any) -> Any:
    """Dashboard component: :func:`explanation_html`."""
    return solara.HTML(tag="div", unsafe_innerHTML=explanation_html(model), style=_PANEL_STYLE,
                       classes=["trisim-explanation"])


def parameters_html(model: Any, names: tuple[str, ...] | list[str]) -> str:
    """A table of parameters ``names``: unit, meaning and source, value in this run, allowed
    range (from :data:`sim.params.PARAM_FIELDS`)."""
    rows = []
    for name in names:
        f = PARAM_FIELDS[name]
        lo, hi = f.metadata["bounds"]
        value = float(np.asarray(getattr(model.params, name)).ravel()[0])
        unit = "" if f.metadata["unit"] == "1" else f"<br><small>{html.escape(f.metadata['unit'])}</small>"
        source = f.metadata["source"]
        source = f"<br><small style='color: #666'>{html.escape(source)}</small>" if source else ""
        rows.append(
            f"<tr style='border-bottom: 1px solid #ddd; vertical-align: top'><td{_CELL}><code>{name}</code>{unit}</td>"
            f"<td{_CELL}>{html.escape(f.metadata['doc'])}{source}</td>"
            f"<td{_CELL}><b>{value:g}</b></td><td{_CELL}>{lo:g}–{hi:g}</td></tr>"
        )
    return (
        "<b>Parameters of this run</b> (move the sliders on the left, then Reset)"
        "<table style='border-collapse: collapse; font-size: 12px; margin-top: 4px; width: 100%'>"
        "<tr style='text-align: left; border-bottom: 1px solid #999'>"
        + "".join(f"<th{_CELL}>{h}</th>" for h in ("parameter", "meaning and source", "value", "range"))
        + "</tr>" + "".join(rows) + "</table>"
    )


def parameters_view(names: tuple[str, ...] | list[str]) -> Callable[[Any], Any]:
    """Dashboard component: :func:`parameters_html` for the slider parameters ``names``."""

    def view(model: Any) -> Any:
        return solara.HTML(tag="div", unsafe_innerHTML=parameters_html(model, names), style=_PANEL_STYLE,
                           classes=["trisim-parameters"])

    view.__name__ = "parameters"
    return view


# --- drawn as SVG ------------------------------------------------------------------------------
# The views that change every month are SVG text written here, not matplotlib images: a
# matplotlib PNG costs 70-80 ms to draw, four of them more than a month's whole budget (150 ms),
# while this text takes well under a millisecond and needs no browser asset.

_DASH = {"-": "", "--": "6 4", ":": "2 3", "-.": "7 3 2 3"}
_FONT = "font-family: sans-serif"


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values from ``lo`` to ``hi``."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10.0 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-9, step)]


def _text(x: float, y: float, text: str, size: float = 11, anchor: str = "middle", **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" style="{_FONT}"{extra}>'
            f"{html.escape(text)}</text>")


def series_svg(series: Series, data: dict[str, list[float]], months: int, amity_threshold: float | None = None,
               month: int | None = None, width: int = 480, height: int = 340) -> str:
    """A time-series panel as SVG: the x axis spans the whole run (month 0 to ``months``) from
    the start, so the lines grow into a fixed frame; each series has its colour and dash and a
    dot at its current value, and the legend gives each series' current value (so two series
    that coincide, such as Russia's economic and military aid, are both named).

    Args:
        series: which columns, labels and styles.
        data: column -> values from month 0 on (the DataCollector's ``model_vars``).
        months: months of the run (the x axis).
        amity_threshold: drawn as a line on a panel with ``threshold``.
        month: the current month (written as ``data-month``, for tests).
    """
    left, right, top, bottom = 46, width - 12, 30, height - 100
    columns = [c for c in series.columns if c in data]
    values = {c: np.asarray(data[c], dtype=float) for c in columns}
    if series.ylim is not None:
        y_lo, y_hi = series.ylim
    else:
        peak = max([float(np.nanmax(v)) for v in values.values() if v.size] + [0.0])
        y_lo, y_hi = 0.0, _nice_ticks(0.0, max(peak * 1.1, 0.5))[-1]
        if y_hi < peak:
            y_hi = peak * 1.1
    x_hi = max(int(months), 1)

    def x(t: float) -> float:
        return left + (right - left) * t / x_hi

    def y(v: float) -> float:
        return bottom - (bottom - top) * (v - y_lo) / ((y_hi - y_lo) or 1.0)

    shown = month if month is not None else max((v.size for v in values.values()), default=1) - 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           f'data-series="{series.key}" data-month="{shown}" role="img" aria-label="{html.escape(series.title)}">',
           _text(width / 2, 16, series.title, 13, font_weight="bold")]
    for v in _nice_ticks(y_lo, y_hi):
        out.append(f'<line x1="{left}" x2="{right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e3e3"/>')
        out.append(_text(left - 5, y(v) + 4, f"{v:g}", 10, "end"))
    step = 12 if x_hi <= 120 else 24
    for t in range(0, x_hi + 1, step):
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#555"/>')
        out.append(_text(x(t), bottom + 16, str(t), 10))
    out.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#555"/>')
    out.append(_text((left + right) / 2, bottom + 30, "month (one step = one month)", 10.5))
    out.append(_text(12, (top + bottom) / 2, series.ylabel, 10.5, transform=f"rotate(-90 12 {(top + bottom) / 2})"))
    if series.threshold and amity_threshold is not None:
        out.append(f'<line x1="{left}" x2="{right}" y1="{y(amity_threshold):.1f}" y2="{y(amity_threshold):.1f}" '
                   'stroke="#999" stroke-width="1.3" stroke-dasharray="7 3 2 3"/>')
    # solid lines first, dashed on top: where two series coincide both colours stay visible
    order = sorted(columns, key=lambda c: series.styles[c][1] != "-")
    for c in order:
        colour, style = series.styles[c]
        v = values[c]
        if not v.size:
            continue
        points = " ".join(f"{x(t):.1f},{y(min(max(val, y_lo), y_hi)):.1f}" for t, val in enumerate(v))
        dash = _DASH.get(style, "")
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.2" '
                   f'stroke-linejoin="round"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""} '
                   f'data-column="{c}"/>')
        out.append(f'<circle cx="{x(v.size - 1):.1f}" cy="{y(min(max(v[-1], y_lo), y_hi)):.1f}" r="3" '
                   f'fill="{colour}"/>')
    entries = [(series.columns[c], *series.styles[c], values[c][-1] if values[c].size else np.nan) for c in columns]
    if series.threshold and amity_threshold is not None:
        entries.append(("amity threshold", "#999", "-.", amity_threshold))
    per_row = 2
    for k, (label, colour, style, value) in enumerate(entries):
        lx = 20 + (k % per_row) * (width - 20) / per_row
        ly = bottom + 48 + 15 * (k // per_row)
        dash = _DASH.get(style, "")
        out.append(f'<line x1="{lx:.0f}" x2="{lx + 26:.0f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                   f'stroke-width="2.5"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>')
        out.append(_text(lx + 31, ly, f"{label}: {value:.2f}", 10.5, "start"))
    out.append("</svg>")
    return "\n".join(out)


def triangle_svg(trust: np.ndarray, amity_threshold: float, triangle_prk: str, role_prk: str,
                 triangle_great: str, role_usa: str, month: int | None = None, amity: np.ndarray | None = None) -> str:
    """The strategic-triangle diagram of :func:`triangle_figure`, as SVG (edges carry
    ``data-edge="PRK-CHN"`` and ``data-amity``; the month is ``data-month``). ``amity`` is the
    model's 4 x 4 amity relation (the state's ``amity``), which the edges follow when given."""
    if triangle_prk not in TRIANGLE_TYPES or triangle_great not in TRIANGLE_TYPES:
        raise ValueError(f"triangle type must be one of {', '.join(TRIANGLE_TYPES)}")
    if role_prk not in ROLES or role_usa not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    pairs = mutual_trust(trust)
    width, height, scale = 500, 360, 118.0

    def p(i: int) -> tuple[float, float]:
        px, py = POSITIONS[i]
        return 40 + scale * (px + 0.35), 70 + scale * (2.25 - py) * 0.95

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           f'data-month="{month if month is not None else ""}" role="img" aria-label="strategic triangle">']
    title = [triangle_sentence("PRK–CHN–RUS", triangle_prk, "PRK", role_prk),
             triangle_sentence("CHN–RUS–USA", triangle_great, "the USA", role_usa)]
    if month is not None:
        title[0] = f"Month {month}: {title[0]}"
    out += [_text(width / 2, 16, title[0], 12, font_weight="bold"), _text(width / 2, 32, title[1], 12)]
    out.append('<polygon points="' + " ".join(f"{p(i)[0]:.1f},{p(i)[1]:.1f}" for i in TRIO_PRK)
               + '" fill="#EDEDED"/>')
    for (a, b), mean in pairs.items():
        style = edge_style(mean, amity_threshold, None if amity is None else amity[a, b])
        (x0, y0), (x1, y1) = p(a), p(b)
        dash = "" if style["amity"] else ' stroke-dasharray="10 6"'
        out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{style["color"]}" '
                   f'stroke-width="{style["linewidth"] * 1.3:.1f}" stroke-linecap="round"{dash} '
                   f'data-edge="{ACTORS[a]}-{ACTORS[b]}" data-amity="{str(style["amity"]).lower()}"/>')
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        out.append(f'<rect x="{mx - 17:.1f}" y="{my - 10:.1f}" width="34" height="19" rx="5" fill="white" '
                   f'stroke="{style["color"]}"/>')
        out.append(_text(mx, my + 4, f"{mean:.2f}", 11))
    for i in POSITIONS:
        cx, cy = p(i)
        fill = "#FFF3C4" if i == PRK else "#FFFFFF"
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{NODE_RADIUS * scale:.1f}" fill="{fill}" '
                   'stroke="#333" stroke-width="1.8"/>')
        out.append(_text(cx, cy + 3, ACTORS[i], 15, font_weight="bold"))
        out.append(_text(cx, cy + 16, ACTOR_NAMES[ACTORS[i]], 8))
    lx, ly = 395, 150
    out.append(_text(lx, ly - 20, "Edges (number: mean", 10, "start"))
    out.append(_text(lx, ly - 7, "mutual trust, 0-1)", 10, "start"))
    for k, (colour, dash, label) in enumerate(((AMITY_COLOUR, "", f"amity: ≥ {amity_threshold:.2f}"),
                                                (ENMITY_COLOUR, ' stroke-dasharray="8 5"',
                                                 f"enmity: < {amity_threshold:.2f}"))):
        yy = ly + 14 + 26 * k
        out.append(f'<line x1="{lx}" x2="{lx + 28}" y1="{yy}" y2="{yy}" stroke="{colour}" stroke-width="4"{dash}/>')
        out.append(_text(lx + 33, yy + 4, label, 10, "start"))
    out.append(_text(lx, ly + 74, "thicker: more trust", 10, "start"))
    out.append("</svg>")
    return "\n".join(out)

"""Readable names, units and the figure style shared by every analysis figure.

Column names follow the house rule (``<quantity>_<actor>``, ``<quantity>_<from>_<to>``); this
module turns them into axis labels with units, so a figure never shows a raw column name
where a reader expects a quantity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from sim.actors import ACTORS
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES

#: Figure widths (inches) of a journal's single column (89 mm) and full page (183 mm).
COLUMN_WIDTH = 3.5
FULL_WIDTH = 7.2

#: Matplotlib settings of every analysis figure: small serif-free fonts that stay readable
#: when the figure is printed at one column width, thin lines, no top/right spines.
STYLE = {
    "font.size": 7.5,
    "axes.titlesize": 7.5,
    "axes.labelsize": 7.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7.5,
    "figure.titlesize": 8.5,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.1,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.03,
    "pdf.fonttype": 42,  # editable text in the PDF
}

_NAMES = {"prk": "PRK", "chn": "China", "rus": "Russia", "usa": "US"}
_CHANNELS = {"econ": "economic", "mil": "military"}

#: Outcome -> (label, unit). Pair quantities are generated below from the actor list.
_FIXED = {
    "aid_total_prk": ("aid to PRK, all donors", "USD bn/yr"),
    "bid_chn": ("China's contest bid", "USD bn/yr"),
    "bid_rus": ("Russia's contest bid", "USD bn/yr"),
    "munitions_prk_rus": ("PRK munitions to Russia", "USD bn/yr"),
    "food_coverage": ("PRK food need covered", "share of 5.5 Mt/yr"),
    "autonomy_prk": ("PRK autonomy", "1 - HHI of dependence"),
    "tech_transferred": ("crown-jewel technology transferred", "share of runs"),
    "tech_month": ("month of technology transfer", "month"),
    "resolutions_tabled": ("UNSC resolutions tabled", "count"),
    "resolutions_vetoed": ("UNSC resolutions vetoed", "count"),
    "resolutions_passed": ("UNSC resolutions passed", "count"),
    "sanctions": ("UN sanctions level", "index"),
    "alliance_prk_chn_rus": ("PRK-China-Russia alliance", "share of runs"),
    "alliance_ever": ("alliance formed at some month", "share of runs"),
    "triangle_prk_chn_rus": ("PRK-China-Russia triangle", "type"),
    "role_prk": ("PRK's role in the triangle", "role"),
    "triangle_chn_rus_usa": ("China-Russia-US triangle", "type"),
    "role_usa": ("US role in the triangle", "role"),
}

_PAIR = re.compile(r"^(trust|attention|dependence|leverage)_([a-z]{3})_([a-z]{3})$")
_AID = re.compile(r"^aid_([a-z]{3})_prk_(econ|mil)$")


def actor_name(code: str) -> str:
    """``"chn"`` -> ``"China"``; ISO codes as the seeds name the states."""
    return _NAMES.get(code.lower(), code.upper())


def outcome_label(name: str, unit: bool = True) -> str:
    """Axis label of outcome column ``name``, with its unit in parentheses.

    >>> outcome_label("trust_chn_prk")
    "China's trust in PRK (0-1)"
    """
    text, u = _describe(name)
    return f"{text} ({u})" if unit and u else text


def outcome_unit(name: str) -> str:
    return _describe(name)[1]


def _describe(name: str) -> tuple[str, str]:
    if name in _FIXED:
        return _FIXED[name]
    if m := _AID.match(name):
        return f"{_CHANNELS[m[2]]} aid to PRK from {actor_name(m[1])}", "USD bn/yr"
    if m := _PAIR.match(name):
        kind, a, b = m.groups()
        if kind == "trust":
            return f"{actor_name(a)}'s trust in {actor_name(b)}", "0-1"
        if kind == "attention":
            return f"{actor_name(a)}'s attention to {actor_name(b)}", "share"
        if kind == "dependence":
            return f"PRK's dependence on {actor_name(b)}", "share of support"
        return f"PRK's leverage over {actor_name(b)}", "index"
    return name.replace("_", " "), ""


def strategy_label(name: str) -> str:
    """``"engage_us"`` -> ``"engage US"``."""
    return " ".join("US" if w == "us" else w for w in str(name).split("_"))


def scenario_label(name: str) -> str:
    """``"status_quo_2024"`` -> ``"status quo 2024"``; US policy names likewise."""
    return " ".join("US" if w == "us" else w for w in str(name).split("_"))


def ordered(values: Iterable[object], reference: Iterable[str] = ()) -> list[str]:
    """Distinct ``values`` as strings, in the order of ``reference`` (a registry), then sorted."""
    present = {str(v) for v in pd.unique(pd.Series(list(values), dtype=object)) if not pd.isna(v)}
    ref = [r for r in reference if r in present]
    return ref + sorted(present - set(ref))


def strategy_order(values: Iterable[object]) -> list[str]:
    """The strategies present, in registry order (the order of every legend)."""
    return ordered(values, STRATEGIES.names())


def scenario_order(values: Iterable[object]) -> list[str]:
    return ordered(values, SCENARIOS.names())


ACTOR_LABELS = tuple(actor_name(a) for a in ACTORS)

"""Readable names, units and the figure style shared by every analysis figure.

Column names follow the house rule (``<quantity>_<actor>``, ``<quantity>_<from>_<to>``); this
module turns them into axis labels with units, so a figure never shows a raw column name
where a reader expects a quantity.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sim.actors import ACTORS
from sim.outcomes import OUTCOME_INFO
from sim.params import PARAM_FIELDS
from sim.plots import strategy_label as strategy_label  # one definition, shared with the job's figure
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

#: Labels and units of columns that are not outcomes but appear on figure axes.
_INPUTS = {
    "month": ("month of simulation", ""),
    "replication": ("replication", ""),
}


def actor_name(code: str) -> str:
    """``"chn"`` -> ``"China"``; ISO codes as the seeds name the states."""
    return _NAMES.get(code.lower(), code.upper())


def outcome_label(name: str, unit: bool = True) -> str:
    """Axis label of outcome column ``name``, with its unit in parentheses, from the outcome
    declaration :data:`sim.outcomes.OUTCOME_INFO` (the one place labels and units live).

    >>> outcome_label("trust_chn_prk")
    "China's trust in PRK (0-1)"
    """
    text, u = _describe(name)
    return f"{text} ({u})" if unit and u else text


def outcome_unit(name: str) -> str:
    """The unit of outcome ``name`` as :data:`sim.outcomes.OUTCOME_INFO` declares it ('' if none)."""
    return _describe(name)[1]


def _describe(name: str) -> tuple[str, str]:
    info = OUTCOME_INFO.get(name)
    if info is not None:
        return info.label, info.unit
    if name in _INPUTS:
        return _INPUTS[name]
    if name in PARAM_FIELDS:  # a swept parameter: its name as the config writes it, and its unit
        u = PARAM_FIELDS[name].metadata["unit"]
        return name, "" if u == "1" else u
    return name.replace("_", " "), ""


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

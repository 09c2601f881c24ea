"""The student dashboard: ``solara run sim/dashboard/app.py`` (``make dashboard``), then open
http://127.0.0.1:8765.

The sidebar holds the run's choices (scenario, PRK strategy, US policy, from the registries),
sliders for the main parameters (bounds and units from :data:`sim.params.PARAM_FIELDS`) and the
seed; Mesa's SolaraViz adds Reset, Step and Play. The main area shows the views of
:mod:`sim.dashboard.components` (one run, month by month) and :mod:`sim.dashboard.ensemble`
(many runs of the same settings with the batch engine).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import solara
from mesa.visualization import SolaraViz

from sim.dashboard.components import SERIES, explanation, parameters_view, series_view, triangle_view
from sim.dashboard.ensemble import EnsembleView
from sim.model import TriangleModel
from sim.params import PARAM_FIELDS
from sim.policies import US_POLICIES
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES

#: Parameters with a slider: the ones students move first (values, trust, transaction, triangle).
SLIDER_PARAMS = (
    "value_chn",
    "war_value_rus",
    "reliability_rus",
    "jealousy",
    "trust_rate",
    "tech_threshold",
    "amity_threshold",
)
DEFAULT_SEED = 42


def _parse_seed(value: Any) -> tuple[int, str]:
    """The seed as an int, and a notice ('' if fine). SolaraViz's InputText hands back a string;
    a seed that is not a whole number >= 0 falls back to :data:`DEFAULT_SEED` with a notice, so
    that Reset never fails on a typo."""
    text = str(value).strip()
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        return DEFAULT_SEED, f"seed must be a whole number ≥ 0, got {text!r}; this run uses seed {DEFAULT_SEED}."
    return seed, ""


class DashboardModel(TriangleModel):
    """:class:`~sim.model.TriangleModel` with the dashboard's inputs.

    The world's scenario is ``scenario_name``: SolaraViz's Reset passes its own ``scenario``
    (a ``mesa.experimental.scenarios.Scenario``, Mesa's experiment record) to every Mesa model,
    which would clash with the model's ``scenario`` name; it is accepted and ignored here. The
    month-0 state is collected too, so the series start at month 0 and are never empty.

    Args:
        strategy, scenario_name, us_policy: names in the registries.
        months: months per run.
        rng: the seed, an int or its text from the dashboard.
        scenario: ignored (Mesa's experiment record, see above).
        **param_overrides: parameter values from the sliders.
    """

    def __init__(
        self,
        strategy: str = "balancing",
        scenario_name: str = "status_quo_2024",
        us_policy: str = "pressure",
        months: int = 120,
        rng: Any = DEFAULT_SEED,
        scenario: Any = None,
        **param_overrides: float,
    ) -> None:
        seed, self.notice = _parse_seed(rng)
        self.seed_text = str(seed)
        self.param_overrides = dict(param_overrides)  # the ensemble view runs these too
        super().__init__(strategy=strategy, scenario_name=scenario_name, us_policy=us_policy, months=int(months),
                         rng=seed, **param_overrides)
        self.datacollector.collect(self)


def _nice_step(lo: float, hi: float) -> float:
    """A slider step of about 1/100 of the range, rounded to a power of ten."""
    return 10.0 ** round(math.log10((hi - lo) / 100.0))


def slider(name: str) -> dict[str, Any]:
    """A SolaraViz float slider for parameter ``name``: its bounds, default and unit from the
    parameter's metadata; the label says what it means."""
    f = PARAM_FIELDS[name]
    lo, hi = f.metadata["bounds"]
    unit = f.metadata["unit"]
    unit_text = "" if unit == "1" else f" ({unit})"
    return {
        "type": "SliderFloat",
        "label": f"{name}{unit_text}",
        "value": float(f.default),
        "min": float(lo),
        "max": float(hi),
        "step": _nice_step(lo, hi),
    }


def model_params() -> dict[str, Any]:
    """The sidebar inputs, keyed by :class:`DashboardModel` argument."""
    return {
        "scenario_name": {"type": "Select", "label": "Scenario", "value": "status_quo_2024",
                          "values": SCENARIOS.names()},
        "strategy": {"type": "Select", "label": "PRK strategy", "value": "balancing", "values": STRATEGIES.names()},
        "us_policy": {"type": "Select", "label": "US policy", "value": "pressure", "values": US_POLICIES.names()},
        "months": {"type": "SliderInt", "label": "Months per run", "value": 120, "min": 12, "max": 240, "step": 12},
        "rng": {"type": "InputText", "label": "Seed (whole number)", "value": str(DEFAULT_SEED)},
        **{name: slider(name) for name in SLIDER_PARAMS},
    }


def components() -> list[Any]:
    """The main area's views, two to a row: explanation and triangle, then the series, then the
    parameter table and the ensemble view (a component of its own: not redrawn every month)."""
    return [explanation, triangle_view, *[series_view(s) for s in SERIES], parameters_view(SLIDER_PARAMS),
            EnsembleView]


@functools.cache
def warm_up() -> bool:
    """Step a throwaway model once per server process, while the page loads: the first month
    of a process loads the compiled month loop (about 1-2 s), which would otherwise fall on
    the student's first Step."""
    DashboardModel(months=12).step()
    return True


@solara.component
def Page() -> None:  # noqa: N802 (solara serves the component named Page)
    """The dashboard page; each browser session gets its own model."""
    solara.use_memo(warm_up, [])
    model = solara.use_memo(DashboardModel, [])
    views = solara.use_memo(components, [])
    inputs = solara.use_memo(model_params, [])
    SolaraViz(model, components=views, model_params=inputs, play_interval=300,
              name="trisim: North Korea between China, Russia and the United States")

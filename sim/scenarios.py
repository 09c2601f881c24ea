"""Scenarios: the world PRK's strategy plays in, as exogenous drivers over time.

A scenario is an *uncertainty* in the EMA Workbench sense: it is not chosen by any agent.
Month 0 is January 2024 (status quo: Russia's war in its third year, seed 000).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.actors import CHN, RUS, USA
from sim.jitcache import jit_inline
from sim.registry import Registry, check_fields
from sim.types import Month

SCENARIOS: Registry[Scenario] = Registry("scenario")


@dataclass(frozen=True)
class Drivers:
    """Exogenous drivers, one value per month (arrays of shape ``(T,)``; summits ``(T, 4)``).

    war_intensity: Russia's need for munitions, 0 (peace) to 1 (full war; seeds 000, 001).
    us_china_rivalry: 0 (detente) to 1 (open rivalry; seed 001).
    us_russia_hostility: 0 to 1 (seed 002: Russia heavily sanctioned for invading Ukraine).
    food_shortfall_mt: PRK's own harvest short of need, Mt/yr (seed 004: roughly 1 Mt short).
    border_open: share of China's economic aid that crosses the border (seed 004: closure).
    summits: ``summits[t, b] = 1`` if PRK holds a summit with actor b in month t.
    window: 1 in the months of the scenario's event window (the crisis, the months after the
        war ends ...), over which the window means of the outcomes are taken (E16); every
        month unless the scenario says otherwise.
    """

    war_intensity: np.ndarray
    us_china_rivalry: np.ndarray
    us_russia_hostility: np.ndarray
    food_shortfall_mt: np.ndarray
    border_open: np.ndarray
    summits: np.ndarray
    window: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.window is None:
            object.__setattr__(self, "window", np.ones(len(self.war_intensity)))

    @property
    def months(self) -> int:
        return len(self.war_intensity)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The drivers as a tuple of float arrays, in field order, for compiled code."""
        return tuple(np.ascontiguousarray(getattr(self, f), dtype=float) for f in
                     ("war_intensity", "us_china_rivalry", "us_russia_hostility", "food_shortfall_mt", "border_open",
                      "summits", "window"))

    def month(self, t: int) -> Month:
        """The drivers of month ``t``, as the agents' rules see them."""
        return month_at(self.arrays(), t)

    def frozen(self) -> Drivers:
        """The drivers held at their month-0 values and no summits: the 'shocks off' world."""
        T = self.months
        return Drivers(
            war_intensity=np.full(T, self.war_intensity[0]),
            us_china_rivalry=np.full(T, self.us_china_rivalry[0]),
            us_russia_hostility=np.full(T, self.us_russia_hostility[0]),
            food_shortfall_mt=np.full(T, self.food_shortfall_mt[0]),
            border_open=np.full(T, self.border_open[0]),
            summits=np.zeros_like(self.summits),
            window=self.window,
        )


@jit_inline
def month_at(drivers: tuple, t: int) -> Month:
    """Month ``t`` of the drivers (as :meth:`Drivers.arrays` gives them)."""
    war, rivalry, hostility, shortfall, border, summits, window = drivers
    return Month(t, war[t], rivalry[t], hostility[t], shortfall[t], border[t],
                 (summits[t, 0], summits[t, 1], summits[t, 2], summits[t, 3]), window[t])


def _after(months: int, start: int, before: float, after: float) -> np.ndarray:
    out = np.full(months, before, dtype=float)
    out[max(start, 0):] = after
    return out


@dataclass(frozen=True)
class Scenario:
    """Base scenario: the status quo of 2024. Subclasses change one driver."""

    name = "base"

    war: float = 1.0
    rivalry: float = 0.7
    hostility: float = 0.9
    shortfall_mt: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, "scenario", war=(0, 1), rivalry=(0, 1), hostility=(0, 1), shortfall_mt=(0, 7))

    def drivers(self, months: int) -> Drivers:
        if months < 1:
            raise ValueError(f"months must be >= 1, got {months}")
        summits = np.zeros((months, 4))
        if months > 5:
            summits[5, RUS] = 1.0  # June 2024: Putin in Pyongyang (seed 000)
        return Drivers(
            war_intensity=np.full(months, self.war),
            us_china_rivalry=np.full(months, self.rivalry),
            us_russia_hostility=np.full(months, self.hostility),
            food_shortfall_mt=np.full(months, self.shortfall_mt),
            border_open=np.ones(months),
            summits=summits,
        )


@SCENARIOS.register
@dataclass(frozen=True)
class StatusQuo2024(Scenario):
    """2024 as the seeds describe it: Russia's war goes on, US-China rivalry high, PRK about
    1 Mt short of food (seeds 000, 001, 004), a Kim-Putin summit in June 2024 (seed 000)."""

    name = "status_quo_2024"


@SCENARIOS.register
@dataclass(frozen=True)
class WarEnds(Scenario):
    """Russia's war in Ukraine ends at ``end_month``: Russia's need for PRK munitions falls
    to zero (seed 001: Russia wants 'wartime supplies and a post-war recovery')."""

    name = "war_ends"
    end_month: int = 12

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "scenario", end_month=(0, 10_000))

    def drivers(self, months: int) -> Drivers:
        d = super().drivers(months)
        return _replace(d, war_intensity=_after(months, self.end_month, self.war, 0.0),
                        window=_after(months, self.end_month, 0.0, 1.0))


@SCENARIOS.register
@dataclass(frozen=True)
class UsChinaDetente(Scenario):
    """US-China detente from ``start_month``: rivalry falls to ``rivalry_after`` (seed 001:
    'recent efforts to lower the tensions in the U.S.-China rivalry')."""

    name = "us_china_detente"
    start_month: int = 12
    rivalry_after: float = 0.2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "scenario", start_month=(0, 10_000), rivalry_after=(0, 1))

    def drivers(self, months: int) -> Drivers:
        d = super().drivers(months)
        return _replace(d, us_china_rivalry=_after(months, self.start_month, self.rivalry, self.rivalry_after),
                        window=_after(months, self.start_month, 0.0, 1.0))


@SCENARIOS.register
@dataclass(frozen=True)
class FoodCrisis(Scenario):
    """Floods plus border closure (seed 004, 2020-21): the harvest shortfall grows to
    ``crisis_shortfall_mt`` and only ``border_open`` of China's economic aid crosses the
    border, for ``duration`` months from month 0 (the event window)."""

    name = "food_crisis"
    crisis_shortfall_mt: float = 2.0
    border_open: float = 0.3
    duration: int = 24

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "scenario", crisis_shortfall_mt=(0, 7), border_open=(0, 1), duration=(0, 10_000))

    def drivers(self, months: int) -> Drivers:
        d = super().drivers(months)
        short = np.full(months, self.shortfall_mt)
        short[: self.duration] = self.crisis_shortfall_mt
        border = np.ones(months)
        border[: self.duration] = self.border_open
        return _replace(d, food_shortfall_mt=short, border_open=border, window=_after(months, self.duration, 1.0, 0.0))


@SCENARIOS.register
@dataclass(frozen=True)
class Summitry2018(Scenario):
    """2018-19: three Xi-Kim meetings in 2018, two in 2019, and US-PRK summits (seed 002);
    no war in Ukraine yet."""

    name = "summitry_2018"
    war: float = 0.0
    hostility: float = 0.6
    rivalry: float = 0.6

    def drivers(self, months: int) -> Drivers:
        d = super().drivers(months)
        summits = np.zeros((months, 4))
        for t in (2, 5, 8, 14, 17):
            if t < months:
                summits[t, CHN] = 1.0
        for t in (5, 13):
            if t < months:
                summits[t, USA] = 1.0
        return _replace(d, summits=summits)


def _replace(d: Drivers, **changes: np.ndarray) -> Drivers:
    return Drivers(**{**d.__dict__, **changes})


def scenario_drivers(name: str, months: int, shocks: bool = True, **options: object) -> Drivers:
    """The drivers of scenario ``name`` over ``months``; frozen at month 0 if shocks are off."""
    d = SCENARIOS.create(name, **options).drivers(months)
    return d if shocks else d.frozen()

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
    """Base scenario: the status quo of 2024. Subclasses change one driver. ``start`` is the
    calendar month of month 0 (figures date their time axes by it)."""

    name = "base"
    start = "2024-01"

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


#: PRK's summits of 2018-19 (month 0 = January 2018): (month, actor, weight, when, seed).
#: Weight 1 is a leaders' summit, 0.5 a lesser meeting or a ministerial visit.
SUMMITS_2018_19 = (
    (2, CHN, 1.0, "2018-03 Kim in Beijing", "002, 003: Kim's first trip abroad, three Xi-Kim meetings in 2018"),
    (4, CHN, 1.0, "2018-05 Xi-Kim in Dalian", "002: three meetings in 2018"),
    (5, CHN, 1.0, "2018-06 Kim in Beijing", "002: three meetings in 2018"),
    (5, USA, 1.0, "2018-06 Singapore summit", "002: two US-PRK summits and an impromptu meeting 2018-19"),
    (12, CHN, 1.0, "2019-01 Kim in Beijing", "002: two summits in 2019"),
    (13, USA, 1.0, "2019-02 Hanoi summit", "002"),
    (15, RUS, 1.0, "2019-04 Putin-Kim in Vladivostok", "003: 'almost an afterthought'; 002: last met in 2019"),
    (17, CHN, 1.0, "2019-06 Xi in Pyongyang", "003: Xi visited Pyongyang in 2019, just before COVID"),
    (17, USA, 0.5, "2019-06 impromptu DMZ meeting", "002: 'an impromptu meeting'"),
)

#: PRK's meetings with Russia in 2023-24 (month 0 = January 2018).
MEETINGS_2023_24 = (
    (66, RUS, 0.5, "2023-07 Shoigu at the Victory Day", "001: 84 photos of the Russian delegation, 30 of the Chinese"),
    (68, RUS, 1.0, "2023-09 Kim-Putin summit in Russia", "002: summit of Sept. 16 and arms deals; 003"),
    (69, RUS, 0.5, "2023-10 Lavrov in Pyongyang", "002: Lavrov arrived Oct. 18"),
    (77, RUS, 1.0, "2024-06 Putin in Pyongyang, mutual-aid deal", "000"),
    (80, RUS, 0.5, "2024-09 Shoigu in Pyongyang", "000: 'this month' (the letter of September 2024)"),
    (82, RUS, 0.5, "2024-11 Choe Son Hui in Russia", "000: 'later', talks with Lavrov"),
)


def _summits(months: int, events: tuple) -> np.ndarray:
    summits = np.zeros((months, 4))
    for t, actor, weight, _, _ in events:
        if t < months:
            summits[t, actor] = max(summits[t, actor], weight)
    return summits


@SCENARIOS.register
@dataclass(frozen=True)
class Summitry2018(Scenario):
    """2018-19 (month 0 = January 2018): three Xi-Kim meetings in 2018 (March, May, June), two
    in 2019 (January, June), two US-PRK summits and an impromptu meeting, the April 2019
    Putin-Kim summit (seeds 002, 003; :data:`SUMMITS_2018_19`); no war in Ukraine yet."""

    name = "summitry_2018"
    start = "2018-01"
    war: float = 0.0
    hostility: float = 0.6
    rivalry: float = 0.6

    def drivers(self, months: int) -> Drivers:
        return _replace(super().drivers(months), summits=_summits(months, SUMMITS_2018_19))


@SCENARIOS.register
@dataclass(frozen=True)
class History2018To2024(Scenario):
    """2018-2024 as one calendar of 84 months (month 0 = January 2018), the dated events of the
    seeds: the 2018-19 summits (:data:`SUMMITS_2018_19`); the border closure from February 2020
    to the end of 2022, during which only ``closed_border_open`` of China's economic aid
    crosses it (seed 004: 'a protracted border closure with China'); Russia's war from
    February 2022 (seed 002: Russia 'heavily sanctioned for invading Ukraine in 2022'), with
    US-Russia hostility rising from ``hostility_before`` to ``hostility``; and PRK's meetings
    with Russia in 2023-24 (:data:`MEETINGS_2023_24`). The event window is 2023-24, the
    hold-out of the validation."""

    name = "history_2018_2024"
    start = "2018-01"
    war: float = 1.0
    rivalry: float = 0.7
    hostility: float = 0.9
    hostility_before: float = 0.6
    closed_border_open: float = 0.3

    #: months of the calendar (month 0 = January 2018)
    BORDER_CLOSED = (25, 60)  # February 2020 to December 2022
    WAR_FROM = 49  # February 2022
    HOLDOUT_FROM = 60  # January 2023

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "scenario", hostility_before=(0, 1), closed_border_open=(0, 1))

    def drivers(self, months: int) -> Drivers:
        d = super().drivers(months)
        border = np.ones(months)
        border[self.BORDER_CLOSED[0]:self.BORDER_CLOSED[1]] = self.closed_border_open
        return _replace(
            d,
            war_intensity=_after(months, self.WAR_FROM, 0.0, self.war),
            us_russia_hostility=_after(months, self.WAR_FROM, self.hostility_before, self.hostility),
            border_open=border,
            summits=_summits(months, SUMMITS_2018_19 + MEETINGS_2023_24),
            window=_after(months, self.HOLDOUT_FROM, 0.0, 1.0),
        )


def _replace(d: Drivers, **changes: np.ndarray) -> Drivers:
    return Drivers(**{**d.__dict__, **changes})


def scenario_drivers(name: str, months: int, shocks: bool = True, **options: object) -> Drivers:
    """The drivers of scenario ``name`` over ``months``; frozen at month 0 if shocks are off."""
    d = SCENARIOS.create(name, **options).drivers(months)
    return d if shocks else d.frozen()

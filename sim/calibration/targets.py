"""The 2018-2022 fit's targets: dated figures of the seeds before the hold-out, each a
statistic of the replay of 2018-2022.

The fit of :mod:`sim.calibration.history` is on 2018-2022 only, so that 2023-24 is a hold-out.
Every figure the seeds date to 2018-2022 is listed here with where it goes:

- Seed 004, "North Korea needs about 5.5 million tons of food annually, but has been roughly 1
  million tons short the past few years": the need is the parameter ``food_need_mt`` and the
  shortfall the scenario's harvest shortfall (inputs), so neither is a target.
- Seed 004 (Cheong), "cooperating only with China" (2021): the source of PRK's ``bandwagon``
  from 2020 in the replay's strategy schedule (an input).
- Seed 002, the Xi-Kim meetings of 2018-19 and the US summits, seed 003 the 2019 Putin-Kim
  summit, seed 004 the border closure: the replay's events (inputs).
- Seed 002, "Since then [2018], Beijing has been North Korea's primary economic backer": the one
  figure left, the target :data:`TARGETS` holds.

A target enters a fit only when it carries information: its prior-predictive hit rate (the share
of prior draws whose replay already shows it) is below :data:`INFORMATIVE`
(``experiments/calibrate.py`` measures it). The band observation model: the seed's figure is the
simulated statistic plus an error that is uniform over the band's half-width with Gaussian edges
of s.d. ``softness``, so the likelihood of a simulated statistic ``S`` is
``Phi((hi - S)/softness) - Phi((lo - S)/softness)``; one-sided targets ("at least", "at most")
have one edge at infinity.

Time: month 1 of the block is the state after January 2018 (scenario ``history_2018_2024``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_ndtr

from sim.engine import panels as engine_panels
from sim.params import Params
from sim.world import WorldSpec, schedule_label

#: PRK's strategies in 2018-22 (configs/strategy/history.yaml): engage_us, bandwagon from 2020.
SCHEDULE_2018_22 = (("engage_us", 0), ("bandwagon", 24))

#: The simulation blocks the targets are computed from: the replay of 2018-2022, the same under
#: every reading of 2023-24 (the readings start in September 2023).
BLOCKS: dict[str, WorldSpec] = {
    "history_2018_22": WorldSpec(strategy=schedule_label(SCHEDULE_2018_22), schedule=SCHEDULE_2018_22,
                                 scenario="history_2018_2024", months=60),
}

#: Outcome columns each block's statistics read.
COLUMNS = {"history_2018_22": ("aid_chn_prk_econ", "aid_rus_prk_econ", "aid_usa_prk_econ")}

#: A target whose prior-predictive hit rate reaches this share holds for (almost) every prior
#: draw: it carries no information and is dropped from the fit.
INFORMATIVE = 0.95

Panels = dict[str, dict[str, np.ndarray]]


@dataclass(frozen=True)
class Target:
    """One figure from the seeds, as a statistic of simulated outcomes.

    ``kind`` is ``band`` (the seed gives a value; the band is ``value +- half_width``),
    ``at_least`` or ``at_most`` (the seed gives a bound ``value``). ``softness`` is the s.d. of
    the band's Gaussian edges, in the statistic's unit.
    """

    name: str
    seed: str
    figure: str
    statistic: str
    block: str
    months: tuple[int, int]
    kind: str
    value: float
    half_width: float
    softness: float
    unit: str
    why: str
    compute: Callable[[Panels, Params], np.ndarray]

    @property
    def low(self) -> float:
        return {"band": self.value - self.half_width, "at_least": self.value, "at_most": -np.inf}[self.kind]

    @property
    def high(self) -> float:
        return {"band": self.value + self.half_width, "at_least": np.inf, "at_most": self.value}[self.kind]

    def window(self, panel: np.ndarray) -> np.ndarray:
        """The target's months (inclusive, 1-based) of a ``(n, months)`` panel."""
        return panel[:, self.months[0] - 1 : self.months[1]]


def _china_aid_share(P: Panels, p: Params) -> np.ndarray:
    s = P["history_2018_22"]
    chn = s["aid_chn_prk_econ"]
    total = chn + s["aid_rus_prk_econ"] + s["aid_usa_prk_econ"]
    share = np.divide(chn, total, out=np.full_like(chn, 0.5), where=total > 0)
    return share.mean(axis=1)


TARGETS: tuple[Target, ...] = (
    Target(
        "china_aid_share", "002",
        "Since then, Beijing has been North Korea's primary economic backer, and Pyongyang continues to depend "
        "heavily on China",
        "China's share of the economic aid PRK received (China, Russia, US), mean over 2018-22",
        "history_2018_22", (1, 60), "at_least", 0.5, 0.0, 0.05, "share",
        "'primary economic backer' since Kim's 2018 visit to Beijing (seed 000: 'biggest benefactor for large "
        "parts of the period after the end of the Cold War').",
        _china_aid_share,
    ),
)

TARGET_NAMES = tuple(t.name for t in TARGETS)


#: Candidates simulated per call of the engine (bounds the size of the steps tables).
BATCH = 4000


def simulate_statistics(params: Params, n: int, seed: int, batch: int = BATCH) -> pd.DataFrame:
    """Every target's statistic for ``n`` parameter vectors (one replication each).

    Args:
        params: parameters whose fields are floats or ``(n,)`` arrays (one vector per replication).
        n: number of parameter vectors.
        seed: the engine's seed; vector i runs as replication i of every block.
        batch: vectors per engine call.

    Returns:
        ``(n, len(TARGETS))`` table, one column per target.
    """
    p_all = params.broadcast(n)
    parts = []
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        p = p_all.take(slice(start, stop))
        ids = np.arange(start, stop)
        P: Panels = {name: engine_panels(spec, COLUMNS[name], replication_ids=ids, seed=seed, params=p)
                     for name, spec in BLOCKS.items()}
        parts.append(pd.DataFrame({t.name: t.compute(P, p) for t in TARGETS}))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Observation:
    """What the fit conditions on: for each target, the band ``[low, high]`` the seed's figure
    puts the statistic in, and the s.d. of the band's edges."""

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    softness: np.ndarray

    def loglik(self, stats: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Log likelihood ``(n,)`` of simulated statistics: ``sum_k log P(S_k + e_k in band_k)``."""
        S = np.asarray(stats[list(self.names)] if isinstance(stats, pd.DataFrame) else stats, dtype=float)
        a = (self.low - S) / self.softness
        b = (self.high - S) / self.softness
        flip = a > 0  # log(Phi(b) - Phi(a)) = log(Phi(-a) - Phi(-b)); keep the arguments <= 0
        lo = np.where(flip, -b, a)
        hi = np.where(flip, -a, b)
        lhi, llo = log_ndtr(hi), log_ndtr(lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = lhi + np.log1p(-np.exp(llo - lhi))
        out = np.where(np.isfinite(out), out, -np.inf)
        return np.where(np.isnan(S), -np.inf, out).sum(axis=1)

    def within(self, values: np.ndarray) -> np.ndarray:
        """Whether each target's value lies in its band."""
        return (values >= self.low) & (values <= self.high)

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"target": self.names, "low": self.low, "high": self.high, "softness": self.softness})


def seed_observation() -> Observation:
    """The seeds' figures as an :class:`Observation`."""
    return Observation(
        TARGET_NAMES,
        np.array([t.low for t in TARGETS]),
        np.array([t.high for t in TARGETS]),
        np.array([t.softness for t in TARGETS]),
    )

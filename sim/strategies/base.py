"""What every PRK strategy is: a small class with a name, a classifier and one decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim import equations as eq
from sim.actors import CHN, ECON, MIL, PAT, PRK, RUS, USA
from sim.params import Params
from sim.registry import check_fields
from sim.scenarios import Drivers
from sim.state import WorldState


@dataclass(frozen=True)
class Month:
    """The exogenous drivers of one month (scalars; ``summits`` of shape ``(4,)``)."""

    t: int
    war: float
    rivalry: float
    hostility: float
    shortfall_mt: float
    border_open: float
    summits: np.ndarray

    @classmethod
    def of(cls, drivers: Drivers, t: int) -> Month:
        return cls(
            t=t,
            war=float(drivers.war_intensity[t]),
            rivalry=float(drivers.us_china_rivalry[t]),
            hostility=float(drivers.us_russia_hostility[t]),
            shortfall_mt=float(drivers.food_shortfall_mt[t]),
            border_open=float(drivers.border_open[t]),
            summits=drivers.summits[t],
        )


@dataclass(frozen=True)
class PRKDecision:
    """PRK's choices for one month, each with a leading replication axis.

    attention_target: ``(R, 4)`` row PRK's attention moves toward (sums to 1, PRK entry 0).
    contestability: ``(R,)`` in [0, 1], the share of each patron's value of influence that
        PRK puts up for bidding (1: attention goes to whoever offers more).
    accept: ``(R, 4, 2)`` in [0, 1], share of each donor's aid per channel PRK accepts.
    munitions_supply: ``(R,)`` in [0, 1], share of munitions capacity PRK sells Russia.
    """

    attention_target: np.ndarray
    contestability: np.ndarray
    accept: np.ndarray
    munitions_supply: np.ndarray


def attention_row(n: int, chn: np.ndarray | float, rus: np.ndarray | float, usa: np.ndarray | float) -> np.ndarray:
    """PRK's attention row ``(n, 4)`` from its shares to CHN, RUS, USA."""
    row = np.zeros((n, 4))
    row[:, CHN] = chn
    row[:, RUS] = rus
    row[:, USA] = usa
    row[:, PRK] = 0.0
    return row


def acceptance(n: int, chn_econ=1.0, chn_mil=1.0, rus_econ=1.0, rus_mil=1.0, usa_econ=1.0) -> np.ndarray:
    """PRK's acceptance shares ``(n, 4, 2)`` by donor and channel."""
    acc = np.zeros((n, 4, 2))
    acc[:, CHN, ECON], acc[:, CHN, MIL] = chn_econ, chn_mil
    acc[:, RUS, ECON], acc[:, RUS, MIL] = rus_econ, rus_mil
    acc[:, USA, ECON] = usa_econ
    return acc


def patron_bid_share(state: WorldState) -> np.ndarray:
    """China's share of the two patrons' current bids ``(R,)`` (0.5 when neither bids)."""
    return eq.bid_shares(state.bids)[:, 0]


def china_support_share(state: WorldState, params: Params) -> np.ndarray:
    """China's share of the support PRK received from the two patrons last month (E9 weights;
    0.5 when it received none)."""
    dep = eq.dependence(state.aid[:, PAT, PRK, :], params.mil_weight)  # E9 over the two patrons
    return np.where(dep.sum(axis=1) > 0, dep[:, 0], 0.5)


class Strategy:
    """Base class of PRK strategies.

    ``name`` ties the class to its config file (``configs/strategy/<name>.yaml``), module and
    test module; ``classifier`` is metadata that the shared contract test checks against what
    the strategy actually decides.
    """

    name: ClassVar[str]
    classifier: ClassVar[dict[str, object]]

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        raise NotImplementedError


@dataclass(frozen=True)
class FixedShares(Strategy):
    """A strategy whose choices do not depend on the state: fixed attention shares
    (``chn_share``, ``rus_share``, the rest to the US), contestability, acceptance by donor and
    channel (``ACCEPT``, keywords of :func:`acceptance`) and munitions supply."""

    chn_share: float = 0.5
    rus_share: float = 0.4
    contestability: float = 0.3
    munitions_supply: float = 1.0
    ACCEPT: ClassVar[dict[str, float]] = {}

    def __post_init__(self) -> None:
        check_fields(self, "strategy", chn_share=(0, 1), rus_share=(0, 1), contestability=(0, 1),
                     munitions_supply=(0, 1))
        check_fields(self, "strategy", chn_share=(0, 1 - self.rus_share))  # the US gets the rest

    def decide(self, state: WorldState, month: Month, params: Params) -> PRKDecision:
        n = state.n
        return PRKDecision(
            attention_target=attention_row(n, self.chn_share, self.rus_share, 1.0 - self.chn_share - self.rus_share),
            contestability=np.full(n, self.contestability),
            accept=acceptance(n, **self.ACCEPT),
            munitions_supply=np.full(n, self.munitions_supply),
        )

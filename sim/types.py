"""The values the compiled kernel passes between its parts: a month's drivers, the agents'
decisions, the actor trios of the triangles.

This module sits at the bottom of the package: it imports no other module of ``sim`` but
:mod:`sim.actors`, so that strategies, policies, the transition and the outcomes can all share
these types without importing each other.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.actors import CHN, PRK, RUS, USA

#: The PRK-China-Russia triangle and the China-Russia-US triangle (E15), in member order.
TRIO_PRK = (PRK, CHN, RUS)
TRIO_GREAT = (CHN, RUS, USA)

#: Order of PRK's acceptance shares in :attr:`PRKDecision.accept` (donor_channel).
ACCEPT_CHANNELS = ("chn_econ", "chn_mil", "rus_econ", "rus_mil", "usa_econ")


class Month(NamedTuple):
    """The exogenous drivers of one month (scalars; ``summits`` one indicator per actor)."""

    t: int
    war: float
    rivalry: float
    hostility: float
    shortfall_mt: float
    border_open: float
    summits: tuple[float, float, float, float]


class PRKDecision(NamedTuple):
    """PRK's choices for one month in one replication.

    attention_chn, attention_rus, attention_usa: the attention row PRK's attention moves
        toward (shares summing to 1).
    contestability: in [0, 1], the share of each patron's value of influence that PRK puts
        up for bidding (1: attention goes to whoever offers more).
    accept: in [0, 1], the share of each donor's aid per channel PRK accepts, in the order of
        :data:`ACCEPT_CHANNELS`.
    munitions_supply: in [0, 1], the share of munitions capacity PRK sells Russia.
    """

    attention_chn: float
    attention_rus: float
    attention_usa: float
    contestability: float
    accept: tuple[float, float, float, float, float]
    munitions_supply: float


class USDecision(NamedTuple):
    """The US's stance for one month in one replication, each in [0, 1]: pressure (sanctions,
    urging China to cooperate), engagement (talks without preconditions), condemnation (joint
    statements with Seoul and Tokyo), and the monthly chance of tabling a UNSC resolution."""

    pressure: float
    engagement: float
    condemnation: float
    table_rate: float


class Decisions(NamedTuple):
    """All agents' choices for one month in one replication."""

    prk: PRKDecision
    bid_chn: float
    bid_rus: float
    usa: USDecision


#: Instances of the types above, from which the compiled signatures are read (:mod:`sim.rules`).
SAMPLE_MONTH = Month(0, 0.0, 0.0, 0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0))
SAMPLE_PRK_DECISION = PRKDecision(0.0, 0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0, 0.0), 0.0)
SAMPLE_US_DECISION = USDecision(0.0, 0.0, 0.0, 0.0)

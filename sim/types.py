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
    """The exogenous drivers of one month (scalars; ``summits`` one indicator per actor;
    ``in_window`` 1 in the months of the scenario's event window, else 0)."""

    t: int
    war: float
    rivalry: float
    hostility: float
    shortfall_mt: float
    border_open: float
    summits: tuple[float, float, float, float]
    in_window: float


class PRKDecision(NamedTuple):
    """PRK's choices for one month in one replication.

    attention_chn, attention_rus, attention_usa: the attention row PRK's attention moves
        toward (shares summing to 1). How much they respond to the patrons' bids is PRK's
        contestability, which the patrons measure from the rule (E2a), not a choice of PRK's.
    accept: in [0, 1], the share of each donor's aid per channel PRK accepts, in the order of
        :data:`ACCEPT_CHANNELS`.
    munitions_supply: in [0, 1], the share of munitions capacity PRK sells Russia.
    """

    attention_chn: float
    attention_rus: float
    attention_usa: float
    accept: tuple[float, float, float, float, float]
    munitions_supply: float


class PatronDecision(NamedTuple):
    """A patron's choice for one month in one replication.

    bid: its aid offer in the contest for PRK, USD bn/yr.
    stake: its value-to-cost ratio of PRK's attention, ``kappa V / c`` (USD bn/yr), which the
        rival reads next month to find the contest's equilibrium (E2b); NaN for a patron that
        does not contest (a fixed offer), to which the rival best-responds instead (E2).
    """

    bid: float
    stake: float


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
    chn: PatronDecision
    rus: PatronDecision
    usa: USDecision


#: Instances of the types above, from which the compiled signatures are read (:mod:`sim.rules`).
SAMPLE_MONTH = Month(0, 0.0, 0.0, 0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0), 0.0)
SAMPLE_PRK_DECISION = PRKDecision(0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0, 0.0), 0.0)
SAMPLE_PATRON_DECISION = PatronDecision(0.0, 0.0)
SAMPLE_US_DECISION = USDecision(0.0, 0.0, 0.0, 0.0)

"""Named behaviours of the patrons (CHN, RUS) and of the US, in explicit registries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import equations as eq
from sim.actors import CHN, RUS
from sim.jitcache import jit_inline
from sim.registry import Registry, check_fields
from sim.rules import PatronRuleBase, USRuleBase, checker, option_names, patron_rule, us_rule
from sim.types import Month, PatronDecision, USDecision

PATRON_POLICIES: Registry[PatronPolicy] = Registry("patron policy", check=checker("patron"),
                                                  entry_points="trisim.patron_policies")
US_POLICIES: Registry[USPolicy] = Registry("US policy", check=checker("us"), entry_points="trisim.us_policies")


@jit_inline
def patron_value_now(actor: int, month: Month, q: np.record) -> float:
    """E1 for ``actor`` in ``month``; ``q`` is the replication's parameter record."""
    if actor == CHN:
        return eq.patron_value(q.value_chn, q.value_chn * q.rivalry_value_chn, month.rivalry)
    return eq.patron_value(q.value_rus, q.war_value_rus, month.war)


@jit_inline
def patron_cost_now(actor: int, x: np.record, q: np.record, pressure_sensitive: bool) -> float:
    """E4 for ``actor`` given last month's US stance and sanctions in force (``x`` is the
    replication's state record)."""
    if actor == CHN:
        slope = q.pressure_cost_chn if pressure_sensitive else 0.0
        return eq.patron_cost(q.cost_chn, slope, x.us_stance[0], q.sanctions_cost_chn, x.sanctions)
    return eq.patron_cost(q.cost_rus, q.condemnation_cost_rus, x.us_stance[2], 0.0, x.sanctions)


CONTEST_OPTIONS = option_names("pressure_sensitive")


@patron_rule
def contest_bid(actor, x, m, q, opts):
    """The bid of :class:`Contest` (and :class:`Cautious`): a step (E3) toward the contest's
    equilibrium (E2b) given the patron's stake ``kappa V / c`` (E1, E4, with PRK's measured
    contestability kappa, E2a) and the rival's stake of last month; a step toward the best
    response to the rival's bid (E2) when the rival does not contest (its stake is NaN)."""
    rival = RUS if actor == CHN else CHN
    cost = patron_cost_now(actor, x, q, opts[CONTEST_OPTIONS.pressure_sensitive] > 0)
    stake = x.contestability[actor] * patron_value_now(actor, m, q) / cost
    rival_stake = x.stakes[rival]
    if np.isnan(rival_stake):
        target = eq.best_response(stake, x.bids[rival], 1.0)
    else:
        target = eq.contest_equilibrium(stake, rival_stake)
    return PatronDecision(eq.adjust(x.bids[actor], target, q.bid_rate), stake)


FIXED_OPTIONS = option_names("bid")


@patron_rule
def fixed_bid(actor, x, m, q, opts):
    """The bid of :class:`Fixed`: ``bid`` every month, or the current bid when ``bid`` is NaN;
    it does not contest (stake NaN)."""
    bid = opts[FIXED_OPTIONS.bid]
    return PatronDecision(x.bids[actor] if np.isnan(bid) else bid, np.nan)


class PatronPolicy(PatronRuleBase):
    """How a patron sets its aid offer to PRK each month: a compiled ``rule``
    (:data:`sim.rules.patron_rule`) with the class's options; :meth:`decide` returns the new
    bid."""


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Contest(PatronPolicy):
    """Bid for influence over PRK: move toward the contest's equilibrium (E2b, E3), valuing
    PRK's attention at E1 times PRK's contestability as measured from its rule (E2a)."""

    name = "contest"
    rule = contest_bid
    OPTIONS = CONTEST_OPTIONS
    pressure_sensitive: bool = False


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Cautious(Contest):
    """China's cautious stance: a contest in which US pressure raises the cost of overt
    support (E4). Hong Min (seed 001): Beijing 'sought to prevent emphasizing its ties with
    North Korea overtly, while still demonstrating its engagement'."""

    name = "cautious"
    pressure_sensitive: bool = True


@PATRON_POLICIES.register
@dataclass(frozen=True)
class Fixed(PatronPolicy):
    """A patron with fixed behaviour, for scripted encounters: it offers ``bid`` USD bn/yr
    every month (its current bid when ``bid`` is None)."""

    name = "fixed"
    rule = fixed_bid
    OPTIONS = FIXED_OPTIONS
    bid: float | None = None

    def options(self) -> np.ndarray:
        return np.array([np.nan if self.bid is None else float(self.bid)])


STANCE_OPTIONS = option_names("pressure", "engagement", "condemnation", "table_rate", "condemn_arms")


@us_rule
def us_stance(x, m, q, opts):
    """The US's decision: constant levels of pressure, engagement, condemnation and tabling,
    except that with ``condemn_arms`` set the US condemns whenever PRK ships munitions to
    Russia (``x`` is the replication's state record)."""
    o = STANCE_OPTIONS
    condemnation = (1.0 if x.munitions > 0 else 0.0) if opts[o.condemn_arms] > 0 else opts[o.condemnation]
    return USDecision(opts[o.pressure], opts[o.engagement], condemnation, opts[o.table_rate])


class USPolicy(USRuleBase):
    """How the US acts each month: a compiled ``rule`` (:data:`sim.rules.us_rule`) with the
    class's options."""


@dataclass(frozen=True)
class _ConstantUS(USPolicy):
    rule = us_stance
    OPTIONS = STANCE_OPTIONS
    pressure: float = 0.0
    engagement: float = 0.0
    condemnation: float = 0.0
    table_rate: float = 0.0
    condemn_arms: bool = False

    def __post_init__(self) -> None:
        check_fields(self, "US policy", pressure=(0, 1), engagement=(0, 1), condemnation=(0, 1), table_rate=(0, 1),
                     condemn_arms=(0, 1))


@US_POLICIES.register
@dataclass(frozen=True)
class Pressure(_ConstantUS):
    """Maximum pressure: sanctions resolutions tabled about twice a year and China urged to
    cooperate (seed 001: 'U.S. messages urging China's cooperation on North Korean issues';
    seed 002: 'repeated U.S.-proposed sanctions')."""

    name = "pressure"
    pressure: float = 1.0
    table_rate: float = 0.15


@US_POLICIES.register
@dataclass(frozen=True)
class Engagement(_ConstantUS):
    """Talks without preconditions (seed 004: Biden wants a return to the table 'without
    preconditions'): relief on offer, little pressure, resolutions rarely tabled."""

    name = "engagement"
    pressure: float = 0.2
    engagement: float = 1.0
    table_rate: float = 0.02


@US_POLICIES.register
@dataclass(frozen=True)
class TrilateralCondemnation(_ConstantUS):
    """Pressure plus joint condemnation with Seoul and Tokyo whenever PRK ships arms to
    Russia (seed 002: the joint statement condemning the transfers)."""

    name = "trilateral_condemnation"
    condemn_arms: bool = True
    pressure: float = 0.6
    table_rate: float = 0.15


@US_POLICIES.register
@dataclass(frozen=True)
class Disengaged(_ConstantUS):
    """No pressure, no engagement, no resolutions: a US that looks away."""

    name = "disengaged"

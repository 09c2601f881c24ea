"""One month of the world: the transition both engines run (E1-E16 in ``docs/odd.md``).

Agents decide from the state at the start of the month (simultaneous moves, so the order in
which they act does not matter); :func:`transition` then applies every mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import equations as eq
from sim.actors import CHN, ECON, PAT, PRK, RUS, USA
from sim.params import Params, Switches
from sim.policies import USDecision
from sim.state import WorldState
from sim.strategies.base import Month, PRKDecision
from sim.triangle import alliance

TRIO_PRK = (PRK, CHN, RUS)


@dataclass(frozen=True)
class Decisions:
    """All agents' choices for one month."""

    prk: PRKDecision
    bid_chn: np.ndarray
    bid_rus: np.ndarray
    usa: USDecision


def transition(s: WorldState, d: Decisions, m: Month, p: Params, sw: Switches, z: np.ndarray,
               u: np.ndarray) -> WorldState:
    """The state one month on.

    ``z`` (``(R, N_NORMAL)`` standard normals) and ``u`` (``(R, N_UNIFORM)`` uniforms) are the
    month's draws of each replication (layout in :mod:`sim.equations`). Parameters ``p`` are
    broadcast to ``(R,)``.
    """
    n = s.n
    old_att = s.attention

    # US policy (E14 inputs): off means no pressure, engagement, condemnation or resolutions.
    if sw.us_policy:
        stance = np.stack([d.usa.pressure, d.usa.engagement, d.usa.condemnation], axis=1)
        table_rate = d.usa.table_rate
    else:
        stance = np.zeros((n, 3))
        table_rate = np.zeros(n)

    # E1-E3: patron competition; off means offers stay where they are.
    bids = s.bids.copy()
    if sw.patron_competition:
        bids[:, CHN] = d.bid_chn
        bids[:, RUS] = d.bid_rus
    bids[:, USA] = p.us_aid * stance[:, 1]

    # E5-E6: the transaction.
    if sw.transaction:
        munitions = eq.munitions_flow(p.munitions_capacity, m.war, d.prk.munitions_supply)
        tech = eq.tech_released(s.tech, s.trust[:, RUS, PRK], p.tech_threshold, m.war)
    else:
        munitions = np.zeros(n)
        tech = s.tech.copy()
    tech_month = np.where(tech & ~s.tech, s.month, s.tech_month)

    # E7: offers, delivery, acceptance.
    offered = eq.offers(bids, p.stability_aid_chn, p.mil_share_chn, p.mil_share_rus, p.barter_rate * munitions,
                        tech * p.tech_value, bids[:, USA])
    delivered = np.ones((n, 4))
    spread = p.delivery_noise if sw.noise else np.zeros(n)
    z_del = z[:, eq.NORMAL_DELIVERY]
    delivered[:, CHN] = eq.delivered_share(p.reliability_chn, spread, z_del[:, 0])
    delivered[:, RUS] = eq.delivered_share(p.reliability_rus, spread, z_del[:, 1])
    received = eq.received_aid(offered, delivered, d.prk.accept, m.border_open)
    aid = np.zeros((n, 4, 4, 2))
    aid[:, :, PRK, :] = received

    # E12: attention.
    target = eq.patron_attention_target(bids, p.patron_outside, s.trust, stance[:, 1])
    prk_target = d.prk.attention_target
    if sw.shocks and m.summits.any():
        prk_target = eq.summit_pull(prk_target, m.summits)
    target[:, PRK] = prk_target
    attention = eq.adjust(old_att, target, p.attention_rate)

    # E13: trust.
    trust = s.trust
    dT = np.zeros_like(trust)
    if sw.reciprocity:
        offered_any = (offered[:, PAT].sum(axis=2) > 0).astype(float)
        dT[:, PRK, PAT] += eq.reciprocity(trust[:, PRK, PAT], delivered[:, PAT],
                                                 p.trust_rate[:, None], offered_any)
        prk_gives = eq.prk_reciprocation(attention[:, PRK], bids, p.reliability_prk)
        dT[:, PAT, PRK] += eq.reciprocity(trust[:, PAT, PRK], prk_gives[:, PAT],
                                                 p.trust_rate[:, None])
        # great powers: trust follows the drivers (US-China rivalry, US-Russia hostility)
        for a, b, level in ((CHN, USA, 1.0 - m.rivalry), (RUS, USA, 1.0 - m.hostility),
                            (CHN, RUS, p.chn_rus_alignment)):
            dT[:, a, b] += eq.reciprocity(trust[:, a, b], level, p.trust_rate)
            dT[:, b, a] += eq.reciprocity(trust[:, b, a], level, p.trust_rate)
        us_target = p.trust0_prk_usa + 0.5 * stance[:, 1]
        dT[:, PRK, USA] += eq.reciprocity(trust[:, PRK, USA], us_target, p.trust_rate)
        dT[:, USA, PRK] += eq.reciprocity(trust[:, USA, PRK], us_target, p.trust_rate)
    if sw.jealousy:
        dT[:, PAT, PRK] -= eq.jealousy(attention[:, PRK], p.jealousy, p.trust_rate)
    if sw.betrayal:
        hit = u[:, eq.UNIFORM_BETRAYAL] < p.betrayal_rate
        chn_hit = hit & (u[:, eq.UNIFORM_BETRAYER] < 0.5)
        dT[:, CHN, PRK] -= p.betrayal_size * chn_hit
        dT[:, RUS, PRK] -= p.betrayal_size * (hit & ~chn_hit)
    if sw.noise:
        dT += eq.trust_noise(z[:, eq.NORMAL_TRUST], p.trust_noise)
    if sw.structural_balance:
        dT += eq.structural_balance(trust, p.balance_rate)
    if sw.shocks and m.summits.any():
        dT[:, PRK, :] += p.summit_trust[:, None] * m.summits
        dT[:, :, PRK] += p.summit_trust[:, None] * m.summits
    trust = np.clip(trust + dT, 0.0, 1.0)

    # E14: the UN Security Council.
    tabled = u[:, eq.UNIFORM_TABLING] < table_rate
    veto = eq.vetoes(trust, p.veto_hostility)
    vetoed = tabled & veto.any(axis=1)
    passed = tabled & ~vetoed
    unsc = s.unsc + np.stack([tabled, vetoed, passed], axis=1)
    sanctions = eq.sanctions_level(s.sanctions, passed, p.sanction_step, p.sanction_decay)

    return WorldState(
        trust=trust,
        attention=attention,
        bids=bids,
        aid=aid,
        munitions=munitions,
        contestability=d.prk.contestability,
        delivered=delivered,
        sanctions=sanctions,
        tech=tech,
        tech_month=tech_month,
        unsc=unsc,
        us_stance=stance,
        alliance_ever=s.alliance_ever | alliance(trust, TRIO_PRK, p.alliance_threshold),
        month=s.month + 1,
    )


def econ_aid_to_prk(s: WorldState) -> np.ndarray:
    """Total economic aid PRK receives ``(R,)``, USD bn/yr."""
    return s.aid[:, :, PRK, ECON].sum(axis=1)

"""One month of the world: the transition both engines run (E1-E16 in ``docs/odd.md``).

Agents decide from the state at the start of the month (simultaneous moves, so the order in
which they act does not matter); :func:`transition` then applies every mechanism to one
replication, in place.
"""

from __future__ import annotations

import numpy as np

from sim import equations as eq
from sim.actors import CHN, PRK, RUS, USA
from sim.derived import tracked
from sim.jitcache import jit_inline
from sim.params import SwitchFlags
from sim.triangle import alliance, triangle, update_amity
from sim.types import TRIO_PRK, Decisions, Month


def workspace() -> tuple[np.ndarray, np.ndarray]:
    """Scratch memory :func:`transition` needs, ``(dT, target)``: one per thread of work, reused
    every month."""
    return np.zeros((4, 4)), np.zeros(4)


@jit_inline
def draws_used(sw: SwitchFlags) -> tuple[bool, bool]:
    """Which of a replication's draws (:mod:`sim.rng`) are made: ``(normals, uniforms)``. The
    normals feed the delivery and trust noise (E7b, E13e), the uniforms the betrayal shocks
    (E13f) and the tabling of resolutions (E14). The uniforms follow the normals in the stream,
    where the normals' slow paths leave them, so the normals are drawn whenever the uniforms
    are: a switched-off mechanism then moves no other mechanism's numbers (switching one off is
    the same run as setting its strength to zero). Arrays of draws not made hold zeros."""
    uniforms = sw.betrayal or sw.us_policy
    return sw.noise or uniforms, uniforms


@jit_inline
def sense(prk, x: np.record, m: Month, q: np.record, opts: np.ndarray) -> None:
    """E2a. The patrons measure PRK's contestability from PRK's own rule ``prk`` (with its
    options ``opts``): PRK's attention to each patron when that patron, rather than its rival,
    adds a probe step to the bids (:func:`sim.equations.probe_step`), relative to a Tullock
    contest (:func:`sim.equations.measured_contestability`); written to ``x.contestability``
    (CHN, RUS). The bids are restored before the month's decisions."""
    bid_chn, bid_rus = x.bids[CHN], x.bids[RUS]
    step = eq.probe_step(bid_chn, bid_rus)
    x.bids[CHN] = bid_chn + step
    more_chn = prk(x, m, q, opts)
    x.bids[CHN], x.bids[RUS] = bid_chn, bid_rus + step
    more_rus = prk(x, m, q, opts)
    x.bids[RUS] = bid_rus
    total = bid_chn + bid_rus
    x.contestability[CHN] = eq.measured_contestability(more_chn.attention_chn, more_rus.attention_chn, step, total)
    x.contestability[RUS] = eq.measured_contestability(more_rus.attention_rus, more_chn.attention_rus, step, total)


@jit_inline
def transition(x: np.record, d: Decisions, m: Month, q: np.record, sw: SwitchFlags, z: np.ndarray, u: np.ndarray,
               dT: np.ndarray, target: np.ndarray) -> None:
    """Advance one replication by month ``m``, in place: ``x`` is its state record (a row of
    :data:`sim.state.WorldState`), ``q`` its parameter record (a row of
    :meth:`sim.params.Params.arrays`).

    ``d`` holds the agents' decisions, taken from the state at the start of the month. ``z``
    (``(months, N_NORMAL)`` standard normals) and ``u`` (``(months, N_UNIFORM)`` uniforms) are
    the replication's draws, of which row ``m.t`` is this month's (layout in
    :mod:`sim.equations`); ``sw`` are the switches (:meth:`sim.params.Switches.flags`);
    ``dT`` and ``target`` are scratch memory (:func:`workspace`).
    """
    trust, attention = x.trust, x.attention
    t = m.t
    prk = d.prk

    # US policy (E14 inputs): off means no pressure, engagement, condemnation or resolutions.
    pressure = engagement = condemnation = table_rate = 0.0
    if sw.us_policy:
        pressure, engagement, condemnation, table_rate = d.usa

    # E1-E3: patron competition; off means offers stay where they are.
    bid_chn, bid_rus = x.bids[CHN], x.bids[RUS]
    if sw.patron_competition:
        bid_chn, bid_rus = d.chn.bid, d.rus.bid
        x.stakes[CHN], x.stakes[RUS] = d.chn.stake, d.rus.stake
    bid_usa = q.us_aid * engagement

    # E5-E6: the transaction.
    munitions, tech = 0.0, x.tech
    if sw.transaction:
        munitions = eq.munitions_flow(q.munitions_capacity, m.war, prk.munitions_supply)
        tech = eq.tech_released(x.tech, trust[RUS, PRK], q.tech_threshold, m.war)
    released = tech and not x.tech
    if released:
        x.tech_month = m.t

    # E7: offers, delivery, acceptance.
    offered = eq.offers(bid_chn, bid_rus, q.stability_aid_chn, q.mil_share_chn, q.mil_share_rus,
                        q.barter_rate * munitions, q.tech_value if tech else 0.0, bid_usa)
    spread = q.delivery_noise if sw.noise else 0.0
    delivered_chn = eq.delivered_share(q.reliability_chn, spread, z[t, eq.NORMAL_DELIVERY])
    delivered_rus = eq.delivered_share(q.reliability_rus, spread, z[t, eq.NORMAL_DELIVERY + 1])
    received = eq.received_aid(offered, delivered_chn, delivered_rus, prk.accept, m.border_open)

    # E14: the UN Security Council, on the trust at the start of the month.
    tabled = u[t, eq.UNIFORM_TABLING] < table_rate
    veto_chn = tabled and eq.veto(trust[CHN, USA], q.veto_hostility)
    veto_rus = tabled and eq.veto(trust[RUS, USA], q.veto_hostility)
    passed = tabled and not (veto_chn or veto_rus)
    x.unsc[0] += tabled
    x.unsc[1] += tabled and not passed
    x.unsc[2] += passed
    x.sanctions = eq.sanctions_level(x.sanctions, passed, q.sanction_step, q.sanction_decay)

    # E12: attention; the great powers' targets come from the trust at the start of the month.
    for a in (CHN, RUS, USA):
        bid = bid_chn if a == CHN else bid_rus
        eq.patron_attention_target(a, eq.attention_to_prk(a, bid, q.patron_outside, engagement), trust, target)
        for b in range(4):
            attention[a, b] = eq.adjust(attention[a, b], target[b], q.attention_rate)
    target[PRK], target[CHN], target[RUS], target[USA] = 0.0, prk.attention_chn, prk.attention_rus, prk.attention_usa
    summit = sw.shocks and m.summits[0] + m.summits[1] + m.summits[2] + m.summits[3] > 0
    if summit:
        eq.summit_pull(target, m.summits)
    for b in range(4):
        attention[PRK, b] = eq.adjust(attention[PRK, b], target[b], q.attention_rate)

    # E13: trust, from the trust at the start of the month and this month's attention.
    rate = q.trust_rate
    dT[:] = 0.0
    if sw.reciprocity:
        # PRK's trust in a patron: its delivery, weighed by how much of its offer PRK takes
        # (E13h); cuts of an offer PRK takes (E13i); favours: vetoes cast, technology released
        taken_chn = eq.accepted_share((offered[0], offered[1]), (prk.accept[0], prk.accept[1]))
        taken_rus = eq.accepted_share((offered[2], offered[3]), (prk.accept[2], prk.accept[3]))
        dT[PRK, CHN] += eq.reciprocity(trust[PRK, CHN], delivered_chn, rate, taken_chn)
        dT[PRK, RUS] += eq.reciprocity(trust[PRK, RUS], delivered_rus, rate, taken_rus)
        dT[PRK, CHN] -= q.cut_trust * taken_chn * eq.offer_cut(x.offered[CHN], offered[0] + offered[1])
        dT[PRK, RUS] -= q.cut_trust * taken_rus * eq.offer_cut(x.offered[RUS], offered[2] + offered[3])
        favours_chn = 1.0 if veto_chn else 0.0
        favours_rus = (1.0 if veto_rus else 0.0) + (1.0 if released else 0.0)
        dT[PRK, CHN] += eq.reciprocity(trust[PRK, CHN], 1.0, q.favour_trust, favours_chn)
        dT[PRK, RUS] += eq.reciprocity(trust[PRK, RUS], 1.0, q.favour_trust, favours_rus)
        # what each patron pays for: its share of the support PRK takes from the two (E13b)
        paid_chn = eq.valued_support(offered[0] * prk.accept[0], offered[1] * prk.accept[1], q.mil_weight)
        paid_rus = eq.valued_support(offered[2] * prk.accept[2], offered[3] * prk.accept[3], q.mil_weight)
        share_chn = eq.bid_share(paid_chn, paid_rus)
        engaged = attention[PRK, CHN] + attention[PRK, RUS]
        gives_chn = eq.prk_reciprocation(attention[PRK, CHN], engaged, share_chn, q.reliability_prk)
        gives_rus = eq.prk_reciprocation(attention[PRK, RUS], engaged, 1.0 - share_chn, q.reliability_prk)
        dT[CHN, PRK] += eq.reciprocity(trust[CHN, PRK], gives_chn, rate)
        dT[RUS, PRK] += eq.reciprocity(trust[RUS, PRK], gives_rus, rate)
        # great powers: trust follows the drivers (US-China rivalry, US-Russia hostility)
        for a, b, level in ((CHN, USA, 1.0 - m.rivalry), (RUS, USA, 1.0 - m.hostility),
                            (CHN, RUS, q.chn_rus_alignment)):
            dT[a, b] += eq.reciprocity(trust[a, b], level, rate)
            dT[b, a] += eq.reciprocity(trust[b, a], level, rate)
        us_target = q.trust0_prk_usa + 0.5 * engagement
        dT[PRK, USA] += eq.reciprocity(trust[PRK, USA], us_target, rate)
        dT[USA, PRK] += eq.reciprocity(trust[USA, PRK], us_target, rate)
    if sw.jealousy:
        dT[CHN, PRK] -= eq.jealousy(x.attention_ref[CHN], attention[PRK, CHN], q.jealousy, rate)
        dT[RUS, PRK] -= eq.jealousy(x.attention_ref[RUS], attention[PRK, RUS], q.jealousy, rate)
        if summit:  # a summit with the rival (Delury: 'seeing Kim choose Putin')
            dT[CHN, PRK] -= q.summit_jealousy * m.summits[RUS]
            dT[RUS, PRK] -= q.summit_jealousy * m.summits[CHN]
    for p in (CHN, RUS):  # E13g: what a patron is used to
        x.attention_ref[p] = eq.adjust(x.attention_ref[p], attention[PRK, p], q.habit_rate)
    if sw.betrayal and u[t, eq.UNIFORM_BETRAYAL] < q.betrayal_rate:  # E13f
        victim = CHN if u[t, eq.UNIFORM_BETRAYER] < 0.5 else RUS
        dT[victim, PRK] -= q.betrayal_size
    if sw.noise:
        eq.trust_noise(z, t, q.trust_noise, dT)
    if sw.structural_balance:
        eq.structural_balance(trust, q.balance_rate, dT)
    if summit:
        for b in range(4):
            dT[PRK, b] += q.summit_trust * m.summits[b]
            dT[b, PRK] += q.summit_trust * m.summits[b]
    for a in range(4):
        for b in range(4):
            trust[a, b] = min(max(trust[a, b] + dT[a, b], 0.0), 1.0)

    # the rest of the new state
    x.bids[CHN], x.bids[RUS], x.bids[USA] = bid_chn, bid_rus, bid_usa
    x.aid[CHN, PRK, 0], x.aid[CHN, PRK, 1] = received[0], received[1]
    x.aid[RUS, PRK, 0], x.aid[RUS, PRK, 1] = received[2], received[3]
    x.aid[USA, PRK, 0] = received[4]
    x.munitions = munitions
    x.delivered[CHN], x.delivered[RUS] = delivered_chn, delivered_rus
    x.offered[CHN], x.offered[RUS], x.offered[USA] = offered[0] + offered[1], offered[2] + offered[3], offered[4]
    x.tech = tech
    x.us_stance[0], x.us_stance[1], x.us_stance[2] = pressure, engagement, condemnation
    x.alliance_ever = x.alliance_ever or alliance(trust, TRIO_PRK, q.alliance_threshold)

    # E15: the triangles, with hysteresis; E16: the months spent in each type, and the sums of
    # the tracked outcomes over the run and over the scenario's event window
    update_amity(trust, x.amity, q.amity_threshold, q.amity_band)
    x.triangle_months[triangle(x.amity, TRIO_PRK)[0]] += 1
    values = tracked(x, q, m)
    for k in range(len(values)):
        x.run_sum[k] += values[k]
        x.window_sum[k] += values[k] * m.in_window
    x.window_months += m.in_window > 0
    x.month = t + 1

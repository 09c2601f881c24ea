"""The model's equations: small, pure, compiled functions of one replication's values.

Both engines call these and nothing else, through :func:`sim.dynamics.transition`, which
advances replication r of a state whose arrays have a leading replication axis: the Mesa
model holds one replication, the batch engine thousands. Each function's docstring names the
equation in ``docs/odd.md`` (E1, E2, ...) and its source. Arguments are one replication's
numbers (floats); trust and attention are that replication's 4 x 4 matrix.

The functions are compiled with numba (``@jit``): a month of a replication then runs as one
piece of machine code, with no temporaries and no Python. They are called from Python (tests)
exactly as from compiled code.
"""

from __future__ import annotations

import math

import numpy as np

from sim.actors import CHN, PAIRS, PRK, USA
from sim.jitcache import jit
from sim.rng import N_NORMAL, N_UNIFORM

# Layout of a replication's monthly draws: N_NORMAL standard normals, N_UNIFORM uniforms.
NORMAL_TRUST = 0  # 12 normals, one per directed pair in PAIRS order
NORMAL_DELIVERY = 12  # CHN at 12, RUS at 13
UNIFORM_BETRAYAL = 0  # does a betrayal happen
UNIFORM_BETRAYER = 1  # which patron is hit
UNIFORM_TABLING = 2  # does the US table a resolution
assert len(PAIRS) + 2 == N_NORMAL
assert N_UNIFORM == 3

# --- E1-E4: patron competition --------------------------------------------------------------


@jit
def patron_value(base: float, slope: float, driver: float) -> float:
    """E1. A patron's value of influence over PRK (USD bn/yr): ``base + slope * driver``.

    China: ``value_chn * (1 + rivalry_value_chn * rivalry)`` (seed 004, 'bargaining chip');
    Russia: ``value_rus + war_value_rus * war_intensity`` (seed 001, Hong Min).
    """
    return base + slope * driver


@jit
def best_response(value: float, rival_bid: float, cost: float) -> float:
    """E2. Tullock best response ``x_i = max(0, sqrt(v_i x_j / c_i) - x_j)``.

    Patron i wins influence share ``x_i / (x_i + x_j)`` of a prize worth ``v_i`` at cost
    ``c_i x_i`` (Tullock 1980). The equilibrium (:func:`contest_equilibrium`) is the pair of
    bids that are best responses to each other.
    """
    return max(math.sqrt(value * rival_bid / cost) - rival_bid, 0.0)


@jit
def contest_equilibrium(w_i: float, w_j: float) -> float:
    """E2b. Patron i's bid in the two-player Tullock equilibrium with value-to-cost ratios
    ``w = kappa V / c``: ``x_i = w_i^2 w_j / (w_i + w_j)^2`` (Tullock 1980); 0 when neither
    values the prize. Solved each month, so the bids track the equilibrium for any ratio of
    the patrons' values."""
    total = w_i + w_j
    if total <= 0.0:
        return 0.0
    return w_i * w_i * w_j / (total * total)


def tullock_equilibrium(v_i, v_j, c_i=1.0, c_j=1.0):
    """E2*. Two-player Tullock equilibrium bid of player i: with ``w = v / c``,
    ``x_i = w_i^2 w_j / (w_i + w_j)^2`` (``v_i^2 v_j / (v_i + v_j)^2`` for c = 1), for arrays
    (tests and docs)."""
    wi, wj = np.asarray(v_i) / c_i, np.asarray(v_j) / c_j
    return wi**2 * wj / (wi + wj) ** 2


#: E2a. The probe: a patron tests PRK's response with an extra bid of PROBE_SHARE of the two
#: bids plus PROBE_MIN USD bn/yr (the resolution at which PRK's response is read; at zero bids
#: a Tullock contest is infinitely steep, and the floor keeps the comparison finite).
PROBE_SHARE, PROBE_MIN = 0.1, 0.1


@jit
def probe_step(bid_chn: float, bid_rus: float) -> float:
    """E2a. The extra bid (USD bn/yr) with which patrons probe PRK's response:
    ``PROBE_SHARE (x_CHN + x_RUS) + PROBE_MIN``."""
    return PROBE_SHARE * (bid_chn + bid_rus) + PROBE_MIN


@jit
def measured_contestability(attention_more: float, attention_rival_more: float, step: float, total: float) -> float:
    """E2a. PRK's contestability for a patron: how much PRK's attention to the patron moves
    when the patron, rather than its rival, adds ``step`` to the bids (``attention_more``
    against ``attention_rival_more``), relative to a Tullock contest, in which the patron's
    share moves by ``step / (total + step)``: 1 when attention goes to whoever offers more,
    0 when PRK's attention does not follow the bids (floored at 0)."""
    return max((attention_more - attention_rival_more) * (total + step) / step, 0.0)


@jit
def adjust(current: float, target: float, rate: float) -> float:
    """E3. Partial adjustment ``x <- x + rate (target - x)``: bids move toward the best
    response, attention toward its target, at a monthly rate in [0, 1]."""
    return current + rate * (target - current)


@jit
def patron_cost(cost: float, pressure_slope: float, pressure: float, sanctions_slope: float,
                sanctions: float) -> float:
    """E4. A patron's marginal cost of aid: ``c (1 + a * pressure)(1 + b * sanctions)``.

    US pressure raises China's cost of overt support (seed 001, Hong Min); trilateral
    condemnation raises Russia's (seed 002); sanctions in force raise China's.
    """
    return cost * (1.0 + pressure_slope * pressure) * (1.0 + sanctions_slope * sanctions)


# --- E5-E7: transaction and delivery -------------------------------------------------------


@jit
def munitions_flow(capacity: float, war: float, supply: float) -> float:
    """E5. PRK's munitions exports to Russia (USD bn/yr): ``capacity * war * supply``
    (seed 000: artillery 'likely worth several billion dollars')."""
    return capacity * war * supply


@jit
def tech_released(already: bool, trust_rus_prk: float, threshold: float, war: float) -> bool:
    """E6. Crown jewels: Russia releases sensitive technology once its trust in PRK reaches
    ``tech_threshold`` while it still needs munitions; a release is not undone
    (seed 003, Easley)."""
    return already or (trust_rus_prk >= threshold and war > 0)


@jit
def offers(bid_chn: float, bid_rus: float, stability_chn: float, mil_share_chn: float, mil_share_rus: float,
           payment_rus: float, tech_rus: float, us_offer: float) -> tuple[float, float, float, float, float]:
    """E7a. Aid offered to PRK (USD bn/yr) by channel: ``(CHN econ, CHN mil, RUS econ,
    RUS mil, USA econ)``.

    China splits its bid by ``mil_share_chn`` and adds economic aid for stability outside the
    contest (``stability_aid_chn``); Russia splits bid plus munitions payment by
    ``mil_share_rus`` and adds released technology to its military channel; the US offers
    economic relief only.
    """
    rus_total = bid_rus + payment_rus
    return ((1.0 - mil_share_chn) * bid_chn + stability_chn, mil_share_chn * bid_chn,
            (1.0 - mil_share_rus) * rus_total, mil_share_rus * rus_total + tech_rus, us_offer)


@jit
def delivered_share(reliability: float, spread: float, z: float) -> float:
    """E7b. Share of promised aid a patron delivers this month: ``clip(rel + spread z, 0, 1)``."""
    return min(max(reliability + spread * z, 0.0), 1.0)


@jit
def received_aid(offered: tuple[float, float, float, float, float], delivered_chn: float, delivered_rus: float,
                 accept: tuple[float, float, float, float, float],
                 border_open: float) -> tuple[float, float, float, float, float]:
    """E7c. Aid PRK receives by channel (the order of :func:`offers`): offered x delivered
    share x PRK's acceptance; China's economic aid also passes the border (seed 004: border
    closure). The US delivers what it offers."""
    return (offered[0] * delivered_chn * accept[0] * border_open, offered[1] * delivered_chn * accept[1],
            offered[2] * delivered_rus * accept[2], offered[3] * delivered_rus * accept[3],
            offered[4] * accept[4])


# --- E8-E11: derived quantities ------------------------------------------------------------


@jit
def food_coverage(need: float, shortfall: float, econ_aid: float, food_share: float, tons_per_bn: float) -> float:
    """E8. Share of PRK's food need covered by its harvest plus food bought with aid:
    ``(need - shortfall + food_share * tons_per_bn * econ_aid) / need``
    (seed 004: about 5.5 Mt needed, roughly 1 Mt short)."""
    return (need - shortfall + food_share * tons_per_bn * econ_aid) / need


@jit
def valued_support(econ: float, mil: float, mil_weight: float) -> float:
    """E9. The support PRK values in a donor's aid: ``econ + mil_weight * mil``."""
    return econ + mil_weight * mil


@jit
def dependence(support: float, total: float) -> float:
    """E9. PRK's dependence on a donor: its share ``support / total`` of the valued support
    PRK receives from all donors (:func:`valued_support`); 0 when PRK receives nothing."""
    return support / total if total > 0 else 0.0


@jit
def autonomy(dep_chn: float, dep_rus: float, dep_usa: float) -> float:
    """E10. PRK's autonomy: ``1 - sum_p dep_p^2`` (one minus the Herfindahl index); 1 when
    PRK depends on no one."""
    if dep_chn + dep_rus + dep_usa > 0:
        return 1.0 - (dep_chn * dep_chn + dep_rus * dep_rus + dep_usa * dep_usa)
    return 1.0


@jit
def leverage(attention_p_prk: float, dep_prk_p: float, outside_weight: float) -> float:
    """E11. PRK's leverage over patron p (Keohane and Nye 1977: asymmetric interdependence):
    what p needs of PRK (p's attention to PRK) minus what PRK needs of p (its dependence on
    p), plus PRK's outside option ``outside_weight * (1 - dep_p)`` (seed 002, Russel:
    'other friends and other options')."""
    return attention_p_prk - dep_prk_p + outside_weight * (1.0 - dep_prk_p)


# --- E12: attention -----------------------------------------------------------------------


@jit
def patron_attention_target(actor: int, to_prk: float, trust: np.ndarray, out: np.ndarray) -> np.ndarray:
    """E12a. Target attention row ``(4,)`` of great power ``actor`` (CHN, RUS or USA), written
    to ``out``: ``to_prk`` (see :func:`attention_to_prk`) goes to PRK, the rest to the other
    two great powers in proportion to ``actor``'s trust in them (a floor of 0.01 keeps the
    row defined). ``trust`` is the replication's 4 x 4 matrix."""
    total = 0.0
    for b in range(CHN, 4):
        if b != actor:
            total += max(trust[actor, b], 0.01)
    share = (1.0 - to_prk) / total  # of the rest, per unit of trust
    for b in range(CHN, 4):
        out[b] = max(trust[actor, b], 0.01) * share if b != actor else 0.0
    out[PRK] = to_prk
    return out


@jit
def attention_to_prk(actor: int, bid: float, patron_outside: float, us_engagement: float) -> float:
    """E12a. A great power's target attention to PRK: a patron's is ``bid / (bid +
    patron_outside)``; the US's is ``0.05 + 0.45 * engagement``."""
    if actor == USA:
        return 0.05 + 0.45 * us_engagement
    return bid / (bid + patron_outside)


@jit
def summit_pull(target: np.ndarray, summits: tuple[float, float, float, float]) -> np.ndarray:
    """E12b. A summit with b in a month pulls half of PRK's attention target ``(4,)`` toward b
    (``summits`` is the month's indicator per actor); changes ``target`` in place."""
    total = 0.0
    for b in range(4):
        total += summits[b]
    if total > 0:
        s = 0.5 * min(total, 1.0)
        for b in range(4):
            target[b] = (1.0 - s) * target[b] + s * (summits[b] / total)
    return target


# --- E13: trust ----------------------------------------------------------------------------


@jit
def reciprocity(trust: float, observed: float, rate: float, weight: float = 1.0) -> float:
    """E13a. Trust follows observed conduct: ``dT = rate * weight * (observed - T)``, with
    observed conduct in [0, 1] (delivered vs promised)."""
    return rate * weight * (observed - trust)


@jit
def bid_share(bid_chn: float, bid_rus: float) -> float:
    """China's share of two amounts of the patrons (Russia's is one minus it); an even split
    when both are 0. PRK's balancing follows the share of the bids (E12); its reciprocation is
    measured against the share of the support it takes (E13b)."""
    total = bid_chn + bid_rus
    return bid_chn / total if total > 0 else 0.5


@jit
def prk_reciprocation(engaged: float, engaged_patrons: float, share: float, reliability_prk: float) -> float:
    """E13b. What PRK delivers to a patron: ``reliability_prk`` times its attention to the
    patron (``engaged``) relative to the patron's share of the support PRK takes from the two
    (``share`` of ``engaged_patrons``, PRK's attention to both), capped at 1: PRK delivers in
    full when it engages a patron at least as much as that patron pays for and is fully
    reliable."""
    expected = share * engaged_patrons
    # min(engaged / expected, 1), written so that a tiny expected share cannot overflow
    ratio = min(engaged, expected) / expected if expected > 0 else 1.0
    return reliability_prk * ratio


@jit
def jealousy(used_to: float, attention_now: float, strength: float, rate: float) -> float:
    """E13c. A patron's monthly loss of trust in PRK while PRK gives it less attention than it
    is used to (``used_to``, E13g): ``rate * strength * max(0, used_to - A[PRK, p])``
    (seed 003, Delury: 'the Chinese are a bit miffed seeing Kim choose Putin over them')."""
    return rate * strength * max(used_to - attention_now, 0.0)


@jit
def accepted_share(offers: tuple[float, float], accept: tuple[float, float]) -> float:
    """E13h. The share of a patron's offer (economic, military) that PRK accepts: the weight
    of the evidence PRK's trust in the patron takes from its delivery (0 when nothing is on
    offer, or PRK declines it all)."""
    total = offers[0] + offers[1]
    if total <= 0.0:
        return 0.0
    return (offers[0] * accept[0] + offers[1] * accept[1]) / total


@jit
def offer_cut(before: float, now: float) -> float:
    """E13i. The relative cut of a patron's aid offer this month: ``max(0, 1 - now / before)``
    (0 when nothing was offered before)."""
    return max(1.0 - now / before, 0.0) if before > 0.0 else 0.0


#: For each directed pair of the four actors, in PAIRS order: the pair and its two third
#: parties, in increasing order (the order in which E13d sums over them).
_THIRD_PARTIES = tuple((a, b, *(c for c in range(4) if c not in (a, b))) for a, b in PAIRS)


@jit
def structural_balance(trust: np.ndarray, rate: float, out: np.ndarray) -> np.ndarray:
    """E13d. Heider's balance pressure, added to ``out`` ``(4, 4)``: ``dT[a,b] = rate *
    mean_c (2T[a,c]-1)(2T[c,b]-1) / 2`` over third parties c (the friend of my enemy is my
    enemy); nothing on the diagonal. ``trust`` is the four actors' ``(4, 4)`` matrix."""
    k = rate / (2.0 * (4 - 2))
    for a, b, c, d in _THIRD_PARTIES:
        through = 0.0 + (2.0 * trust[a, c] - 1.0) * (2.0 * trust[c, b] - 1.0)
        through += (2.0 * trust[a, d] - 1.0) * (2.0 * trust[d, b] - 1.0)
        out[a, b] += k * through
    return out


@jit
def trust_noise(z: np.ndarray, t: int, sigma: float, out: np.ndarray) -> np.ndarray:
    """E13e. Monthly trust noise ``sigma * z`` on each directed pair, added to ``out``
    ``(4, 4)``; month ``t``'s normals ``z[t]`` from :data:`NORMAL_TRUST` on, in
    :data:`sim.actors.PAIRS` order (row-major, diagonal skipped)."""
    k = NORMAL_TRUST
    for a in range(4):
        for b in range(4):
            if a != b:
                out[a, b] += sigma * z[t, k]
                k += 1
    return out


# --- E14: UN Security Council ----------------------------------------------------------------


@jit
def veto(trust_p_usa: float, veto_hostility: float) -> bool:
    """E14a. A patron (CHN or RUS) vetoes a US resolution when its distrust of the US exceeds
    ``veto_hostility`` (seed 002, Gause: Russia 'will block')."""
    return 1.0 - trust_p_usa > veto_hostility


@jit
def sanctions_level(level: float, passed: bool, step: float, decay: float) -> float:
    """E14b. Sanctions in force: ``min(1, level (1 - decay) + step * passed)``."""
    return min(level * (1.0 - decay) + step * passed, 1.0)

"""The model's equations: small, pure array functions with a leading replication axis.

Both engines call these and nothing else: the Mesa model with R = 1, the batch engine with
R replications. Each function's docstring names the equation in ``docs/odd.md`` (E1, E2, ...)
and its source. Arguments named like parameters are arrays of shape ``(R,)``.
"""

from __future__ import annotations

import numpy as np

from sim.actors import CHN, ECON, MIL, PAIRS, PAT, PRK, RUS, USA

#: Smallest rival bid a best response reacts to (USD bn/yr): keeps E2 defined at x_j = 0.
MIN_BID = 1e-3

# Layout of a replication's monthly draws: N_NORMAL standard normals, N_UNIFORM uniforms.
NORMAL_TRUST = slice(0, len(PAIRS))  # one per directed pair
NORMAL_DELIVERY = slice(12, 14)  # CHN, RUS
N_NORMAL = 14
UNIFORM_BETRAYAL = 0  # does a betrayal happen
UNIFORM_BETRAYER = 1  # which patron is hit
UNIFORM_TABLING = 2  # does the US table a resolution
N_UNIFORM = 3

# In a flattened 4 x 4 matrix the off-diagonal cells, in PAIRS order, are the three runs
# 1-4, 6-9, 11-14 (the diagonal sits at 0, 5, 10, 15): slices, faster than fancy indexing.
assert [4 * a + b for a, b in PAIRS] == [*range(1, 5), *range(6, 10), *range(11, 15)]


def draw_noise(rng: np.random.Generator, months: int, normal: np.ndarray | None = None,
               uniform: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All random draws of one replication: ``(months, N_NORMAL)`` standard normals, then
    ``(months, N_UNIFORM)`` uniforms, from ``rng`` in that order.

    Both engines call this (the Mesa model with its own generator when it is built, the batch
    engine with replication r's generator, writing into ``normal``/``uniform`` if given), so a
    replication sees the same numbers in either engine.
    """
    if normal is None:
        normal = np.empty((months, N_NORMAL))
    if uniform is None:
        uniform = np.empty((months, N_UNIFORM))
    rng.standard_normal(out=normal)
    rng.random(out=uniform)
    return normal, uniform


# --- E1-E3: patron competition --------------------------------------------------------------


def patron_value(base: np.ndarray, slope: np.ndarray, driver: float | np.ndarray) -> np.ndarray:
    """E1. A patron's value of influence over PRK (USD bn/yr): ``base + slope * driver``.

    China: ``value_chn * (1 + rivalry_value_chn * rivalry)`` (seed 004, 'bargaining chip');
    Russia: ``value_rus + war_value_rus * war_intensity`` (seed 001, Hong Min).
    """
    return base + slope * driver


def best_response(value: np.ndarray, rival_bid: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """E2. Tullock best response ``x_i = max(0, sqrt(v_i x_j / c_i) - x_j)``.

    Patron i wins influence share ``x_i / (x_i + x_j)`` of a prize worth ``v_i`` at cost
    ``c_i x_i`` (Tullock 1980). The rival's bid is floored at :data:`MIN_BID`.
    """
    xj = np.maximum(rival_bid, MIN_BID)
    return np.maximum(np.sqrt(value * xj / cost) - xj, 0.0)


def tullock_equilibrium(v_i: np.ndarray, v_j: np.ndarray, c_i=1.0, c_j=1.0) -> np.ndarray:
    """E2*. Two-player Tullock equilibrium bid of player i: with ``w = v / c``,
    ``x_i = w_i^2 w_j / (w_i + w_j)^2`` (``v_i^2 v_j / (v_i + v_j)^2`` for c = 1)."""
    wi, wj = np.asarray(v_i) / c_i, np.asarray(v_j) / c_j
    return wi**2 * wj / (wi + wj) ** 2


def adjust(current: np.ndarray, target: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """E3. Partial adjustment ``x <- x + rate (target - x)``: bids move toward the best
    response, attention toward its target, at a monthly rate in [0, 1]."""
    if np.ndim(current) > np.ndim(rate):
        rate = np.reshape(rate, np.shape(rate) + (1,) * (np.ndim(current) - np.ndim(rate)))
    return current + rate * (target - current)


def patron_cost(cost: np.ndarray, pressure_slope: np.ndarray, pressure: np.ndarray,
                sanctions_slope: np.ndarray, sanctions: np.ndarray) -> np.ndarray:
    """E4. A patron's marginal cost of aid: ``c (1 + a * pressure)(1 + b * sanctions)``.

    US pressure raises China's cost of overt support (seed 001, Hong Min); trilateral
    condemnation raises Russia's (seed 002); sanctions in force raise China's.
    """
    return cost * (1.0 + pressure_slope * pressure) * (1.0 + sanctions_slope * sanctions)


# --- E5-E7: transaction and delivery -------------------------------------------------------


def munitions_flow(capacity: np.ndarray, war: float | np.ndarray, supply: np.ndarray) -> np.ndarray:
    """E5. PRK's munitions exports to Russia (USD bn/yr): ``capacity * war * supply``
    (seed 000: artillery 'likely worth several billion dollars')."""
    return capacity * war * supply


def tech_released(already: np.ndarray, trust_rus_prk: np.ndarray, threshold: np.ndarray,
                  war: float | np.ndarray) -> np.ndarray:
    """E6. Crown jewels: Russia releases sensitive technology once its trust in PRK reaches
    ``tech_threshold`` while it still needs munitions; a release is not undone
    (seed 003, Easley)."""
    return already | ((trust_rus_prk >= threshold) & (np.asarray(war) > 0))


def offers(bids: np.ndarray, stability_chn: np.ndarray, mil_share_chn: np.ndarray, mil_share_rus: np.ndarray,
           payment_rus: np.ndarray, tech_rus: np.ndarray, us_offer: np.ndarray) -> np.ndarray:
    """E7a. Aid offered to PRK, ``(R, 4, 2)`` donor x channel (USD bn/yr).

    China splits its bid by ``mil_share_chn`` and adds economic aid for stability outside the
    contest (``stability_aid_chn``); Russia splits bid plus munitions payment by
    ``mil_share_rus`` and adds released technology to its military channel; the US offers
    economic relief only.
    """
    out = np.zeros((*bids.shape[:1], 4, 2))
    out[:, CHN, ECON] = (1.0 - mil_share_chn) * bids[:, CHN] + stability_chn
    out[:, CHN, MIL] = mil_share_chn * bids[:, CHN]
    rus_total = bids[:, RUS] + payment_rus
    out[:, RUS, ECON] = (1.0 - mil_share_rus) * rus_total
    out[:, RUS, MIL] = mil_share_rus * rus_total + tech_rus
    out[:, USA, ECON] = us_offer
    return out


def delivered_share(reliability: np.ndarray, spread: np.ndarray, z: np.ndarray) -> np.ndarray:
    """E7b. Share of promised aid a patron delivers this month: ``clip(rel + spread z, 0, 1)``."""
    return np.clip(reliability + spread * z, 0.0, 1.0)


def received_aid(offered: np.ndarray, delivered: np.ndarray, accept: np.ndarray,
                 border_open: float | np.ndarray) -> np.ndarray:
    """E7c. Aid PRK receives, ``(R, 4, 2)``: offered x delivered share x PRK's acceptance;
    China's economic aid also passes the border (seed 004: border closure)."""
    out = offered * delivered[:, :, None] * accept
    out[:, CHN, ECON] *= border_open
    return out


# --- E8-E11: derived quantities ------------------------------------------------------------


def food_coverage(need: np.ndarray, shortfall: float | np.ndarray, econ_aid: np.ndarray,
                  food_share: np.ndarray, tons_per_bn: np.ndarray) -> np.ndarray:
    """E8. Share of PRK's food need covered by its harvest plus food bought with aid:
    ``(need - shortfall + food_share * tons_per_bn * econ_aid) / need``
    (seed 004: about 5.5 Mt needed, roughly 1 Mt short)."""
    return (need - shortfall + food_share * tons_per_bn * econ_aid) / need


def dependence(received: np.ndarray, mil_weight: np.ndarray) -> np.ndarray:
    """E9. PRK's dependence shares ``(R, 4)``: each donor's share of PRK's valued support
    ``econ + mil_weight * mil``; all zero when PRK receives nothing."""
    support = received[:, :, ECON] + mil_weight[:, None] * received[:, :, MIL]
    total = support.sum(axis=1, keepdims=True)
    return np.divide(support, total, out=np.zeros_like(support), where=total > 0)


def autonomy(dep: np.ndarray) -> np.ndarray:
    """E10. PRK's autonomy: ``1 - sum_p dep_p^2`` (one minus the Herfindahl index); 1 when
    PRK depends on no one."""
    h = np.sum(dep**2, axis=1)
    return np.where(dep.sum(axis=1) > 0, 1.0 - h, 1.0)


def leverage(attention_p_prk: np.ndarray, dep_prk_p: np.ndarray, outside_weight: np.ndarray) -> np.ndarray:
    """E11. PRK's leverage over patron p (Keohane and Nye 1977: asymmetric interdependence):
    what p needs of PRK (p's attention to PRK) minus what PRK needs of p (its dependence on
    p), plus PRK's outside option ``outside_weight * (1 - dep_p)`` (seed 002, Russel:
    'other friends and other options')."""
    return attention_p_prk - dep_prk_p + outside_weight * (1.0 - dep_prk_p)


# --- E12: attention -----------------------------------------------------------------------


def patron_attention_target(bids: np.ndarray, outside: np.ndarray, trust: np.ndarray,
                            us_engagement: np.ndarray) -> np.ndarray:
    """E12a. Target attention rows of CHN, RUS, USA ``(R, 4, 4)`` (PRK's row left zero).

    A patron's attention to PRK is ``bid / (bid + patron_outside)``; the US's is
    ``0.05 + 0.45 * engagement``; the rest goes to the other two great powers in proportion
    to trust (a floor of 0.01 keeps the row defined)."""
    target = np.zeros_like(trust)
    to_prk = np.empty((trust.shape[0], 3))  # CHN, RUS, USA
    to_prk[:, :2] = bids[:, PAT] / (bids[:, PAT] + outside[:, None])
    to_prk[:, 2] = 0.05 + 0.45 * us_engagement
    w = np.maximum(trust[:, CHN:, CHN:], 0.01) * _OFF_DIAGONAL_3  # great powers among themselves
    target[:, CHN:, CHN:] = (1.0 - to_prk)[:, :, None] * w / w.sum(axis=2, keepdims=True)
    target[:, CHN:, PRK] = to_prk
    return target


_OFF_DIAGONAL_3 = 1.0 - np.eye(3)


def summit_pull(target_row: np.ndarray, summits: np.ndarray) -> np.ndarray:
    """E12b. A summit with b in a month pulls half of PRK's attention target toward b."""
    s = 0.5 * np.minimum(summits.sum(), 1.0)
    if s == 0.0:
        return target_row
    pull = summits / summits.sum()
    return (1.0 - s) * target_row + s * pull


# --- E13: trust ----------------------------------------------------------------------------


def reciprocity(trust: np.ndarray, observed: np.ndarray, rate: np.ndarray,
                weight: np.ndarray | float = 1.0) -> np.ndarray:
    """E13a. Trust follows observed conduct: ``T += rate * weight * (observed - T)``, with
    observed conduct in [0, 1] (delivered vs promised)."""
    return rate * weight * (observed - trust)


def bid_shares(bids: np.ndarray) -> np.ndarray:
    """Each patron's share of the two patrons' bids ``(R, 2)`` for (CHN, RUS); an even split
    when neither bids. PRK's balancing follows it (E12) and its reciprocation is measured
    against it (E13b)."""
    paid = bids[:, PAT]
    total = paid.sum(axis=1, keepdims=True)
    return np.divide(paid, total, out=np.full_like(paid, 0.5), where=total > 0)


def prk_reciprocation(attention_prk: np.ndarray, bids: np.ndarray, reliability_prk: np.ndarray) -> np.ndarray:
    """E13b. What PRK delivers to each patron ``(R, 4)``: ``reliability_prk`` times its
    attention to p relative to the share of the patrons' combined bids p paid, capped at 1
    (PRK delivers in full when it engages a patron at least as much as that patron pays for
    and is fully reliable)."""
    share = bid_shares(bids)
    engaged = attention_prk[:, PAT]
    expected = share * engaged.sum(axis=1, keepdims=True)
    out = np.ones(bids.shape)
    # min(engaged / expected, 1), written so that a tiny expected share cannot overflow
    ratio = np.divide(np.minimum(engaged, expected), expected, out=np.ones_like(engaged), where=expected > 0)
    out[:, PAT] = reliability_prk[:, None] * ratio
    return out


def jealousy(attention_prk: np.ndarray, strength: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """E13c. Patron p's monthly loss of trust in PRK while PRK engages p's rival q more than p:
    ``rate * strength * max(0, A[PRK,q] - A[PRK,p])``, returned ``(R, 2)`` for (CHN, RUS)
    (seed 003, Delury: 'the Chinese are a bit miffed seeing Kim choose Putin over them')."""
    gap = np.maximum(attention_prk[:, [RUS, CHN]] - attention_prk[:, PAT], 0.0)
    return (rate * strength)[:, None] * gap


def structural_balance(trust: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """E13d. Heider's balance pressure: ``dT[a,b] = rate * mean_c (2T[a,c]-1)(2T[c,b]-1) / 2``
    over third parties c (the friend of my enemy is my enemy); zero diagonal."""
    s = 2.0 * trust - 1.0
    n = trust.shape[1]
    idx = np.arange(n)
    s_no_diag = s.copy()
    s_no_diag[:, idx, idx] = 0.0
    through = np.einsum("rac,rcb->rab", s_no_diag, s_no_diag)  # sum over c != a, c != b
    through[:, idx, idx] = 0.0
    return rate[:, None, None] * through / (2.0 * (n - 2))


def trust_noise(z: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """E13e. Monthly trust noise ``sigma * z`` on each directed pair ``(R, 4, 4)``."""
    v = sigma[:, None] * z
    out = np.zeros((z.shape[0], 16))
    out[:, 1:5], out[:, 6:10], out[:, 11:15] = v[:, 0:4], v[:, 4:8], v[:, 8:12]
    return out.reshape(-1, 4, 4)


# --- E14: UN Security Council ----------------------------------------------------------------


def vetoes(trust: np.ndarray, veto_hostility: np.ndarray) -> np.ndarray:
    """E14a. CHN and RUS each veto a US resolution when their distrust of the US exceeds
    ``veto_hostility``; returned ``(R, 2)`` (seed 002, Gause: Russia 'will block')."""
    distrust = 1.0 - trust[:, PAT, USA]
    return distrust > veto_hostility[:, None]


def sanctions_level(level: np.ndarray, passed: np.ndarray, step: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """E14b. Sanctions in force: ``min(1, level (1 - decay) + step * passed)``."""
    return np.minimum(level * (1.0 - decay) + step * passed, 1.0)

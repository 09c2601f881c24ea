"""The strategic triangle (Dittmer 1981), read off the trust matrix.

Rule (E15 in ``docs/odd.md``): a pair (a, b) enters *amity* when its mean mutual trust
``(T[a,b] + T[b,a]) / 2`` reaches ``amity_threshold + amity_band / 2`` and falls back into
*enmity* only below ``amity_threshold - amity_band / 2`` (hysteresis: inside the band a pair
keeps its last relation, so that trust noise does not flip the triangle). The number of amity
pairs fixes the triangle type, and the position of each actor its role:

=========================  ===========  =========================================
amity pairs                type         roles
=========================  ===========  =========================================
3                          menage       friend, friend, friend
2 (both touch the pivot)   romantic     pivot (in both pairs), wing, wing
1                          marriage     partner, partner, pariah
0                          unit_veto    foe, foe, foe
=========================  ===========  =========================================

Dittmer (1981) names the first three types; the unit veto and the six roles follow his later
work and the sign-pattern reading (2^3 sign patterns reduce to four types up to relabelling).
"""

from __future__ import annotations

import numpy as np

from sim.jitcache import jit

TRIANGLE_TYPES = ("menage", "romantic", "marriage", "unit_veto")
#: Readable names of the triangle types, for figures and the dashboard.
TRIANGLE_LABELS = {
    "menage": "ménage à trois",
    "romantic": "romantic triangle",
    "marriage": "stable marriage",
    "unit_veto": "unit veto",
}
ROLES = ("friend", "pivot", "wing", "partner", "pariah", "foe")
_FRIEND, _PIVOT, _WING, _PARTNER, _PARIAH, _FOE = range(6)


@jit
def amity(trust: np.ndarray, a: int, b: int, threshold: float) -> bool:
    """Whether pair (a, b) is in amity; ``trust`` is one replication's 4 x 4 matrix."""
    return 0.5 * (trust[a, b] + trust[b, a]) >= threshold


@jit
def update_amity(trust: np.ndarray, relation: np.ndarray, threshold: float, band: float) -> None:
    """E15a. Each pair's amity (``relation``, a symmetric ``(4, 4)`` bool matrix, in place):
    amity from ``threshold + band / 2`` up, enmity below ``threshold - band / 2``, the last
    relation in between."""
    for a in range(4):
        for b in range(a + 1, 4):
            mean = 0.5 * (trust[a, b] + trust[b, a])
            now = relation[a, b]
            if mean >= threshold + 0.5 * band:
                now = True
            elif mean < threshold - 0.5 * band:
                now = False
            relation[a, b] = relation[b, a] = now


@jit
def triangle(relation: np.ndarray, trio: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """E15b. Triangle type code (index into :data:`TRIANGLE_TYPES`) and each member's role code
    (index into :data:`ROLES`), members in the order of ``trio``, from the pairs' amity
    (``relation``, :func:`update_amity`)."""
    i, j, k = trio
    # edge e_m is the pair opposite member m: (j,k) opposite i, (i,k) opposite j, (i,j) opposite k
    edges = (relation[j, k], relation[i, k], relation[i, j])
    n_amity = int(edges[0]) + int(edges[1]) + int(edges[2])
    kind = 3 - n_amity  # 3 -> menage (0), 2 -> romantic (1), 1 -> marriage (2), 0 -> unit veto (3)
    if n_amity == 3:
        return kind, _FRIEND, _FRIEND, _FRIEND
    if n_amity == 0:
        return kind, _FOE, _FOE, _FOE
    if n_amity == 2:  # romantic: the pivot is the member whose opposite edge is the missing one
        yes, no = _WING, _PIVOT
    else:  # marriage: the pariah is the member opposite the one amity edge
        yes, no = _PARIAH, _PARTNER
    return (kind, yes if edges[0] else no, yes if edges[1] else no, yes if edges[2] else no)


@jit
def alliance(trust: np.ndarray, trio: tuple[int, int, int], threshold: float) -> bool:
    """A three-way alliance: every pair's mean mutual trust at least ``alliance_threshold``
    (seed 003, Easley: 'a real alliance of the three isn't credible or sustainable')."""
    i, j, k = trio
    return amity(trust, i, j, threshold) and amity(trust, i, k, threshold) and amity(trust, j, k, threshold)

"""The strategic triangle (Dittmer 1981), read off the trust matrix.

Rule (E15 in ``docs/odd.md``): a pair (a, b) is in *amity* when its mean mutual trust
``(T[a,b] + T[b,a]) / 2`` is at least ``amity_threshold``, else in *enmity*. The number of
amity pairs fixes the triangle type, and the position of each actor its role:

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


def amity(trust: np.ndarray, a: int, b: int, threshold: np.ndarray) -> np.ndarray:
    """Whether pair (a, b) is in amity, ``(R,)`` bool."""
    return 0.5 * (trust[:, a, b] + trust[:, b, a]) >= threshold


def triangle(trust: np.ndarray, trio: tuple[int, int, int], threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Triangle type code ``(R,)`` (index into :data:`TRIANGLE_TYPES`) and each member's role
    code ``(R, 3)`` (index into :data:`ROLES`), members in the order of ``trio``."""
    i, j, k = trio
    # edge e_m is the pair opposite member m: (j,k) opposite i, (i,k) opposite j, (i,j) opposite k
    edges = np.stack(
        [amity(trust, j, k, threshold), amity(trust, i, k, threshold), amity(trust, i, j, threshold)], axis=1
    )
    n_amity = edges.sum(axis=1)
    kind = 3 - n_amity  # 3 -> menage (0), 2 -> romantic (1), 1 -> marriage (2), 0 -> unit veto (3)
    roles = np.empty(edges.shape, dtype=np.int64)
    roles[n_amity == 3] = _FRIEND
    roles[n_amity == 0] = _FOE
    # romantic: the pivot is the member whose opposite edge is the missing one
    romantic = n_amity == 2
    roles[romantic] = np.where(edges[romantic], _WING, _PIVOT)
    # marriage: the pariah is the member opposite the one amity edge
    marriage = n_amity == 1
    roles[marriage] = np.where(edges[marriage], _PARIAH, _PARTNER)
    return kind, roles


def alliance(trust: np.ndarray, trio: tuple[int, int, int], threshold: np.ndarray) -> np.ndarray:
    """A three-way alliance: every pair's mean mutual trust at least ``alliance_threshold``
    (seed 003, Easley: 'a real alliance of the three isn't credible or sustainable')."""
    i, j, k = trio
    return amity(trust, i, j, threshold) & amity(trust, i, k, threshold) & amity(trust, j, k, threshold)

"""Actors and aid channels, by ISO 3166 code.

The index of an actor is its position in :data:`ACTORS`; every 4x4 array in the model
(trust, attention) and every donor/recipient axis uses this order.
"""

from __future__ import annotations

ACTORS: tuple[str, ...] = ("PRK", "CHN", "RUS", "USA")
PRK, CHN, RUS, USA = range(4)
#: The patrons (CHN, RUS) as a slice (CHN and RUS are adjacent): basic slicing is a view, fancy indexing a copy.
PAT = slice(CHN, RUS + 1)

CHANNELS: tuple[str, ...] = ("econ", "mil")
ECON, MIL = range(2)

#: Directed pairs (a, b) with a != b, in row-major order: the layout of per-pair noise.
PAIRS: tuple[tuple[int, int], ...] = tuple((a, b) for a in range(4) for b in range(4) if a != b)


def code(i: int) -> str:
    """Lower-case ISO code of actor ``i``, as used in column names (``trust_prk_chn``)."""
    return ACTORS[i].lower()

"""The state of R worlds at once: every array has a leading replication axis.

The Mesa model holds one of these with R = 1; the batch engine holds one with R replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.actors import CHN, PRK, RUS, USA
from sim.params import Params

#: Columns of :attr:`WorldState.unsc` (cumulative counts).
UNSC_COLUMNS = ("resolutions_tabled", "resolutions_vetoed", "resolutions_passed")


@dataclass
class WorldState:
    """State of R replications at the start of a month.

    trust: ``(R, 4, 4)`` in [0, 1]; ``trust[:, a, b]`` is a's belief that b delivers.
    attention: ``(R, 4, 4)``, rows sum to 1, zero diagonal: a's diplomatic engagement.
    bids: ``(R, 4)`` USD bn/yr: the aid each patron offers PRK (CHN, RUS; USA's relief offer).
    aid: ``(R, 4, 4, 2)`` USD bn/yr: aid received, donor x recipient x channel (econ, mil).
    munitions: ``(R,)`` USD bn/yr: PRK's munitions exports to Russia.
    contestability: ``(R,)`` in [0, 1]: how much PRK lets patrons bid for it (PRK's last choice).
    delivered: ``(R, 4)`` in [0, 1]: share of each donor's promised aid delivered last month.
    sanctions: ``(R,)`` in [0, 1]: level of UN sanctions in force.
    tech: ``(R,)`` bool: Russia has released sensitive military technology (crown jewels).
    tech_month: ``(R,)`` month of release, -1 if none.
    unsc: ``(R, 3)`` cumulative resolutions tabled, vetoed, passed.
    us_stance: ``(R, 3)`` US pressure, engagement, condemnation last month, in [0, 1].
    alliance_ever: ``(R,)`` bool: a PRK-CHN-RUS alliance formed at some month.
    month: months elapsed.
    """

    trust: np.ndarray
    attention: np.ndarray
    bids: np.ndarray
    aid: np.ndarray
    munitions: np.ndarray
    contestability: np.ndarray
    delivered: np.ndarray
    sanctions: np.ndarray
    tech: np.ndarray
    tech_month: np.ndarray
    unsc: np.ndarray
    us_stance: np.ndarray
    alliance_ever: np.ndarray
    month: int = 0

    @property
    def n(self) -> int:
        return self.trust.shape[0]


def initial_state(p: Params, n: int, rivalry: float = 0.7, hostility: float = 0.9) -> WorldState:
    """The state at month 0 for ``n`` replications of broadcast parameters ``p``.

    Trust among the great powers starts at the level the month-0 drivers imply
    (US-China: 1 - rivalry; US-Russia: 1 - hostility; China-Russia: ``chn_rus_alignment``).
    """
    trust = np.zeros((n, 4, 4))
    trust[:, PRK, CHN] = p.trust0_prk_chn
    trust[:, CHN, PRK] = p.trust0_chn_prk
    trust[:, PRK, RUS] = p.trust0_prk_rus
    trust[:, RUS, PRK] = p.trust0_rus_prk
    trust[:, PRK, USA] = trust[:, USA, PRK] = p.trust0_prk_usa
    trust[:, CHN, RUS] = trust[:, RUS, CHN] = p.chn_rus_alignment
    trust[:, CHN, USA] = trust[:, USA, CHN] = 1.0 - rivalry
    trust[:, RUS, USA] = trust[:, USA, RUS] = 1.0 - hostility

    attention = np.zeros((n, 4, 4))
    a_chn = p.attention0_prk_chn
    a_rus = np.minimum(p.attention0_prk_rus, 1.0 - a_chn)
    attention[:, PRK, CHN] = a_chn
    attention[:, PRK, RUS] = a_rus
    attention[:, PRK, USA] = 1.0 - a_chn - a_rus
    for a in (CHN, RUS, USA):
        others = [b for b in range(4) if b != a]
        attention[:, a, others] = 1.0 / 3.0

    bids = np.zeros((n, 4))
    bids[:, CHN] = p.bid0_chn
    bids[:, RUS] = p.bid0_rus
    return WorldState(
        trust=trust,
        attention=attention,
        bids=bids,
        aid=np.zeros((n, 4, 4, 2)),
        munitions=np.zeros(n),
        contestability=np.ones(n),
        delivered=np.ones((n, 4)),
        sanctions=np.zeros(n),
        tech=np.zeros(n, dtype=bool),
        tech_month=np.full(n, -1, dtype=np.int64),
        unsc=np.zeros((n, 3), dtype=np.int64),
        us_stance=np.zeros((n, 3)),
        alliance_ever=np.zeros(n, dtype=bool),
    )

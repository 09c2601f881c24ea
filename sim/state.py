"""The state of R worlds at once: every array has a leading replication axis.

The Mesa model holds one of these with R = 1; the batch engine holds one with R replications.
"""

from __future__ import annotations

import numpy as np

from sim.actors import CHN, PRK, RUS, USA
from sim.params import Params

#: Outcomes whose mean over the run and over the scenario's event window are kept (E16), in
#: the order of :attr:`WorldState.run_sum`.
TRACKED = ("autonomy_prk", "aid_total_prk", "food_coverage", "trust_chn_prk", "trust_rus_prk", "trust_prk_chn",
           "trust_prk_rus", "bid_chn", "bid_rus")

#: Columns of :attr:`WorldState.unsc` (cumulative counts).
UNSC_COLUMNS = ("resolutions_tabled", "resolutions_vetoed", "resolutions_passed")


#: One replication's state, a record (layout of :data:`WorldState` rows):
#:
#: trust: ``(4, 4)`` in [0, 1]; ``trust[a, b]`` is a's belief that b delivers.
#: attention: ``(4, 4)``, rows sum to 1, zero diagonal: a's diplomatic engagement.
#: bids: ``(4,)`` USD bn/yr: the aid each patron offers PRK (CHN, RUS; USA's relief offer).
#: aid: ``(4, 4, 2)`` USD bn/yr: aid received, donor x recipient x channel (econ, mil).
#: munitions: USD bn/yr: PRK's munitions exports to Russia.
#: contestability: ``(4,)`` >= 0: how much PRK's attention to each patron (CHN, RUS) responds to
#:     its bid, relative to a Tullock contest, as the patrons measured it this month (E2a).
#: attention_ref: ``(4,)``: the attention each patron is used to getting from PRK (E13c).
#: stakes: ``(4,)`` USD bn/yr: each patron's last value-to-cost ratio of PRK's attention (E2b);
#:     NaN for a patron that does not contest.
#: delivered: ``(4,)`` in [0, 1]: share of each donor's promised aid delivered last month.
#: offered: ``(4,)`` USD bn/yr: each donor's aid offer last month, both channels (E7a).
#: sanctions: in [0, 1]: level of UN sanctions in force.
#: tech: Russia has released sensitive military technology (crown jewels).
#: tech_month: month of release, -1 if none.
#: unsc: ``(3,)`` cumulative resolutions tabled, vetoed, passed.
#: us_stance: ``(3,)`` US pressure, engagement, condemnation last month, in [0, 1].
#: alliance_ever: a PRK-CHN-RUS alliance formed at some month.
#: amity: ``(4, 4)`` 1 where a pair is in amity (symmetric; kept inside the band, E15).
#: triangle_months: ``(4,)`` months the PRK-CHN-RUS triangle has spent in each type.
#: run_sum, window_sum: ``(N_TRACKED,)`` sums over the months of the run and of the
#:     scenario's event window of the tracked outcomes (:data:`TRACKED`).
#: window_months: months of the event window simulated so far.
#: month: months elapsed.
STATE = np.dtype([
    ("trust", "f8", (4, 4)), ("attention", "f8", (4, 4)), ("bids", "f8", (4,)), ("aid", "f8", (4, 4, 2)),
    ("munitions", "f8"), ("contestability", "f8", (4,)), ("attention_ref", "f8", (4,)), ("stakes", "f8", (4,)),
    ("delivered", "f8", (4,)), ("offered", "f8", (4,)),
    ("sanctions", "f8"), ("tech", "?"), ("tech_month", "i8"), ("unsc", "i8", (3,)), ("us_stance", "f8", (3,)),
    ("alliance_ever", "?"), ("amity", "u1", (4, 4)), ("triangle_months", "i8", (4,)),
    ("run_sum", "f8", (9,)), ("window_sum", "f8", (9,)), ("window_months", "i8"), ("month", "i8"),
], align=True)

#: The state of R replications: a record array of :data:`STATE` with a leading replication
#: axis. Fields read as arrays (``s.trust[:, a, b]``, shape ``(R,)``); compiled code takes one
#: replication's record (``s[r]``), whose fields are its own numbers.
WorldState = np.recarray


def initial_state(p: Params, n: int, rivalry: float = 0.7, hostility: float = 0.9) -> WorldState:
    """The state at month 0 for ``n`` replications of parameters ``p`` (a broadcast Params or
    its record array, :meth:`sim.params.Params.arrays`).

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

    s = np.zeros(n, dtype=STATE).view(np.recarray)
    s.trust, s.attention = trust, attention
    s.bids[:, CHN] = p.bid0_chn
    s.bids[:, RUS] = p.bid0_rus
    s.contestability = 1.0
    s.stakes = np.nan  # no stake revealed yet: month 0's bids best-respond to the initial offers
    s.attention_ref = attention[:, PRK, :]
    s.delivered = 1.0
    s.tech_month = -1
    initial_amity(s, p.amity_threshold)
    return s


def initial_amity(s: WorldState, threshold: np.ndarray | float) -> None:
    """Amity at month 0: mean mutual trust at least ``threshold`` (no band yet)."""
    mean = 0.5 * (s.trust + np.swapaxes(s.trust, 1, 2))
    s.amity = mean >= np.asarray(threshold, dtype=float).reshape(-1, 1, 1)
    for a in range(4):
        s.amity[:, a, a] = False

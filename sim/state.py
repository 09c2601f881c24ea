"""The state of R worlds at once: every array has a leading replication axis.

The Mesa model holds one of these with R = 1; the batch engine holds one with R replications.
"""

from __future__ import annotations

import numpy as np

from sim.actors import CHN, PRK, RUS, USA
from sim.jitcache import jit, jit_inline
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


def initial_state(p: Params | np.recarray, n: int, rivalry: float = 0.7, hostility: float = 0.9) -> WorldState:
    """The state at month 0 for ``n`` replications of parameters ``p`` (a broadcast Params or
    its record array, :meth:`sim.params.Params.arrays`, of ``n`` records, or of one that every
    replication shares).

    Trust among the great powers starts at the level the month-0 drivers imply
    (US-China: 1 - rivalry; US-Russia: 1 - hostility; China-Russia: ``chn_rus_alignment``).
    Each replication's record is set by :func:`initial_record`, compiled.
    """
    q = p.arrays(n) if isinstance(p, Params) else p
    if q.shape[0] not in (1, n):
        raise ValueError(f"initial_state needs {n} parameter records or one, got {q.shape[0]}")
    s = np.zeros(n, dtype=STATE).view(np.recarray)
    _initial_records(s, q, float(rivalry), float(hostility))
    return s


@jit_inline
def initial_record(x: np.record, q: np.record, rivalry: float, hostility: float) -> None:
    """One replication's state at month 0 (``x`` a zeroed record of :data:`STATE`, ``q`` its
    parameter record): trust from the ``trust0_*`` parameters and the month-0 drivers, PRK's
    attention from ``attention0_*`` (the rest to the US), the great powers' attention spread
    evenly over the other three, the patrons' opening bids, full contestability and delivery,
    no stake revealed yet (month 0's bids best-respond to the initial offers), each patron used
    to the attention it has, no technology released, and amity at month 0
    (:func:`initial_amity`)."""
    trust, attention = x.trust, x.attention
    trust[PRK, CHN] = q.trust0_prk_chn
    trust[CHN, PRK] = q.trust0_chn_prk
    trust[PRK, RUS] = q.trust0_prk_rus
    trust[RUS, PRK] = q.trust0_rus_prk
    trust[PRK, USA] = trust[USA, PRK] = q.trust0_prk_usa
    trust[CHN, RUS] = trust[RUS, CHN] = q.chn_rus_alignment
    trust[CHN, USA] = trust[USA, CHN] = 1.0 - rivalry
    trust[RUS, USA] = trust[USA, RUS] = 1.0 - hostility
    a_chn = q.attention0_prk_chn
    a_rus = min(q.attention0_prk_rus, 1.0 - a_chn)
    attention[PRK, CHN] = a_chn
    attention[PRK, RUS] = a_rus
    attention[PRK, USA] = 1.0 - a_chn - a_rus
    for a in (CHN, RUS, USA):
        for b in range(4):
            if b != a:
                attention[a, b] = 1.0 / 3.0
    x.bids[CHN] = q.bid0_chn
    x.bids[RUS] = q.bid0_rus
    for k in range(4):
        x.contestability[k] = 1.0
        x.stakes[k] = np.nan
        x.attention_ref[k] = attention[PRK, k]
        x.delivered[k] = 1.0
    x.tech_month = -1
    initial_amity(x, q.amity_threshold)


@jit_inline
def initial_amity(x: np.record, threshold: float) -> None:
    """Amity at month 0 in the replication of record ``x``: mean mutual trust at least
    ``threshold`` (no band yet)."""
    for a in range(4):
        for b in range(4):
            x.amity[a, b] = a != b and 0.5 * (x.trust[a, b] + x.trust[b, a]) >= threshold


@jit
def _initial_records(s: WorldState, q: np.recarray, rivalry: float, hostility: float) -> None:
    shared = q.shape[0] == 1
    for r in range(s.shape[0]):
        initial_record(s[r], q[0] if shared else q[r], rivalry, hostility)

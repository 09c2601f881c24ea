"""What a run is made of: the named strategy, policies and scenario, resolved from their
registries, and the compiled month loop both engines share.

The month loop (:func:`run_block`) takes the agents' decision rules as arguments (numba
first-class functions of the signatures in :mod:`sim.rules`): it is compiled once, whatever
rules a run uses, and a strategy defined outside the package runs in it unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

import numba
import numpy as np
from numba import types
from numba.core.errors import NumbaExperimentalFeatureWarning

from sim.actors import CHN, RUS
from sim.dynamics import draws_used, sense, transition
from sim.jitcache import borrowed, ensure, jit
from sim.outcomes import outcome_row
from sim.params import PARAM_RECORD, Switches
from sim.policies import PATRON_POLICIES, US_POLICIES, PatronPolicy, USPolicy
from sim.rng import N_NORMAL, N_UNIFORM, replication_draws
from sim.rules import compiled_rule, signatures
from sim.scenarios import Drivers, month_at, scenario_drivers
from sim.state import STATE, WorldState
from sim.strategies import STRATEGIES, Strategy
from sim.types import Decisions, Month

#: Replications a thread runs at a time (results depend neither on it nor on the threads).
CHUNK = 64

#: Most strategies a schedule can hold (:attr:`WorldSpec.schedule`).
MAX_PHASES = 4


class Agents(NamedTuple):
    """The agents' compiled decision rules and their options, as the month loop takes them:
    PRK's strategy in each phase of its schedule (the last repeated to fill MAX_PHASES slots),
    the phase of each month, the patrons' and the US's rules."""

    prk0: Any
    prk1: Any
    prk2: Any
    prk3: Any
    chn: Any
    rus: Any
    usa: Any
    prk_options0: np.ndarray
    prk_options1: np.ndarray
    prk_options2: np.ndarray
    prk_options3: np.ndarray
    chn_options: np.ndarray
    rus_options: np.ndarray
    usa_options: np.ndarray
    phase: np.ndarray


def _run_rows(prk0, prk1, prk2, prk3, chn, rus, usa, prk_options0, prk_options1, prk_options2, prk_options3,
              chn_options, rus_options, usa_options, phase, s, drivers, p, sw, key, replications, months, steps, out,
              lo, hi, work):
    """Run rows ``lo`` to ``hi`` of ``s`` (replication ``replications[i]`` of the run in row i,
    with parameter record ``p[i]``, or ``p[0]`` for all when ``p`` holds one)
    from month 0 to ``months``, in place: each month the patrons measure PRK's contestability
    (:func:`sim.dynamics.sense`), every agent decides by its rule from the state at the start
    of the month, then :func:`sim.dynamics.transition`. The replication's draws come from its
    own stream, only those the switched-on mechanisms read (:func:`sim.rng.replication_draws`,
    :func:`sim.dynamics.draws_used`). Outcomes (:func:`sim.outcomes.outcome_row`)
    go to the columns of ``out`` ``(N_OUTCOMES, n)``, one outcome per row of it: one column per
    replication and month when ``steps``, else one per replication (each outcome's values lie
    together in memory, as the columns of a table do). ``work`` is scratch memory
    (:func:`scratch`)."""
    # the arrays the month loop passes around, as views that are not reference-counted: the
    # caller holds them until this returns
    normal, uniform, dT, target = borrowed(work[0]), borrowed(work[1]), borrowed(work[2]), borrowed(work[3])
    prk_options0, prk_options1 = borrowed(prk_options0), borrowed(prk_options1)
    prk_options2, prk_options3 = borrowed(prk_options2), borrowed(prk_options3)
    chn_options, rus_options, usa_options = borrowed(chn_options), borrowed(rus_options), borrowed(usa_options)
    out = borrowed(out)  # a column of it each month in a steps run
    war, rivalry, hostility, shortfall, border, summits, window = drivers
    drivers = (borrowed(war), borrowed(rivalry), borrowed(hostility), borrowed(shortfall), borrowed(border),
               borrowed(summits), borrowed(window))
    normals, uniforms = draws_used(sw)
    shared = p.shape[0] == 1  # one parameter record for every replication
    for i in range(lo, hi):
        x, q = s[i], p[0 if shared else i]
        replication_draws(key[0], key[1], replications[i], normal, uniform, normals, uniforms)
        for t in range(months):
            m = month_at(drivers, t)
            k = phase[t]  # PRK's strategy this month
            prk, prk_options = prk0, prk_options0
            if k == 1:
                prk, prk_options = prk1, prk_options1
            elif k == 2:
                prk, prk_options = prk2, prk_options2
            elif k == 3:
                prk, prk_options = prk3, prk_options3
            sense(prk, x, m, q, prk_options)
            d = Decisions(prk(x, m, q, prk_options), chn(CHN, x, m, q, chn_options), rus(RUS, x, m, q, rus_options),
                          usa(x, m, q, usa_options))
            transition(x, d, m, q, sw, normal, uniform, dT, target)
            if steps:
                outcome_row(x, q, m, out[:, i * months + t])
        if not steps:
            outcome_row(x, q, month_at(drivers, months - 1), out[:, i])


_rows = jit(_run_rows)


@jit
def scratch(months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scratch memory of :func:`_run_rows` for runs of ``months``: a replication's normals and
    uniforms (zeros where not drawn) and the ``dT`` and ``target`` of
    :func:`sim.dynamics.transition`."""
    return np.zeros((months, N_NORMAL)), np.zeros((months, N_UNIFORM)), np.zeros((4, 4)), np.zeros(4)


def _run_block(prk0, prk1, prk2, prk3, chn, rus, usa, prk_options0, prk_options1, prk_options2, prk_options3,
               chn_options, rus_options, usa_options, phase, s, drivers, p, sw, key, replications, months, steps, out):
    """Every row of ``s`` by :func:`_run_rows`, in chunks of :data:`CHUNK` rows spread over the
    threads (numba's ``prange``). Each replication runs alone on its own stream and writes its
    own rows of ``out``, so the results do not depend on the number of threads."""
    n = replications.shape[0]
    for c in numba.prange((n + CHUNK - 1) // CHUNK):
        _rows(prk0, prk1, prk2, prk3, chn, rus, usa, prk_options0, prk_options1, prk_options2, prk_options3,
              chn_options, rus_options, usa_options, phase, s, drivers, p, sw, key, replications, months, steps, out,
              c * CHUNK, min((c + 1) * CHUNK, n), scratch(months))


@cache
def kernel() -> Any:
    """:func:`_run_block` compiled (or loaded from the cache) for the rules' signatures."""
    ensure()
    sig = signatures()
    f8 = types.float64[::1]  # options and drivers alike
    drivers = types.Tuple((f8, f8, f8, f8, f8, types.float64[:, ::1], f8))
    flags = numba.typeof(Switches().flags())
    state = types.Array(numba.from_dtype(STATE), 1, "C", aligned=True)
    params = types.Array(numba.from_dtype(PARAM_RECORD), 1, "C", aligned=True)
    prk = types.FunctionType(sig["prk"])
    args = (prk, prk, prk, prk, types.FunctionType(sig["patron"]), types.FunctionType(sig["patron"]),
            types.FunctionType(sig["us"]), f8, f8, f8, f8, f8, f8, f8, types.int64[::1], state, drivers,
            params, flags,
            types.UniTuple(types.int64, 2), types.int64[::1], types.int64, types.boolean, types.float64[:, :])
    with _quiet():
        # nogil: a thread writing the last block's outcomes (sim.engine.simulate_to_parquet) runs meanwhile
        return numba.njit(types.void(*args), cache=True, error_model="numpy", parallel=True, nogil=True)(_run_block)


@contextmanager
def _quiet() -> Iterator[None]:
    """numba warns that first-class function types are experimental; what this code relies on
    is checked by the engines' agreement tests (tests/test_engines.py)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=NumbaExperimentalFeatureWarning)
        yield


def run_block(a: Agents, s: WorldState, drivers: tuple, p: np.recarray, sw: Any, key: tuple[int, int],
              replications: np.ndarray, months: int, steps: bool, out: np.ndarray) -> None:
    """Run replications ``replications`` of ``s`` with agents ``a`` (:func:`_run_block`); their
    outcomes go to the columns of ``out`` ``(N_OUTCOMES, n)``."""
    run = kernel()
    with _quiet():
        run(*a, s, drivers, p, sw, key, np.ascontiguousarray(replications, dtype=np.int64), int(months),
            bool(steps), out)


def schedule_label(schedule: tuple[tuple[str, int], ...]) -> str:
    """How a strategy schedule is named in tables: ``bandwagon>balancing@48``."""
    return ">".join(n if t == 0 else f"{n}@{t}" for n, t in schedule)


@dataclass(frozen=True)
class WorldSpec:
    """A run's choices by name: PRK's strategy, the patrons' and US policies, the scenario."""

    strategy: str = "balancing"
    scenario: str = "status_quo_2024"
    us_policy: str = "pressure"
    chn_policy: str = "cautious"
    rus_policy: str = "contest"
    months: int = 120
    switches: Switches = field(default_factory=Switches)
    strategy_options: dict[str, Any] = field(default_factory=dict)
    scenario_options: dict[str, Any] = field(default_factory=dict)
    us_policy_options: dict[str, Any] = field(default_factory=dict)
    #: PRK's strategies over time, ``((name, from_month), ...)`` with the first from month 0;
    #: ``strategy`` is then its label (:func:`schedule_label`) and ``strategy_options`` are keyed
    #: by strategy name. Empty: ``strategy`` throughout.
    schedule: tuple[tuple[str, int], ...] = ()

    def phases(self) -> tuple[tuple[str, int], ...]:
        """PRK's strategies and the month each starts, checked."""
        if not self.schedule:
            return ((self.strategy, 0),)
        phases = tuple((str(n), int(t)) for n, t in self.schedule)
        starts = [t for _, t in phases]
        if starts[0] != 0 or starts != sorted(set(starts)):
            raise ValueError(f"a strategy schedule starts at month 0 and its months increase; got {starts}")
        if len(phases) > MAX_PHASES:
            raise ValueError(f"a strategy schedule holds at most {MAX_PHASES} strategies; got {len(phases)}")
        return phases

    def build(self) -> World:
        if self.months < 1:
            raise ValueError(f"months must be >= 1, got {self.months}")
        phases = self.phases()
        if self.schedule:
            strategies = tuple(STRATEGIES.create(n, **self.strategy_options.get(n, {})) for n, _ in phases)
        else:
            strategies = (STRATEGIES.create(self.strategy, **self.strategy_options),)
        phase = np.zeros(self.months, dtype=np.int64)
        for k, (_, start) in enumerate(phases):
            phase[start:] = k
        return World(
            spec=self,
            strategy=strategies[0],
            phases=strategies,
            phase=phase,
            chn=PATRON_POLICIES.create(self.chn_policy),
            rus=PATRON_POLICIES.create(self.rus_policy),
            usa=US_POLICIES.create(self.us_policy, **self.us_policy_options),
            drivers=scenario_drivers(self.scenario, self.months, self.switches.shocks, **self.scenario_options),
        )


@dataclass(frozen=True)
class World:
    """A :class:`WorldSpec` resolved to objects."""

    spec: WorldSpec
    strategy: Strategy  #: the first (or only) strategy of PRK's schedule
    phases: tuple[Strategy, ...]
    phase: np.ndarray  #: ``(months,)`` which of ``phases`` PRK plays each month
    chn: PatronPolicy
    rus: PatronPolicy
    usa: USPolicy
    drivers: Drivers

    def month(self, t: int) -> Month:
        return self.drivers.month(t)

    def decide(self, x: np.record, m: Month, q: np.record) -> Decisions:
        """Every agent's decision in the replication of state record ``x`` and parameter record
        ``q`` (what the Mesa agents do one by one), after the patrons have measured PRK's
        contestability (:func:`sim.dynamics.sense`)."""
        self.sense(x, m, q)
        return Decisions(self.strategy_at(m.t).decide(x, m, q), self.chn.decide(CHN, x, m, q),
                         self.rus.decide(RUS, x, m, q), self.usa.decide(x, m, q))

    def sense(self, x: np.record, m: Month, q: np.record) -> None:
        """The patrons measure the contestability of PRK's strategy of month ``m``
        (:func:`sim.dynamics.sense`) in the replication of ``x`` and ``q``."""
        strategy = self.strategy_at(m.t)
        sense(compiled_rule(type(strategy)), x, m, q, strategy.options())

    def strategy_at(self, t: int) -> Strategy:
        """PRK's strategy in month ``t``."""
        return self.phases[int(self.phase[min(t, len(self.phase) - 1)])]

    def agents(self) -> Agents:
        """The compiled rules and options of the run's agents (each rule compiled, or loaded from
        the cache, on first use)."""
        slots = [self.phases[min(k, len(self.phases) - 1)] for k in range(MAX_PHASES)]
        return Agents(*(compiled_rule(type(st)) for st in slots), compiled_rule(type(self.chn)),
                      compiled_rule(type(self.rus)), compiled_rule(type(self.usa)), *(st.options() for st in slots),
                      self.chn.options(), self.rus.options(), self.usa.options(), self.phase)

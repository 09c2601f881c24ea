"""The Mesa model: the readable reference engine, one ``mesa.Agent`` per state.

Each month every agent decides from the state at the start of the month (simultaneous moves),
then the model applies :func:`sim.dynamics.transition`, the function the batch engine runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario

from sim.actors import ACTORS, CHN, PRK, RUS, USA
from sim.dynamics import draws_used, transition, workspace
from sim.outcomes import CATEGORICAL, columns, outcome_rows
from sim.params import Params, Switches
from sim.rng import N_NORMAL, N_UNIFORM, replication_draws, run_key
from sim.state import WorldState, initial_state
from sim.types import Decisions
from sim.world import WorldSpec


class StateAgent(mesa.Agent):
    """A state (country). ``actor`` is its index in :data:`sim.actors.ACTORS`."""

    def __init__(self, model: TriangleModel, actor: int) -> None:
        super().__init__(model)
        self.actor = actor
        self.iso = ACTORS[actor]

    def step(self) -> None:
        self.model.pending[self.iso] = self.decide()

    def decide(self) -> Any:
        raise NotImplementedError


class PRKAgent(StateAgent):
    """North Korea: follows its strategy (balancing, counterweight, ...)."""

    def decide(self) -> Any:
        m = self.model
        return m.world.strategy_at(m.month).decide(m.state[0], m.current_month, m.param_arrays[0])


class PatronAgent(StateAgent):
    """China or Russia: sets its aid offer by its patron policy."""

    def decide(self) -> Any:
        m = self.model
        policy = m.world.chn if self.actor == CHN else m.world.rus
        return policy.decide(self.actor, m.state[0], m.current_month, m.param_arrays[0])


class USAgent(StateAgent):
    """The United States: pressure, engagement, condemnation, resolutions."""

    def decide(self) -> Any:
        m = self.model
        return m.world.usa.decide(m.state[0], m.current_month, m.param_arrays[0])


def report(name: str, model: TriangleModel) -> Any:
    """DataCollector reporter: outcome ``name`` of the month just simulated."""
    value = model.outcomes[name][0]
    if name in CATEGORICAL:
        return CATEGORICAL[name][int(value)]
    return value.item() if isinstance(value, np.generic) else value


def _as_seed(rng: Any) -> Any:
    # A dashboard's InputText hands the seed back as a string.
    if isinstance(rng, str):
        try:
            return int(rng.strip())
        except ValueError:
            raise ValueError(f"seed must be a whole number, got {rng!r}") from None
    if isinstance(rng, int | np.integer) and rng < 0:
        raise ValueError(f"seed must be an integer >= 0, got {rng}")
    return rng


class TriangleModel(mesa.Model):
    """The PRK-CHN-RUS(-USA) triangle, one world, one step per month.

    The world's scenario is ``scenario_name`` (also ``model.scenario_name``): Mesa's
    ``Model.__init__`` takes ``scenario=`` for its own experiment record
    (``mesa.experimental.scenarios.Scenario``, which SolaraViz reads as ``model.scenario``), so
    the two must not share a name. ``model.scenario`` is Mesa's record and carries the world's
    names (``model.scenario.scenario_name``); ``scenario="war_ends"`` (a string) is still taken
    as the scenario name, so older call sites keep working.

    Args:
        strategy: PRK's strategy (``sim.strategies.STRATEGIES``).
        scenario_name: the world's drivers (``sim.scenarios.SCENARIOS``).
        us_policy, chn_policy, rus_policy: named policies (``sim.policies``).
        months: months to run before ``running`` turns False.
        switches: mechanisms on or off (default: all on but structural balance).
        params: a full parameter set; keyword ``param_overrides`` change single values.
        rng: the run's seed (a whole number; random if None).
        replication: which replication of the run this world is: ``rng=seed, replication=r``
            reproduces replication r of ``sim.engine.simulate(..., seed=seed)`` exactly.
        spec: a full :class:`~sim.world.WorldSpec` (with options); replaces the names above.
        scenario: Mesa's experiment record (a ``Scenario``), or a scenario name as a string.
    """

    def __init__(
        self,
        strategy: str = "balancing",
        scenario_name: str = "status_quo_2024",
        us_policy: str = "pressure",
        chn_policy: str = "cautious",
        rus_policy: str = "contest",
        months: int = 120,
        switches: Switches | None = None,
        params: Params | None = None,
        rng: Any = None,
        spec: WorldSpec | None = None,
        replication: int = 0,
        scenario: Scenario | str | None = None,
        **param_overrides: float,
    ) -> None:
        if isinstance(scenario, str):  # the scenario's name, as before Mesa took the keyword
            scenario_name, scenario = scenario, None
        if spec is None:
            spec = WorldSpec(strategy=strategy, scenario=scenario_name, us_policy=us_policy, chn_policy=chn_policy,
                             rus_policy=rus_policy, months=int(months), switches=switches or Switches())
        seed = _as_seed(rng)
        if scenario is None:
            scenario = Scenario(rng=seed, strategy=spec.strategy, scenario_name=spec.scenario,
                                us_policy=spec.us_policy, months=spec.months)
        elif seed is None:
            seed = _as_seed(scenario.rng)
        super().__init__(rng=seed, scenario=scenario)
        months = spec.months
        self.world = spec.build()
        self.months = int(months)
        self.params = Params.with_overrides(param_overrides, base=params).broadcast(1)
        d0 = self.world.drivers
        self.state: WorldState = initial_state(self.params, 1, rivalry=d0.us_china_rivalry[0],
                                               hostility=d0.us_russia_hostility[0])
        self.pending: dict[str, Any] = {}
        # every random draw of the run, month by month: replication r's stream of run `seed`
        self.seed = int(self.rng.integers(2**63)) if seed is None else seed
        self.replication = int(replication)
        self.normals, self.uniforms = np.zeros((self.months, N_NORMAL)), np.zeros((self.months, N_UNIFORM))
        key = run_key(self.seed)
        if self.replication < 0:
            raise ValueError(f"replication must be >= 0, got {replication}")
        self.param_arrays, self.flags = self.params.arrays(), self.spec.switches.flags()
        replication_draws(key[0], key[1], self.replication, self.normals, self.uniforms, *draws_used(self.flags))
        self.work = workspace()
        PRKAgent(self, PRK)
        PatronAgent(self, CHN)
        PatronAgent(self, RUS)
        USAgent(self, USA)
        self.outcomes = columns(outcome_rows(self.state, self.param_arrays, self.world.month(0)))
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(report, name) for name in self.outcomes}
        )
        self.running = True

    @property
    def spec(self) -> WorldSpec:
        return self.world.spec

    @property
    def scenario_name(self) -> str:
        """The world's scenario (a name in ``sim.scenarios.SCENARIOS``)."""
        return self.world.spec.scenario

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return int(self.state.month[0])

    @property
    def current_month(self):
        return self.world.month(self.month)

    def step(self) -> None:
        if self.month >= self.months:
            self.running = False
            return
        m = self.current_month
        self.pending = {}
        # the patrons see how PRK's attention responds to their bids (E2a), then all decide
        self.world.sense(self.state[0], m, self.param_arrays[0])
        self.agents.shuffle_do("step")
        decisions = Decisions(prk=self.pending["PRK"], chn=self.pending["CHN"], rus=self.pending["RUS"],
                              usa=self.pending["USA"])
        transition(self.state[0], decisions, m, self.param_arrays[0], self.flags, self.normals, self.uniforms,
                   *self.work)
        self.outcomes = columns(outcome_rows(self.state, self.param_arrays, m))
        self.datacollector.collect(self)
        if self.month >= self.months:
            self.running = False

    def run(self) -> pd.DataFrame:
        """Run to the end; the per-month outcome table (one row per month)."""
        while self.running:
            self.step()
        return self.trajectory()

    def trajectory(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "month", np.arange(1, len(frame) + 1))
        return frame


def batch_run(
    model_cls: type[mesa.Model] | Mapping[str, Any] = TriangleModel,
    parameters: Mapping[str, Any] | None = None,
    number_processes: int | None = 1,
    iterations: int | None = None,
    data_collection_period: int = -1,
    max_steps: int = 1000,
    display_progress: bool = True,
    rng: Any = None,
    *,
    seeds: Sequence[int] | None = None,
) -> list[dict[str, Any]] | pd.DataFrame:
    """``mesa.batch_run``, called as Mesa users call it, without its process-wide side effect.

    Takes Mesa's arguments in Mesa's order and returns what Mesa returns (a list of dicts, one
    per model run and collected step); :func:`batch_frame` gives the same as a DataFrame. Mesa's
    ``batch_run`` sets the ``spawn`` start method for the whole process at every call; this
    one restores the start method that was in force before. Seeds go in as ``rng=[...]``; a
    ``replication`` parameter picks the replication of each seed's run, so ``rng=[s]`` with
    ``replication: range(R)`` gives the batch engine's replications of seed s. A model stops by
    itself after its ``months``.

    The older call ``batch_run(parameters, seeds, ...)`` still works and returns a DataFrame.
    """
    if isinstance(model_cls, Mapping):  # the older call: parameters first, seeds second
        if parameters is not None and seeds is None:
            seeds = list(parameters)  # type: ignore[arg-type]
        frame_rows = batch_run(TriangleModel, model_cls, number_processes, iterations, data_collection_period,
                               120 if max_steps == 1000 else max_steps, False, rng=list(seeds or [0]))
        return pd.DataFrame(frame_rows)
    if parameters is None:
        raise TypeError("batch_run needs parameters: a dict of model arguments (single values or lists)")
    if seeds is not None:
        if rng is not None:
            raise ValueError("pass seeds as rng=[...] or seeds=[...], not both")
        rng = list(seeds)
    import multiprocessing

    before = multiprocessing.get_start_method(allow_none=True)
    try:
        return mesa.batch_run(model_cls, parameters=parameters, number_processes=number_processes,
                              iterations=iterations, data_collection_period=data_collection_period,
                              max_steps=max_steps, display_progress=display_progress, rng=rng)
    finally:
        multiprocessing.set_start_method(before, force=True)


def batch_frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """:func:`batch_run` (same arguments) as a DataFrame: one row per model run and collected step."""
    rows = batch_run(*args, **kwargs)
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)

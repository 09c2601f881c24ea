"""Structured configs (typed, validated) for the Hydra entry points.

Hydra stays at the edge: these dataclasses describe a run; :func:`to_run` turns a composed
config into plain library objects and checks every name and bound before any job runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from sim.params import Params, Switches
from sim.policies import PATRON_POLICIES, US_POLICIES
from sim.registry import UnknownNameError
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

ENGINES = ("batch", "mesa")

# Mirrors of the library dataclasses as plain (mutable, metadata-free) Hydra schemas.
ParamsCfg = dataclasses.make_dataclass(
    "ParamsCfg", [(f.name, float, field(default=f.default)) for f in dataclasses.fields(Params)]
)
SwitchesCfg = dataclasses.make_dataclass(
    "SwitchesCfg", [(f.name, bool, field(default=f.default)) for f in dataclasses.fields(Switches)]
)


@dataclass
class ScenarioCfg:
    name: str = "status_quo_2024"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class StrategyCfg:
    names: list[str] = field(default_factory=lambda: list(STRATEGIES.names()))
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class USPolicyCfg:
    name: str = "pressure"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class OutputCfg:
    parquet: str = "outcomes.parquet"
    figure: str = "strategies.png"  # empty string: no figure
    progress: bool = True


@dataclass
class RunConfig:
    scenario: ScenarioCfg = field(default_factory=ScenarioCfg)
    strategy: StrategyCfg = field(default_factory=StrategyCfg)
    us_policy: USPolicyCfg = field(default_factory=USPolicyCfg)
    chn_policy: str = "cautious"
    rus_policy: str = "contest"
    months: int = 120
    replications: int = 100
    seed: int = 0
    engine: str = "batch"
    record: str = "final"
    params: Any = field(default_factory=ParamsCfg)
    switches: Any = field(default_factory=SwitchesCfg)
    output: OutputCfg = field(default_factory=OutputCfg)


def register_configs() -> None:
    """Register the schemas with Hydra's ConfigStore (called by entry points, not on import)."""
    cs = ConfigStore.instance()
    cs.store(name="run_schema", node=RunConfig)


class ConfigError(ValueError):
    """A composed config that names something unknown or holds a value out of range."""


@dataclass(frozen=True)
class Run:
    """A validated run: one :class:`WorldSpec` per strategy, plus shared settings."""

    specs: tuple[WorldSpec, ...]
    params: Params
    replications: int
    seed: int
    engine: str
    record: str


def _check_name(kind: str, name: str, allowed: list[str]) -> None:
    if name not in allowed:
        raise ConfigError(f"unknown {kind} {name!r}; choose one of: {', '.join(allowed)}")


def to_run(cfg: DictConfig | RunConfig) -> Run:
    """Validate a composed config and turn it into library objects.

    Raises :class:`ConfigError` with one line naming the key and what is allowed.
    """
    c = OmegaConf.to_container(OmegaConf.create(cfg) if not isinstance(cfg, DictConfig) else cfg, resolve=True)
    extra = sorted(set(c) - {f.name for f in dataclasses.fields(RunConfig)} - {"hydra", "experiment"})
    if extra:
        raise ConfigError(f"unknown config key {extra[0]!r}; known keys: "
                          f"{', '.join(f.name for f in dataclasses.fields(RunConfig))}")
    for key, known in (("params", Params.names()), ("switches", Switches.names())):
        bad = sorted(set(c[key]) - set(known))
        if bad:
            raise ConfigError(f"unknown config key '{key}.{bad[0]}'; known keys: {', '.join(known)}")
    names = list(c["strategy"]["names"])
    if not names:
        raise ConfigError("strategy.names is empty; choose from: " + ", ".join(STRATEGIES.names()))
    for n in names:
        _check_name("strategy", n, STRATEGIES.names())
    _check_name("scenario", c["scenario"]["name"], SCENARIOS.names())
    _check_name("US policy", c["us_policy"]["name"], US_POLICIES.names())
    _check_name("chn_policy", c["chn_policy"], PATRON_POLICIES.names())
    _check_name("rus_policy", c["rus_policy"], PATRON_POLICIES.names())
    _check_name("engine", c["engine"], list(ENGINES))
    _check_name("record", c["record"], ["final", "steps"])
    for key in ("months", "replications"):
        if int(c[key]) < 1:
            raise ConfigError(f"{key} = {c[key]} must be a whole number >= 1")
    if int(c["seed"]) < 0:
        raise ConfigError(f"seed = {c['seed']} must be a whole number >= 0")
    params = Params(**c["params"])  # bounds checked; ParameterError is a ValueError
    switches = Switches(**c["switches"])
    specs = tuple(
        WorldSpec(
            strategy=n, scenario=c["scenario"]["name"], us_policy=c["us_policy"]["name"],
            chn_policy=c["chn_policy"], rus_policy=c["rus_policy"], months=int(c["months"]),
            switches=switches,
            strategy_options=dict(c["strategy"]["options"].get(n, {})),
            scenario_options=dict(c["scenario"]["options"]),
            us_policy_options=dict(c["us_policy"]["options"]),
        )
        for n in names
    )
    for spec in specs:  # options of scenarios, strategies and policies are typed dataclass fields
        try:
            spec.build()
        except UnknownNameError as err:
            raise ConfigError(str(err)) from None
    return Run(specs=specs, params=params, replications=int(c["replications"]), seed=int(c["seed"]),
               engine=c["engine"], record=c["record"])

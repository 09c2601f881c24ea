"""Structured configs (typed, validated) for the Hydra entry points.

Hydra stays at the edge: these dataclasses describe a job; :func:`to_run` turns a composed
config into plain library objects and checks every key, name and bound before any job runs.
Errors are :class:`ConfigError` with one line that names the key and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import importlib
import json
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.params import ParameterError, Params, Switches
from sim.policies import PATRON_POLICIES, US_POLICIES
from sim.registry import PluginError, UnknownNameError, load_plugin
from sim.rules import RuleError
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import MAX_PHASES, WorldSpec, schedule_label

ENGINES = ("batch", "mesa")
#: ``strategy.names: [all]`` runs every registered strategy (plugins' too).
ALL = "all"
RECORDS = ("final", "steps")
#: The calibration that needs no draws: every replication runs the parameters as configured.
POINT = "point"
#: Sections of a config that say where and how results are written, not what is simulated.
NON_INPUTS = ("hydra", "output", "sweep")
#: The repository's Hydra configs.
CONFIG_ROOT = Path(__file__).resolve().parents[1] / "configs"
SWEEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# Mirrors of the library dataclasses as plain (mutable, metadata-free) Hydra schemas.
ParamsCfg = dataclasses.make_dataclass(
    "ParamsCfg", [(f.name, float, field(default=f.default)) for f in dataclasses.fields(Params)]
)
SwitchesCfg = dataclasses.make_dataclass(
    "SwitchesCfg", [(f.name, bool, field(default=f.default)) for f in dataclasses.fields(Switches)]
)


@dataclass
class ScenarioCfg:
    """The world PRK plays in (an uncertainty): a name in ``sim.scenarios.SCENARIOS``."""

    name: str = "status_quo_2024"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class StrategyCfg:
    """PRK's strategies (levers); one job runs each of ``names``. ``options`` maps a strategy
    name to its keyword options."""

    names: list[str] = field(default_factory=lambda: [ALL])
    options: dict[str, Any] = field(default_factory=dict)
    #: PRK's strategies over time, ``[{name: bandwagon, from_month: 0}, {name: balancing,
    #: from_month: 48}]``: one job follows the schedule (``names`` is then not used)
    schedule: list[Any] = field(default_factory=list)


@dataclass
class USPolicyCfg:
    """Washington's policy: a name in ``sim.policies.US_POLICIES``."""

    name: str = "pressure"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class CalibrationCfg:
    """Where the parameters come from: ``point`` runs ``params`` as configured; any other name
    (``prior``, ``posterior``) draws one parameter set per replication from
    ``sim.calibration.parameter_draws``."""

    name: str = POINT


@dataclass
class OutputCfg:
    """What a job writes besides its outcome table (always ``outcomes.parquet``)."""

    figure: str = "strategies.png"  #: single runs only; empty string: no figure
    progress: bool = True  #: progress bars (shown only on a terminal)


@dataclass
class SweepCfg:
    """The sweep a job belongs to. A single run is a sweep of one job."""

    id: str = "run"  #: config.yaml sets a time stamp; re-use an id to resume that sweep


@dataclass
class RunConfig:
    """One job: a scenario, one or more PRK strategies, policies, sizes, seed and parameters."""

    scenario: ScenarioCfg = field(default_factory=ScenarioCfg)
    strategy: StrategyCfg = field(default_factory=StrategyCfg)
    us_policy: USPolicyCfg = field(default_factory=USPolicyCfg)
    calibration: CalibrationCfg = field(default_factory=CalibrationCfg)
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
    sweep: SweepCfg = field(default_factory=SweepCfg)
    #: files (``path/to/hedging.py``) or modules of strategies and policies defined outside the package
    plugins: list[str] = field(default_factory=list)


def register_configs(plugins: list[str] | tuple[str, ...] = ()) -> None:
    """Register the schemas with Hydra's ConfigStore (called by entry points, not on import),
    after loading ``plugins``; a registered strategy without a file in ``configs/strategy/``
    (a plugin's) gets a config-group entry, so that ``strategy=<name>`` selects it."""
    store = ConfigStore.instance()
    store.store(name="run_schema", node=RunConfig)
    for source in plugins:
        try:
            load_plugin(str(source))
        except (PluginError, RuleError) as err:
            raise ConfigError(f"plugins: {err}") from None
    files = CONFIG_ROOT / "strategy"
    for name in STRATEGIES.names():
        if not (files / f"{name}.yaml").exists():
            store.store(group="strategy", name=name, node={"names": [name], "options": {}})


def plugins_in(overrides: list[str]) -> list[str]:
    """The plugin files or modules that command-line ``overrides`` name (``plugins=[a.py]``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    found: list[str] = []
    for o in OverridesParser.create().parse_overrides([a for a in overrides if a.lstrip("+~").startswith("plugins=")]):
        values = o.value()
        for v in values if isinstance(values, list) else [values]:
            found.extend(str(x) for x in (v if isinstance(v, list) else [v]))
    return found


class ConfigError(ValueError):
    """A composed config that names something unknown or holds a value out of range."""


@dataclass(frozen=True)
class Run:
    """A validated job: one :class:`WorldSpec` per strategy, plus shared settings."""

    specs: tuple[WorldSpec, ...]
    params: Params
    replications: int
    seed: int
    engine: str
    record: str
    calibration: str = POINT
    #: parameters set to other than their defaults; under a calibration they override the draws
    param_overrides: dict[str, float] = field(default_factory=dict)


# --- keys -----------------------------------------------------------------------------------

_SCHEMAS = {"params": ParamsCfg, "switches": SwitchesCfg}


def _schema_fields(schema: type) -> dict[str, Any]:
    hints = typing.get_type_hints(schema)
    return {f.name: _SCHEMAS.get(f.name, hints[f.name]) if schema is RunConfig else hints[f.name]
            for f in dataclasses.fields(schema)}


def allowed_keys(path: str) -> list[str]:
    """The keys a config section ``path`` (``""`` for the top level, ``"params"``, ...) may hold."""
    schema: Any = RunConfig
    for part in [p for p in path.split(".") if p]:
        sub = _schema_fields(schema).get(part) if dataclasses.is_dataclass(schema) else None
        if sub is None or not dataclasses.is_dataclass(sub):
            return []
        schema = sub
    return [f.name for f in dataclasses.fields(schema)]


def _unknown_key(path: str, key: str) -> ConfigError:
    full = f"{path}.{key}" if path else key
    where = f" of '{path}'" if path else ""
    return ConfigError(f"unknown config key '{full}'; known keys{where}: {', '.join(allowed_keys(path))}")


def check_keys(c: dict[str, Any], schema: type = RunConfig, path: str = "") -> None:
    """Raise :class:`ConfigError` for the first key that the schema does not know (e.g. one added
    with ``+key=value``) or that is missing. Free-form ``options`` dicts are checked later, by the
    registries that build the named objects."""
    fields = _schema_fields(schema)
    for key in c:
        if key not in fields and not (schema is RunConfig and key in NON_INPUTS):
            raise _unknown_key(path, key)
    for key, sub in fields.items():
        full = f"{path}.{key}" if path else key
        if key not in c:
            raise ConfigError(f"config key '{full}' is missing; it is one of: {', '.join(fields)}")
        if dataclasses.is_dataclass(sub):
            if not isinstance(c[key], dict):
                raise ConfigError(f"config key '{full}' must be a section with keys: "
                                  f"{', '.join(allowed_keys(full))}")
            check_keys(c[key], sub, full)


# --- validation -----------------------------------------------------------------------------


def _check_name(key: str, name: Any, allowed: list[str]) -> None:
    if name not in allowed:
        raise ConfigError(f"unknown {key} {name!r}; choose one of: {', '.join(allowed)}")


def check_options(key: str, registry: Any, name: str, options: Any) -> dict[str, Any]:
    """Check the options of the strategy, scenario or policy ``name`` against its dataclass fields.

    ``key`` is where the options sit in the config (``scenario.options``). Numbers must be numbers
    of the field's kind; an option the class does not have is an error naming those it has.
    """
    if options is None:
        return {}
    cls = registry[name]
    if not isinstance(options, dict):
        raise ConfigError(f"{key} must be a mapping of option names to values, not {options!r}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init} if dataclasses.is_dataclass(cls) else {}
    for opt, value in options.items():
        if opt not in fields:
            allowed = ", ".join(fields) or "none"
            raise ConfigError(f"unknown option '{key}.{opt}' of {registry.kind} '{name}'; its options: {allowed}")
        default = fields[opt].default
        kinds = {bool: (bool,), int: (int,), float: (int, float)}.get(type(default))
        if kinds and (not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)):
            what = {bool: "true or false", int: "a whole number", float: "a number"}[type(default)]
            raise ConfigError(f"{key}.{opt} = {value!r} must be {what} (default {default!r})")
    return dict(options)


def _whole(key: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{key} = {value!r} must be a whole number >= {low}")
    return value


def as_container(cfg: DictConfig | RunConfig | dict[str, Any]) -> dict[str, Any]:
    """A composed config as plain, resolved Python data (without the ``hydra`` node).

    A plain ``dict`` is taken to be resolved already (as this function returns it) and copied.
    """
    if isinstance(cfg, dict):
        return {k: copy.deepcopy(v) for k, v in cfg.items() if k != "hydra"}
    if not isinstance(cfg, DictConfig):
        cfg = OmegaConf.structured(cfg)
    if "hydra" in cfg:  # Hydra's own node may hold values that only resolve inside a running job
        cfg = copy.deepcopy(cfg)
        with open_dict(cfg):
            del cfg["hydra"]
    return OmegaConf.to_container(cfg, resolve=True)


def check_calibration(name: str, engine: str) -> None:
    """A calibration other than ``point`` needs :mod:`sim.calibration` and the batch engine."""
    if name == POINT:
        return
    if engine != "batch":
        raise ConfigError(f"calibration={name} draws one parameter set per replication, which only "
                          f"engine=batch runs; use engine=batch or calibration={POINT}")
    try:
        module = importlib.import_module("sim.calibration")
    except ImportError as err:
        raise ConfigError(f"calibration={name} needs the module sim.calibration, which cannot be "
                          f"imported ({err}); use calibration={POINT}") from None
    if not hasattr(module, "parameter_draws"):
        raise ConfigError(f"calibration={name} needs sim.calibration.parameter_draws, which does not "
                          f"exist; use calibration={POINT}")


def _schedule(entries: list[Any]) -> tuple[tuple[str, int], ...]:
    """``strategy.schedule`` as ``((name, from_month), ...)``, checked."""
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or set(e) - {"name", "from_month"} or "name" not in e:
            raise ConfigError(f"strategy.schedule[{i}] must be a mapping with keys name and from_month, not {e!r}")
        _check_name(f"strategy.schedule[{i}].name", e["name"], STRATEGIES.names())
        out.append((str(e["name"]), _whole(f"strategy.schedule[{i}].from_month", e.get("from_month", 0), 0)))
    starts = [t for _, t in out]
    if out and (starts[0] != 0 or starts != sorted(set(starts))):
        raise ConfigError(f"strategy.schedule must start at from_month 0 and its months increase; got {starts}")
    if len(out) > MAX_PHASES:
        raise ConfigError(f"strategy.schedule holds at most {MAX_PHASES} strategies; got {len(out)}")
    return tuple(out)


def to_run(cfg: DictConfig | RunConfig | dict[str, Any]) -> Run:
    """Validate a composed config and turn it into library objects.

    Raises:
        ConfigError: one line naming the key and what is allowed (unknown key, unknown name,
            value out of its bounds, wrong kind of value).
    """
    c = as_container(cfg)
    check_keys(c)
    if not isinstance(c["plugins"], list):
        raise ConfigError(f"plugins must be a list of Python files or modules, not {c['plugins']!r}")
    for source in c["plugins"]:
        try:
            load_plugin(str(source))
        except (PluginError, RuleError) as err:
            raise ConfigError(f"plugins: {err}") from None
    schedule = _schedule(c["strategy"].get("schedule") or [])
    if schedule:
        c["strategy"]["names"] = list(dict.fromkeys(n for n, _ in schedule))
    names = c["strategy"]["names"]
    if names == [ALL]:
        names = c["strategy"]["names"] = STRATEGIES.names()
    if not isinstance(names, list) or not names:
        raise ConfigError("strategy.names must be a non-empty list; choose from: " + ", ".join(STRATEGIES.names()))
    for n in names:
        _check_name("strategy", n, STRATEGIES.names())
    if len(set(names)) != len(names):
        raise ConfigError(f"strategy.names lists a strategy twice: {names}")
    _check_name("scenario", c["scenario"]["name"], SCENARIOS.names())
    _check_name("us_policy", c["us_policy"]["name"], US_POLICIES.names())
    _check_name("chn_policy", c["chn_policy"], PATRON_POLICIES.names())
    _check_name("rus_policy", c["rus_policy"], PATRON_POLICIES.names())
    _check_name("engine", c["engine"], list(ENGINES))
    _check_name("record", c["record"], list(RECORDS))
    months = _whole("months", c["months"], 1)
    replications = _whole("replications", c["replications"], 1)
    seed = _whole("seed", c["seed"], 0)
    if not SWEEP_ID.match(str(c["sweep"]["id"])):
        raise ConfigError(f"sweep.id = {c['sweep']['id']!r} may hold only letters, digits, '.', '_' and '-' "
                          "(and start with a letter or digit)")
    unknown_options = sorted(set(c["strategy"]["options"]) - set(STRATEGIES.names()))
    if unknown_options:
        raise ConfigError(f"strategy.options.{unknown_options[0]}: unknown strategy {unknown_options[0]!r}; "
                          f"options are keyed by strategy: {', '.join(STRATEGIES.names())}")
    try:
        params = Params(**c["params"])
    except ParameterError as err:
        raise ConfigError(f"params: {err}") from None
    switches = Switches(**c["switches"])
    strategy_options = {n: check_options(f"strategy.options.{n}", STRATEGIES, n, c["strategy"]["options"].get(n))
                        for n in names}
    scenario_options = check_options("scenario.options", SCENARIOS, c["scenario"]["name"], c["scenario"]["options"])
    us_options = check_options("us_policy.options", US_POLICIES, c["us_policy"]["name"], c["us_policy"]["options"])
    calibration = str(c["calibration"]["name"])
    check_calibration(calibration, c["engine"])
    defaults = Params()
    overrides = {k: v for k, v in c["params"].items() if v != getattr(defaults, k)}
    common = {"scenario": c["scenario"]["name"], "us_policy": c["us_policy"]["name"], "chn_policy": c["chn_policy"],
              "rus_policy": c["rus_policy"], "months": months, "switches": switches,
              "scenario_options": scenario_options, "us_policy_options": us_options}
    if schedule:
        specs = (WorldSpec(strategy=schedule_label(schedule), schedule=schedule, strategy_options=strategy_options,
                           **common),)
    else:
        specs = tuple(WorldSpec(strategy=n, strategy_options=strategy_options[n], **common) for n in names)
    for spec in specs:  # options of scenarios, strategies and policies are typed dataclass fields
        try:
            spec.build()
        except (UnknownNameError, TypeError, ValueError) as err:
            raise ConfigError(str(err)) from None
    return Run(specs=specs, params=params, replications=replications, seed=seed, engine=c["engine"],
               record=c["record"], calibration=calibration, param_overrides=overrides)


def strategy_count(config: dict[str, Any]) -> int:
    """How many strategies a job's config runs (one table part each): one for a strategy
    schedule, every registered strategy for ``names: [all]``, else its names."""
    strategy = config.get("strategy") or {}
    if strategy.get("schedule"):
        return 1
    names = strategy.get("names") or [ALL]
    return len(STRATEGIES.names()) if names == [ALL] else len(names)


# --- identity of a job ----------------------------------------------------------------------


def job_inputs(cfg: DictConfig | RunConfig | dict[str, Any]) -> dict[str, Any]:
    """What a job simulates: its resolved config without where and how results are written."""
    c = as_container(cfg)
    return {k: v for k, v in c.items() if k not in NON_INPUTS}


def inputs_hash(inputs: dict[str, Any]) -> str:
    """A short fingerprint of a job's inputs: equal inputs, equal hash, in any process."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- Hydra's errors as one line ---------------------------------------------------------------


def hydra_error_line(err: BaseException) -> str:
    """One line for an error Hydra raises while composing a config: the key and what is allowed."""
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, ValidationError

    cause = err.__cause__
    text = str(err)
    if isinstance(err, MissingConfigException) and err.missing_cfg_file and "/" in err.missing_cfg_file:
        group, _, name = err.missing_cfg_file.rpartition("/")
        options = [o for o in (err.options or []) if not o.startswith("_")]
        return f"unknown {group} option {name!r}; choose one of: {', '.join(options)}"
    if isinstance(cause, (ConfigAttributeError, ConfigKeyError)) and getattr(cause, "full_key", None):
        path, _, key = cause.full_key.rpartition(".")
        if ".options" in f".{path}":
            return (f"config key '{cause.full_key}' is not set in this config; add an option with a leading +, "
                    f"e.g. +{cause.full_key}=VALUE")
        return str(_unknown_key(path, key))
    if isinstance(cause, ValidationError) and getattr(cause, "full_key", None):
        return f"config key '{cause.full_key}': {cause.msg.splitlines()[0]}"
    if text.startswith("Ambiguous value for argument"):
        line = text.split("'")[1] if "'" in text else text
        return (f"'{line}' lists several values: add --multirun (-m) to run one job per value, "
                "or write a list as key=[a,b]")
    if isinstance(err, OverrideParseException):
        return f"cannot read override: {text.splitlines()[0]}"
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    if cause is not None and str(cause).strip():
        first += f" ({str(cause).strip().splitlines()[0]})"
    return first

"""The plan of a run or sweep, made before any job runs.

:func:`make_plan` reads the command line as Hydra will (same override grammar, same
expansion of ``--multirun`` sweeps and of an experiment's ``hydra.sweeper.params``), composes
and validates the config of every job, and finds which jobs are already complete. A bad
config therefore stops the command with one line naming the key and what is allowed
(:class:`~sim.config.ConfigError`) before anything is written or launched.

Composing one config costs Hydra about 0.2 s, so the plan composes once per combination of
config-group choices and applies each job's value overrides to a copy, exactly as Hydra
applies them after composing (``ConfigLoaderImpl._apply_overrides_to_config``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.config import SWEEP_ID, ConfigError, as_container, hydra_error_line, inputs_hash, job_inputs, to_run
from sim.results import FAILURE, PLAN, RESULT, read_json, read_meta, result_state, write_json

#: The sweep subdir config.yaml sets; with it a job's folder is known before the job runs.
SUBDIR = "${hydra.job.override_dirname}"
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


@dataclass(frozen=True)
class PlannedJob:
    """One job of a plan: its id (sorted overrides), its overrides, folder and state."""

    job_id: str
    overrides: tuple[str, ...]
    directory: Path | None
    inputs_hash: str
    state: str  #: complete | other | none, see :func:`sim.results.result_state`


@dataclass(frozen=True)
class Plan:
    """A validated run (one job) or sweep (``multirun``)."""

    multirun: bool
    sweep_id: str
    directory: Path
    jobs: tuple[PlannedJob, ...]
    #: overrides to add to the command so that Hydra uses the sweep id the plan resolved
    pinned: tuple[str, ...] = ()

    @property
    def complete(self) -> int:
        return sum(j.state == "complete" for j in self.jobs)


def make_plan(overrides: Sequence[str], multirun: bool, config_dir: str, config_name: str = "config",
              extra_config_dir: str | None = None) -> Plan:
    """Compose and validate every job of ``trisim [--multirun] overrides...``.

    Raises:
        ConfigError: with one line naming the key and what is allowed, for any job.
    """
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.config import register_configs

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir, version_base="1.3", job_name="trisim"):
        try:
            return _plan(list(overrides), multirun, config_name, extra_config_dir)
        except (HydraException, OmegaConfBaseException) as err:
            raise ConfigError(hydra_error_line(err)) from None


def _plan(overrides: list[str], multirun: bool, config_name: str, extra_config_dir: str | None) -> Plan:
    from hydra import compose
    from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    loader = GlobalHydra.instance().config_loader()
    parser = OverridesParser.create(config_loader=loader)
    parsed = parser.parse_overrides(overrides)
    hydra_lines = [o.input_line for o in parsed if o.is_hydra_override()]
    if extra_config_dir:
        hydra_lines.append(f"hydra.searchpath=[file://{Path(extra_config_dir).resolve()}]")
    task = [o for o in parsed if not o.is_hydra_override()]
    swept = [o for o in task if o.is_sweep_override()]
    if swept and not multirun:
        raise ConfigError(f"'{swept[0].input_line}' lists several values: add --multirun (-m) to run one job "
                          "per value, or write a list as key=[a,b]")
    if any(o.key_or_group == "sweep.id" for o in swept):
        raise ConfigError("sweep.id takes one value: a sweep's jobs share its id")
    fixed = [o for o in task if not o.is_sweep_override()]
    primary = compose(config_name, hydra_lines + [o.input_line for o in fixed], return_hydra_config=True)
    sweep_id = str(primary.sweep.id)
    if not SWEEP_ID.match(sweep_id):
        raise ConfigError(f"sweep.id = {sweep_id!r} may hold only letters, digits, '.', '_' and '-' "
                          "(and start with a letter or digit)")
    pinned = () if any(o.key_or_group == "sweep.id" for o in task) else (f"sweep.id={sweep_id}",)
    if multirun:
        sweeper = primary.hydra.sweeper
        if sweeper.get("_target_") != BASIC_SWEEPER:
            raise ConfigError(f"hydra/sweeper: only Hydra's basic sweeper is supported, not {sweeper._target_}")
        params = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
        lines = params + [o.input_line for o in task] + list(pinned)
        job_lines = BasicSweeper.split_arguments(parser.parse_overrides(lines), None)[0]
        directory = Path(str(primary.hydra.sweep.dir))
        known_subdir = OmegaConf.to_container(primary.hydra.sweep, resolve=False).get("subdir") == SUBDIR
    else:
        if primary.hydra.sweeper.get("params"):
            keys = ", ".join(primary.hydra.sweeper.params)
            raise ConfigError(f"this experiment sweeps {keys}: run it with --multirun (-m)")
        job_lines = [[o.input_line for o in task] + list(pinned)]
        directory = Path(str(primary.hydra.run.dir))
        known_subdir = True
    dirname = primary.hydra.job.config.override_dirname
    choices = set(primary.hydra.runtime.choices)
    added: dict[str, bool] = {}  # groups added with +group=option
    # A job's config: composed once per combination of group choices (the primary config
    # serves the jobs that choose no other groups), then its value overrides applied to a copy.
    fixed_groups = tuple(o.input_line for o in fixed if _is_group(o, choices, loader, added))
    fixed_values = {o.input_line for o in fixed if not _is_group(o, choices, loader, added)}
    bases: dict[tuple[str, ...], Any] = {fixed_groups: primary}
    jobs = []
    for lines in job_lines:
        job = parser.parse_overrides(list(lines))
        job_id = get_overrides_dirname(job, exclude_keys=list(dirname.exclude_keys), item_sep=dirname.item_sep,
                                       kv_sep=dirname.kv_sep)
        groups = tuple(o.input_line for o in job if _is_group(o, choices, loader, added))
        if groups not in bases:
            bases[groups] = compose(config_name, hydra_lines + list(groups))
        applied = fixed_values if bases[groups] is primary else set()
        cfg = copy.deepcopy(bases[groups])
        ConfigLoaderImpl._apply_overrides_to_config(
            [o for o in job if not _is_group(o, choices, loader, added) and o.input_line not in applied], cfg)
        try:
            to_run(cfg)
        except ConfigError as err:
            raise ConfigError(f"{err}" + (f" (job {job_id})" if multirun and job_id else "")) from None
        key = inputs_hash(job_inputs(as_container(cfg)))
        job_dir = (directory / job_id if multirun else directory) if known_subdir else None
        state = result_state(job_dir, key) if job_dir else "none"
        if state == "other":
            raise ConfigError(f"{job_dir} holds the results of other inputs than this "
                              f"{'job' if multirun else 'run'}; choose another sweep.id")
        jobs.append(PlannedJob(job_id or "default", tuple(lines), job_dir, key, state))
    return Plan(multirun=multirun, sweep_id=sweep_id, directory=directory, jobs=tuple(jobs), pinned=pinned)


def _is_group(override: Any, choices: set[str], loader: Any, added: dict[str, bool]) -> bool:
    """Whether an override chooses a config group option (``scenario=war_ends``) rather than a value.

    Every group of the defaults list is among the primary config's choices; only a group added
    with ``+group=option`` needs a look at the config folders (which costs a config repository)."""
    key = override.key_or_group
    if key in choices:
        return True
    if not override.is_add():
        return False
    if key not in added:
        added[key] = bool(loader.get_group_options(key))
    return added[key]


# --- the plan on disk, and what became of it -------------------------------------------------


def write_plan(plan: Plan, argv: Sequence[str]) -> Path:
    """Record the sweep's jobs in ``<sweep dir>/sweep.json``; a resumed or widened sweep adds
    its jobs to those already recorded."""
    path = plan.directory / PLAN
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    old = read_json(path) or {}
    jobs = {j["job_id"]: j for j in old.get("jobs", [])}
    for j in plan.jobs:
        jobs[j.job_id] = {"job_id": j.job_id, "overrides": list(j.overrides), "inputs_hash": j.inputs_hash}
    record = {"sweep_id": plan.sweep_id, "created": old.get("created", now), "updated": now,
              "commands": [*old.get("commands", []), {"time": now, "argv": list(argv)}],
              "jobs": list(jobs.values())}
    return write_json(record, path)


def job_status(job: PlannedJob) -> str:
    """``complete``, ``failed`` or ``missing`` (not run, or interrupted) for a planned job."""
    if job.directory is None:
        return "missing"
    if result_state(job.directory, job.inputs_hash) == "complete":
        return "complete"
    return "failed" if (job.directory / FAILURE).exists() else "missing"


def _found_directories(plan: Plan) -> dict[str, Path]:
    """Job folders found under the sweep folder, by job id (when ``hydra.sweep.subdir`` is not
    the default, a job's folder is known only once it has written a result or failure)."""
    found = {}
    for name in (RESULT, FAILURE):
        for path in plan.directory.rglob(name):
            record = read_meta(path) if name == RESULT else read_json(path)
            if record and record.get("sweep_id") == plan.sweep_id:
                found.setdefault(record.get("job_id"), path.parent)
    return found


def summary(plan: Plan) -> dict[str, int]:
    """How many of the plan's jobs are complete, failed and missing now."""
    jobs = list(plan.jobs)
    if any(j.directory is None for j in jobs):
        found = _found_directories(plan)
        jobs = [dataclasses.replace(j, directory=found.get(j.job_id)) if j.directory is None else j for j in jobs]
    counts = {"complete": 0, "failed": 0, "missing": 0}
    for job in jobs:
        counts[job_status(job)] += 1
    return counts


@contextmanager
def launch_only_todo(plan: Plan) -> Iterator[None]:
    """While Hydra runs the sweep, launch only the jobs that are not complete, and skip Hydra's
    second composition of every job.

    Hydra's basic sweeper launches every job of the grid and, before that, composes each job's
    config once more only to check that it composes (``Sweeper.validate_batch_is_legal``,
    about 0.2 s per job in the main process). The plan has composed and validated every job
    already and knows which are complete, so within this block the sweeper's batches hold only
    the jobs still to run and are not validated twice. A job that would slip through is still
    skipped by :func:`sim.job.run_job`, which checks its folder itself.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    done = {tuple(j.overrides) for j in plan.jobs if j.state == "complete"}
    saved = {name: BasicSweeper.__dict__.get(name) for name in ("split_arguments", "validate_batch_is_legal")}
    split = BasicSweeper.split_arguments

    def split_arguments(overrides: Any, max_batch_size: int | None) -> list[list[list[str]]]:
        # drop complete jobs before the grid is cut into batches, so that no batch is empty
        # (launchers such as submitit refuse an empty batch)
        todo = [job for job in split(overrides, None)[0] if tuple(job) not in done]
        if not todo:
            return []
        if max_batch_size is None:
            return [todo]
        return list(BasicSweeper.split_overrides_to_chunks(todo, max_batch_size))

    def validate_batch_is_legal(self: BasicSweeper, batch: Sequence[Sequence[str]]) -> None:
        return None

    BasicSweeper.split_arguments = staticmethod(split_arguments)
    BasicSweeper.validate_batch_is_legal = validate_batch_is_legal
    try:
        yield
    finally:
        for name, method in saved.items():
            if method is None:
                delattr(BasicSweeper, name)
            else:
                setattr(BasicSweeper, name, method)


@contextmanager
def progress(plan: Plan, interval: float = 0.5) -> Iterator[None]:
    """A tqdm bar of the sweep's finished jobs while it runs (only on a terminal).

    It watches the job folders, so it works with every launcher (in-process, joblib,
    submitit): a job is finished when its ``outcomes.parquet`` or a new ``failure.json`` appears.
    """
    if not (plan.multirun and sys.stderr.isatty() and all(j.directory for j in plan.jobs)):
        yield
        return
    from tqdm.auto import tqdm

    todo = [j for j in plan.jobs if j.state != "complete"]
    stop = threading.Event()
    bar = tqdm(total=len(plan.jobs), initial=plan.complete, desc=f"sweep {plan.sweep_id}", unit="job")

    def failure_time(job: PlannedJob) -> int | None:
        try:
            return (job.directory / FAILURE).stat().st_mtime_ns
        except OSError:
            return None

    failed_before = {j.job_id: failure_time(j) for j in todo}  # a failure of an earlier run is not news

    def finished(job: PlannedJob) -> bool:
        if (job.directory / RESULT).exists():
            return True
        when = failure_time(job)
        return when is not None and when != failed_before[job.job_id]

    def watch() -> None:
        while not stop.wait(interval):
            done = sum(finished(j) for j in todo)
            bar.update(plan.complete + done - bar.n)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.update(plan.complete + sum(finished(j) for j in todo) - bar.n)
        bar.close()

"""The plan of a run or sweep, made before any job runs.

:func:`make_plan` reads the command line as Hydra will (Hydra's own override parser, the same
expansion of ``--multirun`` sweeps and of an experiment's ``hydra.sweeper.params``), composes
and validates the config of every job, and finds which jobs are already complete. A bad
config therefore stops the command with one line naming the key and what is allowed
(:class:`~sim.config.ConfigError`) before anything is written or launched.

A job is known by the digest of its resolved inputs (:func:`sim.config.inputs_hash`), not by how
its overrides are spelled: ``seed=0`` (the default), reordered overrides or ``months=120`` name
the job already in the sweep, which keeps its folder and is not run twice.

Composing one config costs Hydra about 0.2 s, so the plan composes once per combination of
config-group choices and applies each job's value overrides to a copy, by the rules Hydra
applies them after composing (:func:`apply_values`, with OmegaConf's public API). The copy is
of the job's part of the config only (Hydra's own node, ten times larger, is read once per
combination), and each job's config is resolved once. The plan keeps every job's resolved config
and the input columns of its rows, so that a launcher can run the job without composing it
again (the ``workers`` launcher, :mod:`sim.sweep.workers`).

The jobs to launch reach Hydra's launcher through the sweeper plugin
``hydra_plugins.trisim_sweeper`` (``hydra/sweeper=trisim``), which reads the plan made here.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import itertools
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf, open_dict

from sim.config import SWEEP_ID, ConfigError, as_container, hydra_error_line, inputs_hash, job_inputs, to_run
from sim.results import (
    CLAIM,
    FAILURE,
    MANIFEST,
    PLAN,
    RESULT,
    live_claim,
    locked,
    read_json,
    remove_stale_temporaries,
    verify_result,
    write_json,
)

log = logging.getLogger(__name__)

#: The sweeper config.yaml chooses: it launches the plan's jobs (``hydra_plugins/trisim_sweeper``).
SWEEPER = "hydra_plugins.trisim_sweeper.trisim_sweeper.TrisimSweeper"
#: The launcher that runs jobs in long-lived worker processes (:mod:`sim.sweep.workers`).
WORKERS = "hydra_plugins.trisim_sweeper.workers_launcher.WorkersLauncher"
#: The SLURM launcher, whose ``jobs_per_task`` is checked before any job is submitted.
SLURM = "hydra_plugins.trisim_sweeper.slurm_launcher.SlurmLauncher"
#: A temporary file this old in a folder nobody claims is the debris of a killed write.
STALE_TMP_SECONDS = 60.0


@dataclass(frozen=True)
class PlannedJob:
    """One job of a plan.

    Attributes:
        job_id: its name in the sweep (and its folder's): its overrides, sorted, or the name of
            the folder that already holds a job of the same inputs.
        overrides: the job's overrides, as Hydra's launcher is given them.
        directory: the job's folder.
        inputs_hash: the digest of its resolved inputs, which identifies the job.
        state: ``complete`` (a verified result), ``claimed`` (a live process of another run holds
            it), ``failed`` (``failure.json``, no result) or ``none``.
        config: its resolved config, as the job's own Hydra config resolves (without ``hydra``).
        inputs: the input columns of its rows (:func:`sim.job.input_columns`).
    """

    job_id: str
    overrides: tuple[str, ...]
    directory: Path | None
    inputs_hash: str
    state: str
    config: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    inputs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def todo(self) -> bool:
        return self.state not in ("complete", "claimed")


@dataclass(frozen=True)
class Plan:
    """A validated run (one job) or sweep (``multirun``)."""

    multirun: bool
    sweep_id: str
    directory: Path
    jobs: tuple[PlannedJob, ...]
    #: overrides to add to the command so that Hydra uses the sweep id the plan resolved
    pinned: tuple[str, ...] = ()
    #: lines worth telling the user before the sweep runs (damaged results, merged jobs)
    notes: tuple[str, ...] = ()
    #: what the launcher reported for each job of this run, by job id (``failed`` when a job's
    #: own failure record could not be written, e.g. on a full disk, or its process was killed;
    #: ``complete`` when the process that ran it wrote its result, ``ran`` otherwise)
    launched: dict[str, str] = field(default_factory=dict, compare=False)
    #: Hydra's launcher of the sweep (``hydra.launcher._target_``) and, for the ``workers``
    #: launcher, its worker count (None: chosen by :func:`sim.sweep.workers.shape`)
    launcher: str = ""
    workers: int | None = None

    @property
    def complete(self) -> int:
        return sum(j.state == "complete" for j in self.jobs)

    @property
    def todo(self) -> list[PlannedJob]:
        return [j for j in self.jobs if j.todo]


# --- reading overrides as Hydra does, with its public parser ----------------------------------


def expand(overrides: Sequence[Any]) -> list[list[str]]:
    """Every job of a sweep: the cartesian product of the values of each swept key.

    A key given twice takes its last value (the command line after an experiment's
    ``hydra.sweeper.params``), as Hydra's basic sweeper does.
    """
    by_key: dict[str, list[str]] = {}
    for o in overrides:
        key = o.get_key_element()
        if o.is_sweep_override():
            if not o.is_discrete_sweep():
                raise ConfigError(f"'{o.input_line}': only lists of values can be swept (a,b,c, range(), glob())")
            by_key[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
        else:
            by_key[key] = [f"{key}={o.get_value_element_as_str()}"]
    return [list(job) for job in itertools.product(*by_key.values())]


def job_name(job: Sequence[Any], exclude_keys: Sequence[str], item_sep: str = ",", kv_sep: str = "=") -> str:
    """A job's name from its overrides, sorted, as Hydra's ``hydra.job.override_dirname``."""
    lines = sorted(o.input_line for o in job if o.key_or_group not in exclude_keys)
    return re.sub("=", kv_sep, item_sep.join(lines))


def apply_values(cfg: Any, overrides: Sequence[Any]) -> None:
    """Apply value overrides (``key=v``, ``+key=v``, ``++key=v``, ``~key``) to a composed config,
    by the rules Hydra follows after composing; errors are one line."""
    for o in overrides:
        key, value = o.key_or_group, o.value()
        current = OmegaConf.select(cfg, key, throw_on_missing=False)
        if o.is_delete():
            if current is None:
                raise ConfigError(f"cannot delete '{key}': it is not in the config")
            parent, _, leaf = key.rpartition(".")
            with open_dict(cfg):
                del (OmegaConf.select(cfg, parent) if parent else cfg)[leaf]
        elif o.is_add():
            if current is not None and not isinstance(value, (dict, list)):
                raise ConfigError(f"'{o.input_line}': '{key}' is already in the config; drop the leading +")
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
        elif o.is_force_add():
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
        else:
            OmegaConf.update(cfg, key, value, merge=True)


# --- the plan ---------------------------------------------------------------------------------


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
    try:
        with initialize_config_dir(config_dir=config_dir, version_base="1.3", job_name="trisim"):
            try:
                return _plan(list(overrides), multirun, config_name, extra_config_dir)
            except (HydraException, OmegaConfBaseException) as err:
                raise ConfigError(hydra_error_line(err)) from None
    finally:
        GlobalHydra.instance().clear()


def _plan(overrides: list[str], multirun: bool, config_name: str, extra_config_dir: str | None) -> Plan:
    from hydra import compose
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.job import input_columns

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
        if sweeper.get("_target_") != SWEEPER:
            raise ConfigError(f"hydra/sweeper: trisim sweeps run with hydra/sweeper=trisim (the default), "
                              f"not {sweeper.get('_target_')}")
        params = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
        job_lines = expand(parser.parse_overrides(params + [o.input_line for o in task] + list(pinned)))
        directory = Path(str(primary.hydra.sweep.dir))
    else:
        if primary.hydra.sweeper.get("params"):
            keys = ", ".join(primary.hydra.sweeper.params)
            raise ConfigError(f"this experiment sweeps {keys}: run it with --multirun (-m)")
        job_lines = [[o.input_line for o in task] + list(pinned)]
        directory = Path(str(primary.hydra.run.dir))
    launcher = str(primary.hydra.launcher.get("_target_", ""))
    workers = primary.hydra.launcher.get("workers") if launcher == WORKERS else None
    if launcher == SLURM:
        from hydra_plugins.trisim_sweeper.slurm_launcher import check_jobs_per_task

        try:
            check_jobs_per_task(primary.hydra.launcher.get("jobs_per_task", "auto"))
        except ValueError as err:
            raise ConfigError(f"hydra.launcher.{err}") from None
    dirname = primary.hydra.job.config.override_dirname
    choices = set(primary.hydra.runtime.choices)
    added: dict[str, bool] = {}  # groups added with +group=option
    # A job's config: composed once per combination of group choices (the primary config
    # serves the jobs that choose no other groups), then its value overrides applied to a copy.
    chosen = dict(primary.hydra.runtime.choices)

    def other_groups(job: Sequence[Any]) -> tuple[str, ...]:
        # the group overrides that choose another option than the primary config did (a job that
        # names the primary's own scenario is composed as the primary is)
        return tuple(o.input_line for o in job if _is_group(o, choices, loader, added) and not (
            not (o.is_add() or o.is_delete() or o.is_force_add()) and o.package is None
            and chosen.get(o.key_or_group) == o.get_value_element_as_str()))

    fixed_values = {o.input_line for o in fixed if not _is_group(o, choices, loader, added)}
    bases: dict[tuple[str, ...], _Base] = {other_groups(fixed): _Base.of(primary, primary=True)}
    existing = folders_by_inputs(directory) if multirun else {}
    jobs: dict[str, PlannedJob] = {}
    notes = []
    for lines in job_lines:
        job = parser.parse_overrides(list(lines))
        job_id = job_name(job, list(dirname.exclude_keys), dirname.item_sep, dirname.kv_sep) or "default"
        others = other_groups(job)
        if others not in bases:
            groups = [o.input_line for o in job if _is_group(o, choices, loader, added)]
            bases[others] = _Base.of(compose(config_name, hydra_lines + groups, return_hydra_config=True))
        base = bases[others]
        applied = fixed_values if base.primary else set()
        cfg = copy.deepcopy(base.task)
        apply_values(cfg, [o for o in job if not _is_group(o, choices, loader, added) and o.input_line not in applied])
        resolved = as_container(cfg)
        try:
            to_run(resolved)
        except ConfigError as err:
            raise ConfigError(f"{err}" + (f" (job {job_id})" if multirun else "")) from None
        key = inputs_hash(job_inputs(resolved))
        if key in jobs:  # the same job spelled twice in one command
            continue
        if key in existing and existing[key].name != job_id:
            notes.append(f"job {job_id} is job {existing[key].name} of this sweep (same inputs)")
            job_id = existing[key].name
        job_dir = directory / job_id if multirun else directory
        state, note = _state(job_dir, key)
        if state == "other":
            raise ConfigError(f"{job_dir} holds the results of other inputs than this "
                              f"{'job' if multirun else 'run'}; choose another sweep.id")
        if note:
            notes.append(f"job {job_id}: {note}")
        keys = [(o.key_or_group, o.key_or_group in base.choices) for o in job if not o.is_hydra_override()]
        jobs[key] = PlannedJob(job_id, tuple(lines), job_dir, key, state, config=resolved,
                               inputs=input_columns(keys, resolved, base.choices))
    return Plan(multirun=multirun, sweep_id=sweep_id, directory=directory, jobs=tuple(jobs.values()),
                pinned=pinned, notes=tuple(notes), launcher=launcher, workers=workers)


@dataclass(frozen=True)
class _Base:
    """A composed config that jobs start from: its task part (without ``hydra``, which holds no
    job input and costs most of a copy) and the config-group choices Hydra made for it."""

    task: Any
    choices: dict[str, Any]
    primary: bool = False

    @classmethod
    def of(cls, composed: Any, primary: bool = False) -> _Base:
        """The base of ``composed``, which loses its ``hydra`` node (read it before)."""
        choices = dict(composed.hydra.runtime.choices)
        with open_dict(composed):
            del composed["hydra"]
        return cls(composed, choices, primary)


def _state(job_dir: Path, key: str) -> tuple[str, str]:
    """A planned job's state, and a note if its folder holds a damaged result."""
    verdict = verify_result(job_dir)
    if verdict.state == "complete":
        return ("complete" if verdict.inputs_hash == key else "other"), ""
    note = f"result damaged ({verdict.reason}), runs again" if verdict.state == "damaged" else ""
    if live_claim(job_dir):
        return "claimed", note
    return ("failed" if (job_dir / FAILURE).exists() else "none"), note


def folders_by_inputs(directory: Path) -> dict[str, Path]:
    """The job folders of a sweep by the digest of their inputs (from their manifest, claim or
    failure record), so that a job respelled on the command line finds its folder."""
    found: dict[str, Path] = {}
    if not directory.is_dir():
        return found
    for sub in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for name in (MANIFEST, CLAIM, FAILURE):
            key = (read_json(sub / name) or {}).get("inputs_hash")
            if key:
                found.setdefault(key, sub)
                break
    return found


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


# --- the plan in this process, for the sweeper plugin -----------------------------------------

_active: list[Plan] = []


@contextmanager
def launching(plan: Plan) -> Iterator[Plan]:
    """Make ``plan`` the one the sweeper plugin launches while the block runs (in this process)."""
    _active.append(plan)
    try:
        yield plan
    finally:
        _active.remove(plan)


def active_plan() -> Plan | None:
    """The plan being launched in this process, if any."""
    return _active[-1] if _active else None


def launched_jobs(job_overrides: Sequence[Sequence[str]], launcher: str) -> tuple[Plan, list[PlannedJob]]:
    """The plan being launched and its jobs that a launcher is given as ``job_overrides`` (the
    sweeper adds each job's folder, :func:`subdir_override`, last), for a launcher that runs
    the plan's resolved configs (``hydra/launcher=<launcher>``)."""
    plan = active_plan()
    if plan is None:
        raise RuntimeError(f"hydra/launcher={launcher} runs a plan made by `trisim -m ...`; run the sweep through "
                           "trisim")
    by_folder = {subdir_override(job): job for job in plan.jobs}
    return plan, [by_folder[lines[-1]] for lines in job_overrides]


def subdir_override(job: PlannedJob) -> str:
    """The override that puts a job in its planned folder (quoted: job ids hold ``=`` and ``,``)."""
    quoted = job.job_id.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    return f"hydra.sweep.subdir='{quoted}'"


def record_launch_failures(plan: Plan, jobs: Sequence[PlannedJob], errors: Sequence[BaseException | None]) -> None:
    """Note what the launcher reported for ``jobs``; a job it reports as failed whose folder holds
    no result gets ``failure.json`` (written here, in the sweep's process) naming the error."""
    from sim.job import record_failure

    for job, err in zip(jobs, errors):
        if err is None:
            plan.launched.setdefault(job.job_id, "ran")  # or "complete", as the launcher saw it
            continue
        error = f"{type(err).__name__}: {err}".strip().splitlines()[0]
        plan.launched[job.job_id] = "failed"
        log.error("%s: could not run: %s", job.job_id, error)
        if job.directory is None or verify_result(job.directory).state == "complete":
            continue
        meta = {"sweep_id": plan.sweep_id, "job_id": job.job_id, "overrides": list(job.overrides),
                "inputs_hash": job.inputs_hash, "seed": None}
        with contextlib.suppress(OSError):  # record_failure reports that it could not write
            job.directory.mkdir(parents=True, exist_ok=True)
        record_failure(job.directory, meta, error)


# --- the plan on disk, and what became of it -------------------------------------------------


def write_plan(plan: Plan, argv: Sequence[str]) -> Path:
    """Record the sweep's jobs in ``<sweep dir>/sweep.json``; a resumed or widened sweep adds its
    jobs and its command to those already recorded.

    Concurrent runs of one sweep update it in turn (``flock``); each version is written
    atomically, and copied to ``sweep.json.bak``, so that a damaged
    ``sweep.json`` (an external edit, a copy cut short) loses no history: it is set aside as
    ``sweep.json.damaged-<time>`` and the history is read from the backup.
    """
    path = plan.directory / PLAN
    backup = path.with_name(PLAN + ".bak")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with locked(plan.directory):
        old = read_json(path)
        if old is None and path.exists():
            aside = path.with_name(f"{PLAN}.damaged-{now.replace(':', '')}")
            os.replace(path, aside)
            print(f"trisim: {path} was unreadable; kept as {aside.name}, history taken from "
                  f"{backup.name if backup.exists() else 'the job folders'}", file=sys.stderr)
            old = read_json(backup)
        old = old or {}
        jobs = {j["job_id"]: j for j in old.get("jobs", [])}
        for j in plan.jobs:
            jobs[j.job_id] = {"job_id": j.job_id, "overrides": list(j.overrides), "inputs_hash": j.inputs_hash}
        record = {"sweep_id": plan.sweep_id, "created": old.get("created", now), "updated": now,
                  "commands": [*old.get("commands", []), {"time": now, "argv": list(argv), "pid": os.getpid()}],
                  "jobs": list(jobs.values())}
        write_json(record, path)
        write_json(record, backup)  # the same, second: one of the two is whole whenever either is read
        return path


def clean_temporaries(plan: Plan) -> int:
    """Remove debris of killed processes: temporary files in the sweep folder and in job folders
    no live process claims (older than :data:`STALE_TMP_SECONDS`), and claims whose owner died
    (one killed after its table was written leaves a complete job with its claim). The number
    of files removed."""
    removed = remove_stale_temporaries(plan.directory, STALE_TMP_SECONDS) if plan.directory.is_dir() else []
    for job in plan.jobs:
        if job.directory is None or not job.directory.is_dir() or job.state == "claimed":
            continue
        removed += remove_stale_temporaries(job.directory, STALE_TMP_SECONDS)
        if (job.directory / CLAIM).exists():
            with locked(job.directory):
                if live_claim(job.directory) is None:
                    (job.directory / CLAIM).unlink(missing_ok=True)
                    removed.append(job.directory / CLAIM)
    return len(removed)


def job_status(job: PlannedJob) -> str:
    """``complete``, ``failed``, ``running`` (claimed by a live process) or ``missing`` now."""
    if job.directory is None:
        return "missing"
    verdict = verify_result(job.directory)
    if verdict.state == "complete" and verdict.inputs_hash == job.inputs_hash:
        return "complete"
    if live_claim(job.directory):
        return "running"
    return "failed" if (job.directory / FAILURE).exists() else "missing"


def summary(plan: Plan) -> dict[str, int]:
    """How many of the plan's jobs are complete, failed, missing and (of the missing) running in
    another process now."""
    counts = {"complete": 0, "failed": 0, "missing": 0, "running": 0}
    for job in plan.jobs:
        # a job this run's own worker saw complete wrote and checked its table: not read again here
        status = "complete" if plan.launched.get(job.job_id) == "complete" else job_status(job)
        if status == "missing" and plan.launched.get(job.job_id) == "failed":
            status = "failed"  # its failure could not be recorded on disk
        if status == "running":
            counts["missing"] += 1
        counts[status] += 1
    return counts


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

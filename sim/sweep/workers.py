"""The ``workers`` launcher: a sweep's jobs in long-lived worker processes on this machine.

Each worker process imports the model and loads its compiled code once, then runs job after
job: :func:`sim.job.run_job` on the job's config as the plan resolved it
(:class:`sim.sweep.plan.PlannedJob`), with no process, config composition or log set-up per job
(Hydra's own launchers spend a few tenths of a second per job on those). Every guarantee of a
job is :func:`sim.job.run_job`'s, whoever runs it: one atomic table, its manifest and config,
``failure.json``, claims. A worker exits when the process that launched the sweep dies
(:func:`sim.job.watch_parent`); a stopped sweep kills its workers.

The cores a sweep may use (:func:`cores`: the CPU affinity, at most SLURM's CPUs per task) are
shared among the workers as numba threads (the batch engine spreads replications over them), so
that workers x threads never exceeds the cores. :func:`shape` chooses how many workers: the
fewest that finish the jobs soonest, given that part of a job (its table) runs on one thread,
that a thread needs a chunk of :data:`sim.world.CHUNK` replications to work on, and that a new
worker process takes a couple of seconds to load the model. Results do
not depend on the shape: a replication draws from its own stream, whatever thread or process
runs it.

A one-worker sweep runs in the sweep's own process, which starts on the jobs as soon as they are
planned. Several workers are loky's reusable executor (as joblib uses it), whose processes get
their environment before any import (``NUMBA_NUM_THREADS``) and are killed on request; each
takes a job once it has loaded the model.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Idle workers exit after this many seconds (a plan of many jobs can take longer than loky's 10 s).
IDLE_TIMEOUT = 300
#: A warning of the resource tracker when a stopped pool leaves semaphores (it would follow the
#: sweep's last line); the tracker starts with the pool and takes its environment then.
QUIET_TRACKER = "ignore:resource_tracker:UserWarning"

_started: list[Any] = []  # the executor this process started, if any
#: Hydra's format for a job's log lines.
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


def cores() -> int:
    """The CPUs this process may use: its CPU affinity, and inside a SLURM task at most the
    task's CPUs (``SLURM_CPUS_PER_TASK``: a node's other CPUs belong to other tasks)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        n = os.cpu_count() or 1
    slurm = os.environ.get("SLURM_CPUS_PER_TASK", "")
    if slurm.isdigit() and int(slurm) > 0:
        n = min(n, int(slurm))
    return max(1, n)


#: The share of a job's time on one thread that runs in one thread whatever the thread count:
#: building and writing its table (measured: about a quarter, for 120 months of final rows).
SERIAL = 0.25
#: Replication-months a job runs per second on one thread, its table included (measured on the
#: 2-core development machine: about 2 million), to tell short jobs from long ones.
RATE = 2e6
#: The same for the Mesa model (``engine=mesa``), which runs on one thread: about 5,000.
MESA_RATE = 5e3
#: Seconds a new worker process takes before its first job: interpreter, imports, compiled model.
STARTUP = 2.0


def shape(jobs: int, cores: int, most: int | None = None, replications: int | None = None,
          work: float | None = None, serial: float = SERIAL) -> tuple[int, int]:
    """``(workers, threads per worker)`` for ``jobs`` equal jobs on ``cores`` cores.

    Workers x threads <= cores, and one worker gets every core. ``most`` (``--workers``) sets the
    count, at most one per core and per job. Without it the count is the smallest that finishes
    soonest (:func:`makespan`), given that :data:`SERIAL` of a job runs on one thread, that a
    thread needs a chunk of :data:`sim.world.CHUNK` of the ``replications`` to work on, and that
    several workers (processes of their own) start :data:`STARTUP` seconds late; ``work`` is
    the seconds a job takes on one thread (None: long jobs, the start-up does not count), and
    ``serial`` the share that one thread runs (1 for the Mesa model). Many long jobs get one
    worker per core; a few jobs, or short ones, fewer workers with more threads.
    """
    from sim.world import CHUNK

    cores = max(1, cores)
    top = max(1, min(most or cores, cores, max(jobs, 1)))
    if most:
        return top, cores // top
    chunks = math.ceil(replications / CHUNK) if replications else cores

    def span(w: int) -> float:
        duration = (work or 1.0) * (serial + (1 - serial) / min(cores // w, chunks))
        return (STARTUP if work is not None and w > 1 else 0.0) + makespan(jobs, w, duration)

    workers = min(range(1, top + 1), key=lambda w: (round(span(w), 9), w))
    return workers, cores // workers


def makespan(jobs: int, workers: int, duration: float) -> float:
    """When ``jobs`` jobs of ``duration`` seconds end on ``workers`` workers that each take the
    next job when free."""
    free = [0.0] * workers
    end = 0.0
    for _ in range(jobs):
        start = heapq.heappop(free)
        end = max(end, start + duration)
        heapq.heappush(free, start + duration)
    return end


def job_work(configs: Sequence[dict[str, Any]]) -> float:
    """Seconds the longest of these jobs takes on one thread, roughly (:data:`RATE`,
    :data:`MESA_RATE`)."""
    from sim.config import strategy_count

    def seconds(c: dict[str, Any]) -> float:
        rate = MESA_RATE if c.get("engine") == "mesa" else RATE
        return float(c.get("replications", 1)) * float(c.get("months", 1)) * strategy_count(c) / rate

    return max(seconds(c) for c in configs)


def limit_threads() -> int:
    """Run the batch engine in this process on at most :func:`cores` threads (a SLURM task sees
    every CPU of its node, but owns only its own); the thread count."""
    import numba

    numba.set_num_threads(min(cores(), numba.config.NUMBA_NUM_THREADS))
    return numba.get_num_threads()


# --- the pool ---------------------------------------------------------------------------------


def _environment(threads: int) -> dict[str, str]:
    from sim.job import PARENT_ENV

    # every worker may run a job on all the cores (one worker does); each job sets its own count
    return {"NUMBA_NUM_THREADS": str(threads), PARENT_ENV: str(os.getpid())}


@contextlib.contextmanager
def _quiet_tracker() -> Iterator[None]:
    saved = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(w for w in (saved, QUIET_TRACKER) if w)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = saved


def pool(workers: int) -> Any:
    """This process's pool of ``workers`` worker processes (started, or resized, if need be);
    loky starts the processes with their first task."""
    from joblib.externals.loky import get_reusable_executor

    with _quiet_tracker():
        executor = get_reusable_executor(max_workers=workers, timeout=IDLE_TIMEOUT, reuse="auto",
                                         initializer=_initialize, env=_environment(cores()))
    if executor not in _started:
        _started[:] = [executor]
    return executor


def shutdown(kill: bool = False) -> None:
    """Stop this process's workers once they are idle, or at once (``kill``) even in a job."""
    while _started:
        _started.pop().shutdown(wait=True, kill_workers=kill)


def run_jobs(plan: Any, jobs: Sequence[Any], most: int | None = None) -> list[BaseException | None]:
    """Run the planned ``jobs``; for each, None or the error that kept it from running (what
    :func:`sim.sweep.plan.record_launch_failures` takes).

    One worker is this process. Several are a loky pool, one thread here feeding each: a worker
    takes its first job once it has loaded the model, and the next whenever it is free (this
    process runs no job then: the compiled model holds the interpreter lock while it runs, which
    would keep the feeding threads from handing out jobs). A job that failed in
    its own code has recorded its ``failure.json`` and counts as run; one whose failure could
    not be written (a full disk), or whose worker died, gets its error here. Stopping (SIGTERM,
    Ctrl-C: an exception in this thread) kills the workers and re-raises.
    """
    import numba

    from sim.job import groups

    if not jobs:
        return []
    configs = [j.config for j in jobs]
    # jobs that differ only in their parameters run as one batch call (sim.job.run_group)
    batches = groups(configs)
    size = max(len(b) for b in batches)
    workers, threads = shape(len(batches), cores(), most,
                             size * max(c.get("replications", 1) for c in configs),
                             work=size * job_work(configs),
                             serial=1.0 if any(c.get("engine") == "mesa" for c in configs) else SERIAL)
    print(f"sweep {plan.sweep_id}: {workers} worker process{'es' if workers > 1 else ''} x {threads} "
          f"thread{'s' if threads > 1 else ''}", file=sys.stderr)
    todo = list(batches)
    todo.reverse()  # popped from the end: the plan's order
    taken = threading.Lock()
    errors: list[BaseException | None] = [None] * len(jobs)

    def next_batch() -> list[int] | None:
        with taken:
            return todo.pop() if todo else None

    def done(i: int, outcome: Any) -> None:
        if outcome.status == "complete":
            plan.launched[jobs[i].job_id] = "complete"
        elif outcome.status == "failed" and not (Path(outcome.directory) / "failure.json").exists():
            errors[i] = RuntimeError(outcome.error)  # its failure.json could not be written

    def arguments(batch: list[int]) -> tuple[list[dict[str, Any]], list[Any]]:
        return [jobs[i].config for i in batch], [_context(plan, jobs[i]) for i in batch]

    def feed(executor: Any) -> None:  # one more worker: a pool process, fed one batch at a time
        try:
            executor.submit(_idle).result()  # takes a batch only once it has loaded the model
        except Exception:  # it could not start: the other workers take the batches
            return
        while (batch := next_batch()) is not None:
            try:
                for i, outcome in zip(batch, executor.submit(_run, *arguments(batch), threads).result()):
                    done(i, outcome)
            except Exception as err:  # the worker died (killed, out of memory) or the pool was stopped
                for i in batch:
                    errors[i] = err  # a job that completed before keeps its result (record_launch_failures)

    feeders = []
    if workers > 1:
        executor = pool(workers)
        feeders = [threading.Thread(target=feed, args=(executor,), name=f"worker-{k}", daemon=True)
                   for k in range(workers)]
    saved = numba.get_num_threads()
    try:
        with _quiet_tracker(), _job_log():
            for thread in feeders:
                thread.start()
            if not feeders:
                numba.set_num_threads(threads)
                while (batch := next_batch()) is not None:
                    for i, outcome in zip(batch, _run_here(*arguments(batch))):
                        done(i, outcome)
            for thread in feeders:
                thread.join()
        return errors
    except BaseException:
        shutdown(kill=True)
        raise
    finally:
        numba.set_num_threads(saved)


def _context(plan: Any, job: Any) -> Any:
    from sim.job import JobContext

    return JobContext(directory=Path(job.directory).absolute(), sweep_id=plan.sweep_id, job_id=job.job_id,
                      inputs=job.inputs, overrides=job.overrides, in_sweep=True)


def _run_here(configs: list[dict[str, Any]], contexts: list[Any]) -> list[Any]:
    from sim.job import run_group

    return run_group(configs, contexts)


@contextlib.contextmanager
def _job_log() -> Iterator[None]:
    """The jobs' log lines (``sim.job``: a job's rows, or its failure) on standard output, as the
    workers and Hydra's jobs print them."""
    logger = logging.getLogger("sim")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# --- in a worker ------------------------------------------------------------------------------


def _initialize() -> None:
    """A new worker: log as a Hydra job does (to stdout), watch the sweep's process, and load the
    compiled model by running one month of every strategy."""
    from omegaconf import OmegaConf

    from sim.config import RunConfig, to_run
    from sim.job import execute, watch_parent

    logging.raiseExceptions = False  # a log line on a full disk: the job's outcome says what failed
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format=LOG_FORMAT)
    watch_parent()
    cfg = OmegaConf.structured(RunConfig)
    cfg.months, cfg.replications = 1, 1
    execute(to_run(cfg), progress=False)


def _idle() -> None:
    return None


def _run(configs: list[dict[str, Any]], contexts: list[Any], threads: int) -> list[Any]:
    """Run a batch of jobs (:func:`sim.job.run_group`) in this worker on ``threads`` numba
    threads; their :class:`sim.job.JobOutcome`."""
    import numba

    from sim.job import run_group

    numba.set_num_threads(threads)
    return run_group(configs, contexts)

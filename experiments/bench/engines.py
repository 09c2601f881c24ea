"""Benchmark: batch engine vs Mesa model, replication-months per second.

Run: ``make bench`` (or ``.venv/bin/python experiments/bench/engines.py [--quick]``).
Prints a table and writes, under ``experiments/bench/results/``: ``engines.csv`` and
``scaling.csv`` (both engines by R, how cost grows), ``threads.csv`` (the batch engine on one
thread and on two at R = 10,000: rate per core, cycles per replication-month, the ratio, and how
busy the machine was meanwhile) and ``steps_memory.csv`` (peak memory of a ``record="steps"``
run held in memory and of one streamed to Parquet, each in a fresh process).
``experiments/bench/report.py`` turns them into the README's performance table.
All numbers of one table come from one run on one machine, so their ratios are comparable;
the absolute numbers depend on the machine and on what else runs on it.

The batch engine runs each replication's months in compiled code (``sim.world.run_block``);
``noise_share`` is the part of its time spent drawing the replications' random numbers alone
(``sim.rng.noise_block``, the same draws written to memory). The first call of a fresh
checkout compiles the kernel (tens of seconds, then cached on disk); the warm-up below keeps
that out of the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from sim.engine import simulate, simulate_mesa
from sim.rng import N_NORMAL, N_UNIFORM, noise_block
from sim.world import WorldSpec

OUT = Path(__file__).resolve().parent / "results"


def timed(fn, repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def peak_mib(fn) -> float:
    """Peak traced memory of one call (MiB); NumPy reports its buffers to tracemalloc."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def fit_exponent(x, y) -> float:
    """Slope of log(y) on log(x): 1 means cost grows linearly."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def cpu_ghz() -> float:
    """The nominal clock of this machine's CPU (GHz), from /proc/cpuinfo (``cpu MHz``); NaN if
    unknown. Cycles per replication-month are counted at this clock."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) / 1000.0
    except OSError:
        pass
    return float("nan")


def busy_cpus(fn) -> tuple[float, float, float]:
    """``fn()``'s wall time, the CPUs that other processes kept busy meanwhile (from
    /proc/stat, less this process's own CPU time: about 0 means the other cores were free), and
    this process's CPU time (seconds, all its threads)."""
    def ticks() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields[:8]), fields[3] + fields[4]
    total0, idle0 = ticks()
    own0 = time.process_time()
    t = time.perf_counter()
    fn()
    wall = time.perf_counter() - t
    own = time.process_time() - own0
    total1, idle1 = ticks()
    cpus = os.cpu_count() or 1
    busy = (total1 - total0 - (idle1 - idle0)) / max(total1 - total0, 1) * cpus
    return wall, max(busy - own / wall, 0.0), own


def timed_with_load(fn, repeat: int) -> tuple[float, float]:
    """:func:`timed` and the CPUs other processes kept busy over all its calls (:func:`busy_cpus`)."""
    best = []
    _, other, _ = busy_cpus(lambda: best.append(timed(fn, repeat)))
    return best[0], other


def thread_scaling(spec: WorldSpec, replications: int, rounds: int) -> pd.DataFrame:
    """The batch engine at ``replications`` on one thread and on two, alternating, best of
    ``rounds`` each (so that both see the same machine): rate, rate per core, cycles per
    replication-month (from the CPU time this process used, at :func:`cpu_ghz`), and the CPUs
    other processes kept busy meanwhile (``other_load``: near 0 when the second core was
    free)."""
    before = numba.get_num_threads()
    threads = [n for n in (1, 2) if n <= numba.config.NUMBA_NUM_THREADS]
    best = {n: (float("inf"), float("nan")) for n in threads}
    cpu = dict.fromkeys(threads, float("inf"))
    try:
        for _ in range(rounds):
            for n in threads:
                numba.set_num_threads(n)
                gc.collect()
                wall, busy, own = busy_cpus(lambda: simulate(spec, replications=replications, seed=1))
                if wall < best[n][0]:
                    best[n] = (wall, busy)
                cpu[n] = min(cpu[n], own)
    finally:
        numba.set_num_threads(before)
    ghz = cpu_ghz()
    work = replications * spec.months
    rows = []
    for n in threads:
        wall, busy = best[n]
        rate = work / wall
        # CPU time counts only the cycles this process got, so it holds on a busy machine too
        rows.append({"threads": n, "replications": replications, "months": spec.months, "seconds": wall,
                     "rep_months_per_s": rate, "rep_months_per_s_per_core": rate / n, "cpu_s": cpu[n],
                     "rep_months_per_cpu_s": work / cpu[n], "cpu_ghz": ghz,
                     "cycles_per_rep_month": ghz * 1e9 * cpu[n] / work, "other_load": busy,
                     "over_one_thread": rate * best[1][0] / work})
    return pd.DataFrame(rows)


_STEPS_CHILD = """
import json, os, sys, threading, time
from pathlib import Path
from sim.engine import simulate, simulate_to_parquet
from sim.world import WorldSpec
how, r, months, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
spec = WorldSpec(months=months)
simulate(spec, replications=2, record="steps")  # compile or load the kernel first
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * page
base, peak, done = rss(), [0], threading.Event()
def sample():  # resident memory every 10 ms while the run goes
    while not done.wait(0.01):
        peak[0] = max(peak[0], rss())
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
t = time.perf_counter()
if how == "stream":
    rows = simulate_to_parquet(folder / "steps.parquet", spec, replications=r, seed=1)
    size = (folder / "steps.parquet").stat().st_size
elif how == "job":  # a trisim job of one strategy: labels, manifest, its table streamed (sim.job)
    from omegaconf import OmegaConf
    from sim.config import RunConfig, as_container
    from sim.job import JobContext, run_job
    c = as_container(OmegaConf.structured(RunConfig))
    c.update(months=months, replications=r, seed=1, record="steps")
    c["strategy"]["names"] = [spec.strategy]
    outcome = run_job(c, JobContext(directory=folder / "job", sweep_id="bench", job_id="steps", in_sweep=True),
                      progress=False)
    rows, size = outcome.rows, (folder / "job" / "outcomes.parquet").stat().st_size
else:
    rows, size = len(simulate(spec, replications=r, seed=1, record="steps")), 0
seconds = time.perf_counter() - t
done.set()
sampler.join()
print(json.dumps({"rows": rows, "seconds": seconds, "base": base, "peak": max(peak[0], rss()), "file_bytes": size}))
"""


def steps_memory(how: str, replications: int, months: int) -> dict:
    """Peak resident memory of a steps run of ``replications`` x ``months`` in a fresh process
    (sampled every 10 ms; ``before_run_gib`` is the process with the kernel loaded, before it):
    ``how`` is ``"memory"`` (:func:`sim.engine.simulate`, a DataFrame), ``"stream"``
    (:func:`sim.engine.simulate_to_parquet`) or ``"job"`` (a sweep's job of one strategy,
    :func:`sim.job.run_job`, which streams its labelled table), into a temporary folder removed
    afterwards."""
    with tempfile.TemporaryDirectory(prefix="steps-bench-", dir=OUT.parent) as folder:
        out = subprocess.run([sys.executable, "-c", _STEPS_CHILD, how, str(replications), str(months), folder],
                             capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return {"how": how, "replications": replications, "months": months, "rows": got["rows"],
            "seconds": got["seconds"], "rows_per_s": got["rows"] / got["seconds"],
            "peak_gib": got["peak"] / 2**30, "before_run_gib": got["base"] / 2**30,
            "file_gib": got["file_bytes"] / 2**30}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a minute instead of several)")
    ap.add_argument("--steps-replications", type=int, default=None,
                    help="replications of the streamed steps run whose peak memory is measured "
                         "(default 1,000,000; 100,000 with --quick; 0 skips it)")
    ap.add_argument("--only", choices=["engines", "threads", "steps"], action="append",
                    help="run only these parts (repeatable); default all")
    args = ap.parse_args(argv)
    parts = set(args.only or ["engines", "threads", "steps"])
    OUT.mkdir(parents=True, exist_ok=True)
    if "threads" in parts:
        simulate(WorldSpec(months=args.months), replications=10)
        threads = thread_scaling(WorldSpec(months=args.months), 10_000, rounds=3 if args.quick else 7)
        threads.to_csv(OUT / "threads.csv", index=False)
        print(threads.to_string(index=False), flush=True)
    if "steps" in parts:
        big = args.steps_replications if args.steps_replications is not None else (
            100_000 if args.quick else 1_000_000)
        runs = [steps_memory("memory", 10_000, args.months), steps_memory("stream", 10_000, args.months)]
        if big:
            runs.append(steps_memory("stream", big, args.months))
        runs += [steps_memory("job", 10_000, args.months), steps_memory("job", 100_000, args.months)]
        steps = pd.DataFrame(runs)
        steps.to_csv(OUT / "steps_memory.csv", index=False)
        print(steps.to_string(index=False), flush=True)
    if "engines" not in parts:
        return 0
    months = args.months
    spec = WorldSpec(months=months)
    sizes = [1, 10, 100, 1_000, 10_000] + ([] if args.quick else [100_000])
    mesa_sizes = [1, 10] + ([] if args.quick else [100])
    simulate(spec, replications=10)  # warm imports and caches
    simulate_mesa(WorldSpec(months=2), replications=1)

    rows = []
    mesa_rate = None
    for r in sizes:
        reps = 5 if r <= 10_000 else 2
        t_batch, other = timed_with_load(lambda r=r: simulate(spec, replications=r, seed=1), repeat=reps)
        # the draws alone, one thread, into a buffer written before (at most 10,000 rows of it)
        k = min(r, 10_000)
        buffer = (np.zeros((k, months, N_NORMAL)), np.zeros((k, months, N_UNIFORM)))
        t_noise = timed(lambda k=k, b=buffer: noise_block(1, np.arange(k), months, out=b, workers=1), repeat=reps)
        t_noise *= r / k
        mem = peak_mib(lambda r=r: simulate(spec, replications=r, seed=1)) if r <= 10_000 else float("nan")
        row = {"replications": r, "months": months, "batch_s": t_batch,
               "batch_rep_months_per_s": r * months / t_batch, "noise_share": t_noise / t_batch,
               "batch_peak_mib": mem, "other_load": other}
        if r in mesa_sizes:
            t_mesa = timed(lambda r=r: simulate_mesa(spec, replications=r, seed=1))
            row["mesa_s"] = t_mesa
            row["mesa_rep_months_per_s"] = r * months / t_mesa
            mesa_rate = row["mesa_rep_months_per_s"]
        row["mesa_rate_used"] = mesa_rate
        row["batch_over_mesa"] = row["batch_rep_months_per_s"] / mesa_rate
        rows.append(row)
        print(f"R={r:>7}: batch {row['batch_rep_months_per_s']:>12,.0f} rep-months/s"
              f" ({t_batch:.3f} s, noise {row['noise_share']:.0%})"
              + (f", mesa {row['mesa_rep_months_per_s']:,.0f}" if "mesa_s" in row else "")
              + f", ratio {row['batch_over_mesa']:,.0f}x", flush=True)
    table = pd.DataFrame(rows)

    # how cost grows: with R (batch, Mesa) and with months (batch, R = 10,000)
    big = table[table["replications"] >= 1_000]
    scaling = [{"engine": "batch", "in": "replications", "exponent": fit_exponent(big["replications"], big["batch_s"])}]
    mesa = table.dropna(subset=["mesa_s"])
    scaling.append({"engine": "mesa", "in": "replications",
                    "exponent": fit_exponent(mesa["replications"], mesa["mesa_s"])})
    month_grid = [30, 60, 120, 240]
    r_months = 2_000 if args.quick else 10_000
    t_months = [timed(lambda m=m: simulate(WorldSpec(months=m), replications=r_months, seed=1)) for m in month_grid]
    scaling.append({"engine": "batch", "in": "months", "exponent": fit_exponent(month_grid, t_months)})
    scaling = pd.DataFrame(scaling)

    table.to_csv(OUT / "engines.csv", index=False)
    scaling.to_csv(OUT / "scaling.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:,.3f}".format):
        print()
        print(table.to_string(index=False))
        print()
        print(scaling.to_string(index=False))
    print(f"\nThe Mesa rate for R > {max(mesa_sizes)} is the one measured at R = {max(mesa_sizes)} "
          f"(its cost is linear in R: exponent {scaling.iloc[1]['exponent']:.2f}).")
    print(f"written: {OUT / 'engines.csv'}, {OUT / 'scaling.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

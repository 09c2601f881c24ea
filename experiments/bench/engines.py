"""Benchmark: batch engine vs Mesa model, replication-months per second.

Run: ``make bench`` (or ``.venv/bin/python experiments/bench/engines.py [--quick]``).
Prints a table and writes ``experiments/bench/results/engines.csv`` and ``scaling.csv``.
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
import time
import tracemalloc
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a minute instead of several)")
    args = ap.parse_args(argv)
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
        t_batch = timed(lambda r=r: simulate(spec, replications=r, seed=1), repeat=reps)
        # the draws alone, one thread, into a buffer written before (at most 10,000 rows of it)
        k = min(r, 10_000)
        buffer = (np.zeros((k, months, N_NORMAL)), np.zeros((k, months, N_UNIFORM)))
        t_noise = timed(lambda k=k, b=buffer: noise_block(1, np.arange(k), months, out=b, workers=1), repeat=reps)
        t_noise *= r / k
        mem = peak_mib(lambda r=r: simulate(spec, replications=r, seed=1)) if r <= 10_000 else float("nan")
        row = {"replications": r, "months": months, "batch_s": t_batch,
               "batch_rep_months_per_s": r * months / t_batch, "noise_share": t_noise / t_batch,
               "batch_peak_mib": mem}
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

    OUT.mkdir(parents=True, exist_ok=True)
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

"""The README's performance tables, made from the benchmark's CSVs.

Run: ``.venv/bin/python experiments/bench/report.py`` (``make bench`` runs it after the
benchmark). It rewrites the part of ``README.md`` between the two marker comments below from
``experiments/bench/results/*.csv``, so the README says what the last benchmark measured and
nothing else; ``--check`` only says whether the README is up to date (exit 1 if not).
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE.parents[1] / "README.md"
BEGIN = "<!-- performance: begin (made by experiments/bench/report.py from experiments/bench/results; do not edit) -->"
END = "<!-- performance: end -->"
#: The columns of the sweep benchmark's CSV that make the sweep table.
SWEEP_COLUMNS = ["case", "replications", "jobs", "workers", "script_s", "sweep_s", "ratio"]
WIDTH = 100  # the README's line length
SWEEP_LINE = ("Sweep machinery overhead: `experiments/bench/sweep_overhead.py` (see "
              "[docs/sweeps.md](docs/sweeps.md)).")


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _m(x: float) -> str:
    """Millions, one decimal."""
    return f"{x / 1e6:,.1f} M"


def _read(name: str) -> pd.DataFrame | None:
    path = RESULTS / name
    return pd.read_csv(path) if path.is_file() else None


def engines_table(engines: pd.DataFrame, scaling: pd.DataFrame | None) -> list[str]:
    mesa_max = int(engines.dropna(subset=["mesa_s"])["replications"].max())
    load = "other_load" in engines.columns  # older runs did not record it
    out = ["| replications | batch (rep-months/s) | Mesa (rep-months/s) | batch / Mesa | batch peak memory |"
           + (" other processes' load (CPUs) |" if load else ""),
           "|---:|---:|---:|---:|---:|" + ("---:|" if load else "")]
    for row in engines.itertuples():
        measured = not math.isnan(row.mesa_rep_months_per_s)
        mesa = _n(row.mesa_rep_months_per_s) if measured else f"({_n(row.mesa_rate_used)})"
        mem = "" if math.isnan(row.batch_peak_mib) else f"{row.batch_peak_mib:,.1f} MiB"
        out.append(f"| {_n(row.replications)} | {_n(row.batch_rep_months_per_s)} | {mesa} | "
                   f"{row.batch_over_mesa:,.0f}x | {mem} |" + (f" {row.other_load:.2f} |" if load else ""))
    out.append("")
    text = f"Mesa's rate for R > {mesa_max:,} is the one measured at R = {mesa_max:,}."
    at = engines[engines["replications"] == 10_000]
    if len(at):
        r = at.iloc[0]
        text += (f" At R = 10,000 the batch engine ran {_n(r.replications)} replications of {int(r.months)} months "
                 f"in {r.batch_s:.2f} s ({_m(r.batch_rep_months_per_s)} replication-months per second, all "
                 f"threads), {r.batch_over_mesa:,.0f} times the Mesa model.")
    if scaling is not None:
        e = scaling.set_index(["engine", "in"])["exponent"]
        if ("batch", "replications") in e:
            text += f" Its cost grows linearly in R (exponent {e['batch', 'replications']:.2f})."
    out.append(text)
    return out


def threads_table(threads: pd.DataFrame) -> list[str]:
    out = ["", "The batch engine on one thread and on two (numba threads over chunks of 64 replications), "
           "R = 10,000, 120 months, best of several alternating runs:", "",
           "| threads | rep-months/s | per core | per CPU-second | cycles per rep-month | over one thread | "
           "other processes' load (CPUs) |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for row in threads.itertuples():
        out.append(f"| {row.threads} | {_n(row.rep_months_per_s)} | {_n(row.rep_months_per_s_per_core)} | "
                   f"{_n(row.rep_months_per_cpu_s)} | {row.cycles_per_rep_month:,.0f} | {row.over_one_thread:.2f}x | "
                   f"{row.other_load:.2f} |")
    two = threads[threads["threads"] == 2]
    ghz = threads["cpu_ghz"].iloc[0]
    text = (f"\"Per core\" divides the wall-clock rate by the threads; \"per CPU-second\" divides the work by "
            f"the CPU time the process got, and cycles count that time at the CPU's nominal {ghz:.1f} GHz "
            "(`/proc/cpuinfo`), so both hold on a busy machine.")
    if len(two):
        load = two["other_load"].iloc[0]
        free = "free" if load < 0.2 else f"not free (other processes kept {load:.1f} CPUs busy)"
        text += f" During the two-thread run the second core was {free}."
    out += ["", text]
    return out


def steps_table(steps: pd.DataFrame) -> list[str]:
    out = ["", "`record=\"steps\"` (one row per replication and month), each run in a fresh process: held in "
           "memory as a DataFrame (`simulate`), streamed to Parquet as the replications finish "
           "(`simulate_to_parquet`), or a sweep's job of one strategy (`sim.job.run_job`: its labelled table "
           "streamed in blocks of whole replications):", "",
           "| run | replications x months | rows | seconds | peak memory | before the run | Parquet file |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    names = {"memory": "in memory", "stream": "streamed", "job": "a job (`trisim -m record=steps`)"}
    for row in steps.itertuples():
        size = f"{row.file_gib:,.2f} GiB" if row.file_gib else ""
        out.append(f"| {names.get(row.how, row.how)} | {_n(row.replications)} x {row.months} | {_n(row.rows)} | "
                   f"{row.seconds:,.1f} | {row.peak_gib:,.2f} GiB | {row.before_run_gib:,.2f} GiB | {size} |")
    text = ("\"Before the run\" is the process with the compiled model loaded. A streamed run holds two record "
            "batches of at most 2^17 rows (one written while the next runs), whatever R")
    streamed = steps[steps["how"] == "stream"].sort_values("replications")
    if len(streamed) > 1:
        lo, hi = streamed.iloc[0], streamed.iloc[-1]
        text += (f": from {_n(lo.replications)} to {_n(hi.replications)} replications its peak went from "
                 f"{lo.peak_gib:.2f} to {hi.peak_gib:.2f} GiB")
    jobs = steps[steps["how"] == "job"].sort_values("replications")
    if len(jobs) > 1:
        lo, hi = jobs.iloc[0], jobs.iloc[-1]
        text += (f". A job holds a block of at most 2^17 rows as it builds and writes its table: from "
                 f"{_n(lo.replications)} to {_n(hi.replications)} replications its peak went from "
                 f"{lo.peak_gib:.2f} to {hi.peak_gib:.2f} GiB")
    out += ["", text + "."]
    return out


def sweep_table(sweep: pd.DataFrame | None) -> list[str]:
    if sweep is None or not set(SWEEP_COLUMNS) <= set(sweep.columns):  # the CSV has more (threads, CPU time)
        return ["", SWEEP_LINE]
    out = ["", "`trisim sweep` against a plain script running the same jobs "
           "(`experiments/bench/sweep_overhead.py`, [docs/sweeps.md](docs/sweeps.md)):", "",
           "| case | replications | jobs | workers | script (s) | sweep (s) | sweep / script |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for row in sweep.itertuples():
        out.append(f"| {row.case} | {_n(row.replications)} | {row.jobs} | {row.workers} | {row.script_s:,.2f} | "
                   f"{row.sweep_s:,.2f} | {row.ratio:.2f}x |")
    return out


def render() -> str:
    """The text between the markers, from the CSVs there are."""
    lines: list[str] = []
    engines = _read("engines.csv")
    if engines is not None:
        lines += engines_table(engines, _read("scaling.csv"))
    threads = _read("threads.csv")
    if threads is not None:
        lines += threads_table(threads)
    steps = _read("steps_memory.csv")
    if steps is not None:
        lines += steps_table(steps)
    lines += sweep_table(_read("sweep_overhead.csv"))
    # prose wrapped as the README's is; table rows as they are
    lines = [ln if ln.startswith("|") or not ln else textwrap.fill(ln, WIDTH, break_on_hyphens=False)
             for ln in lines]
    return "\n".join(lines).strip("\n")


def updated(readme: str) -> str:
    """``readme`` with the text between the markers replaced by :func:`render`."""
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the markers {BEGIN!r} and {END!r}")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that README.md is up to date")
    args = ap.parse_args(argv)
    text = README.read_text()
    new = updated(text)
    if args.check:
        if new != text:
            print("README.md's performance tables differ from experiments/bench/results: run "
                  "experiments/bench/report.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new)
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the full calibration: the posterior and its diagnostics.

    python experiments/calibrate.py                      # the fit (seed 0), into a new outputs/calibrate/<time>
    python experiments/calibrate.py --replace            # the same, replacing the shipped posterior
    python experiments/calibrate.py --out /tmp/calib      # somewhere else (a new or empty folder)
    python experiments/calibrate.py --benchmark-pyabc 100 # pyabc's per-particle throughput on this model

Never overwrites files unless asked to (``--replace``). Writes ``posterior_samples.csv``,
``posterior_summary.csv``, ``diagnostics.csv``, ``sensitivity.csv`` and ``fit.json`` (see :mod:`sim.calibration.store`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.fit import calibrate, check_targets, predictive, summarise
from sim.calibration.priors import priors, sample
from sim.calibration.store import DATA_DIR, save_fit, save_table
from sim.calibration.targets import BLOCKS, TARGETS, seed_observation, simulate_statistics
from sim.params import Params
from sim.results import output_folder, provenance


def prior_predictive(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` prior draws and their simulated statistics (one replication each)."""
    prior_map = priors()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    values = pd.DataFrame(sample(prior_map, rng.random((n, len(prior_map)))))
    return values, predictive(values, seed=seed + 1)


def sensitivity(values: pd.DataFrame, statistics: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation of each parameter with each target's statistic."""
    rows = []
    for p in values.columns:
        for t in statistics.columns:
            s = statistics[t].to_numpy()
            rho = 0.0 if np.ptp(s) == 0 else float(stats.spearmanr(values[p], s).statistic)
            rows.append({"parameter": p, "target": t, "spearman": rho})
    return pd.DataFrame(rows)


def diagnostics(prior_stats: pd.DataFrame, post_stats: pd.DataFrame) -> pd.DataFrame:
    """Each target: seed, figure, band, and the simulated median and 90% interval under the
    prior and under the posterior."""
    obs = seed_observation()
    pri = check_targets(prior_stats, obs)
    post = check_targets(post_stats, obs)
    return pd.DataFrame({
        "target": [t.name for t in TARGETS], "seed": [t.seed for t in TARGETS], "kind": [t.kind for t in TARGETS],
        "seed_value": [t.value for t in TARGETS], "low": obs.low, "high": obs.high,
        "unit": [t.unit for t in TARGETS], "block": [t.block for t in TARGETS],
        "months": [f"{t.months[0]}-{t.months[1]}" for t in TARGETS],
        "prior_median": pri["median"], "prior_q05": pri["q05"], "prior_q95": pri["q95"],
        "posterior_median": post["median"], "posterior_q05": post["q05"], "posterior_q95": post["q95"],
        "within": post["within"],
    })


def benchmark_pyabc(particles: int, seed: int = 0) -> dict[str, float]:
    """pyabc's ABC-SMC on this model, one particle per engine call (its model interface),
    against the batch engine on the same number of parameter vectors."""
    import pyabc

    prior_map = priors()
    prior = pyabc.Distribution(**{n: pyabc.RV("uniform", p.interval(0.98)[0], np.diff(p.interval(0.98))[0])
                                  for n, p in prior_map.items()})
    obs = seed_observation()
    calls = {"n": 0}

    def model(par: dict) -> dict:
        calls["n"] += 1
        s = simulate_statistics(Params.with_overrides({k: float(v) for k, v in par.items()}), 1, seed=seed)
        return {"loglik": float(obs.loglik(s)[0])}

    def distance(x: dict, x0: dict) -> float:
        return -x["loglik"]

    abc = pyabc.ABCSMC(model, prior, distance, population_size=particles,
                       sampler=pyabc.sampler.SingleCoreSampler())
    with tempfile.TemporaryDirectory() as tmp:
        abc.new(f"sqlite:///{tmp}/pyabc.db", {"loglik": 0.0})
        t0 = time.perf_counter()
        abc.run(max_nr_populations=2)
        seconds = time.perf_counter() - t0
    n = calls["n"]
    rng = np.random.default_rng(seed)
    values = sample(prior_map, rng.random((n, len(prior_map))))
    t0 = time.perf_counter()
    simulate_statistics(Params.with_overrides(values), n, seed=seed)
    batch = time.perf_counter() - t0
    return {"pyabc_simulations": n, "pyabc_seconds": seconds, "pyabc_per_second": n / seconds,
            "batch_seconds": batch, "batch_per_second": n / batch, "speedup": seconds / batch}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidates", type=int, default=20_000, help="parameter vectors per generation")
    parser.add_argument("--particles", type=int, default=2_000, help="posterior draws kept")
    parser.add_argument("--predictive", type=int, default=4_000, help="prior draws for the prior predictive")
    parser.add_argument("--out", type=Path, help="output folder, new or empty (default: a new "
                        "outputs/calibrate/<time>, or the shipped sim/calibration/data with --replace)")
    parser.add_argument("--replace", action="store_true",
                        help=f"overwrite: the shipped posterior in {DATA_DIR} (or the files in --out)")
    parser.add_argument("--benchmark-pyabc", type=int, metavar="PARTICLES", default=0,
                        help="only measure pyabc's throughput with this population size")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.seed < 0 or args.candidates < 100 or args.particles < 10:
        parser.error("need --seed >= 0, --candidates >= 100, --particles >= 10")

    if args.benchmark_pyabc:
        for k, v in benchmark_pyabc(args.benchmark_pyabc, args.seed).items():
            print(f"{k:>18}: {v:.4g}")
        return 0
    try:  # before the fit, so that a folder mistake costs nothing
        args.out = output_folder(args.out, "outputs/calibrate", replace=args.replace, shipped=DATA_DIR)
    except FileExistsError as err:
        parser.error(str(err))

    t0 = time.perf_counter()
    fit = calibrate(seed=args.seed, candidates=args.candidates, particles=args.particles)
    fit_seconds = time.perf_counter() - t0
    summary = summarise(fit.samples)
    post_stats = predictive(fit.samples, seed=args.seed + 2)
    prior_values, prior_stats = prior_predictive(args.predictive, args.seed)
    diag = diagnostics(prior_stats, post_stats)
    sens = sensitivity(prior_values, prior_stats)
    total = time.perf_counter() - t0

    args.out.mkdir(parents=True, exist_ok=True)
    save_table(fit.samples, "samples", args.out)
    save_table(summary, "summary", args.out)
    save_table(diag, "diagnostics", args.out)
    save_table(sens, "sensitivity", args.out)
    save_fit({
        "seed": fit.seed, "settings": fit.settings, "fit_seconds": fit_seconds, "total_seconds": total,
        "simulations": fit.simulations, "replication_months": fit.simulations * sum(s.months for s in BLOCKS.values()),
        "predictive_simulations": len(fit.samples) + args.predictive,
        "final_ess": fit.final_ess, "acceptance_rate": fit.acceptance_rate,
        "generations": fit.generations.to_dict(orient="records"),
        "observation": fit.observation.as_frame().to_dict(orient="records"),
        "cpus": os.cpu_count(), **provenance(),
    }, args.out)

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(fit.generations.round(3).to_string(index=False))
        print(summary.round(3).to_string(index=False))
        print(diag.drop(columns=["block", "months", "unit"]).round(3).to_string(index=False))
    print(f"fit {fit_seconds:.1f} s ({fit.simulations} parameter vectors simulated, final ESS {fit.final_ess:.0f}, "
          f"acceptance rate {fit.acceptance_rate:.3f}); with predictive checks {total:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Simulation-based calibration of the fit (Talts et al. 2018).

    python experiments/sbc.py                 # 40 synthetic truths, small fits (about a minute)
    python experiments/sbc.py --truths 10     # a quick look

For each truth: draw parameters from the prior, replay 2018-2024 once under a reading
(``--reading``, default balancing), draw seed-like Xi-Kim exchanges from it by the observation
model (:func:`~sim.calibration.history.synthetic_counts`), fit the posterior under that reading to
them as ``experiments/calibrate.py`` does, and record the rank of the true value among ``draws``
posterior draws. If the fit is right, each parameter's ranks are uniform on 0..draws. Writes one row per truth
and parameter to ``sim/calibration/data/sbc.csv`` and prints a uniformity test per parameter.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from sim.calibration import history as h
from sim.calibration.fit import calibrate
from sim.calibration.priors import priors, sample
from sim.calibration.store import DATA_DIR, save_table
from sim.params import Params
from sim.results import output_folder


def run(truths: int, seed: int, candidates: int, particles: int, draws: int,
        reading: str = "balancing") -> pd.DataFrame:
    """Ranks of the true values, one row per (truth, parameter)."""
    prior_map = priors()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    rows = []
    for i in tqdm(range(truths), desc="sbc", disable=not sys.stderr.isatty()):
        truth = sample(prior_map, rng.random((1, len(prior_map))))
        counts = h.synthetic_counts(h.replay(reading, Params.with_overrides(truth), 1, seed=seed + 1000 + i), 0, rng)
        fit = calibrate(seed=seed + i, candidates=candidates, particles=particles, progress=False,
                        likelihood=h.counts_likelihood(reading, counts))
        thinned = fit.samples.iloc[np.linspace(0, particles - 1, draws).astype(int)]
        for name in prior_map:
            rows.append({"truth": i, "reading": reading, "parameter": name, "value": float(truth[name][0]),
                         "rank": int((thinned[name].to_numpy() < truth[name][0]).sum()), "draws": draws,
                         "generations": len(fit.generations), "simulations": fit.simulations})
    return pd.DataFrame(rows)


def uniformity(ranks: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Per parameter: chi-square test of uniform ranks over ``bins`` bins, and the mean
    normalised rank (0.5 if unbiased)."""
    out = []
    for name, g in ranks.groupby("parameter", sort=False):
        u = g["rank"].to_numpy() / (g["draws"].iloc[0] + 1)
        counts = np.histogram(u, bins=bins, range=(0, 1))[0]
        out.append({"parameter": name, "truths": len(g), "chi2_p": float(stats.chisquare(counts).pvalue),
                    "mean_rank": float(u.mean()), "counts": " ".join(map(str, counts))})
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truths", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--particles", type=int, default=500)
    parser.add_argument("--draws", type=int, default=99, help="posterior draws the true value is ranked among")
    parser.add_argument("--reading", choices=h.READINGS, default="balancing",
                        help="PRK's strategy from September 2023 in the synthetic replays and the fit")
    parser.add_argument("--out", type=Path, help="output folder, new or empty (default: a new "
                        "outputs/sbc/<time>, or the shipped sim/calibration/data with --replace)")
    parser.add_argument("--replace", action="store_true",
                        help=f"overwrite: the shipped sbc.csv in {DATA_DIR} (or the files in --out)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.truths < 1 or args.draws < 1 or args.draws > args.particles:
        parser.error("need --truths >= 1 and 1 <= --draws <= --particles")
    try:  # before the fits, so that a folder mistake costs nothing
        args.out = output_folder(args.out, "outputs/sbc", replace=args.replace, shipped=DATA_DIR)
    except FileExistsError as err:
        parser.error(str(err))
    t0 = time.perf_counter()
    ranks = run(args.truths, args.seed, args.candidates, args.particles, args.draws, args.reading)
    seconds = time.perf_counter() - t0
    save_table(ranks, "sbc", args.out)
    with pd.option_context("display.width", 160):
        print(uniformity(ranks).round(3).to_string(index=False))
    print(f"{args.truths} truths in {seconds:.0f} s ({ranks.groupby('truth')['simulations'].first().sum()} "
          f"parameter vectors simulated) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

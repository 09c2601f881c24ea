"""Run the full calibration: screening, the 2018-22 fit, the 2023-24 hold-out, the readings'
probabilities and a posterior under each reading.

    python experiments/calibrate.py                      # the fit (seed 0), into a new outputs/calibrate/<time>
    python experiments/calibrate.py --replace            # the same, replacing the shipped posterior
    python experiments/calibrate.py --out /tmp/calib      # somewhere else (a new or empty folder)
    python experiments/calibrate.py --benchmark-pyabc 100 # pyabc's per-particle throughput on this model

Stages (``docs/calibration.md``, "The calibration on the history"), each timed, with the number of
replications it simulated:

1. **targets**: the prior-predictive hit rate of every 2018-22 target (:mod:`sim.calibration.targets`);
   a target that (almost) every prior draw already shows carries no information and is dropped.
2. **screening**: Morris (SALib) over every parameter's box, under every reading, for what the
   seeds' counts inform; the parameters that move them are calibrated.
3. **fit 2018-22**: SMC-ABC on the informative 2018-22 targets (when none is left, the fit's
   posterior is the prior).
4. **hold-out**: the 2023-24 patterns under parameters of the 2018-22 fit, by reading.
5. **readings**: the readings' posterior probabilities from the seeds' counts.
6. **posteriors**: for each reading, SMC-ABC on the 2018-22 targets and the 2023-24 counts; these are
   what ``calibration=posterior`` draws from (:func:`sim.calibration.parameter_draws`).

Never overwrites files unless asked to (``--replace``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration import history as h
from sim.calibration.fit import calibrate, summarise
from sim.calibration.priors import CALIBRATED, priors, sample
from sim.calibration.store import DATA_DIR, save_fit, save_table
from sim.calibration.targets import INFORMATIVE, TARGETS, Observation, seed_observation, simulate_statistics
from sim.calibration.validate import readings_table
from sim.params import Params
from sim.results import output_folder, provenance


def prior_draws(n: int, seed: int, names: list[str] | None = None) -> pd.DataFrame:
    """``n`` draws of the calibrated parameters' prior."""
    prior_map = priors(names)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    return pd.DataFrame(sample(prior_map, rng.random((n, len(prior_map)))))


def target_information(values: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each 2018-22 target's prior-predictive hit rate and whether it is informative."""
    stats = simulate_statistics(Params.with_overrides({c: values[c].to_numpy() for c in values}), len(values), seed)
    obs = seed_observation()
    inside = obs.within(stats[list(obs.names)].to_numpy())
    hit = inside.mean(axis=0)
    return pd.DataFrame({
        "target": [t.name for t in TARGETS], "seed": [t.seed for t in TARGETS], "kind": [t.kind for t in TARGETS],
        "value": [t.value for t in TARGETS], "low": obs.low, "high": obs.high,
        "prior_median": stats[list(obs.names)].median().to_numpy(), "hit_rate": hit, "informative": hit < INFORMATIVE,
    })


def informative_observation(info: pd.DataFrame) -> Observation | None:
    """The seeds' observation restricted to the informative targets (``None`` if none is)."""
    obs = seed_observation()
    keep = info["informative"].to_numpy()
    if not keep.any():
        return None
    return Observation(tuple(np.asarray(obs.names)[keep]), obs.low[keep], obs.high[keep], obs.softness[keep])


def reading_likelihood(reading: str, observation: Observation | None):
    """The 2023-24 counts under ``reading`` and, if any, the informative 2018-22 targets."""
    counts = h.counts_likelihood(reading)
    if observation is None:
        return counts

    def likelihood(params: Params, n: int, seed: int) -> np.ndarray:
        return counts(params, n, seed) + observation.loglik(simulate_statistics(params, n, seed))

    return likelihood


def benchmark_pyabc(particles: int, seed: int = 0, reading: str = "balancing") -> dict[str, float]:
    """pyabc's ABC-SMC on the posterior under ``reading``, one particle per engine call (its model
    interface), against the batch engine on the same number of parameter vectors."""
    import tempfile

    import pyabc

    prior_map = priors()
    prior = pyabc.Distribution(**{n: pyabc.RV("uniform", p.interval(0.98)[0], np.diff(p.interval(0.98))[0])
                                  for n, p in prior_map.items()})
    likelihood = h.counts_likelihood(reading)
    calls = {"n": 0}

    def model(par: dict) -> dict:
        calls["n"] += 1
        params = Params.with_overrides({k: float(v) for k, v in par.items()})
        return {"loglik": float(likelihood(params, 1, seed)[0])}

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
    values = sample(prior_map, np.random.default_rng(seed).random((n, len(prior_map))))
    t0 = time.perf_counter()
    likelihood(Params.with_overrides(values), n, seed)
    batch = time.perf_counter() - t0
    return {"pyabc_simulations": n, "pyabc_seconds": seconds, "pyabc_per_second": n / seconds,
            "batch_seconds": batch, "batch_per_second": n / batch, "speedup": seconds / batch}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidates", type=int, default=20_000, help="parameter vectors per generation")
    parser.add_argument("--particles", type=int, default=1_000, help="posterior draws kept per reading")
    parser.add_argument("--predictive", type=int, default=4_000, help="prior draws for the targets' hit rates")
    parser.add_argument("--trajectories", type=int, default=40, help="Morris trajectories of the screening")
    parser.add_argument("--replays", type=int, default=2_000, help="replays per reading for the hold-out and readings")
    parser.add_argument("--out", type=Path, help="output folder, new or empty (default: a new "
                        "outputs/calibrate/<time>, or the shipped sim/calibration/data with --replace)")
    parser.add_argument("--replace", action="store_true",
                        help=f"overwrite: the shipped posterior in {DATA_DIR} (or the files in --out)")
    parser.add_argument("--benchmark-pyabc", type=int, metavar="PARTICLES", default=0,
                        help="only measure pyabc's throughput with this population size")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.benchmark_pyabc:
        for k, v in benchmark_pyabc(args.benchmark_pyabc, args.seed).items():
            print(f"{k:>18}: {v:.4g}")
        return 0
    if args.seed < 0 or args.candidates < 100 or args.particles < 10 or args.trajectories < 2 or args.replays < 10:
        parser.error("need --seed >= 0, --candidates >= 100, --particles >= 10, --trajectories >= 2, --replays >= 10")
    try:  # before the fit, so that a folder mistake costs nothing
        args.out = output_folder(args.out, "outputs/calibrate", replace=args.replace, shipped=DATA_DIR)
    except FileExistsError as err:
        parser.error(str(err))

    stages: list[dict] = []
    clock = time.perf_counter()

    def stage(name: str, replications: int, months: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages.append({"stage": name, "seconds": round(now - clock, 2), "replications": int(replications),
                       "replication_months": int(replications) * months})
        print(f"[{name}] {now - clock:.1f} s, {replications:,} replications", flush=True)
        clock = now

    # 1. which 2018-22 targets carry information
    info = target_information(prior_draws(args.predictive, args.seed), args.seed + 1)
    observation = informative_observation(info)
    stage("targets", args.predictive, 60)

    # 2. which parameters move the counts
    screen = h.screening(trajectories=args.trajectories, seed=args.seed)
    moving = h.moving(screen)
    missing = sorted(set(moving) - set(CALIBRATED))
    if missing:
        print(f"note: parameters that move the counts but have no prior: {', '.join(missing)} "
              "(add them to sim.calibration.priors.CALIBRATED)", file=sys.stderr)
    runs = int(args.trajectories * (len(screen) + 1)) * len(h.READINGS)
    stage("screening", runs, h.MONTHS)
    names = list(CALIBRATED)

    # 3. the 2018-22 fit
    if observation is None:
        fit_2018_22 = None
        holdout_params = Params.with_overrides({c: v.to_numpy() for c, v in
                                                prior_draws(args.replays, args.seed + 3, names).items()})
        stage("fit 2018-22 (no informative target: the prior)", 0, 60)
    else:
        fit_2018_22 = calibrate(observation, seed=args.seed, candidates=args.candidates, particles=args.replays,
                                names=names)
        holdout_params = Params.with_overrides({c: fit_2018_22.samples[c].to_numpy() for c in names})
        stage("fit 2018-22", fit_2018_22.simulations, 60)

    # 4-5. the hold-out and the readings
    replays = {k: h.replay(k, holdout_params, args.replays, args.seed) for k in h.READINGS}
    holdout = h.pattern_table(replays)
    readings = readings_table(replays, args.seed)
    stage("hold-out and readings", args.replays * len(h.READINGS), h.MONTHS)

    # 6. a posterior under each reading
    samples, summaries, fits = [], [], {}
    for reading in h.READINGS:
        fit = calibrate(seed=args.seed, candidates=args.candidates, particles=args.particles, names=names,
                        likelihood=reading_likelihood(reading, observation))
        drawn = fit.samples.drop(columns="draw")
        samples.append(drawn.assign(reading=reading))
        summaries.append(summarise(fit.samples).assign(reading=reading))
        check = h.replay(reading, Params.with_overrides({c: drawn[c].to_numpy() for c in names}), len(drawn),
                         args.seed + 7)
        fits[reading] = {
            "simulations": fit.simulations, "final_ess": fit.final_ess, "acceptance_rate": fit.acceptance_rate,
            "generations": fit.generations.to_dict(orient="records"),
            # the posterior predictive of what the counts inform, against the seeds' own shares
            "photo_share": np.quantile(check.photo_share, [0.05, 0.5, 0.95]).tolist(),
            "exchange_share_2024": np.quantile(check.exchange_share_2024, [0.05, 0.5, 0.95]).tolist(),
        }
        stage(f"posterior under {reading}", fit.simulations, h.MONTHS)
    samples = pd.concat(samples, ignore_index=True)
    samples.insert(0, "draw", np.arange(len(samples)))
    samples = samples[["draw", "reading", *names]]
    summary = pd.concat(summaries, ignore_index=True)
    summary = summary[["reading", *[c for c in summary.columns if c != "reading"]]]

    args.out.mkdir(parents=True, exist_ok=True)
    save_table(samples, "samples", args.out)
    save_table(summary, "summary", args.out)
    save_table(info, "targets", args.out)
    save_table(screen.reset_index(), "screening", args.out, digits=3)
    save_table(holdout, "holdout", args.out, digits=4)
    save_table(readings, "readings", args.out, digits=4)
    total = sum(s["seconds"] for s in stages)
    save_fit({
        "seed": args.seed, "names": names, "moving": moving,
        "settings": {"candidates": args.candidates, "particles": args.particles, "predictive": args.predictive,
                     "trajectories": args.trajectories, "replays": args.replays, "informative": INFORMATIVE,
                     "moves": h.MOVES},
        "fit_2018_22": None if fit_2018_22 is None else {
            "targets": list(observation.names), "simulations": fit_2018_22.simulations,
            "final_ess": fit_2018_22.final_ess},
        "readings": dict(zip(readings["reading"], readings["probability"].round(6))),
        "posteriors": fits, "stages": stages, "total_seconds": round(total, 2),
        "replications": sum(s["replications"] for s in stages),
        "replication_months": sum(s["replication_months"] for s in stages), "cpus": os.cpu_count(), **provenance(),
    }, args.out)

    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 70):
        print(info.round(3).to_string(index=False))
        print(holdout.round(2).to_string(index=False))
        print(readings.round(3).to_string(index=False))
        wide = summary.pivot(index="parameter", columns="reading", values="contraction").loc[names]
        print("contraction of each parameter's prior variance, by reading:")
        print(wide.round(2).to_string())
    for reading, f in fits.items():
        print(f"{reading}: photo share {f['photo_share'][1]:.2f} (seed 0.74), exchanges' 2024 share "
              f"{f['exchange_share_2024'][1]:.2f} (seed 0.23), ESS {f['final_ess']:.0f}")
    print(f"total {total:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``trisim validate``: replay 2018-2024, check the seeds' 2023-24 patterns, weigh the
analysts' readings of PRK's strategy, and draw the replay.

Parameters are drawn from the 2018-22 fit, which is the claims' prior because no 2018-22 figure
of the seeds carries information (``--source prior``, the default; ``experiments/calibrate.py``
measures it), or from the shipped posteriors averaged over the readings (``--source posterior``);
each reading is replayed ``--replays`` times. See :mod:`sim.calibration.history`
for the observation models and the patterns.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibration import history as h
from sim.calibration import parameter_draws
from sim.scenarios import MEETINGS_2023_24, SCENARIOS, SUMMITS_2018_19

#: Replays of each reading that ``--recovery`` draws its synthetic data sets from (apart from the
#: replays they are scored against).
TRUTHS = 300

#: How the figure names where the parameters come from.
SOURCE_NAMES = {"prior": "2018-22 fit (the claims' prior)", "posterior": "posteriors averaged over the readings",
                "point": "defaults"}


def run(replays: int, seed: int, source: str) -> tuple[dict[str, h.Replay], pd.DataFrame, pd.DataFrame]:
    """Replays under every reading, the pattern table and the readings' probabilities."""
    params, _ = parameter_draws(source, replays, seed=seed)
    reps = {k: h.replay(k, params, replays, seed) for k in h.READINGS}
    return reps, h.pattern_table(reps), readings_table(reps, seed)


def readings_table(reps: dict[str, h.Replay], seed: int) -> pd.DataFrame:
    """The readings' probabilities from the exchanges, and from the exchanges and the 2023-24
    patterns together (``with_patterns``)."""
    counts = h.model_probabilities({k: h.readings_loglik(r) for k, r in reps.items()}, seed=seed)
    both = h.model_probabilities({k: h.readings_loglik(r, patterns=True) for k, r in reps.items()}, seed=seed)
    return counts.assign(with_patterns=both["probability"], with_patterns_mc_error=both["mc_error"])


def figure(reading: str, replay: h.Replay, source: str) -> Figure:
    """The replays under ``reading`` as fan charts of PRK's attention to China and to Russia
    over the calendar, the events marked and the seeds' figures drawn on it."""
    replays = len(replay.attention_chn)
    start = pd.Period(SCENARIOS[h.SCENARIO].start, freq="M")
    dates = [(start + int(m) - 1).to_timestamp() for m in range(1, h.MONTHS + 1)]
    fig = Figure(figsize=(7.2, 4.2), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    for ax, panel, label in ((axes[0], replay.attention_chn, "PRK's attention to China"),
                             (axes[1], replay.attention_rus, "PRK's attention to Russia")):
        lo, q1, med, q3, hi = np.quantile(panel, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        ax.fill_between(dates, lo, hi, color="#9ecae1", alpha=0.6, linewidth=0, label="90% of replays")
        ax.fill_between(dates, q1, q3, color="#4292c6", alpha=0.7, linewidth=0, label="50%")
        ax.plot(dates, med, color="#08306b", linewidth=1.2, label="median")
        ax.set_ylabel(f"{label}\n(share)", fontsize=7.5)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
        for t, actor, weight, _what, _ in (*SUMMITS_2018_19, *MEETINGS_2023_24):
            ax.axvline(dates[t], color="#d95f02" if actor == 2 else "#7570b3" if actor == 1 else "#999999",
                       linewidth=0.6 if weight < 1 else 1.0, linestyle=":" if weight < 1 else "--", alpha=0.8)
    a23, a24 = h.EXCHANGES
    axes[0].annotate(f"Xi-Kim exchanges:\n{a23} in 2023, {a24} in 2024\n(seed 000)", xy=(dates[63], 0.05), fontsize=6.5,
                     ha="right")
    share = h.PHOTOS[0] / sum(h.PHOTOS)
    axes[1].plot([dates[h.VICTORY_DAY]], [share], marker="D", color="#d95f02", markersize=4, linestyle="none",
                 label="photo share, July 2023 (seed 001)")
    axes[1].legend(fontsize=6.5, loc="upper left", frameon=False)
    fig.suptitle(f"Replay 2018-2024: PRK plays engage_us, bandwagon from 2020, {reading} from September 2023\n"
                 f"{replays} replays, parameters from the {SOURCE_NAMES.get(source, source)}; "
                 "dashed: summits (violet China, orange Russia, grey US), dotted: lesser meetings", fontsize=7.5)
    return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="trisim validate", description=__doc__.splitlines()[0])
    ap.add_argument("--replays", type=int, default=2000, help="replays per reading (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", choices=("prior", "posterior", "point"), default="prior",
                    help="where the parameters come from (default: the claims' priors)")
    ap.add_argument("--figure", type=Path, default=Path("validate.png"), help="where to write the figure")
    ap.add_argument("--recovery", type=int, default=0, metavar="TRIALS",
                    help="also check that the model choice recovers the reading that generated synthetic "
                         "exchanges (TRIALS data sets per reading, with 13, 130 and 1,300 exchanges)")
    ap.add_argument("--robustness", type=int, default=0, metavar="N",
                    help="also re-code each claim's bearing one step up and down (N replays per reading)")
    ap.add_argument("--screen", type=int, default=0, metavar="R",
                    help="also screen every parameter (Morris, R trajectories) for what the counts inform")
    args = ap.parse_args(argv)
    if args.replays < 10:
        print("trisim validate: error: --replays must be at least 10", file=sys.stderr)
        return 2
    reps, patterns, probs = run(args.replays, args.seed, args.source)
    with pd.option_context("display.width", 200, "display.max_colwidth", 80, "display.float_format", "{:.2f}".format):
        print("2023-24 patterns: share of replays that show each, by PRK's strategy from September 2023")
        print(patterns.to_string(index=False))
        print()
        print("Which reading the seeds favour (equal prior odds; Monte Carlo error by bootstrap): probability from "
              "the Xi-Kim exchanges; with_patterns: also taking the 2023-24 patterns as observed")
        print(probs.to_string(index=False))
    if args.recovery:
        truth_params, _ = parameter_draws(args.source, TRUTHS, seed=args.seed + 11)
        truths = {k: h.replay(k, truth_params, TRUTHS, args.seed + 11) for k in h.READINGS}
        table = pd.DataFrame({"truth": list(h.READINGS)})
        for total in (13, 130, 1300):
            table[f"{total} exchanges"] = h.recovery(reps, truths, args.recovery, seed=args.seed + 5,
                                                     total=total)["recovered"].to_numpy()
        print(f"\nHow often the model choice picks the reading that generated synthetic exchanges ({args.recovery} "
              f"data sets per reading from {TRUTHS} replays of it; chance is {1 / len(h.READINGS):.2f}):")
        print(table.round(3).to_string(index=False))
    if args.robustness:
        robust = h.coding_robustness(args.robustness, seed=args.seed)
        print(f"\nThe readings' probabilities under {int(robust['recodings'].iloc[0])} re-codings of the claims "
              f"(each bearing on a calibrated parameter one step stronger or weaker; {args.robustness} replays each):")
        print(robust.drop(columns="recodings").round(3).to_string(index=False))
    if args.screen:
        screen = h.screening(trajectories=args.screen, seed=args.seed)
        moving = screen.loc[h.moving(screen)]
        print(f"\nParameters that move what the counts inform (Morris mu*, relative to the largest; "
              f"{len(screen) - len(moving)} of {len(screen)} move neither by 5% of it):")
        print(moving.round(3).to_string())
    best = str(probs["reading"].iloc[int(probs["probability"].to_numpy().argmax())])
    fig = figure(best, reps[best], args.source)
    args.figure.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.figure.parent, prefix=f".{args.figure.name}.", suffix=".png")
    os.close(fd)
    fig.savefig(tmp, dpi=200)
    os.replace(tmp, args.figure)
    print(f"\nfigure of the replay under {best} -> {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

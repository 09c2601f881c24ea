"""The strategy x scenario table of the model's main outcomes: mean and 90% interval over
replications, at the final month (and the share of months in each triangle type).

Run: ``.venv/bin/python experiments/strategy_table.py [--replications 500] [--out FILE]``;
prints a Markdown table (and writes it to ``--out`` if given, atomically).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import pandas as pd

from sim.engine import simulate
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

INTERVAL = ("autonomy_prk", "aid_total_prk", "trust_chn_prk", "trust_rus_prk", "trust_prk_chn", "trust_prk_rus",
            "bid_chn", "bid_rus", "contestability_chn")
SHARES = ("share_menage_prk_chn_rus", "share_romantic_prk_chn_rus", "share_marriage_prk_chn_rus",
          "share_unit_veto_prk_chn_rus")
HEAD = ("autonomy", "aid total", "CHN trust in PRK", "RUS trust in PRK", "PRK trust in CHN", "PRK trust in RUS",
        "bid CHN", "bid RUS", "contestability")


def cell(x: pd.Series) -> str:
    lo, hi = x.quantile([0.05, 0.95])
    return f"{x.mean():.2f} [{lo:.2f}, {hi:.2f}]"


def table(replications: int, seed: int = 1) -> str:
    lines = ["| scenario | strategy | " + " | ".join(HEAD) + " | triangle: menage / romantic / marriage / "
             "unit veto | tech |", "|" + "---|" * (len(HEAD) + 4)]
    for scenario in SCENARIOS.names():
        for strategy in STRATEGIES.names():
            df = simulate(WorldSpec(strategy=strategy, scenario=scenario), replications=replications, seed=seed)
            shares = " / ".join(f"{df[c].mean():.2f}" for c in SHARES)
            lines.append(f"| {scenario} | {strategy} | " + " | ".join(cell(df[c]) for c in INTERVAL)
                         + f" | {shares} | {df['tech_transferred'].mean():.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=500)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    text = table(args.replications)
    print(text)
    if args.out:
        fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

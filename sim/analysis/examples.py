"""The documentation's example figures, rebuilt from real runs.

``python -m sim.analysis.examples [folder]`` writes into ``folder`` (default: a new
``outputs/examples/<time>``; ``--replace`` rewrites the shipped ``docs/figures``):

- ``distributions.png`` and ``fan_chart.png``: every PRK strategy in the 2024 status quo and
  with the end of Russia's war, 200 replications each, 120 months, seed 2024;
- ``sobol_trust_chn_prk.png``: Sobol' indices of China's trust in PRK (balancing, status quo)
  over :data:`sim.analysis.sobol.DEFAULT_NAMES`, N = 1024;
- ``prim_tech_transferred.png``: PRIM over 1000 runs of each of balancing, counterweight and
  additional pillar with five parameters drawn uniformly within their bounds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.figures import distributions, fan_chart, save_figure
from sim.analysis.prim import peeling_figure, sweep_discovery
from sim.analysis.sobol import model_sobol, sobol_figure
from sim.engine import simulate
from sim.params import Params, bounds
from sim.results import output_folder
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

SCENARIOS = ("status_quo_2024", "war_ends")
#: The documentation's figures, which ``--replace`` rewrites.
SHIPPED = Path("docs/figures")


def example_results(replications: int = 200, seed: int = 2024, months: int = 120) -> pd.DataFrame:
    """Every strategy in both example scenarios, one row per run and month."""
    return pd.concat([simulate(WorldSpec(strategy=s, scenario=sc, months=months), replications=replications,
                               seed=seed, record="steps") for sc in SCENARIOS for s in STRATEGIES.names()],
                     ignore_index=True)


#: Parameters drawn in the scenario-discovery example.
DRAWN = ("tech_threshold", "reliability_prk", "trust_rate", "jealousy", "war_value_rus")


def parameter_sweep(runs: int = 1000, seed: int = 2024,
                    strategies: tuple[str, ...] = ("balancing", "counterweight", "additional_pillar")) -> pd.DataFrame:
    """Runs with :data:`DRAWN` parameters drawn uniformly within their bounds, one draw per
    replication, the draws as input columns (as a sweep over parameters records them)."""
    rng = np.random.default_rng(seed)
    frames = []
    for s in strategies:
        draws = {name: rng.uniform(*bounds(name), runs) for name in DRAWN}
        frame = simulate(WorldSpec(strategy=s), replications=runs, seed=seed, params=Params.with_overrides(draws))
        at = frame.columns.get_loc("replication")
        for k, (name, values) in enumerate(draws.items()):
            frame.insert(at + k, name, values)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.analysis.examples", description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, help="output folder, new or empty (default: a new "
                    "outputs/examples/<time>, or docs/figures with --replace)")
    ap.add_argument("--replace", action="store_true",
                    help="overwrite: the shipped docs/figures (or the folder's files)")
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)
    try:
        args.folder = output_folder(args.folder, "outputs/examples", replace=args.replace, shipped=SHIPPED)
    except FileExistsError as err:
        ap.error(str(err))
    started = time.perf_counter()
    frame = example_results(args.replications, args.seed)
    written = save_figure(distributions(frame, ["autonomy_prk", "aid_total_prk", "trust_chn_prk"]),
                          args.folder / "distributions", ("png",))
    written += save_figure(fan_chart(frame, "autonomy_prk"), args.folder / "fan_chart", ("png",))
    sobol = model_sobol(WorldSpec(), "trust_chn_prk", n=1024, seed=args.seed)
    print(sobol.summary())
    title = f"China's trust in PRK (0-1), balancing, status quo 2024\nN = 1024, {sobol.evaluations} runs"
    written += save_figure(sobol_figure(sobol, title=title), args.folder / "sobol_trust_chn_prk", ("png",))
    box = sweep_discovery(parameter_sweep(seed=args.seed), "tech_transferred")
    print(box.summary())
    written += save_figure(peeling_figure(box), args.folder / "prim_tech_transferred", ("png",))
    print(f"{len(frame)} rows in {time.perf_counter() - started:.1f} s -> " + ", ".join(map(str, written)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

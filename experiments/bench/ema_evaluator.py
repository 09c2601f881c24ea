"""The batch evaluator of :mod:`sim.ema` against EMA Workbench's own evaluators, same design.

One ``perform_experiments`` design (default: 200 scenarios over every parameter's bounds, 5
policies over the levers, 10 replications of 120 months each) runs through
:class:`sim.ema.BatchEvaluator` and through ``SequentialEvaluator`` (and, with
``--multiprocessing``, ``MultiprocessingEvaluator`` on 2 processes). The outcomes must agree
bit for bit; the ratio of wall times is from one run of each (the compiled engine is warmed
up first, so compilation is not counted)::

    python experiments/bench/ema_evaluator.py
    python experiments/bench/ema_evaluator.py --scenarios 50 --policies 4   # quicker
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.ema import BatchEvaluator, trisim_model

HERE = Path(__file__).resolve().parent


def run(evaluator_cls, model, scenarios: int, policies: int, **kwargs):
    from ema_workbench import perform_experiments

    started = time.perf_counter()
    with evaluator_cls(model, **kwargs) as evaluator:
        x, y = perform_experiments(model, scenarios=scenarios, policies=policies, evaluator=evaluator,
                                   uncertainty_sampling_kwargs={"rng": 1}, lever_sampling_kwargs={"rng": 2},
                                   log_progress=False)
    return x, y, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--policies", type=int, default=5)
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--multiprocessing", action="store_true", help="also time MultiprocessingEvaluator(2)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "ema_evaluator.csv")
    args = ap.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator

    model = trisim_model(replications=args.replications, months=args.months)
    run(BatchEvaluator, model, 2, 1)  # compile (or load) the engine once, outside the timings
    rows = []
    x_b, y_b, t_b = run(BatchEvaluator, model, args.scenarios, args.policies)
    _, y_s, t_s = run(SequentialEvaluator, model, args.scenarios, args.policies)
    same = all(np.array_equal(y_b[k], y_s[k]) for k in y_b)
    runs = len(x_b) * args.replications
    rows.append(("BatchEvaluator", t_b))
    rows.append(("SequentialEvaluator", t_s))
    if args.multiprocessing:
        _, y_m, t_m = run(MultiprocessingEvaluator, model, args.scenarios, args.policies, n_processes=2)
        same = same and all(np.array_equal(y_b[k], y_m[k]) for k in y_b)
        rows.append(("MultiprocessingEvaluator(2)", t_m))
    table = pd.DataFrame(rows, columns=["evaluator", "wall_s"])
    table["experiments"], table["replications"], table["months"] = len(x_b), args.replications, args.months
    table["runs_per_s"] = (runs / table["wall_s"]).round(0)
    table["speedup_vs_sequential"] = (t_s / table["wall_s"]).round(1)
    table["wall_s"] = table["wall_s"].round(2)
    print(table.to_string(index=False))
    print(f"outcomes identical across evaluators: {same}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(f"wrote {args.out}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

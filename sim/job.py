"""The default job as a plain function: run every strategy of a validated :class:`~sim.config.Run`,
write the tidy outcome table and the strategy figure. Hydra only calls it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from sim.config import Run
from sim.engine import run as run_engine
from sim.results import provenance, write_json, write_parquet


def execute(run: Run, progress: bool = True) -> pd.DataFrame:
    """Outcomes of every strategy of ``run``, one table (strategy is a column)."""
    frames = []
    bar = tqdm(run.specs, desc="strategies", unit="strategy", disable=not (progress and sys.stderr.isatty()))
    for spec in bar:
        bar.set_postfix_str(spec.strategy)
        frames.append(run_engine(spec, engine=run.engine, replications=run.replications, seed=run.seed,
                                 params=run.params, record=run.record))
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "run_id", [f"{s}/{r}" for s, r in zip(frame["strategy"], frame["replication"])])
    for col in ("strategy", "scenario", "us_policy"):
        frame[col] = frame[col].astype("string")
    return frame


def write_outputs(frame: pd.DataFrame, out_dir: Path, parquet: str, figure: str, config: dict[str, Any],
                  seed: int) -> dict[str, Path]:
    """Write the outcome table (with provenance) and the figure into ``out_dir``."""
    meta = provenance(config=config, seed=seed)
    written = {"parquet": write_parquet(frame, out_dir / parquet, meta=meta)}
    written["manifest"] = write_json({**meta, "rows": len(frame), "files": [parquet, figure]},
                                     out_dir / "manifest.json")
    if figure:
        from sim.plots import strategy_comparison

        final = frame[frame["month"] == frame["month"].max()]
        fig = strategy_comparison(final)
        path = out_dir / figure
        tmp = path.with_name(f".{path.name}.tmp.png")
        fig.savefig(tmp, dpi=150)
        tmp.replace(path)
        written["figure"] = path
    return written

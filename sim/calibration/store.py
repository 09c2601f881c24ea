"""The shipped calibration: posterior draws, summaries and fit diagnostics in ``data/``.

Files (small CSV and JSON, written atomically by ``experiments/calibrate.py``):

- ``posterior_samples.parquet``: equally weighted posterior draws under each reading of PRK's
  strategy in 2023-24: columns ``draw``, ``reading`` and one per calibrated parameter (float32:
  seven significant digits, half the size of a CSV).
- ``posterior_summary.csv``: per reading and parameter, prior and posterior median and 90%
  interval, contraction and whether the data identify it.
- ``targets.csv``: the 2018-22 targets' prior-predictive hit rates (which carry information).
- ``screening.csv``: Morris mu* of every parameter for what the seeds' counts inform.
- ``holdout.csv``: the 2023-24 patterns' predictive probabilities under the 2018-22 fit.
- ``readings.csv``: the readings' posterior probabilities and their Monte Carlo errors.
- ``fit.json``: settings, each stage's wall time and replications, ESS and provenance.
- ``sbc.csv``: ranks of the simulation-based calibration (``experiments/sbc.py``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results import atomic_write_bytes, write_json

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {
    "samples": "posterior_samples.parquet",
    "summary": "posterior_summary.csv",
    "targets": "targets.csv",
    "screening": "screening.csv",
    "holdout": "holdout.csv",
    "readings": "readings.csv",
    "fit": "fit.json",
    "sbc": "sbc.csv",
}


class MissingCalibrationError(FileNotFoundError):
    """The shipped calibration files are not there (run ``experiments/calibrate.py``)."""


def _path(kind: str, folder: Path | None) -> Path:
    path = (folder or DATA_DIR) / FILES[kind]
    if not path.exists():
        raise MissingCalibrationError(f"no calibration file {path}; run: python experiments/calibrate.py")
    return path


def load(kind: str, folder: Path | None = None) -> pd.DataFrame | dict[str, Any]:
    """One shipped file: ``samples``, ``summary``, ``targets``, ``screening``, ``holdout``,
    ``readings``, ``sbc`` (tables) or ``fit`` (a dict)."""
    path = _path(kind, folder)
    if kind == "fit":
        return json.loads(path.read_text())
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def load_posterior(folder: Path | None = None) -> pd.DataFrame:
    """The shipped posterior draws (columns ``draw``, ``reading`` and one per parameter)."""
    return load("samples", folder)


def save_table(frame: pd.DataFrame, kind: str, folder: Path | None = None, digits: int = 6) -> Path:
    """Write a table atomically: CSV with ``digits`` significant digits, or Parquet (floats as
    float32) if the kind's file is one."""
    path = (folder or DATA_DIR) / FILES[kind]
    if path.suffix == ".parquet":
        floats = frame.select_dtypes("float").columns
        buffer = io.BytesIO()
        frame.astype(dict.fromkeys(floats, "float32")).to_parquet(buffer, index=False, compression="zstd")
        return atomic_write_bytes(path, buffer.getvalue())
    text = frame.to_csv(index=False, float_format=f"%.{digits}g")
    return atomic_write_bytes(path, text.encode())


def save_fit(info: dict[str, Any], folder: Path | None = None) -> Path:
    return write_json(info, (folder or DATA_DIR) / FILES["fit"])

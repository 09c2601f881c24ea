"""The shipped calibration: posterior draws, summaries and fit diagnostics in ``data/``.

Files (small CSV and JSON, written atomically by ``experiments/calibrate.py``):

- ``posterior_samples.csv``: equally weighted posterior draws, one column per parameter.
- ``posterior_summary.csv``: prior and posterior median and 90% interval, contraction.
- ``diagnostics.csv``: each target's band and the simulated median and 90% interval under the
  prior and under the posterior.
- ``sensitivity.csv``: Spearman correlation of each parameter with each target's statistic
  under the prior predictive (which targets a parameter most affects).
- ``fit.json``: settings, generations, simulations, wall time, ESS and provenance.
- ``sbc.csv``: ranks of the simulation-based calibration (``experiments/sbc.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results import atomic_write_bytes, write_json

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {
    "samples": "posterior_samples.csv",
    "summary": "posterior_summary.csv",
    "diagnostics": "diagnostics.csv",
    "sensitivity": "sensitivity.csv",
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
    """One shipped file: ``samples``, ``summary``, ``diagnostics``, ``sensitivity``, ``sbc`` (tables)
    or ``fit`` (a dict)."""
    path = _path(kind, folder)
    if kind == "fit":
        return json.loads(path.read_text())
    return pd.read_csv(path)


def load_posterior(folder: Path | None = None) -> pd.DataFrame:
    """The shipped posterior draws (column ``draw`` plus one column per parameter)."""
    return load("samples", folder)


def save_table(frame: pd.DataFrame, kind: str, folder: Path | None = None, digits: int = 6) -> Path:
    """Write a table atomically as CSV with ``digits`` significant digits."""
    text = frame.to_csv(index=False, float_format=f"%.{digits}g")
    return atomic_write_bytes((folder or DATA_DIR) / FILES[kind], text.encode())


def save_fit(info: dict[str, Any], folder: Path | None = None) -> Path:
    return write_json(info, (folder or DATA_DIR) / FILES["fit"])

"""Writing results so that nothing is lost: atomic files with their provenance."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PACKAGES = ("trisim", "mesa", "numpy", "scipy", "pandas", "hydra-core", "seaborn")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision(path: Path | str | None = None) -> str:
    """The git commit of the source tree (``unknown`` outside a checkout)."""
    here = Path(path) if path else Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def provenance(**extra: Any) -> dict[str, Any]:
    """What a result file records about how it was made."""
    return {"versions": package_versions(), "git_revision": git_revision(), **extra}


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: temporary file in the same folder, fsync, rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet(frame: pd.DataFrame, path: Path | str, meta: dict[str, Any] | None = None) -> Path:
    """Write ``frame`` as Parquet atomically, with ``meta`` (JSON) in the file's metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if meta:
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata({**existing, b"trisim": json.dumps(meta, default=str).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return atomic_write_bytes(path, sink.getvalue().to_pybytes())


def read_meta(path: Path | str) -> dict[str, Any]:
    """The provenance stored in a Parquet file by :func:`write_parquet`."""
    raw = (pq.read_schema(path).metadata or {}).get(b"trisim")
    return json.loads(raw) if raw else {}


def write_json(obj: Any, path: Path | str) -> Path:
    return atomic_write_bytes(path, json.dumps(obj, indent=2, default=str).encode())

"""The results store: atomic files with their provenance, so that nothing is lost.

Layout of one job's folder (a single run's ``outputs/<sweep id>``, or a sweep's
``multirun/<sweep id>/<job id>``)::

    outcomes.parquet   the tidy outcome table; its metadata holds config, seed, versions, git revision
    manifest.json      the same provenance, readable, written after the table
    config.yaml        the job's resolved config
    failure.json       instead of the table, if the job raised: config, seed, error, traceback
    .hydra/            what Hydra records (unresolved config, overrides)

A sweep's folder also holds ``sweep.json``, the plan: every job the sweep is made of. A job is
complete when its ``outcomes.parquet`` exists and records the same inputs (see
:func:`sim.config.inputs_hash`); re-running a sweep skips complete jobs.

A sweep's ``tables/`` folder holds every complete job's table and nothing else, one link
``<inputs hash>.parquet`` per job (a symbolic link to the job's ``outcomes.parquet``, or a hard
link where symbolic links cannot be made: never a copy). Plain readers read the whole sweep
there: ``pd.read_parquet("multirun/<id>/tables")``, ``pl.scan_parquet("multirun/<id>/tables")``,
DuckDB's ``read_parquet('multirun/<id>/tables/*.parquet')``. Its path has no ``key=value``
folders, so no reader infers partition columns; the inputs are columns of every row. (The job
folders beside their other files are named after their overrides, ``key=value,key=value``,
which is not hive partitioning: read them by file, with hive partitioning off.)
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PACKAGES = ("trisim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "hydra-core", "omegaconf", "seaborn")

RESULT = "outcomes.parquet"
MANIFEST = "manifest.json"
FAILURE = "failure.json"
CONFIG = "config.yaml"
PLAN = "sweep.json"
CLAIM = ".inputs_hash"  # written first: which inputs a job folder belongs to
TABLES = "tables"  # a sweep's folder of links to its complete jobs' tables


@functools.cache
def package_versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on (looked up once per process)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@functools.cache
def git_revision(path: Path | str | None = None) -> str:
    """The git commit of the source tree, ``-dirty`` if tracked files changed (``unknown`` outside
    a checkout). Looked up once per process: a sweep's jobs do not each call git."""
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
    """What a result file records about how it was made: package versions, git revision,
    Python version, the time (UTC), plus ``extra`` (config, seed, sweep and job ids...)."""
    return {"versions": dict(package_versions()), "git_revision": git_revision(),
            "python": platform.python_version(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **extra}


@functools.cache
def _file_mode() -> int:
    """Permissions of a new file under the process umask (``mkstemp`` would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: temporary file in the same folder, fsync, rename.

    A reader (or a resumed sweep) sees either the old file or the complete new one, never a
    partial file, even if the process is killed; a killed write leaves only a hidden
    ``.<name>.*.tmp`` file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def with_field_metadata(table: pa.Table, info_of: Callable[[str], dict[str, str] | None]) -> pa.Table:
    """``table`` with ``info_of(column)`` (e.g. unit and meaning, :func:`sim.job.column_info`)
    as each column's Parquet field metadata, which pyarrow, polars and DuckDB read back."""
    fields = []
    for f in table.schema:
        info = info_of(f.name)
        fields.append(f.with_metadata({**(f.metadata or {}), **{k.encode(): v.encode() for k, v in info.items()}})
                      if info else f)
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def units(path: Path | str) -> dict[str, dict[str, str]]:
    """Column name -> the unit and meaning stored in a Parquet file's field metadata."""
    return {f.name: {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
            for f in pq.read_schema(path) if f.metadata}


def write_parquet(frame: pd.DataFrame, path: Path | str, meta: dict[str, Any] | None = None,
                  columns: Callable[[str], dict[str, str] | None] | None = None) -> Path:
    """Write ``frame`` as Parquet atomically, with ``meta`` (JSON) in the file's metadata and
    ``columns(name)`` (a column's unit and meaning, :func:`sim.job.column_info`) in each
    column's field metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if columns is not None:
        table = with_field_metadata(table, columns)
    if meta:
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata({**existing, b"trisim": json.dumps(meta, default=str).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return atomic_write_bytes(path, sink.getvalue().to_pybytes())


def link_table(job_dir: Path | str, inputs_hash: str, tables: Path | str) -> Path | None:
    """Link a complete job's table into the sweep's ``tables`` folder as
    ``<inputs_hash>.parquet`` (atomically: a reader sees the old link or the new one); a
    symbolic link (relative, so the sweep folder can move), else a hard link. None if the file
    system allows neither (the job's own table is still complete)."""
    source, tables = Path(job_dir) / RESULT, Path(tables)
    tables.mkdir(parents=True, exist_ok=True)
    target = tables / f"{inputs_hash}.parquet"
    tmp = tables / f".{target.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.symlink(os.path.relpath(source, tables), tmp)
    except OSError:
        try:
            os.link(source, tmp)
        except OSError:
            return None
    os.replace(tmp, target)
    return target


def read_meta(path: Path | str) -> dict[str, Any]:
    """The provenance stored in a Parquet file by :func:`write_parquet`."""
    raw = (pq.read_schema(path).metadata or {}).get(b"trisim")
    return json.loads(raw) if raw else {}


def write_json(obj: Any, path: Path | str) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    return atomic_write_bytes(path, json.dumps(obj, indent=2, default=str).encode())


def read_json(path: Path | str) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` if it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def result_state(job_dir: Path | str, inputs_hash: str) -> str:
    """Whether ``job_dir`` holds the complete result of the job with ``inputs_hash``.

    Returns:
        ``"complete"`` (its outcome table records these inputs), ``"other"`` (a table of other
        inputs: the folder belongs to another job) or ``"none"`` (no readable table).
    """
    path = Path(job_dir) / RESULT
    if not path.is_file():
        return "none"
    try:
        meta = read_meta(path)
    except (OSError, ValueError, pa.ArrowException):
        return "none"
    return "complete" if meta.get("inputs_hash") == inputs_hash else "other"


def output_folder(out: Path | str | None, scratch: Path | str, *, replace: bool = False,
                  shipped: Path | str | None = None) -> Path:
    """Where a script that regenerates data writes: never over existing files unless asked.

    Args:
        out: the folder the user named (``--out``), or None.
        scratch: under it, a new time-stamped folder is made when ``out`` is None and the
            shipped data are not to be replaced (``outputs/calibrate/2026-12-01_10-40-00``).
        replace: overwrite (``--replace``): the shipped folder when ``out`` is None, or ``out``.
        shipped: the folder of the data the package ships (``sim/calibration/data``).

    Raises:
        FileExistsError: ``out`` already holds files and ``replace`` is false (one line).
    """
    if out is None:
        if replace and shipped is not None:
            return Path(shipped)
        stamp = dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        out = Path(scratch) / stamp
    out = Path(out)
    if not replace and out.is_dir() and any(out.iterdir()):
        raise FileExistsError(f"{out} already holds files: name a new folder with --out, or pass --replace to "
                              "overwrite them")
    return out

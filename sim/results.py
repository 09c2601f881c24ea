"""The results store: atomic files with their provenance, so that nothing is lost.

Layout of one job's folder (a single run's ``outputs/<sweep id>``, or a sweep's
``multirun/<sweep id>/<job id>``)::

    config.yaml        the job's resolved config
    manifest.json      the same provenance, readable, with the table's rows, size and SHA-256
    outcomes.parquet   the tidy outcome table; its metadata holds config, seed, versions, git revision
    failure.json       instead of the table, if the job raised: config, seed, error, traceback
    .claim.json        while a job runs: which process (pid, host) owns the folder

The table is written last: its rename is the moment the job becomes complete. A job is complete
only when its table and manifest agree (:func:`verify_result`: same size and checksum, the same
inputs, see :func:`sim.config.inputs_hash`), so a truncated or bit-flipped file is not mistaken for
a result. A sweep's folder also holds ``sweep.json``, the plan: every job the sweep is made of,
and every command that ran it.

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

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import itertools
import json
import os
import platform
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
TABLES = "tables"  # a sweep's folder of links to its complete jobs' tables
CLAIM = ".claim.json"  # while a job runs: its owner (pid, host) and inputs
LOCK = ".lock"  # flock(2) target: claims and plan updates are read-modify-write
#: A claim of another host is live while its owner refreshes it (every HEARTBEAT seconds).
HEARTBEAT = 15.0
STALE_AFTER = 6 * HEARTBEAT
#: Temporary files of atomic writes; one older than this with no live owner is debris.
TMP_GLOB = ".*.tmp"


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


def with_metadata(schema: pa.Schema, meta: dict[str, Any] | None = None,
                  columns: Callable[[str], dict[str, str] | None] | None = None) -> pa.Schema:
    """``schema`` with ``meta`` (JSON, under the key ``trisim``) in its metadata and
    ``columns(name)`` (a column's unit and meaning) in each field's metadata, as
    :func:`parquet_bytes` writes them."""
    if columns is not None:
        fields = []
        for f in schema:
            info = columns(f.name)
            fields.append(f.with_metadata({**(f.metadata or {}), **{k.encode(): v.encode() for k, v in info.items()}})
                          if info else f)
        schema = pa.schema(fields, metadata=schema.metadata)
    if meta:
        schema = schema.with_metadata({**(schema.metadata or {}), b"trisim": json.dumps(meta, default=str).encode()})
    return schema


@contextlib.contextmanager
def parquet_stream(path: Path | str, schema: pa.Schema, before_rename: Callable[[Path], None] | None = None,
                   **options: Any) -> Iterator[pq.ParquetWriter]:
    """A Parquet writer whose file appears at ``path`` only once complete: the block writes
    record batches (``writer.write_batch``) into a hidden temporary file beside ``path``, which
    is fsynced and renamed to ``path`` when the block ends, and removed if it raises (as
    :func:`atomic_write_bytes` does for whole files). Each batch becomes a row group, written
    as it comes: memory holds one batch, not the table. ``before_rename(tmp)`` is called with
    the complete temporary file just before its rename (to write a manifest of it first).
    ``options`` go to :class:`pyarrow.parquet.ParquetWriter`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        # by name, so that Arrow writes the file itself, without Python's file object (and the
        # GIL) in each write
        writer = pq.ParquetWriter(tmp, schema, **options)
        try:
            yield writer
        finally:
            writer.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _file_mode())
        if before_rename is not None:
            before_rename(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stream_parquet(path: Path | str, items: Iterable[pa.Table | pa.RecordBatch], schema: pa.Schema | None = None,
                   before_rename: Callable[[Path], None] | None = None) -> int:
    """Write ``items`` (Arrow tables or record batches, one row group each) to the Parquet file
    ``path`` through :func:`parquet_stream`, each on a second thread while the next item is
    made (the compiled model releases the GIL), so an item's memory must stay as it is until the
    item after the next is asked for. ``schema`` (default: the first item's) is the file's.
    Only names (strings and dictionaries) are dictionary-encoded: a float column seldom
    repeats, and trying costs about half the writing time. The number of rows written."""
    items = iter(items)
    first = next(items, None)
    if schema is None:
        if first is None:
            raise ValueError("stream_parquet needs a schema or at least one table")
        schema = first.schema
    names = [f.name for f in schema
             if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    rows = 0
    with parquet_stream(path, schema, before_rename=before_rename, use_dictionary=names) as writer, \
            ThreadPoolExecutor(1, thread_name_prefix="parquet") as pool:
        pending = None
        for item in itertools.chain([] if first is None else [first], items):
            if pending is not None:
                pending.result()
            pending = pool.submit(writer.write_batch if isinstance(item, pa.RecordBatch) else writer.write_table, item)
            rows += item.num_rows
        if pending is not None:
            pending.result()
    return rows


def parquet_bytes(frame: pd.DataFrame, meta: dict[str, Any] | None = None,
                  columns: Callable[[str], dict[str, str] | None] | None = None) -> bytes:
    """``frame`` as the bytes of a Parquet file, with ``meta`` (JSON) in the file's metadata and
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
    return sink.getvalue().to_pybytes()


def write_parquet(frame: pd.DataFrame, path: Path | str, meta: dict[str, Any] | None = None,
                  columns: Callable[[str], dict[str, str] | None] | None = None) -> Path:
    """Write ``frame`` as Parquet atomically (:func:`parquet_bytes`)."""
    return atomic_write_bytes(path, parquet_bytes(frame, meta, columns))


def sha256_file(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_result(frame: pd.DataFrame, job_dir: Path | str, meta: dict[str, Any],
                 files: list[str] | None = None,
                 columns: Callable[[str], dict[str, str] | None] | None = None) -> Path:
    """Write a job's table and its manifest: the manifest (rows, size, checksum) first, the table
    last, each atomically, so that the table's rename is what makes the job complete."""
    job_dir = Path(job_dir)
    data = parquet_bytes(frame, meta, columns)
    write_manifest(job_dir, meta, files, len(frame), len(data), hashlib.sha256(data).hexdigest())
    return atomic_write_bytes(job_dir / RESULT, data)


def write_manifest(job_dir: Path | str, meta: dict[str, Any], files: list[str] | None, rows: int, size: int,
                   sha256: str) -> Path:
    """Write a job's ``manifest.json``: its provenance ``meta``, its files and its table's rows,
    size in bytes and SHA-256 (what :func:`verify_result` checks)."""
    manifest = {"status": "complete", **meta, "files": files or [RESULT, MANIFEST, CONFIG],
                "result": {"rows": rows, "bytes": size, "sha256": sha256}}
    return write_json(manifest, Path(job_dir) / MANIFEST)


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


@dataclass(frozen=True)
class Verdict:
    """What a job folder's result files are worth.

    Attributes:
        state: ``complete`` (table and manifest agree), ``damaged`` (a table that does not read
            whole or does not match its manifest), ``unverified`` (a table without a manifest
            that reads whole: a file written with :func:`write_parquet`, not by a job), or
            ``none`` (no table).
        reason: for a damaged or unverified table, why, in a few words.
        manifest: the manifest (for a complete table; the table's own metadata for an
            unverified one), else ``None``.
    """

    state: str
    reason: str = ""
    manifest: dict[str, Any] | None = None

    @property
    def inputs_hash(self) -> str | None:
        return (self.manifest or {}).get("inputs_hash")


def verify_result(job_dir: Path | str) -> Verdict:
    """Check that ``job_dir/outcomes.parquet`` is the table its manifest describes.

    A job's table counts only if the manifest exists and the table has the manifest's size and SHA-256
    (this catches truncation and flipped bytes that leave the Parquet footer readable), and its
    own metadata records the manifest's inputs and rows. Tables written before manifests held a
    checksum are read whole instead.
    """
    job_dir = Path(job_dir)
    path = job_dir / RESULT
    if not path.is_file():
        return Verdict("none")
    manifest = read_json(job_dir / MANIFEST)
    if not manifest:  # a table written alone (write_parquet): it counts for queries if it reads whole
        try:
            pq.read_table(path)
            meta = read_meta(path)
        except (OSError, ValueError, pa.ArrowException) as err:
            return Verdict("damaged", f"unreadable ({type(err).__name__}: {str(err).splitlines()[0][:120]})")
        return Verdict("unverified", "no manifest.json beside it", meta)
    expected = manifest.get("result")
    try:
        if expected:
            size = path.stat().st_size
            if size != expected.get("bytes"):
                return Verdict("damaged", f"{size} bytes, the manifest says {expected.get('bytes')}")
            if sha256_file(path) != expected.get("sha256"):
                return Verdict("damaged", "checksum differs from the manifest's")
            rows = pq.read_metadata(path).num_rows
        else:  # a manifest without a checksum: the table must at least read whole
            rows = pq.read_table(path).num_rows
        meta = read_meta(path)
    except (OSError, ValueError, pa.ArrowException) as err:
        return Verdict("damaged", f"unreadable ({type(err).__name__}: {str(err).splitlines()[0][:120]})")
    if rows != manifest.get("rows") or meta.get("inputs_hash") != manifest.get("inputs_hash"):
        return Verdict("damaged", f"{rows} rows / inputs {meta.get('inputs_hash')}, the manifest says "
                                  f"{manifest.get('rows')} / {manifest.get('inputs_hash')}")
    return Verdict("complete", manifest=manifest)


def result_state(job_dir: Path | str, inputs_hash: str) -> str:
    """Whether ``job_dir`` holds the complete result of the job with ``inputs_hash``.

    Returns:
        ``"complete"`` (a verified table of these inputs), ``"other"`` (a verified table of other
        inputs: the folder belongs to another job) or ``"none"`` (no table, or a damaged one,
        which a resumed sweep runs again).
    """
    verdict = verify_result(job_dir)
    if verdict.state != "complete":
        return "none"
    return "complete" if verdict.inputs_hash == inputs_hash else "other"


def remove_stale_temporaries(folder: Path | str, older_than: float = 0.0) -> list[Path]:
    """Delete the temporary files of interrupted atomic writes in ``folder`` (not below it).

    Only call this for a folder nobody else is writing to (a job folder one holds the claim of),
    or with ``older_than`` seconds large enough that no write in progress can be that old.
    """
    removed = []
    now = time.time()
    for tmp in Path(folder).glob(TMP_GLOB):
        try:
            if now - tmp.stat().st_mtime >= older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass  # gone already, or not ours to delete
    return removed


# --- claims: which process owns a job folder ---------------------------------------------------


@contextlib.contextmanager
def locked(folder: Path | str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder/.lock`` (created if missing) for a read-modify-write."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot), to tell it from a reused pid.

    ``None`` if it does not run: no such process, or a zombie (dead, not yet reaped; a worker
    orphaned under a container's init that never reaps stays one).
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def me() -> dict[str, Any]:
    """This process as a claim owner: pid, host and start time."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "start": _process_start(os.getpid())}


def owner_alive(owner: dict[str, Any], claim_age: float) -> bool:
    """Whether the process that wrote a claim still runs.

    On this host: its pid exists and started when the claim says. On another host (a cluster
    node) it cannot be asked, so the claim lives while its owner refreshes it.
    """
    if owner.get("host") != socket.gethostname():
        return claim_age < STALE_AFTER
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    start = _process_start(pid)
    return start is not None and (owner.get("start") is None or start == owner.get("start"))


def live_claim(job_dir: Path | str) -> dict[str, Any] | None:
    """The claim on ``job_dir`` if its owner still runs, else ``None``."""
    path = Path(job_dir) / CLAIM
    record = read_json(path)
    if not record:
        return None
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    return record if owner_alive(record.get("owner") or {}, age) else None


class ClaimedElsewhereError(Exception):
    """The job folder is held by another live process."""

    def __init__(self, owner: dict[str, Any]) -> None:
        super().__init__(f"running in process {owner.get('pid')} on {owner.get('host')}")
        self.owner = owner


@contextlib.contextmanager
def claimed(job_dir: Path | str, inputs_hash: str, heartbeat: float = HEARTBEAT) -> Iterator[dict[str, Any]]:
    """Own ``job_dir`` while the block runs: no other run computes the same job meanwhile.

    The claim names its owner (pid, host, start time); a claim whose owner died is taken over.
    While held it is refreshed every ``heartbeat`` seconds, so that runs on other hosts can tell
    a live claim from a dead one. It is removed when the block ends.

    Raises:
        ClaimedElsewhereError: a live process of another run holds the folder.
    """
    job_dir = Path(job_dir)
    path = job_dir / CLAIM
    owner = me()
    with locked(job_dir):
        current = live_claim(job_dir)
        if current and current.get("owner") != owner:
            raise ClaimedElsewhereError(current["owner"])
        record = {"owner": owner, "inputs_hash": inputs_hash,
                  "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        write_json(record, path)
    stop = threading.Event()

    def refresh() -> None:
        while not stop.wait(heartbeat):
            with contextlib.suppress(OSError):
                os.utime(path)

    beat = threading.Thread(target=refresh, name="claim-heartbeat", daemon=True)
    beat.start()
    try:
        yield record
    finally:
        stop.set()
        beat.join()
        with contextlib.suppress(OSError), locked(job_dir):
            if (read_json(path) or {}).get("owner") == owner:
                path.unlink()


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

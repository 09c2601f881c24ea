"""The catalog: one DuckDB connection over the results of every run and sweep.

Four views, each a table you can query with SQL:

- ``results``: one row per run, its last month (``read_parquet`` over a glob per results folder,
  ``union_by_name``, plus a ``filename`` column); inputs and outcomes on one row, keyed by
  ``run_id``. An unfiltered ``avg()`` over it is an average over runs.
- ``steps``: one row per run and month, of the jobs run with ``record=steps`` (the final rows
  are there too, as each run's last month).
- ``jobs``: one row per job, planned or run: ``sweep_id``, ``job_id``, ``status``
  (``complete``, ``failed`` or ``missing``), ``rows``, ``seed``, ``seconds``, ``created``,
  ``git_revision``, ``error`` (first line, for failed jobs), ``path``, ``sweep_dir``.
- ``sweeps``: one row per sweep: its jobs by status, its rows, when it ran.

Only verified result files are read (:func:`sim.results.verify_result`: the table matches its
manifest's size and checksum): a truncated or damaged file is skipped with one line naming it
on stderr, its job shows as ``missing`` with the reason in ``error``, and every other answer
stands. From Python: ``query("SELECT ...")`` returns a DataFrame. From the shell::

    trisim catalog                          # the sweeps and their status
    trisim catalog --jobs war1              # the jobs of sweep war1
    trisim catalog --failed                 # failed jobs, with their error
    trisim catalog "SELECT strategy, avg(autonomy_prk) FROM results GROUP BY ALL"
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from sim.results import FAILURE, PLAN, RESULT, read_json, verify_result

#: Where single runs (``outputs/``) and sweeps (``multirun/``) write, relative to the working folder.
DEFAULT_ROOTS = ("outputs", "multirun")
VIEWS = ("results", "steps", "jobs", "sweeps")
JOB_COLUMNS = ("sweep_id", "job_id", "status", "rows", "seed", "seconds", "created", "git_revision", "error",
               "path", "sweep_dir")

SWEEPS_SQL = """
SELECT sweep_id, sweep_dir,
       CASE WHEN count(*) FILTER (status = 'failed') > 0 THEN 'failed'
            WHEN count(*) FILTER (status = 'missing') > 0 THEN 'incomplete'
            ELSE 'complete' END AS status,
       count(*) AS jobs,
       count(*) FILTER (status = 'complete') AS complete,
       count(*) FILTER (status = 'failed') AS failed,
       count(*) FILTER (status = 'missing') AS missing,
       coalesce(sum(rows), 0)::BIGINT AS rows,
       min(created) AS started,
       max(created) AS finished
FROM jobs
GROUP BY sweep_id, sweep_dir
ORDER BY finished DESC NULLS LAST, sweep_id
"""


def _roots(roots: Sequence[str | Path] | str | Path | None) -> list[Path]:
    if roots is None:
        roots = DEFAULT_ROOTS
    if isinstance(roots, (str, Path)):
        roots = [roots]
    return [Path(r) for r in roots]


def result_files(roots: Sequence[str | Path] | str | Path | None = None, warn: bool = True) -> tuple[
        list[Path], dict[Path, tuple[dict, str]]]:
    """Every result file under ``roots`` that verifies, and the verdict on each file found.

    Args:
        roots: results folders (default: ``outputs`` and ``multirun``).
        warn: print one line on stderr for each damaged file skipped.

    Returns:
        The verified ``outcomes.parquet`` paths, and for every file found its manifest (``{}``
        if damaged) and why it was skipped (``""`` if it verified).
    """
    good, verdicts = [], {}
    for root in _roots(roots):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob(RESULT)):
            verdict = verify_result(path.parent)
            if verdict.state in ("complete", "unverified"):  # unverified: a table not written by a job
                good.append(path)
                verdicts[path] = (verdict.manifest or {}, "")
            else:
                verdicts[path] = ({}, verdict.reason)
                if warn:
                    print(f"trisim: skipping {path}: {verdict.reason}", file=sys.stderr)
    return good, verdicts


def _sweep_dir(job_dir: Path) -> Path:
    return job_dir.parent if (job_dir.parent / PLAN).exists() else job_dir


def jobs(roots: Sequence[str | Path] | str | Path | None = None,
         verdicts: dict[Path, tuple[dict, str]] | None = None) -> pd.DataFrame:
    """Every job under ``roots`` with its status: complete (a verified result file, described by
    its manifest), failed (``failure.json``) or missing (planned in a ``sweep.json`` but with
    neither, or with a damaged result: ``error`` says why)."""
    if verdicts is None:
        _, verdicts = result_files(roots, warn=False)
    records: dict[tuple[str, str], dict] = {}
    damaged: dict[Path, str] = {}
    for file, (m, reason) in verdicts.items():
        path = file.parent
        if reason:
            damaged[path] = f"result skipped: {reason}"
            continue
        records[(m.get("sweep_id"), m.get("job_id"))] = {
            "sweep_id": m.get("sweep_id"), "job_id": m.get("job_id"), "status": "complete",
            "rows": m.get("rows"), "seed": m.get("seed"), "seconds": m.get("seconds"),
            "created": m.get("created"), "git_revision": m.get("git_revision"), "error": None,
            "path": str(path), "sweep_dir": str(_sweep_dir(path)),
        }
    for root in _roots(roots):
        if not root.is_dir():
            continue
        for file in root.rglob(FAILURE):
            m = read_json(file) or {}
            key = (m.get("sweep_id"), m.get("job_id"))
            if key in records:  # a failure record beside a complete result is stale
                continue
            records[key] = {
                "sweep_id": m.get("sweep_id"), "job_id": m.get("job_id"), "status": "failed", "rows": 0,
                "seed": m.get("seed"), "seconds": None, "created": m.get("created"),
                "git_revision": m.get("git_revision"), "error": m.get("error"),
                "path": str(file.parent), "sweep_dir": str(_sweep_dir(file.parent)),
            }
        for file in root.rglob(PLAN):
            plan = read_json(file) or {}
            for job in plan.get("jobs", []):
                key = (plan.get("sweep_id"), job.get("job_id"))
                if key not in records:
                    path = file.parent / key[1]
                    records[key] = {
                        "sweep_id": key[0], "job_id": key[1], "status": "missing", "rows": 0, "seed": None,
                        "seconds": None, "created": None, "git_revision": None, "error": damaged.get(path),
                        "path": str(path), "sweep_dir": str(file.parent),
                    }
    frame = pd.DataFrame(list(records.values()), columns=list(JOB_COLUMNS))
    frame = frame.astype({"rows": "Int64", "seed": "Int64", "seconds": "Float64",
                          **{c: "string" for c in JOB_COLUMNS if c not in ("rows", "seed", "seconds")}})
    return frame.sort_values(["sweep_id", "job_id"], ignore_index=True)


def connect(roots: Sequence[str | Path] | str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views ``results`` (final rows), ``steps``
    (per-month rows), ``jobs`` and ``sweeps``."""
    con = duckdb.connect()
    files, verdicts = result_files(roots)
    if files:
        listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)  # a view takes no parameters
        con.execute(f"CREATE VIEW all_rows AS SELECT * FROM read_parquet([{listed}], union_by_name = true, "
                    "filename = true)")
        steps = [str(f) for f in files if (verdicts[f][0].get("config") or {}).get("record") == "steps"]
        con.register("step_files", pd.DataFrame({"filename": steps}, dtype="string"))
        # per-month rows and final rows are kept apart so that no aggregate mixes them
        con.execute("CREATE VIEW steps AS SELECT * FROM all_rows WHERE filename IN (SELECT filename FROM step_files)")
        con.execute("CREATE VIEW results AS "
                    "SELECT * FROM all_rows WHERE filename NOT IN (SELECT filename FROM step_files) "
                    "UNION ALL BY NAME "
                    "SELECT * FROM steps QUALIFY month = max(month) OVER (PARTITION BY filename, run_id)")
    else:  # no result yet: empty tables with the identity columns
        for view in ("results", "steps"):
            con.execute(f"CREATE VIEW {view} AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS sweep_id, "
                        "NULL::VARCHAR AS job_id, NULL::VARCHAR AS filename WHERE false")
    con.register("jobs_frame", jobs(roots, verdicts))
    con.execute("CREATE VIEW jobs AS SELECT * FROM jobs_frame")
    con.execute(f"CREATE VIEW sweeps AS {SWEEPS_SQL}")
    return con


def query(sql: str = "SELECT * FROM sweeps", roots: Sequence[str | Path] | str | Path | None = None,
          params: dict | list | None = None) -> pd.DataFrame:
    """Run ``sql`` over the views ``results``, ``jobs`` and ``sweeps``; the answer as a DataFrame.

    Args:
        sql: a DuckDB query, e.g. ``"SELECT strategy, avg(autonomy_prk) FROM results GROUP BY ALL"``.
        roots: results folders to read (default: ``outputs`` and ``multirun``).
        params: values for ``$name`` or ``?`` placeholders in ``sql``.
    """
    con = connect(roots)
    try:
        rel = con.sql(sql, params=params)
        return rel.df() if rel is not None else pd.DataFrame()
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    """``trisim catalog [SQL] [--jobs [SWEEP]] [--failed] [--root DIR] [--csv]``."""
    parser = argparse.ArgumentParser(
        prog="trisim catalog",
        description="Query the results of every run and sweep with SQL (DuckDB). Views: results (one row "
                    "per replication, inputs and outcomes), jobs (one row per job, with its status), sweeps.")
    parser.add_argument("sql", nargs="?", help="a query; default: the sweeps and their status")
    parser.add_argument("--jobs", nargs="?", const="", metavar="SWEEP", help="list the jobs (of SWEEP)")
    parser.add_argument("--failed", action="store_true", help="list failed jobs with their error")
    parser.add_argument("--root", action="append", metavar="DIR",
                        help=f"results folder to read (repeatable; default: {', '.join(DEFAULT_ROOTS)})")
    parser.add_argument("--csv", action="store_true", help="print every row as CSV instead of a table")
    args = parser.parse_args(argv)
    roots = args.root or DEFAULT_ROOTS
    if sum(x is not None and x is not False for x in (args.sql, args.jobs, args.failed or None)) > 1:
        parser.error("give one of: SQL, --jobs, --failed")
    sql, params = "SELECT * FROM sweeps", None
    if args.jobs is not None:
        sql = "SELECT sweep_id, job_id, status, rows, seed, seconds, error FROM jobs"
        if args.jobs:
            sql, params = sql + " WHERE sweep_id = $sweep", {"sweep": args.jobs}
        sql += " ORDER BY sweep_id, status, job_id"
    elif args.failed:
        sql = "SELECT sweep_id, job_id, seed, error, path FROM jobs WHERE status = 'failed' ORDER BY sweep_id, job_id"
    elif args.sql:
        sql = args.sql
    if not any(Path(r).is_dir() for r in roots):
        print(f"trisim: no results yet under {', '.join(map(str, roots))} (run trisim first)", file=sys.stderr)
        return 0
    con = connect(roots)
    try:
        rel = con.sql(sql, params=params)
        if rel is None:  # a statement without a result
            return 0
        if args.csv:
            rel.df().to_csv(sys.stdout, index=False)
        else:
            width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 100_000  # piped: every column
            rel.show(max_rows=200, max_col_width=80, max_width=width)
    except duckdb.Error as err:
        print(f"trisim: error: {str(err).splitlines()[0]} (views: {', '.join(VIEWS)})", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0

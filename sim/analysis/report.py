"""``trisim report <path>``: every figure of a set of results, as PNG and PDF, plus a short
Markdown report that lists them.

``<path>`` is any folder holding trisim Parquet result files (a sweep's folder, a single run's
``outputs/<id>`` folder, or files written with :func:`sim.results.write_parquet`), a single
Parquet file, or the id of a sweep under ``multirun/`` or ``outputs/``. All ``*.parquet`` files
below it are read together (DuckDB ``read_parquet(..., union_by_name=true)``), whether they
hold one row per run or one row per run and month. The report goes to ``<path>/report/``
unless ``--out`` says otherwise.

Runs that differ are never pooled. Every configuration value that differs between the files
read (scenario, US and patron policies, switches, scenario and strategy options, months,
engine, calibration, parameters: the resolved config each job stores in its Parquet metadata)
and every input column that differs between runs becomes a facet: one column of panels, and
one block of the summary table, per combination (``war ends · end month 12``). Replications
of one setting pool (seed and replication count never split a report). Two kinds of mix are
refused with one line that names them: runs of different lengths (their months cannot share
a time axis), and the same (setting, seed, replication) found twice (a sweep run twice under
one name). Every figure says what was run: the settings all its runs share that differ from
the defaults.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.analysis import figures as figs
from sim.analysis.labels import outcome_label, scenario_label, scenario_order, strategy_label, strategy_order
from sim.outcomes import CATEGORICAL
from sim.plots import STANDARD_INPUTS, run_settings, setting_text
from sim.results import atomic_write_bytes, read_meta

#: Inputs that, besides the scenario, split the results into facets when they vary.
FACET_INPUTS = ("scenario", "us_policy", "chn_policy", "rus_policy")
#: Outcomes of the fan charts.
FAN_OUTCOMES = ("autonomy_prk", "aid_total_prk", "trust_chn_prk", "trust_prk_rus")
#: Outcomes summarised in the report's table.
TABLE_OUTCOMES = ("autonomy_prk", "aid_total_prk", "food_coverage", "trust_chn_prk", "trust_rus_prk",
                  "tech_transferred", "alliance_ever")
#: Most facet columns in one figure; more are split over several numbered figures.
MAX_FACETS = 4
#: Condition tried for scenario discovery when none is given, in order.
PRIM_DEFAULTS = ("tech_transferred", "alliance_ever")
#: Config keys that never split a report: replications of one setting pool whatever their
#: seed and number, whether months were recorded, and which strategies a job ran (strategy is
#: a column of its own, schedules included); plugins only say where code came from.
POOLED_KEYS = ("seed", "replications", "record", "plugins")
POOLED_PREFIXES = ("strategy.names", "strategy.schedule", "hydra", "output", "sweep")


class ReportError(ValueError):
    """Bad input to the report: a missing folder, no result files, an unknown outcome."""


@dataclass
class Results:
    """The result files of a report, read once.

    Attributes:
        source: the folder (or file) the results came from.
        files: the Parquet files read.
        final: one row per run (each run's last month).
        steps: one row per run and month, for the runs in the time-series figures (``None``
            if the files hold only final rows).
        facet: column of ``final``/``steps`` whose values are the figures' facet columns.
        sampled: runs left out of the time-series figures per strategy and facet (0: none).
        settings: the columns whose values split the runs into facets (besides the scenario).
        what: what every run shares, as a figure shows it under its title.
        start: calendar month of month 0 (``"2018-01"``), when the scenario has a calendar.
    """

    source: Path
    files: list[Path]
    final: pd.DataFrame
    steps: pd.DataFrame | None
    facet: str
    sampled: int = 0
    settings: list[str] = field(default_factory=list)
    what: str = ""
    start: str | None = None


@dataclass
class Report:
    """What a report wrote: figures (stem -> caption) and notes about what was skipped."""

    out: Path
    figures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    prim_text: str = ""
    files: list[Path] = field(default_factory=list)


def resolve(path: str) -> Path:
    """The folder or file of ``path``, or the folder of the sweep with that id: ``multirun/<id>``,
    ``outputs/<id>``, or the ``sweep_dir`` the catalog (:mod:`sim.sweep.catalog`) records for it."""
    p = Path(path)
    if p.exists():
        return p
    for root in (Path("multirun"), Path("outputs")):
        if (root / path).is_dir():
            return root / path
    try:
        from sim.sweep.catalog import jobs
    except ImportError:  # the sweep extra is not installed
        jobs = None
    if jobs is not None:
        known = jobs()
        dirs = sorted(set(known.loc[known["sweep_id"] == path, "sweep_dir"].dropna()))
        if len(dirs) == 1:
            return Path(dirs[0])
        if len(dirs) > 1:
            raise ReportError(f"sweep id {path!r} names several folders ({', '.join(dirs)}); give one of them")
    raise ReportError(f"no such folder, file or sweep: {path!r} (looked in ., multirun/, outputs/ and the catalog)")


def find_files(source: Path, exclude: Path | None = None) -> list[Path]:
    """The Parquet files under ``source`` (or ``source`` itself), not those under ``exclude``."""
    if source.is_file():
        if source.suffix != ".parquet":
            raise ReportError(f"{source} is not a Parquet file")
        return [source]
    files, seen = [], set()
    for p in sorted(p for p in source.rglob("*.parquet") if p.is_file()):
        st = p.stat()  # a sweep's tables/ links to its jobs' tables: read each file once
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            files.append(p)
    if exclude is not None:
        ex = exclude.resolve()
        files = [p for p in files if ex not in p.resolve().parents]
    if not files:
        raise ReportError(f"no Parquet result files under {source}")
    return files


def _sql_list(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"


def load(source: Path, files: list[Path], max_runs: int = 1000,
         fan_outcomes: tuple[str, ...] | list[str] = FAN_OUTCOMES) -> Results:
    """Read ``files`` with DuckDB: every run's last month, and, for the time-series figures,
    the monthly rows (aid and ``fan_outcomes`` columns) of at most ``max_runs`` runs per
    strategy and facet, the first ones in file order."""
    import duckdb

    con = duckdb.connect()
    scan = (f"read_parquet({_sql_list(files)}, union_by_name=true, filename=true, "
            "hive_partitioning=false)")
    try:
        columns = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
    except duckdb.Error as err:
        raise ReportError(f"cannot read the result files: {str(err).splitlines()[0]}") from None
    missing = [c for c in ("strategy",) if c not in columns]
    if missing:
        raise ReportError(f"the files are not trisim outcome tables (no {', '.join(missing)} column)")
    key_cols = [c for c in ("run_id", "strategy", "scenario", "us_policy", "chn_policy", "rus_policy", "seed",
                            "replication") if c in columns]
    key = "concat_ws('|', filename, " + ", ".join(f'CAST("{c}" AS VARCHAR)' for c in key_cols) + ")"
    con.sql(f"CREATE VIEW results AS SELECT *, filename AS source, {key} AS run_key FROM {scan}")
    if "month" in columns:
        final = con.sql("SELECT * EXCLUDE (filename) FROM results "
                        "QUALIFY month = max(month) OVER (PARTITION BY run_key)").df()
        months = con.sql("SELECT count(DISTINCT month) FROM results").fetchall()[0][0]
    else:
        final, months = con.sql("SELECT * EXCLUDE (filename) FROM results").df(), 1
    final = tidy(final)
    configs = {str(p): flat_config(read_meta(p).get("config") or {}) for p in files}
    from_config = add_config_columns(final, configs)
    settings = [*from_config, *varying_inputs(final, exclude=from_config)]
    check_months(final)
    check_duplicates(final, settings)
    inputs, categories = add_facet(final, settings=settings)
    facet = "facet"
    steps, sampled = None, 0
    if months > 1:
        groups = final.groupby(["strategy", facet], observed=True)
        picked = final.loc[groups.cumcount() < max_runs, ["run_key"]].drop_duplicates()
        sampled = int(max(groups.size().max() - max_runs, 0))
        wanted = [c for c in columns if c in {*figs.AID_COLUMNS, *fan_outcomes, "strategy", *FACET_INPUTS, "month",
                                              *settings}]
        select = ", ".join(['source', 'run_key', *(f'"{c}"' for c in wanted)])
        con.register("picked", picked)
        steps = con.sql(f"SELECT {select} FROM results WHERE run_key IN (SELECT run_key FROM picked)").df()
        steps = tidy(steps)
        add_config_columns(steps, configs, only=from_config)
        add_facet(steps, inputs, categories)
    return Results(source=source, files=files, final=final, steps=steps, facet=facet, sampled=sampled,
                   settings=[c for c in inputs if c != "scenario"], what=shared_settings(final, configs, inputs),
                   start=calendar_start(final))


def flat_config(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A job's resolved config as ``{"params.value_chn": 3.0, "scenario.options.end_month": 12, ...}``,
    without the keys that never split a report (:data:`POOLED_KEYS`, :data:`POOLED_PREFIXES`)."""
    out: dict[str, Any] = {}
    for k, v in config.items():
        key = f"{prefix}{k}"
        if key in POOLED_KEYS or key.startswith(POOLED_PREFIXES):
            continue
        if isinstance(v, dict) and v:
            out.update(flat_config(v, f"{key}."))
        elif isinstance(v, dict):
            continue  # no options: the same as options that are not set
        else:
            out[key] = json.dumps(v, sort_keys=True) if isinstance(v, list) else v
    return out


def column_name(key: str) -> str:
    """The result column of config key ``key``, named as a sweep's input columns are
    (:func:`sim.job.input_columns`): ``params.value_chn`` -> ``value_chn``,
    ``scenario.options.end_month`` -> ``scenario_end_month``, ``scenario.name`` -> ``scenario``."""
    if key.endswith(".name") and key.count(".") == 1:
        return key.removesuffix(".name")
    return key.removeprefix("params.").replace(".options.", "_").replace(".", "_")


def add_config_columns(frame: pd.DataFrame, configs: dict[str, dict[str, Any]],
                       only: list[str] | None = None) -> list[str]:
    """Add a column for each config value that differs between the files (unless the table has
    it already); the names of the columns that tell those files apart.

    Args:
        frame: rows with a ``source`` column (the file each came from); changed in place.
        configs: flattened config of each file (:func:`flat_config`); files without one are skipped.
        only: add just these columns (the ones found for another table of the same files).
    """
    known = {f: c for f, c in configs.items() if c}
    keys = sorted({k for c in known.values() for k in c})
    out = []
    for key in keys:
        values = {f: c.get(key) for f, c in known.items()}
        if len({json.dumps(v, sort_keys=True, default=str) for v in values.values()}) < 2:
            continue
        col = column_name(key)
        if only is not None and col not in only:
            continue
        if col not in frame.columns:
            frame[col] = frame["source"].map(lambda f, v=values: v.get(str(f)))
        if col not in out:
            out.append(col)
    return out


def varying_inputs(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    """Input columns whose value differs between runs but is one value within each file: what
    a job set by override or a sweep varied. Inputs drawn per replication (a calibration's
    parameter draws) vary within a file and pool."""
    if "replication" not in frame.columns:
        return []
    out = []
    before = [c for c in frame.columns[: frame.columns.get_loc("replication")] if c not in exclude]
    for col in ("calibration", *before):
        if col in out or col in exclude or col in FACET_INPUTS or col not in frame.columns:
            continue
        if col in STANDARD_INPUTS and col != "calibration":
            continue
        if frame[col].nunique(dropna=False) > 1 and frame.groupby("source")[col].nunique(dropna=False).max() == 1:
            out.append(col)
    return out


def check_months(final: pd.DataFrame) -> None:
    """Refuse runs of different lengths: a fan chart of 12-month and 120-month runs would draw a
    straight line from month 12 to month 120 (a trend that does not exist)."""
    if "month" not in final.columns:
        return
    per_file = final.groupby("source")["month"].max()
    if per_file.nunique() < 2:
        return
    parts = []
    for months, group in per_file.groupby(per_file):
        parts.append(f"{int(months)} months in {len(group)} file(s) (e.g. {group.index[0]})")
    raise ReportError("these runs cannot share a time axis: " + "; ".join(parts)
                      + ". Report each length on its own (give its folder or file)")


def check_duplicates(final: pd.DataFrame, settings: Sequence[str]) -> None:
    """Refuse a (setting, seed, replication) that occurs in two files: the same runs counted twice."""
    keys = [c for c in ("strategy", *FACET_INPUTS, "calibration", *settings, "seed", "draw", "replication")
            if c in final.columns]
    keys = list(dict.fromkeys(keys))
    if "replication" not in keys:
        return
    extra = final.duplicated(keys)
    if not extra.any():
        return
    dup = final[final.duplicated(keys, keep=False)]
    files = list(dict.fromkeys(dup["source"].astype(str)))
    reps = dup["replication"].astype(int)
    raise ReportError(f"{int(extra.sum())} runs appear more than once (same settings, seed and replication, "
                      f"replications {reps.min()}-{reps.max()}) in {len(files)} files, e.g. {files[0]} and "
                      f"{files[-1]}: a sweep run twice under one name? Report one copy (give its folder)")


def shared_settings(final: pd.DataFrame, configs: dict[str, dict[str, Any]], facet_inputs: Sequence[str]) -> str:
    """What every run shares, as a figure's subtitle: the scenario and US policy (unless they are
    facets), the calibration, the months, and each setting that differs from the defaults."""
    from sim.config import RunConfig, job_inputs

    parts = []
    for col in ("scenario", "us_policy"):
        if col in final.columns and col not in facet_inputs and final[col].nunique() == 1:
            value = scenario_label(final[col].iloc[0])
            parts.append(value if col == "scenario" else f"US {value}")
    known = [c for c in configs.values() if c]
    shared = {k: v for k, v in known[0].items() if all(c.get(k) == v for c in known[1:])} if known else {}
    if "calibration" not in facet_inputs:
        if "calibration" in final.columns and final["calibration"].nunique() == 1:
            parts.append(f"{final['calibration'].iloc[0]} calibration")
        elif "calibration.name" in shared:
            parts.append(f"{shared['calibration.name']} calibration")
    if "month" in final.columns:
        parts.append(f"{int(final['month'].max())} months")
    if known:
        defaults = flat_config(job_inputs(RunConfig()))
        changed = [(column_name(k), v) for k, v in shared.items()
                   if defaults.get(k) != v and column_name(k) not in (*facet_inputs, "scenario", "us_policy",
                                                                      "calibration", "months")]
    else:  # results without their config (written by hand): what the columns say
        changed = [(k, v) for k, v in run_settings(final) if k not in (*facet_inputs, "calibration")]
    if changed:
        parts.append("settings: " + ", ".join(setting_text(k, v) for k, v in changed))
    else:
        parts.append("default settings")
    return " · ".join(parts)


def calendar_start(final: pd.DataFrame) -> str | None:
    """The calendar month of month 0 (``"2018-01"``) if every scenario in the results has one
    (a scenario's ``start`` attribute), else None."""
    if "scenario" not in final.columns:
        return None
    from sim.scenarios import SCENARIOS

    starts = set()
    for name in final["scenario"].dropna().unique():
        try:
            starts.add(getattr(SCENARIOS.create(str(name)), "start", None))
        except (KeyError, TypeError, ValueError):
            return None
    return starts.pop() if len(starts) == 1 else None


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical outcomes back to their ordered levels; input columns as text."""
    for col, levels in CATEGORICAL.items():
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col].astype("string"), categories=list(levels))
    for col in ("strategy", *FACET_INPUTS):
        if col in frame.columns:
            frame[col] = frame[col].astype("string").fillna("unknown")
    return frame


def facet_part(col: str, value: Any) -> str:
    """One input's part of a facet's name: scenarios and policies by name, other settings as
    :func:`sim.plots.setting_text` writes them (``end month 12``, ``jealousy off``)."""
    if col in FACET_INPUTS:
        return scenario_label(value)
    return setting_text(col, value)


def add_facet(frame: pd.DataFrame, inputs: list[str] | None = None,
              categories: list[str] | None = None, settings: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Add the ``facet`` column: the scenario, joined with each policy and setting that varies in
    the results (``war ends · engagement``, ``war ends · end month 12``), as an ordered categorical.

    Args:
        frame: result rows; changed in place.
        inputs, categories: reuse the inputs and facet order found for another table.
        settings: further columns whose values split the runs (:func:`add_config_columns`,
            :func:`varying_inputs`).

    Returns:
        The inputs the facet joins and the facet values in order.
    """
    if inputs is None:
        inputs = [c for c in FACET_INPUTS if c in frame.columns and (c == "scenario" or frame[c].nunique() > 1)]
        inputs += [c for c in settings if c in frame.columns and c not in inputs]
    if not inputs:
        frame["facet"] = pd.Categorical(["all runs"] * len(frame))
        return [], ["all runs"]
    labels = frame[inputs[0]].map(lambda v: facet_part(inputs[0], v)).astype("string")
    for c in inputs[1:]:
        labels = labels + " · " + frame[c].map(lambda v, c=c: facet_part(c, v)).astype("string")
    if categories is None:
        order = frame[inputs].drop_duplicates()
        rank = {v: i for i, v in enumerate(scenario_order(order[inputs[0]]))}
        order = order.assign(_rank=order[inputs[0]].map(rank)).sort_values(["_rank", *inputs[1:]])
        categories = list(dict.fromkeys(
            " · ".join(facet_part(c, v) for c, v in zip(inputs, row)) for row in order[inputs].itertuples(index=False)))
    frame["facet"] = pd.Categorical(labels, categories=categories)
    return inputs, categories


def _chunks(frame: pd.DataFrame, facet: str) -> list[tuple[str, pd.DataFrame]]:
    """(suffix, rows) per group of at most :data:`MAX_FACETS` facet values."""
    keys = figs.facet_values(frame, facet)
    if len(keys) <= MAX_FACETS:
        return [("", frame)]
    groups = [keys[i:i + MAX_FACETS] for i in range(0, len(keys), MAX_FACETS)]
    return [(f"_{n + 1}", frame[frame[facet].astype(str).isin(g)]) for n, g in enumerate(groups)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def write_report(res: Results, out: Path, *, outcomes: list[str], fan_outcomes: list[str],
                 prim: str | None, formats: tuple[str, ...] = ("png", "pdf"), progress: bool = True) -> Report:
    """Draw every figure the results allow, write them and ``report.md`` into ``out``."""
    rep = Report(out=out)
    final, steps, facet = res.final, res.steps, res.facet
    jobs: list[tuple[str, str, Callable[[], object]]] = []
    for suffix, part in _chunks(final, facet):
        jobs += [
            (f"distributions{suffix}", "Outcome distributions at each run's last month, by PRK strategy "
             "(violins: quartiles dashed)", lambda p=part: figs.distributions(p, outcomes, col=facet)),
            (f"distributions_ecdf{suffix}", "The same outcomes as cumulative distributions",
             lambda p=part: figs.distributions(p, outcomes[:2], kind="ecdf", col=facet)),
            (f"triangles{suffix}", "Strategic triangle types (Dittmer 1981) and PRK's role at the last month",
             lambda p=part: figs.frequencies(p, row=facet)),
            (f"trust_heatmap{suffix}", "Mean trust matrix at the last month (row actor's trust in column actor)",
             lambda p=part: figs.matrix_heatmap(p, "trust", col=facet)),
            (f"attention_heatmap{suffix}", "Mean attention matrix at the last month",
             lambda p=part: figs.matrix_heatmap(p, "attention", col=facet)),
        ]
    if steps is not None:
        for suffix, part in _chunks(steps, facet):
            for o in fan_outcomes:
                jobs.append((f"fan_{o}{suffix}", f"Fan chart of {outcome_label(o)}: median run, central 50% "
                             "and 90% of runs", lambda p=part, o=o: figs.fan_chart(p, o, col=facet, start=res.start)))
            jobs.append((f"aid_over_time{suffix}", "Mean aid to PRK by donor and channel over the months",
                         lambda p=part: figs.aid_over_time(p, col=facet, start=res.start)))
    else:
        rep.notes.append("The files hold one row per run (no monthly rows): fan charts and the aid-over-time "
                         "figure need results written with `trisim record=steps` "
                         "(or `simulate(..., record=\"steps\")`).")
    pooled = [c for c in prim_inputs(final)
              if c not in ("strategy", *FACET_INPUTS, *res.settings) and final[c].nunique() > 1]
    if pooled:
        rep.notes.append(f"Figures pool the runs over inputs that vary within a setting: {', '.join(pooled)} "
                         "(scenario discovery treats them as inputs).")
    condition = prim or next((c for c in PRIM_DEFAULTS if c in final.columns and 0 < final[c].mean() < 1), None)
    if condition is None:
        rep.notes.append("Scenario discovery skipped: no boolean outcome that is true in some runs and false in "
                         "others; pass `--prim '<outcome> > <value>'`.")
    else:
        from sim.analysis.prim import peeling_figure, sweep_discovery

        try:
            box = sweep_discovery(final, condition, inputs=prim_inputs(final))
        except ValueError as err:
            if prim:
                raise ReportError(str(err)) from None
            rep.notes.append(f"Scenario discovery skipped: {err}.")
        else:
            rep.prim_text = box.summary()
            jobs.append((f"prim_{_slug(condition)}", f"PRIM peeling trajectory and chosen box for `{condition}`",
                         lambda b=box: peeling_figure(b)))
    bar = tqdm(jobs, desc="figures", unit="figure", disable=not (progress and sys.stderr.isatty()))
    for stem, caption, draw in bar:
        bar.set_postfix_str(stem)
        try:
            fig = draw()
        except figs.FigureDataError as err:
            rep.notes.append(f"`{stem}` skipped: {err}.")
            continue
        figs.caption(fig, res.what)
        rep.files += figs.save_figure(fig, out / stem, formats)
        rep.figures[stem] = caption
    rep.files.append(atomic_write_bytes(out / "report.md", markdown(res, rep, outcomes).encode()))
    return rep


def prim_inputs(frame: pd.DataFrame) -> list[str]:
    """Inputs for scenario discovery: the named choices, scenario and parameter columns, plus
    any other column a sweep placed before ``replication`` (its varying inputs)."""
    from sim.analysis.prim import input_columns

    inputs = input_columns(frame)
    if "replication" in frame.columns:
        skip = {"run_id", "sweep_id", "job_id", "seed", "draw", "posterior", "source", "run_key", "facet"}
        before = list(frame.columns[: frame.columns.get_loc("replication")])
        inputs += [c for c in before if c not in skip and c not in inputs]
    return inputs


def summary_table(final: pd.DataFrame, facet: str, outcomes: list[str]) -> str:
    """Markdown table: mean (and 5-95% range) of each outcome by facet and strategy."""
    outcomes = [o for o in outcomes if o in final.columns]
    head = ["setting", "PRK strategy", "runs", *[outcome_label(o) for o in outcomes]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key in figs.facet_values(final, facet):
        part = figs.facet_rows(final, facet, key)
        for s in strategy_order(part["strategy"]):
            d = part[part["strategy"] == s]
            cells = [key, strategy_label(s), str(len(d))]
            for o in outcomes:
                v = d[o].astype(float)
                if pd.api.types.is_bool_dtype(d[o]):
                    cells.append(f"{v.mean():.0%}")
                else:
                    lo, hi = np.nanpercentile(v, [5, 95])
                    cells.append(f"{v.mean():.2f} ({lo:.2f}-{hi:.2f})")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(res: Results, rep: Report, outcomes: list[str]) -> str:
    """The report: what was read, a table of outcomes, every figure with its caption."""
    final = res.final
    n_runs = len(final)
    months = f"{int(final['month'].max())} months" if "month" in final.columns else "final rows only"
    text = [f"# Results report: {res.source}", "",
            f"{len(res.files)} result file(s), {n_runs} runs ({months}), "
            f"{final['strategy'].nunique()} strategies, {final[res.facet].nunique()} setting(s).", "",
            f"What every run shares: {res.what}.", ""]
    if res.settings:
        text += ["Settings that differ between runs, one facet (column of panels, block of the table) per "
                 "combination: " + ", ".join(f"`{c}`" for c in res.settings) + ".", ""]
    if res.sampled:
        text += [f"Time-series figures show at most {n_runs - res.sampled} runs per strategy and setting "
                 f"({res.sampled} left out of the largest group).", ""]
    text += ["## Outcomes by strategy", "",
             "Mean over runs at each run's last month, with the 5-95% range in parentheses; "
             "booleans as the share of runs where they hold.", "",
             summary_table(final, res.facet, [*TABLE_OUTCOMES]), ""]
    if rep.prim_text:
        text += ["## Scenario discovery (PRIM)", "", "```text", rep.prim_text, "```", ""]
    text += ["## Figures", ""]
    for stem, caption in rep.figures.items():
        text += [f"### {caption}", "", f"![{caption}]({stem}.png)", "",
                 "Files: " + ", ".join(f"[{stem}.{fmt}]({stem}.{fmt})" for fmt in _formats(rep, stem)), ""]
    if rep.notes:
        text += ["## Notes", "", *[f"- {n}" for n in rep.notes], ""]
    text += ["## Files read", "", *[f"- `{p}`" for p in res.files[:50]]]
    if len(res.files) > 50:
        text.append(f"- ... and {len(res.files) - 50} more")
    return "\n".join(text) + "\n"


def _formats(rep: Report, stem: str) -> list[str]:
    return [p.suffix.lstrip(".") for p in rep.files if p.stem == stem]


def _names(text: str, what: str, allowed: list[str]) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [n for n in names if n not in allowed]
    if bad:
        raise ReportError(f"unknown {what} {bad[0]!r}; numeric outcomes in these results: {', '.join(allowed)}")
    return names


def main(argv: list[str] | None = None) -> int:
    """``trisim report <path>``: write every figure and ``report.md``; returns the exit code."""
    ap = argparse.ArgumentParser(prog="trisim report", description="Figures and a Markdown report of trisim "
                                 "results: every Parquet file under PATH, read together.")
    ap.add_argument("path", help="folder of result files (a sweep or run folder), a Parquet file, or a sweep id")
    ap.add_argument("--out", type=Path, help="output folder (default: PATH/report)")
    ap.add_argument("--outcomes", default=",".join(figs.DISTRIBUTION_OUTCOMES),
                    help="comma-separated outcomes of the distribution figures")
    ap.add_argument("--fan", default=",".join(FAN_OUTCOMES), help="comma-separated outcomes of the fan charts")
    ap.add_argument("--prim", help="condition for scenario discovery: a boolean outcome (tech_transferred) or "
                    "'<outcome> > <value>' (default: tech_transferred if it varies)")
    ap.add_argument("--formats", default="png,pdf", help="comma-separated figure formats (default png,pdf)")
    ap.add_argument("--max-runs", type=int, default=1000,
                    help="most runs per strategy and setting in time-series figures (default 1000)")
    ap.add_argument("--start", help="calendar month of month 0, e.g. 2018-01: time axes show dates (default: the "
                    "scenario's calendar, if it has one)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        source = resolve(args.path)
        out = args.out or (source if source.is_dir() else source.parent) / "report"
        files = find_files(source, exclude=out)
        fans = [s.strip() for s in args.fan.split(",") if s.strip()]
        if args.start is not None:
            try:
                figs.calendar(args.start)
            except ValueError as err:
                raise ReportError(str(err)) from None
        res = load(source, files, max_runs=args.max_runs, fan_outcomes=fans)
        res.start = args.start or res.start
        numeric = [c for c in res.final.columns if c not in CATEGORICAL and c not in ("month", "replication", "seed")
                   and pd.api.types.is_numeric_dtype(res.final[c])]
        outcomes = _names(args.outcomes, "outcome", numeric)
        fans = _names(",".join(fans), "outcome", numeric)
        formats = tuple(f.strip().lower() for f in args.formats.split(",") if f.strip())
        bad = [f for f in formats if f not in ("png", "pdf", "svg")]
        if bad or not formats:
            raise ReportError(f"unknown figure format {bad[0] if bad else ''!r}; choose from png, pdf, svg")
        rep = write_report(res, out, outcomes=outcomes, fan_outcomes=fans, prim=args.prim, formats=formats,
                           progress=not args.quiet)
    except ReportError as err:
        print(f"trisim report: error: {err}", file=sys.stderr)
        return 2
    if not args.quiet:
        if rep.prim_text:
            print(rep.prim_text)
        print(f"{len(res.final)} runs from {len(files)} file(s); {len(rep.figures)} figures "
              f"({len(rep.files)} files) in {time.perf_counter() - started:.1f} s -> {out / 'report.md'}")
        for note in rep.notes:
            print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

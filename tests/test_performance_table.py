"""The README's performance tables are the benchmark's CSVs (experiments/bench/report.py)."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "experiments" / "bench" / "report.py"


def test_readme_performance_tables_agree_with_the_benchmark_csvs():
    out = subprocess.run([sys.executable, str(REPORT), "--check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_sweep_table_appears_once_its_csv_has_the_columns():
    report = runpy.run_path(str(REPORT))
    rows = pd.DataFrame([{"case": "strategy_comparison", "replications": 1000, "jobs": 5, "workers": 1,
                          "script_s": 1.0, "sweep_s": 1.15, "ratio": 1.15}])
    table = "\n".join(report["sweep_table"](rows))
    assert "| strategy_comparison | 1,000 | 5 | 1 | 1.00 | 1.15 | 1.15x |" in table
    old = rows.rename(columns={"script_s": "wall_s"})
    assert report["sweep_table"](old) == ["", report["SWEEP_LINE"]]
    assert report["sweep_table"](None) == ["", report["SWEEP_LINE"]]


def test_report_rewrites_only_the_text_between_the_markers():
    report = runpy.run_path(str(REPORT))
    text = f"# t\n\nbefore\n{report['BEGIN']}\nold table\n{report['END']}\nafter\n"
    new = report["updated"](text)
    assert new.startswith("# t\n\nbefore\n")
    assert new.endswith(f"{report['END']}\nafter\n")
    assert "old table" not in new

"""The package's import structure: layered, with no import circle (contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    out = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
    assert ", 0 broken" in out.stdout


def test_no_import_circle_anywhere_in_sim():
    graph = grimp.build_graph("sim")
    g = nx.DiGraph()
    for m in graph.modules:
        for d in graph.find_modules_directly_imported_by(m):
            # a package's __init__ re-exporting its submodules is not a circle
            if not d.startswith(m + ".") and not m.startswith(d + "."):
                g.add_edge(m, d)
    circles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert circles == []


def test_kernel_types_sit_at_the_bottom():
    graph = grimp.build_graph("sim")
    assert graph.find_modules_directly_imported_by("sim.types") <= {"sim.actors"}
    for low in ("sim.rules", "sim.strategies.base", "sim.policies", "sim.dynamics", "sim.outcomes"):
        above = {"sim.world", "sim.engine", "sim.model", "sim.config", "sim.job"}
        assert not (graph.find_upstream_modules(low) & above), low  # nothing it imports, even indirectly

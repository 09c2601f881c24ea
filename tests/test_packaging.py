"""A wheel install runs: the configs ship inside the package, so ``trisim`` finds them from any
folder, with no checkout in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"{' '.join(map(str, args))} failed:\n{out.stdout}\n{out.stderr}"
    return out


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_environment_runs_a_job_and_a_sweep(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)], tmp_path, env)
    (wheel,) = wheels.glob("trisim-*.whl")
    # a fresh environment that borrows this one's dependencies (a .pth line: no download, no copy)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        tmp_path, env).stdout.strip())
    (purelib / "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--ignore-installed",
          str(wheel)], tmp_path, env)
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([str(python), "-c", "import sim, sim.cli; print(sim.__file__); print(sim.cli.CONFIG_DIR)"],
                 empty, env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where  # the installed copy, not the checkout
    trisim = str(venv / "bin" / "trisim")
    assert _run([trisim, "--version"], empty, env).stdout.strip() == f"trisim {sim.__version__}"
    _run([trisim, "debug=tiny", "sweep.id=one", "output.figure="], empty, env)
    assert (empty / "outputs" / "one" / "outcomes.parquet").is_file()
    _run([trisim, "-m", "debug=tiny", "scenario=war_ends,food_crisis", "sweep.id=two"], empty, env)
    assert len(list((empty / "multirun" / "two").glob("*/outcomes.parquet"))) == 2

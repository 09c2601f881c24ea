"""Scripts that regenerate shipped data write to a new folder unless asked to replace it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.calibration.store import DATA_DIR
from sim.results import output_folder

ROOT = Path(__file__).resolve().parents[1]


def script(name: str):
    spec = importlib.util.spec_from_file_location(f"experiments_{name}", ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_output_folder_is_new_unless_replace(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "fit.json").write_text("{}")
    new = output_folder(None, tmp_path / "outputs", shipped=shipped)
    assert new.parent == tmp_path / "outputs"
    assert not new.exists()
    assert output_folder(None, tmp_path / "outputs", replace=True, shipped=shipped) == shipped
    assert output_folder(tmp_path / "empty", tmp_path / "outputs") == tmp_path / "empty"
    with pytest.raises(FileExistsError, match="already holds files: name a new folder with --out, or pass --replace"):
        output_folder(shipped, tmp_path / "outputs")
    assert output_folder(shipped, tmp_path / "outputs", replace=True) == shipped


@pytest.mark.parametrize("name", ["calibrate", "sbc"])
def test_calibration_scripts_refuse_a_folder_with_files_before_any_work(name: str, tmp_path: Path, capsys) -> None:
    (tmp_path / "fit.json").write_text("kept")
    with pytest.raises(SystemExit) as stop:
        script(name).main(["--out", str(tmp_path)])
    assert stop.value.code == 2
    assert "already holds files" in capsys.readouterr().err
    assert (tmp_path / "fit.json").read_text() == "kept"


def test_by_default_nothing_shipped_is_the_target(monkeypatch, tmp_path: Path) -> None:
    """Without --replace the shipped folders are never where a script writes."""
    monkeypatch.chdir(tmp_path)
    assert output_folder(None, "outputs/calibrate", shipped=DATA_DIR) != DATA_DIR
    from sim.analysis import examples

    with pytest.raises(SystemExit) as stop:
        examples.main([str(DATA_DIR)])  # a folder with files, without --replace
    assert stop.value.code == 2

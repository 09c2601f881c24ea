from __future__ import annotations

import pytest


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder: outputs/ and multirun/ land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path

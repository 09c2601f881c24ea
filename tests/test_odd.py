"""The ODD model description names only functions that exist, and covers every equation."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from sim import equations

DOCS = Path(__file__).resolve().parent.parent / "docs"
ODD = (DOCS / "odd.md").read_text()
NAMES = sorted(set(re.findall(r"`(sim(?:\.\w+)+)`", ODD)))


def resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_the_odd_names_many_functions():
    assert len(NAMES) > 40


@pytest.mark.parametrize("name", NAMES)
def test_every_name_in_the_odd_exists(name):
    resolve(name)


def equation_functions() -> list[str]:
    """Public functions defined in sim.equations, compiled (numba dispatchers) or not."""
    out = []
    for name, obj in inspect.getmembers(equations):
        f = getattr(obj, "py_func", obj)  # a compiled function's Python source function
        if inspect.isfunction(f) and f.__module__ == equations.__name__ and not name.startswith("_"):
            out.append(name)
    return out


def test_every_equation_function_is_in_the_odd():
    public = equation_functions()
    assert len(public) >= 20  # the compiled equations are found, not only the plain functions
    missing = [n for n in public if f"sim.equations.{n}" not in ODD]
    assert not missing, f"equations not described in docs/odd.md: {missing}"


def test_every_parameter_is_documented_in_its_field():
    from sim.params import describe

    for record in describe():
        assert record["unit"], record["name"]
        assert record["doc"], record["name"]
        assert record["low"] <= record["default"] <= record["high"], record["name"]

"""constraints.txt, the lock CI installs from, agrees with pyproject.toml and with what is installed."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    text = (ROOT / "constraints.txt").read_text()
    return {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def requirements() -> list[Requirement]:
    """Every requirement `pip install -e '.[dev]'` asks for: the dependencies and the extras dev names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    todo, seen, out = ["dev"], set(), [Requirement(r) for r in project["dependencies"]]
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for line in extras[extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == "trisim":
                todo += [e for e in req.extras if e not in seen]
            else:
                out.append(req)
    return out


def test_every_requirement_is_pinned_within_its_specifier():
    locked = pins()
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in constraints.txt: run make lock"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={locked[name]}, outside {req.specifier}: run make lock")


def test_the_environment_is_the_locked_one():
    """CI installs with -c constraints.txt: every locked package present has the locked version."""
    wrong = []
    for name, version in pins().items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a package of another platform's markers
        if have != version:
            wrong.append(f"{name} {have} (locked {version})")
    assert not wrong, "installed versions differ from constraints.txt: " + ", ".join(wrong)


def test_the_lock_pins_packages_not_paths():
    """A constraint naming a path (the project itself, by where it was locked) breaks every other checkout."""
    lines = [ln for ln in (ROOT / "constraints.txt").read_text().splitlines() if ln and not ln.startswith((" ", "#"))]
    assert not [ln for ln in lines if "@" in ln or "file:" in ln or ln.startswith("-e")]


def test_the_loose_specifiers_stay_in_pyproject():
    """The library's own requirements name ranges, not pins: the lock is for CI and development."""
    assert not [str(r) for r in requirements() if any(s.operator == "==" for s in r.specifier)]

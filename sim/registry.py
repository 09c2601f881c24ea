"""Explicit registries: strategies, policies and scenarios are looked up by name, never imported
from a user's config string."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """A name that is not in a registry; the message lists what is allowed."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PluginError(ValueError):
    """A plugin (a strategy or policy defined outside the package) that cannot be loaded."""


class Registry[T]:
    """A named collection of classes, in registration order.

    A registry with a ``check`` calls it on each class that registers (strategies and policies
    check their compiled decision rule: :func:`sim.rules.check_rule`). A registry with an ``entry_points``
    group also holds the classes that installed packages declare in that group (the way pytest
    and Hydra find plugins), loaded the first time the registry is read.
    """

    def __init__(self, kind: str, check: Callable[[type], None] | None = None,
                 entry_points: str | None = None) -> None:
        self.kind = kind
        self.check = check
        self.group = entry_points
        self._items: dict[str, type[T]] = {}
        self._plugins_loaded = entry_points is None

    def register(self, cls: type[T]) -> type[T]:
        """Add ``cls`` under its ``name`` (usable as a class decorator); a class whose rule does
        not fit the registry's kind, or a name taken by another class, is refused in one line."""
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise ValueError(f"{cls.__name__} has no name: give it a class attribute name = '...'")
        if self.check is not None:
            self.check(cls)
        if name in self._items and self._items[name] is not cls:
            old = self._items[name]
            if (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
                raise ValueError(f"{self.kind} {name!r} is registered twice ({old.__module__}.{old.__qualname__} "
                                 f"and {cls.__module__}.{cls.__qualname__})")
        self._items[name] = cls  # the same class re-registered (a module imported again) replaces itself
        return cls

    def _load_entry_points(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in importlib.metadata.entry_points(group=self.group):
            try:
                cls = ep.load()
            except Exception as err:
                raise PluginError(f"{self.kind} plugin {ep.name!r} ({ep.value}) cannot be loaded: {err}") from None
            if getattr(cls, "name", None) not in self._items or self._items[cls.name] is not cls:
                self.register(cls)

    @property
    def _all(self) -> dict[str, type[T]]:
        self._load_entry_points()
        return self._items

    def __getitem__(self, name: str) -> type[T]:
        try:
            return self._all[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._items)}"
            ) from None

    def create(self, name: str, **options: object) -> T:
        """An instance of the class registered as ``name``, with typed ``options``."""
        cls = self[name]
        try:
            return cls(**options)
        except TypeError as err:
            raise UnknownNameError(f"{self.kind} {name!r}: {err}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._all

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._all))

    def __len__(self) -> int:
        return len(self._all)

    def names(self) -> list[str]:
        return list(self._all)


def load_plugin(source: str) -> None:
    """Import a plugin, a Python file (``path/to/hedging.py``) or an importable module
    (``mypackage.hedging``), whose classes register themselves (``@STRATEGIES.register``)."""
    path = Path(source)
    try:
        if source.endswith(".py"):
            if not path.is_file():
                raise PluginError(f"plugin file {source!r} does not exist")
            name = f"trisim_plugin_{path.stem}"
            spec = importlib.util.spec_from_file_location(name, path.resolve())
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # numba's cache and pickling find the module by name
            spec.loader.exec_module(module)
        else:
            importlib.import_module(source)
    except PluginError:
        raise
    except Exception as err:
        raise PluginError(f"plugin {source!r} cannot be loaded: {type(err).__name__}: {err}") from None


def check_fields(owner: object, kind: str, **ranges: tuple[float, float]) -> None:
    """Raise ``ValueError`` naming the first option of ``owner`` outside its range
    (``field=(low, high)``): options of strategies, scenarios and policies are user input."""
    for field_name, (lo, hi) in ranges.items():
        value = getattr(owner, field_name)
        if not lo <= value <= hi:
            raise ValueError(f"{kind} {owner.name!r}: option {field_name} = {value} must be in [{lo}, {hi}]")

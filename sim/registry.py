"""Explicit registries: strategies, policies and scenarios are looked up by name, never imported
from a user's config string."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """A name that is not in a registry; the message lists what is allowed."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class Registry[T]:
    """A named collection of classes, in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        name = cls.name  # type: ignore[attr-defined]
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._items[name] = cls
        return cls

    def __getitem__(self, name: str) -> type[T]:
        try:
            return self._items[name]
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
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        return list(self._items)


def check_fields(owner: object, kind: str, **ranges: tuple[float, float]) -> None:
    """Raise ``ValueError`` naming the first option of ``owner`` outside its range
    (``field=(low, high)``): options of strategies, scenarios and policies are user input."""
    for field_name, (lo, hi) in ranges.items():
        value = getattr(owner, field_name)
        if not lo <= value <= hi:
            raise ValueError(f"{kind} {owner.name!r}: option {field_name} = {value} must be in [{lo}, {hi}]")

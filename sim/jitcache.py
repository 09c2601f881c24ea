"""Where the compiled model is cached, keyed by the model's source.

numba caches a compiled function on disk and recompiles it when that function's own source
file changes, but not when a function it calls, from another file, changes: the month loop in
``sim/world.py`` inlines the equations, the transition and the random streams of other
modules, so after an edit to ``sim/equations.py`` the cached loop would still run the old
equations. To rule that out the cache lives in a directory named by a digest of every module
that compiled code is built from (``sim/*.py`` and ``sim/strategies/*.py``): any change to
them starts a fresh cache (the first run then compiles, about half a minute).

The directory is ``<root>/numba-<digest>``, the root being ``$NUMBA_CACHE_DIR`` if set, else
the package's ``__pycache__``. :func:`configure` runs when ``sim`` is imported, before any
compiled function is defined.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def model_sources(package: Path = PACKAGE) -> list[Path]:
    """The modules compiled code is built from, in a fixed order."""
    return sorted([*package.glob("*.py"), *package.glob("strategies/*.py")])


def source_digest(paths: list[Path]) -> str:
    """A digest of the files' names and contents."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def cache_dir(root: str | os.PathLike | None = None, package: Path = PACKAGE) -> Path:
    """The cache directory for the model's current source."""
    root = Path(root or os.environ.get("NUMBA_CACHE_DIR") or package / "__pycache__")
    return root / f"numba-{source_digest(model_sources(package))}"


def configure() -> Path:
    """Point numba's cache at :func:`cache_dir` (before any compiled function is defined)."""
    import numba

    path = cache_dir()
    numba.config.CACHE_DIR = str(path)
    return path

"""How the model is compiled, and where the compiled model is cached, keyed by its source.

Every compiled function of the model is made with :data:`jit` or :data:`jit_inline`, which
define a numba function and nothing else: importing ``sim`` compiles nothing and changes no
setting of numba. The first time a run needs compiled code, :func:`ensure` points numba's
cache at :func:`cache_dir` and turns caching on for every function defined so far (and, from
then on, for each one as it is defined).

numba caches a compiled function on disk and recompiles it when that function's own source
file changes, but not when a function it calls, from another file, changes: the month loop in
``sim/world.py`` inlines the equations, the transition and the random streams of other
modules, so after an edit to ``sim/equations.py`` the cached loop would still run the old
equations. To rule that out the cache lives in a directory named by a digest of every module
that compiled code is built from (``sim/*.py`` and ``sim/strategies/*.py``): any change to
them starts a fresh cache (the first run then compiles, about half a minute); the modules no
compiled code is built from (:data:`NOT_COMPILED`) are left out. A decision rule
defined outside the package is not inlined (the kernel calls it through a function pointer),
so numba's own check of its file is enough to recompile it after an edit.

The directory is ``<root>/numba-<digest>``, the root being ``$NUMBA_CACHE_DIR`` if set, else
the package's ``__pycache__``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

PACKAGE = Path(__file__).resolve().parent

_DEFINED: list[Any] = []  # every compiled function of the model, in definition order
_CACHE: list[Path] = []  # the cache directory once :func:`ensure` has run


#: Modules of the package that no compiled code is built from (the command line, jobs, results,
#: figures, the Mesa model, configs), so that an edit to them keeps the compiled model;
#: ``tests/test_jitcache.py`` checks that no compiled function is defined in them or reads them.
NOT_COMPILED = frozenset({"__init__.py", "__main__.py", "cli.py", "config.py", "ema.py", "engine.py", "job.py",
                          "listing.py", "model.py", "plots.py", "results.py"})


def model_sources(package: Path = PACKAGE) -> list[Path]:
    """The modules compiled code is built from (``sim/*.py`` but :data:`NOT_COMPILED`, and
    ``sim/strategies/*.py``), in a fixed order."""
    return sorted([*(p for p in package.glob("*.py") if p.name not in NOT_COMPILED), *package.glob("strategies/*.py")])


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


def _cache(dispatcher: Any) -> None:
    # defined where numba cannot cache (code typed at a prompt): compiled anew in each process
    with contextlib.suppress(RuntimeError):
        dispatcher.enable_caching()


def _track(dispatcher: Any) -> Any:
    _DEFINED.append(dispatcher)
    if _CACHE:
        _cache(dispatcher)
    return dispatcher


def compiled(**options: Any):
    """A decorator that defines a numba function of the model with ``options`` (compiled on
    first call, cached on disk once :func:`ensure` has run)."""

    def decorate(fn):
        return _track(njit(**options)(fn))

    return decorate


def ensure() -> Path:
    """Point numba's cache at :func:`cache_dir` and cache every compiled function of the model;
    run before the first compilation of a run (idempotent)."""
    if not _CACHE:
        import numba

        path = cache_dir()
        numba.config.CACHE_DIR = str(path)
        _CACHE.append(path)
        for d in _DEFINED:
            _cache(d)
    return _CACHE[0]


#: How the model's functions are compiled: NumPy's rules for division (guards in the code
#: keep every denominator positive).
jit = compiled(error_model="numpy")
#: For functions that take a replication's state or parameter record or the month's decisions:
#: inlined into their callers, so the month loop compiles as one piece of code.
jit_inline = compiled(error_model="numpy", inline="always")



@intrinsic
def borrowed(typingctx: Any, arr: Any) -> Any:
    """``borrowed(a)`` in compiled code: ``a`` itself, as a view that numba does not
    reference-count. Every binding of an array to a name (an argument of an inlined function,
    a branch that picks one of two arrays) costs an atomic increment and decrement of its
    count, which in the month loop added up to a fifth of its time; a borrowed view costs
    nothing. Only for views that do not outlive ``a`` in the function that made them."""
    if not isinstance(arr, types.Array):
        return None

    def codegen(context, builder, sig, args):
        view = context.make_array(arr)(context, builder, value=args[0])
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()

    return arr(arr), codegen

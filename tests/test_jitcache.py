"""The compiled model's cache is keyed by the source it is built from (sim/jitcache.py)."""

from __future__ import annotations

from pathlib import Path

import numba

from sim.jitcache import cache_dir, model_sources


def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "strategies").mkdir(parents=True)
    (root / "analysis").mkdir()
    (root / "equations.py").write_text("A = 1\n")
    (root / "strategies" / "balancing.py").write_text("B = 1\n")
    (root / "analysis" / "figures.py").write_text("C = 1\n")
    return root


def test_a_change_to_any_model_module_moves_the_cache(tmp_path):
    root = package(tmp_path)
    before = cache_dir(tmp_path / "cache", root)
    assert cache_dir(tmp_path / "cache", root) == before  # stable
    (root / "strategies" / "balancing.py").write_text("B = 2\n")
    after_strategy = cache_dir(tmp_path / "cache", root)
    (root / "equations.py").write_text("A = 2\n")
    after_equations = cache_dir(tmp_path / "cache", root)
    assert len({before, after_strategy, after_equations}) == 3
    assert after_equations.parent == tmp_path / "cache"


def test_modules_without_compiled_code_do_not_move_it(tmp_path):
    root = package(tmp_path)
    before = cache_dir(tmp_path / "cache", root)
    (root / "analysis" / "figures.py").write_text("C = 2\n")
    assert cache_dir(tmp_path / "cache", root) == before
    assert [p.name for p in model_sources(root)] == ["equations.py", "balancing.py"]


def test_numba_caches_the_model_in_the_directory_of_its_source():
    from sim.engine import simulate

    simulate(replications=1)  # the first run sets the cache directory
    assert Path(numba.config.CACHE_DIR) == cache_dir()
    assert {p.name for p in model_sources()} >= {"equations.py", "dynamics.py", "world.py", "rng.py", "balancing.py"}


def test_importing_sim_compiles_nothing_and_leaves_numba_settings_alone():
    import subprocess
    import sys

    code = ("import numba; before = numba.config.CACHE_DIR; import sim, sim.world, sim.model; "
            "from sim.jitcache import _DEFINED; "
            "assert numba.config.CACHE_DIR == before, 'cache dir changed'; "
            "assert not any(d.overloads for d in _DEFINED), 'something compiled'; print(len(_DEFINED))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) > 20  # the model's compiled functions were defined, none compiled


def test_no_compiled_function_is_defined_in_or_reads_a_module_left_out_of_the_cache_key():
    """The modules of NOT_COMPILED (cli, job, results...) may change without a recompile only if
    compiled code neither lives in them nor reads a name of theirs."""
    import sys
    import types

    import sim.engine  # noqa: F401 - defines every compiled function of the model
    from sim.jitcache import _DEFINED, NOT_COMPILED, PACKAGE

    def file_of(obj) -> str | None:
        module = obj if isinstance(obj, types.ModuleType) else sys.modules.get(getattr(obj, "__module__", "") or "")
        path = getattr(module, "__file__", None)
        return str(Path(path).resolve().relative_to(PACKAGE)) if path and Path(path).resolve().is_relative_to(
            PACKAGE) else None

    def names(code) -> set[str]:
        found = set(code.co_names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= names(const)
        return found

    read = set()
    for d in _DEFINED:
        fn = d.py_func
        read.add(file_of(fn))
        read |= {file_of(fn.__globals__[n]) for n in names(fn.__code__) if n in fn.__globals__}
    assert len(_DEFINED) > 20
    assert not (read & NOT_COMPILED), sorted(read & NOT_COMPILED)
    assert {"world.py", "equations.py", "rng.py", "dynamics.py"} <= read  # control: the reading is seen

"""Strategies of one's own: a file outside the package, registered by name, run in both
engines and in sweeps; classes whose rule does not fit are refused in one line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.registry import Registry
from sim.rules import RuleError, checker, compiled_rule, option_names, patron_rule, prk_rule
from sim.strategies.base import Strategy
from sim.types import PRKDecision

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "hedging.py"

BOTH_ENGINES = textwrap.dedent("""
    import sys
    import numpy as np
    from sim.engine import simulate, simulate_mesa
    from sim.registry import load_plugin
    from sim.world import WorldSpec

    load_plugin(sys.argv[1])
    spec = WorldSpec(strategy="hedging", months=36)
    batch = simulate(spec, replications=4, seed=3, record="steps")
    mesa = simulate_mesa(spec, replications=4, seed=3, record="steps")
    num = [c for c in batch.columns if batch[c].dtype.kind in "fib"]
    assert np.array_equal(batch[num].to_numpy(), mesa[num].to_numpy()), "engines differ"
    print(repr(float(batch["attention_prk_chn"].iloc[-1])))
""")


def run_python(code: str, *args: str, cwd: Path) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_out_of_tree_strategy_runs_bit_identically_in_both_engines_and_recompiles_after_an_edit(tmp_path):
    plugin = tmp_path / "elsewhere" / "hedging.py"
    plugin.parent.mkdir()
    shutil.copy(EXAMPLE, plugin)
    first = float(run_python(BOTH_ENGINES, str(plugin), cwd=tmp_path))
    assert 0.0 < first < 1.0
    # the edit: China's share follows trust squared; the cached rule must not run
    source = plugin.read_text().replace("t_chn, t_rus = x.trust[PRK, CHN], x.trust[PRK, RUS]",
                                        "t_chn, t_rus = x.trust[PRK, CHN] ** 2, x.trust[PRK, RUS] ** 2")
    assert source != plugin.read_text()
    plugin.write_text(source)
    second = float(run_python(BOTH_ENGINES, str(plugin), cwd=tmp_path))
    assert second != first


@pytest.mark.slow
def test_out_of_tree_strategy_is_usable_by_name_in_a_sweep(tmp_path):
    plugin = tmp_path / "hedging.py"
    shutil.copy(EXAMPLE, plugin)
    out = subprocess.run([sys.executable, "-m", "sim", "-m", f"plugins=[{plugin}]",
                          "strategy=hedging,balancing", "months=6", "replications=3", "seed=0,1",
                          "sweep.id=plug", "output.progress=false"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    import pandas as pd

    frames = [pd.read_parquet(p) for p in sorted((tmp_path / "multirun" / "plug").glob("*/outcomes.parquet"))]
    assert len(frames) == 4  # a job per strategy and seed
    table = pd.concat(frames)
    assert sorted(table["strategy"].astype(str).unique()) == ["balancing", "hedging"]
    assert len(table) == 2 * 2 * 3


def test_a_misnamed_plugin_file_is_refused_in_one_line(tmp_path):
    from sim.config import ConfigError, RunConfig, to_run
    from sim.registry import PluginError, load_plugin

    with pytest.raises(PluginError, match="does not exist"):
        load_plugin(str(tmp_path / "nope.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(ConfigError, match=r"^plugins: plugin .*broken.py' cannot be loaded: RuntimeError: boom$"):
        to_run(RunConfig(plugins=[str(broken)]))


# --- refused when they register ----------------------------------------------------------

OPTS = option_names("share")


def _registry() -> Registry:
    return Registry("strategy", check=checker("prk"))


@prk_rule
def good(x, m, q, opts):
    return PRKDecision(opts[OPTS.share], 0.0, 1.0 - opts[OPTS.share], (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)


def make(rule=None, options=OPTS, fields=(("share", float, 0.5),), name="mine"):
    namespace = {"name": name, "classifier": {}, "OPTIONS": options, "__annotations__": {}}
    if rule is not None:
        namespace["rule"] = rule
    for f, t, d in fields:
        namespace["__annotations__"][f] = t
        namespace[f] = d
    return dataclass(frozen=True)(type("Mine", (Strategy,), namespace))


def test_a_strategy_with_a_fitting_rule_registers_and_decides():
    reg = _registry()
    cls = reg.register(make(good))
    assert reg["mine"] is cls
    assert compiled_rule(cls) is good


@pytest.mark.parametrize(("rule", "message"), [
    (None, r"^Mine \('mine'\) has no rule: give it a compiled function made with @prk_rule$"),
    (lambda x, m, q, opts: None, r"^Mine \('mine'\): rule must be a function made with @sim.rules.prk_rule"),
    (patron_rule(lambda actor, x, m, q, opts: 0.0), r"must be a function made with @sim.rules.prk_rule"),
    (prk_rule(lambda x, m, opts: None), r"takes \(x, m, opts\); a prk rule takes \(x, m, q, opts\)$"),
])
def test_a_strategy_whose_rule_does_not_fit_is_refused_when_it_registers(rule, message):
    with pytest.raises(RuleError, match=message) as err:
        _registry().register(make(rule))
    assert "\n" not in str(err.value)


def test_options_layout_must_name_the_option_fields():
    with pytest.raises(RuleError, match=r"OPTIONS names \(share\) but its option fields are \(share, other\)"):
        _registry().register(make(good, fields=(("share", float, 0.5), ("other", float, 1.0))))


def test_a_rule_that_does_not_compile_or_returns_the_wrong_type_is_refused_in_one_line():
    @prk_rule
    def wrong_type(x, m, q, opts):
        return 0.5

    @prk_rule
    def typo(x, m, q, opts):
        return PRKDecision(x.no_such_field, 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 1.0), 1.0)

    for rule in (wrong_type, typo):
        cls = _registry().register(make(rule))
        with pytest.raises(RuleError, match=r"^Mine \('mine'\): rule \w+ ") as err:
            compiled_rule(cls)
        assert "\n" not in str(err.value)


def test_a_name_taken_by_another_class_is_refused():
    reg = _registry()
    reg.register(make(good))
    with pytest.raises(ValueError, match="registered twice"):
        reg.register(type("Other", (make(good),), {"__module__": "elsewhere"}))

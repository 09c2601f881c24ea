"""Every shipped experiment composes (Hydra's compose API) and runs, in the debug size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from sim.cli import CONFIG_DIR
from sim.config import register_configs, to_run
from sim.job import execute
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES

EXPERIMENT_DIR = Path(CONFIG_DIR) / "experiment"
EXPERIMENTS = sorted(p.stem for p in EXPERIMENT_DIR.glob("*.yaml"))
#: What each experiment sweeps: the config key and the values its jobs take.
SWEPT = {
    "strategy_comparison": ("scenario.name", set(SCENARIOS.names())),
    "war_ends": ("scenario.options.end_month", {0, 12, 24, 48}),
    "us_china_detente": ("scenario.options.rivalry_after", {0.0, 0.2, 0.4}),
    "food_crisis": ("scenario.options.border_open", {0.0, 0.3, 0.6, 1.0}),
    "us_policy_mix": ("us_policy.name", {"pressure", "engagement", "trilateral_condemnation"}),
}


def test_the_documented_experiments_are_shipped():
    assert set(SWEPT) <= set(EXPERIMENTS)


def jobs_of(experiment: str) -> list[list[str]]:
    """The overrides of each job of an experiment, expanded as the plan does."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.sweep.plan import expand

    base = [f"experiment={experiment}", "debug=tiny"]
    primary = compose("config", base, return_hydra_config=True)
    lines = [f"{k}={v}" for k, v in (primary.hydra.sweeper.params or {}).items()] + base
    parser = OverridesParser.create(config_loader=GlobalHydra.instance().config_loader())
    return expand(parser.parse_overrides(lines))


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_composes_and_runs_in_debug_size(name):
    assert (EXPERIMENT_DIR / f"{name}.yaml").read_text().startswith("# @package _global_\n")
    register_configs()
    seen = set()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        jobs = jobs_of(name)
        assert len(jobs) >= 2
        for job in jobs:
            cfg = compose("config", job)
            run = to_run(cfg)
            assert (cfg.months, run.replications) == (12, 4)
            if cfg.strategy.schedule:  # one job follows PRK's strategy schedule
                assert [s.schedule for s in run.specs] == [tuple((e.name, e.from_month) for e in cfg.strategy.schedule)]
            else:
                assert [s.strategy for s in run.specs] == STRATEGIES.names()
            frame = execute(run, progress=False)
            assert len(frame) == 4 * len(run.specs)
            floats = frame.select_dtypes("float")
            # a window mean is NaN only when the run ends before the scenario's event window opens
            assert np.isfinite(floats.drop(columns=[c for c in floats if c.startswith("window_")]).to_numpy()).all()
            if name in SWEPT:
                value = cfg
                for part in SWEPT[name][0].split("."):
                    value = value[part]
                seen.add(value)
    if name in SWEPT:
        assert seen == SWEPT[name][1]

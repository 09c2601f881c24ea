"""The same sweep gives the same rows whoever runs its jobs: one worker or two, or submitit."""

from __future__ import annotations

import pytest

from sim.results import RESULT
from tests.sweep.helpers import TINY, sweep_rows, trisim

#: Four jobs: two seeds x two scenarios.
FOUR_JOBS = ("-m", *TINY, "seed=0,1", "scenario=status_quo_2024,war_ends")


@pytest.mark.slow
def test_one_worker_and_two_workers_give_identical_results(workdir):
    assert trisim(*FOUR_JOBS, "hydra/launcher=joblib", "hydra.launcher.n_jobs=1", "sweep.id=one") == 0
    assert trisim(*FOUR_JOBS, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "sweep.id=two") == 0
    one, two = sweep_rows(workdir / "multirun" / "one"), sweep_rows(workdir / "multirun" / "two")
    assert len(one) == 4 * 5 * 3
    assert one["job_id"].nunique() == 4
    assert one.equals(two)


@pytest.mark.slow
def test_submitit_runs_the_same_job_code_as_a_local_sweep(workdir):
    """``hydra/launcher=submitit_local`` (a Hydra job per job, in submitit's processes): a local sweep's rows."""
    jobs = ("-m", *TINY, "seed=0,1")
    assert trisim(*jobs, "hydra/launcher=submitit_local", "sweep.id=sub") == 0
    assert trisim(*jobs, "sweep.id=local") == 0
    sub = workdir / "multirun" / "sub"
    assert len(list(sub.glob(f"*/{RESULT}"))) == 2
    assert list((sub / ".submitit").iterdir()), "submitit kept no job logs"
    assert sweep_rows(sub).equals(sweep_rows(workdir / "multirun" / "local"))


def test_a_job_gives_the_same_rows_alone_or_among_others(workdir):
    """A job's seed does not depend on which jobs run beside it or in what order."""
    assert trisim("-m", *TINY, "seed=3", "sweep.id=alone") == 0
    assert trisim("-m", *TINY, "seed=5,3", "sweep.id=among") == 0
    alone = sweep_rows(workdir / "multirun" / "alone")
    among = sweep_rows(workdir / "multirun" / "among")
    assert alone.equals(among[among["seed"] == 3].reset_index(drop=True))


def test_the_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir

    from sim.cli import CONFIG_DIR
    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", ["hydra/launcher=slurm"], return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert launcher.cpus_per_task == 1
    assert launcher.array_parallelism == 256

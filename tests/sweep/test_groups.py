"""Jobs that differ only in their parameters run as one batch call (``sim.job.execute_group``),
one parameter row per replication, and each job still gets the table it would get alone."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

import sim.job
from sim.config import RunConfig, as_container, to_run
from sim.job import GROUP_REPLICATIONS, execute, execute_group, group_key, group_size, groups
from sim.results import FAILURE, MANIFEST, RESULT, read_json
from tests.sweep.helpers import TINY, sweep_rows, trisim


def config(**changes) -> dict:
    c = as_container(OmegaConf.structured(RunConfig))
    c.update(months=18, replications=40)
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            c[section][name] = value
        else:
            c[key] = value
    return c


def counting_engine(monkeypatch) -> list[int]:
    """Count the batch engine's calls made through sim.job (one per strategy and call)."""
    calls: list[int] = []
    real = sim.job.run_engine

    def engine(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.job, "run_engine", engine)
    return calls


@pytest.mark.parametrize(("record", "calibration"),
                         [("final", "point"), ("steps", "point"), ("final", "prior"), ("final", "posterior")])
def test_a_group_gives_each_job_its_own_table_to_the_last_bit_in_one_call_per_strategy(record, calibration,
                                                                                        monkeypatch):
    configs = [config(record=record, params__value_chn=v, params__value_rus=w, calibration__name=calibration)
               for v, w in ((1.0, 2.0), (2.5, 2.0), (4.0, 1.5))]
    runs = [to_run(c) for c in configs]
    alone = [execute(r, progress=False) for r in runs]
    calls = counting_engine(monkeypatch)
    together = execute_group(runs)
    assert len(calls) == len(runs[0].specs)  # one call per strategy, not one per job and strategy
    for a, b in zip(alone, together, strict=True):
        assert a.equals(b)
        assert a.dtypes.equals(b.dtypes)
    # control: the parameters are what tells the jobs apart (otherwise the test shows nothing)
    assert not alone[0].drop(columns="run_id").equals(alone[1].drop(columns="run_id"))


def test_only_jobs_that_differ_in_parameters_alone_share_a_key():
    base = group_key(config())
    assert base == group_key(config(params__value_chn=3.0)) == group_key(config(params__reliability_prk=0.2))
    assert base != group_key(config(seed=1))
    assert base != group_key(config(us_policy__name="engagement"))
    assert group_key(config(engine="mesa")) is None  # the Mesa model holds one parameter set
    assert base != group_key(config(calibration__name="prior"))
    assert group_key(config(calibration__name="prior")) == group_key(config(calibration__name="prior",
                                                                            params__value_chn=3.0))
    with pytest.raises(ValueError, match="differ only in their parameters"):
        execute_group([to_run(config()), to_run(config(seed=1))])


def test_groups_keep_the_plans_order_and_their_size_bound():
    configs = [config(params__value_chn=1 + 0.1 * i) for i in range(5)] + [config(seed=9), config(engine="mesa")]
    assert groups(configs) == [[0, 1, 2, 3, 4], [5], [6]]
    one = config(replications=GROUP_REPLICATIONS // 2, strategy__names=["balancing"])  # the replications bound
    assert group_size(one) == 2
    assert [len(g) for g in groups([one] * 5)] == [2, 2, 1]
    assert group_size(config(replications=GROUP_REPLICATIONS * 3)) == 1
    assert group_key(config(record="steps")) is None  # a steps job streams its table alone


@pytest.mark.slow
def test_a_sweep_over_parameters_runs_its_jobs_together_and_a_failing_one_alone(workdir, capsys, monkeypatch):
    from sim.sweep.cli import main

    jobs = (*TINY, "params.value_chn=1,2,3")
    blocked = workdir / "multirun" / "g" / "months=6,params.value_chn=2,replications=3"
    (blocked / RESULT).mkdir(parents=True)  # the table cannot be renamed onto a folder
    calls = counting_engine(monkeypatch)
    assert main(["g", *jobs, "--workers", "1"]) == 1
    assert "2 complete, 1 failed, 0 missing" in capsys.readouterr().err
    assert len(calls) == 5  # three jobs of five strategies: one call per strategy
    assert read_json(blocked / FAILURE)["error"].startswith("IsADirectoryError")
    manifests = [read_json(p.parent / MANIFEST) for p in (workdir / "multirun" / "g").glob(f"*/{RESULT}")
                 if p.is_file()]
    assert len(manifests) == 2
    assert all(m["seconds"] > 0 for m in manifests)
    (blocked / RESULT).rmdir()
    assert main(["g", *jobs, "--workers", "1"]) == 0
    assert "2 already complete, 1 to run" in capsys.readouterr().err
    assert trisim("-m", *jobs, "sweep.id=alone", "hydra/launcher=basic") == 0  # a call per job and strategy
    assert len(calls) == 5 + 5 + 15
    assert sweep_rows(workdir / "multirun" / "g").equals(sweep_rows(workdir / "multirun" / "alone"))


@pytest.mark.slow
def test_two_workers_take_a_group_each_and_give_the_rows_of_jobs_run_one_by_one(workdir, capsys):
    from sim.sweep.cli import main

    # 5,000 replications of one strategy: four jobs to a group (20,000 replications), two groups
    jobs = ("months=6", "replications=5000", "strategy=balancing", "params.value_chn=1,1.5,2,2.5,3,3.5,4,4.5")
    assert main(["g2", *jobs, "--workers", "2"]) == 0
    assert "2 worker processes x 1 thread" in capsys.readouterr().err
    assert trisim("-m", *jobs, "sweep.id=alone", "hydra/launcher=basic") == 0
    grouped = sweep_rows(workdir / "multirun" / "g2")
    assert len(grouped) == 8 * 5000
    assert grouped.equals(sweep_rows(workdir / "multirun" / "alone"))

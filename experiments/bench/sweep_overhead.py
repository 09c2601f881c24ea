"""What ``trisim sweep`` costs over a plain script that runs the same jobs.

For each case (``experiment=strategy_comparison``, ``experiment=us_policy_mix``, a 20-value
multirun over ``params.value_chn``) and each size (1,000 and 10,000 replications of 120 months),
one run of this benchmark times, as commands (interpreter start included):

- ``trisim sweep NAME <case> replications=R`` (planning, the workers launcher, claims, manifests,
  configs, atomic tables, the catalog's links), in a fresh folder;
- a plain script doing the same jobs: it imports the package, simulates each job's resolved
  config (``sim.job.execute``, every strategy) and writes one Parquet file per job with pandas.
  The configs come from the sweep's plan, made beforehand in this process, so that the script
  composes nothing.

Runs are paired and alternate in order; each time is the median of ``--repeats`` pairs, and
``ratio`` is sweep over script in wall time. ``cpu_ratio`` is the same in CPU time (user and
system, of the command and the processes it waited for), which other load on the machine
(``load_1min``, the mean one-minute load average during the case) disturbs less. The first
pair of each case also checks that the sweep's tables hold the script's rows, column for
column. Writes ``experiments/bench/results/sweep_overhead.csv``::

    python experiments/bench/sweep_overhead.py                       # the full benchmark
    python experiments/bench/sweep_overhead.py --replications 1000 --repeats 1   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from sim.config import to_run

HERE = Path(__file__).resolve().parent
VALUES = ",".join(f"{1 + 0.25 * i:g}" for i in range(20))  # 1 to 5.75: 20 values of params.value_chn
CASES = {
    "strategy_comparison": ["experiment=strategy_comparison"],
    "us_policy_mix": ["experiment=us_policy_mix"],
    "value_chn x20": [f"params.value_chn={VALUES}"],
}

#: The plain script: simulate each job, one Parquet file per job.
SCRIPT = """
import json, sys
from pathlib import Path
from sim.config import to_run
from sim.job import execute
configs, out = json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for i, config in enumerate(configs):
    execute(to_run(config), progress=False).to_parquet(out / f"job{i}.parquet")
"""


def job_configs(overrides: list[str]) -> list[dict]:
    """The resolved config of every job of ``trisim sweep NAME overrides...``, from its plan."""
    from sim.cli import CONFIG_DIR
    from sim.config import register_configs
    from sim.sweep.plan import make_plan

    register_configs()
    with tempfile.TemporaryDirectory() as tmp:
        plan = make_plan([*overrides, f"hydra.sweep.dir={tmp}/plan"], True, CONFIG_DIR)
    return [job.config for job in plan.jobs]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system, of the command and the processes it waited for) and
    stderr of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


def sweep(name: str, overrides: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time, CPU time and stderr of ``trisim sweep`` as a command."""
    return timed([sys.executable, "-m", "sim", "sweep", name, *overrides, "output.progress=false"], cwd)


def script(configs_file: Path, out: Path, cwd: Path) -> tuple[float, float, str]:
    return timed([sys.executable, "-c", SCRIPT, str(configs_file), str(out)], cwd)


def same_rows(sweep_dir: Path, script_dir: Path, configs: list[dict]) -> None:
    """Each job's table in the sweep holds the script's table for that job, column for column."""
    from sim.config import inputs_hash, job_inputs

    tables = {read_inputs(p): p for p in sweep_dir.glob("*/outcomes.parquet")}
    assert len(tables) == len(configs), (len(tables), len(configs))
    for i, config in enumerate(configs):
        mine = pd.read_parquet(script_dir / f"job{i}.parquet")
        theirs = pd.read_parquet(tables[inputs_hash(job_inputs(config))])
        columns = [c for c in mine.columns if c != "run_id"]
        assert theirs[columns].equals(mine[columns]), f"job {i} differs"


def read_inputs(path: Path) -> str:
    return json.loads((path.parent / "manifest.json").read_text())["inputs_hash"]


def shape_of(stderr: str) -> tuple[int, int]:
    """Workers and threads per worker, from the sweep's line ``N worker process(es) x T thread(s)``."""
    found = re.search(r"(\d+) worker process(?:es)? x (\d+) thread", stderr)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3, help="paired runs per case and size (median)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "sweep_overhead.csv")
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="trisim-bench-") as tmp:
        work = Path(tmp)
        # compiled model loaded from its cache (or compiled) once, outside the timings
        sweep("warm", ["months=2", "replications=2", "strategy=all"], work)
        for reps in args.replications:
            for case in args.cases:
                overrides = [*CASES[case], f"replications={reps}", f"months={args.months}"]
                configs = job_configs(overrides)
                configs_file = work / "configs.json"
                configs_file.write_text(json.dumps(configs))
                walls: dict[str, list[float]] = {"sweep": [], "script": []}
                cpus: dict[str, list[float]] = {"sweep": [], "script": []}
                shape, loads = (0, 0), [os.getloadavg()[0]]
                for k in range(args.repeats):
                    name = f"{case.split()[0]}-{reps}-{k}"
                    order = ("sweep", "script") if k % 2 == 0 else ("script", "sweep")
                    for what in order:
                        if what == "sweep":
                            wall, cpu, err = sweep(name, overrides, work)
                            shape = shape_of(err)
                        else:
                            wall, cpu, _ = script(configs_file, work / "script" / name, work)
                        walls[what].append(wall)
                        cpus[what].append(cpu)
                        loads.append(os.getloadavg()[0])
                    if k == 0:
                        same_rows(work / "multirun" / name, work / "script" / name, configs)
                script_s, sweep_s = statistics.median(walls["script"]), statistics.median(walls["sweep"])
                script_cpu, sweep_cpu = statistics.median(cpus["script"]), statistics.median(cpus["sweep"])
                rows.append({"case": case, "replications": reps, "jobs": len(configs), "workers": shape[0],
                             "threads": shape[1], "months": args.months,
                             "rep_months": reps * args.months * sum(len(to_run(c).specs) for c in configs),
                             "script_s": round(script_s, 2), "sweep_s": round(sweep_s, 2),
                             "ratio": round(sweep_s / script_s, 3),
                             "script_cpu_s": round(script_cpu, 2), "sweep_cpu_s": round(sweep_cpu, 2),
                             "cpu_ratio": round(sweep_cpu / script_cpu, 3),
                             "load_1min": round(statistics.mean(loads), 2)})
                print(f"  {case}, R={reps}: script {script_s:.2f} s, sweep {sweep_s:.2f} s "
                      f"({rows[-1]['ratio']:.2f}x; CPU {rows[-1]['cpu_ratio']:.2f}x, load {loads[-1]:.1f})",
                      file=sys.stderr)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

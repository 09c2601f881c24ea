"""Command-line entry points: ``trisim`` (the Hydra job) and ``python -m sim``.

``trisim [overrides...]`` runs one job; ``trisim --multirun ...`` a sweep of jobs. Before Hydra
starts, :func:`sim.sweep.plan.make_plan` composes and validates every job, so that a bad config
stops with ``trisim: error: <one line>`` and exit status 2 before any job runs. A sweep whose
jobs did not all complete exits with status 1; one stopped by SIGTERM or Ctrl-C stops its
workers, prints its summary and exits with status 128 + the signal number.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path


def _config_dir() -> str:
    """The Hydra configs: ``sim/configs`` in the package (in a wheel, a copy of the repository's
    ``configs/``; in a checkout, a link to it), else the checkout's ``configs/`` (a checkout
    without symbolic links)."""
    here = Path(__file__).resolve().parent
    packaged = here / "configs"
    return str(packaged if (packaged / "config.yaml").is_file() else here.parent / "configs")


CONFIG_DIR = _config_dir()


def fail(message: str) -> None:
    """Stop with a one-line error (exit status 2): the user's input is wrong."""
    print(f"trisim: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _job(cfg) -> None:
    """The Hydra task: hand the composed config and where Hydra put the job to :func:`run_job`."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.types import RunMode

    from sim.config import as_container, to_run
    from sim.job import JobContext, input_columns, run_job
    from sim.results import FAILURE

    # a log line that cannot be written (a full disk) must not print a traceback per line; the
    # job's own outcome (failure.json, the sweep's summary) says what went wrong
    logging.raiseExceptions = False
    hc = HydraConfig.get()
    in_sweep = hc.mode == RunMode.MULTIRUN
    if in_sweep:  # a SLURM task, a joblib worker: the batch engine's threads stay within its CPUs
        from sim.sweep.workers import limit_threads

        limit_threads()
    out = Path(hc.runtime.output_dir)
    task = list(hc.overrides.task)
    choices = dict(hc.runtime.choices)
    config = as_container(cfg)
    keys = [(o.key_or_group, o.key_or_group in choices) for o in OverridesParser.create().parse_overrides(task)]
    # in a sweep the folder is the one the plan chose for the job (sim.sweep.plan): its name is the job's
    job_id = out.name if in_sweep else (hc.job.override_dirname or "default")
    ctx = JobContext(directory=out, sweep_id=str(config["sweep"]["id"]),
                     job_id=job_id, inputs=input_columns(keys, config, choices),
                     overrides=tuple(task), in_sweep=in_sweep)
    outcome = run_job(cfg, ctx, progress=bool(cfg.output.progress))
    if in_sweep:
        if outcome.status == "failed" and not (outcome.directory / FAILURE).exists():
            # its failure.json could not be written (a full disk): tell the sweeper, which counts it
            raise RuntimeError(outcome.error)
        return
    if outcome.status == "failed":
        print(f"trisim: error: the run failed: {outcome.error} (details in {outcome.directory})", file=sys.stderr)
        raise SystemExit(1)
    if outcome.status == "skipped":
        print(f"{outcome.directory} already holds this run's results (sweep.id={ctx.sweep_id}); nothing to do")
        return
    print(f"{outcome.rows} rows ({len(to_run(cfg).specs)} strategies x {config['replications']} "
          f"replications) -> {outcome.directory}")
    for path in sorted(outcome.directory.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            print(f"  {path}")


def hydra_arguments() -> argparse.ArgumentParser:
    """The command-line flags of a Hydra application (``hydra.main``), read here only to plan the
    run; Hydra reads the command line itself when it runs."""
    parser = argparse.ArgumentParser(prog="trisim", add_help=False)
    parser.add_argument("overrides", nargs="*")
    for flags, kwargs in (
        (("--help", "-h"), {"action": "store_true"}), (("--hydra-help",), {"action": "store_true"}),
        (("--version",), {"action": "store_true"}), (("--cfg", "-c"), {"choices": ["job", "hydra", "all"]}),
        (("--resolve",), {"action": "store_true"}), (("--package", "-p"), {}),
        (("--run", "-r"), {"action": "store_true"}), (("--multirun", "-m"), {"action": "store_true"}),
        (("--shell-completion", "-sc"), {"action": "store_true"}), (("--config-path", "-cp"), {}),
        (("--config-name", "-cn"), {}), (("--config-dir", "-cd"), {}),
        (("--experimental-rerun",), {}), (("--info", "-i"), {"nargs": "?", "const": "all"}),
    ):
        parser.add_argument(*flags, **kwargs)
    return parser


class Interrupted(BaseException):  # a BaseException, as KeyboardInterrupt: no handler on the way swallows it
    """SIGTERM (or SIGINT) reached the sweep's process."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` in the main thread while the block runs.

    Raising in the main thread unwinds the launcher, which stops its workers (joblib terminates
    its pool, the SLURM launcher cancels its jobs). A second signal while stopping is ignored, so
    that the summary is still printed.
    """
    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise Interrupted(signum)

    saved = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


def hydra_main(argv: list[str] | None = None, add: bool = False) -> int:
    """Plan and validate, then run the Hydra job (or multirun) for ``argv``; the exit status.

    A sweep name already used for other jobs is refused unless ``add`` (or ``--add`` in ``argv``).
    """
    import hydra

    from sim.config import ConfigError, plugins_in, register_configs
    from sim.job import PARENT_ENV
    from sim.sweep import plan as planning
    from sim.sweep import workers
    from sim.sweep.names import reused_with_other_jobs

    argv = list(sys.argv[1:] if argv is None else argv)
    if "--add" in argv:  # trisim's own flag, not Hydra's
        argv.remove("--add")
        add = True
    logging.raiseExceptions = False  # as in _job: Hydra's log file on a full disk
    try:
        register_configs(plugins_in([a for a in argv if not a.startswith("-")]))
    except ConfigError as err:
        fail(str(err))
    args = hydra_arguments().parse_args(argv)  # exits 2 on what Hydra would refuse too
    informative = (args.help or args.hydra_help or args.cfg or args.info or args.shell_completion
                   or args.experimental_rerun or args.version)
    plan = None
    if not informative:
        try:
            plan = planning.make_plan(args.overrides, args.multirun, CONFIG_DIR, args.config_name or "config",
                                      args.config_dir)
        except ConfigError as err:
            fail(str(err))
        argv += plan.pinned
        if plan.multirun and not add and (refused := reused_with_other_jobs(plan)):
            fail(refused)
        if plan.multirun:
            for note in plan.notes:
                print(f"trisim: {note}", file=sys.stderr)
            try:
                planning.write_plan(plan, argv)
                planning.clean_temporaries(plan)
            except OSError as err:  # e.g. a full disk: the jobs decide what they can still write
                print(f"trisim: warning: could not record the plan in {plan.directory}: {err}", file=sys.stderr)
            todo = len(plan.todo)
            running = sum(j.state == "claimed" for j in plan.jobs)
            print(f"sweep {plan.sweep_id}: {len(plan.jobs)} jobs ({plan.complete} already complete, "
                  + (f"{running} running in another run, " if running else "")
                  + f"{todo} to run) -> {plan.directory}", file=sys.stderr)
    saved = sys.argv
    sys.argv = [saved[0] if saved else "trisim", *argv]
    stopped: Interrupted | None = None
    saved_env = {k: os.environ.get(k) for k in (PARENT_ENV, "PYTHONWARNINGS")}
    try:
        if plan is not None and plan.multirun and not plan.todo:
            pass  # nothing to launch
        else:
            sweeping = plan is not None and plan.multirun
            if sweeping:
                os.environ[PARENT_ENV] = str(os.getpid())  # workers watch this process (sim.job.watch_parent)
                # a stopped joblib pool leaves semaphores that its resource tracker (a child process)
                # removes, with a warning that would follow the sweep's last line
                os.environ["PYTHONWARNINGS"] = ",".join(
                    w for w in (saved_env["PYTHONWARNINGS"], "ignore:resource_tracker:UserWarning") if w)
            with stop_on_signals() if sweeping else nullcontext(), \
                    planning.launching(plan) if sweeping else nullcontext(), \
                    planning.progress(plan) if sweeping else nullcontext():
                if sweeping and plan.launcher == planning.WORKERS:
                    # the plan holds every job's resolved config: Hydra's multirun would compose the
                    # primary config again and set up its logging only to hand the jobs over
                    planning.record_launch_failures(plan, plan.todo, workers.run_jobs(plan, plan.todo, plan.workers))
                else:
                    hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")(_job)()
    except Interrupted as stop:
        stopped = stop
    finally:
        workers.shutdown()  # the workers launcher's (and trisim sweep's early) worker processes
        sys.argv = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if plan is None or not plan.multirun:
        return 0
    counts = planning.summary(plan)
    running = f" ({counts['running']} of them running in another run)" if counts["running"] else ""
    print(f"sweep {plan.sweep_id}: {counts['complete']} complete, {counts['failed']} failed, "
          f"{counts['missing']} missing{running} -> {plan.directory}", file=sys.stderr)
    if stopped is not None:
        print(f"trisim: stopped by {stopped}; run the same command again to resume "
              f"(with sweep.id={plan.sweep_id})", file=sys.stderr)
        return 128 + stopped.signum
    if counts["failed"] or counts["missing"]:
        print(f"  see: trisim catalog --jobs {plan.sweep_id}; run the same command again to retry "
              f"(with sweep.id={plan.sweep_id})", file=sys.stderr)
        return 1
    return 0


#: Subcommands: ``trisim <name> ...`` calls ``module.main(argv)``; anything else goes to Hydra.
SUBCOMMANDS = {
    "catalog": ("sim.sweep.catalog", "query the results catalog of all sweeps"),
    "report": ("sim.analysis.report", "write the figures and report of a sweep"),
    "explain": ("sim.calibration.explain", "show the claims, prior and posterior behind a parameter"),
    "validate": ("sim.calibration.validate", "replay 2018-2024 and check the seeds' 2023-24 patterns"),
    "sweep": ("sim.sweep.cli", "run a sweep of jobs (resumable)"),
    "sobol": ("sim.analysis.sobol", "Sobol indices of a model outcome over parameter bounds"),
    "sensitivity": ("sim.analysis.sensitivity", "Sobol indices or Morris screening (--method sobol|morris)"),
    "list": ("sim.listing", "list strategies, scenarios, policies, params or outcomes, one line each"),
}

#: Hydra's own command-line flags (``trisim --cfg job``...); any other ``--flag`` is a mistake.
HYDRA_FLAGS = ("--hydra-help", "--cfg", "-c", "--resolve", "--package", "-p", "--run", "-r", "--multirun", "-m",
               "--shell-completion", "-sc", "--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd",
               "--experimental-rerun", "--info", "-i", "--add")


def usage() -> str:
    """``trisim --help``: how to run a job or sweep, the subcommands, and what a config may name."""
    from sim.listing import KINDS, policies, scenarios, strategies

    def names(rows: list[tuple[str, str]]) -> str:
        return ", ".join(n.split("=")[-1] for n, _ in rows)

    width = max(map(len, SUBCOMMANDS))

    lines = [
        "usage: trisim [key=value ...]              run one job (every PRK strategy; see configs/config.yaml)",
        "       trisim -m key=a,b [key=value ...]   run a sweep: one job per combination",
        "       trisim <command> [args ...]          (trisim <command> --help for its options)",
        "",
        "examples:",
        "  trisim scenario=war_ends strategy=balancing replications=1000 params.value_chn=3",
        "  trisim sweep war1 experiment=war_ends record=steps   then   trisim report war1",
        "",
        "commands:",
        *[f"  {name:<{width}} {text}" for name, (_, text) in SUBCOMMANDS.items()],
        "",
        "config groups (trisim list KIND describes each entry):",
        f"  strategy=   {names(strategies())}, all",
        f"  scenario=   {names(scenarios())}",
        f"  us_policy=  {names([p for p in policies() if p[0].startswith('us_policy')])}",
        "  calibration=point, prior, posterior     experiment=NAME (configs/experiment/)     debug=tiny",
        "  other keys: months, replications, seed, engine=batch|mesa, record=final|steps, params.NAME, "
        "switches.NAME",
        "",
        "trisim list KIND:",
        *[f"  {k:<11} {v}" for k, v in KINDS.items()],
        "",
        "options: -h/--help this help; --version; --hydra-help Hydra's own help; --cfg job prints the config; "
        "--add adds jobs of another configuration to an existing sweep.",
    ]
    return "\n".join(lines)


def suggestion(argv: list[str]) -> str:
    """One line for an argument that is neither a subcommand nor an override in Hydra's form
    (``key=value``), with the right form; '' if ``argv`` looks fine."""
    import difflib

    if argv and "=" not in argv[0] and not argv[0].startswith(("-", "+", "~")):
        close = difflib.get_close_matches(argv[0], list(SUBCOMMANDS), n=1, cutoff=0.6)
        if close:
            return f"unknown command {argv[0]!r}; did you mean 'trisim {close[0]}'? (trisim --help lists the commands)"
        return (f"{argv[0]!r} is neither a command ({', '.join(SUBCOMMANDS)}) nor an override (key=value); "
                "trisim --help lists both")
    for i, arg in enumerate(argv):
        flag = arg.split("=", 1)[0]
        if arg.startswith("--") and flag not in HYDRA_FLAGS:
            key = flag[2:].replace("-", "_")
            value = arg.split("=", 1)[1] if "=" in arg else (argv[i + 1] if i + 1 < len(argv) else "VALUE")
            written = arg if "=" in arg else f"{arg} {value}"
            return f"write overrides as key=value, without dashes: {key}={value} (not {written})"
    return ""


def main(argv: list[str] | None = None) -> None:
    """``trisim [overrides...]`` runs the Hydra job; ``trisim <subcommand> ...`` a subcommand."""
    import importlib

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help", "help"):
        print(usage())
        raise SystemExit(0)
    if argv and argv[0] in ("--version", "-V"):  # before Hydra, whose --version is its own
        from sim import __version__

        print(f"trisim {__version__}")
        raise SystemExit(0)
    if argv and argv[0] not in SUBCOMMANDS and (hint := suggestion(argv)):
        fail(hint)
    if argv and argv[0] in SUBCOMMANDS:
        module, _ = SUBCOMMANDS[argv[0]]
        try:
            command = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name and err.name.split(".")[0] in ("sim", "tests"):
                raise
            fail(f"'trisim {argv[0]}' needs the package {err.name}, which is not installed "
                 "(pip install -e '.[sweep,analysis]')")
        raise SystemExit(command.main(argv[1:]) or 0)
    raise SystemExit(hydra_main(argv))


if __name__ == "__main__":
    main()

"""Command-line entry points: ``trisim`` (the Hydra job) and ``python -m sim``."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.params import ParameterError
from sim.registry import UnknownNameError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")


def fail(message: str) -> None:
    print(f"trisim: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _job(cfg) -> None:
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from sim.config import ConfigError, to_run
    from sim.job import execute, write_outputs

    try:
        run = to_run(cfg)
    except (ConfigError, ParameterError, UnknownNameError, ValueError) as err:
        fail(str(err))
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    frame = execute(run, progress=cfg.output.progress)
    config = OmegaConf.to_container(cfg, resolve=True)
    written = write_outputs(frame, out_dir, cfg.output.parquet, cfg.output.figure, config, run.seed)
    print(f"{len(frame)} rows ({len(run.specs)} strategies x {run.replications} replications) -> {out_dir}")
    for kind, path in written.items():
        print(f"  {kind}: {path}")


def hydra_main() -> None:
    import hydra

    from sim.config import register_configs

    register_configs()
    hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")(_job)()


#: Subcommands: ``trisim <name> ...`` calls ``module.main(argv)``; anything else goes to Hydra.
SUBCOMMANDS = {
    "catalog": ("sim.sweep.catalog", "query the results catalog of all sweeps"),
    "report": ("sim.analysis.report", "write the figures and report of a sweep"),
    "explain": ("sim.calibration.explain", "show the claims, prior and posterior behind a parameter"),
    "sweep": ("sim.sweep.cli", "run a sweep of jobs (resumable)"),
}


def main(argv: list[str] | None = None) -> None:
    """``trisim [overrides...]`` runs the Hydra job; ``trisim <subcommand> ...`` a subcommand."""
    import importlib

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        module, _ = SUBCOMMANDS[argv[0]]
        raise SystemExit(importlib.import_module(module).main(argv[1:]) or 0)
    hydra_main()


if __name__ == "__main__":
    main()

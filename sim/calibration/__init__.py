"""Calibration from the analysts' views: cited claims, priors, the 2018-2024 history, a
posterior under each reading of PRK's strategy.

- :mod:`~sim.calibration.claims`: the registry of cited claims.
- :mod:`~sim.calibration.priors`: the rule that turns claims into priors; which parameters are calibrated.
- :mod:`~sim.calibration.targets`: the 2018-22 figures as statistics of the replay, and the band model.
- :mod:`~sim.calibration.history`: the replay, observation models, hold-out patterns, readings, screening.
- :mod:`~sim.calibration.fit`: the batch SMC-ABC fit.
- :mod:`~sim.calibration.store`: the shipped posteriors and diagnostics (``data/``).
- :mod:`~sim.calibration.explain`: ``trisim explain <parameter>``; :mod:`~sim.calibration.validate`:
  ``trisim validate``.

:func:`parameter_draws` gives one parameter vector per replication from the point values, the
prior or the shipped posterior (under the strategy being run, :func:`posterior_of`), for runs
and sweeps.
"""

from __future__ import annotations

import numpy as np

from sim.calibration import priors as _rule
from sim.calibration.priors import CALIBRATED
from sim.calibration.store import load_posterior
from sim.params import Params

SOURCES = ("point", "prior", "posterior")

#: Spawn key of the parameter draws' stream, a NumPy SeedSequence child of the run's seed; the
#: replications' own numbers come from counter-based streams (:mod:`sim.rng`).
DRAW_STREAM = (0xCA11B, 0)


def parameter_draws(source: str, n: int, seed: int, base: Params | None = None,
                    strategy: str | None = None) -> tuple[Params, np.ndarray]:
    """One parameter vector per replication, for ``n`` replications.

    Args:
        source: ``point`` (the values of ``base``, i.e. the documented defaults), ``prior``
            (fresh draws from the claims' priors) or ``posterior`` (draws of the shipped
            posterior under ``strategy``, with replacement; see :func:`posterior_of`).
        n: number of replications.
        seed: the draws' seed; draw i depends only on (seed, i), not on ``n`` nor on the strategy
            (the same uniform picks the draw under every strategy's posterior).
        base: values of every parameter that is not drawn (default: the defaults).
        strategy: the PRK strategy the parameters are for (``posterior`` only).

    Returns:
        ``(params, draw)``: a :class:`~sim.params.Params` whose calibrated fields are ``(n,)``
        arrays (the rest as in ``base``), and an ``(n,)`` int array saying which draw each
        replication used: the row (``draw``) of the shipped posterior, the index in the prior
        stream, or -1 for point values.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown calibration source {source!r}; choose one of: {', '.join(SOURCES)}")
    if int(n) < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n}")
    n = int(n)
    base = base or Params()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=DRAW_STREAM))
    if source == "point":
        values = {name: np.full(n, float(getattr(base, name))) for name in CALIBRATED}
        draw = np.full(n, -1, dtype=np.int64)
    elif source == "prior":
        prior_map = _rule.priors()
        values = _rule.sample(prior_map, rng.random((n, len(prior_map))))
        draw = np.arange(n, dtype=np.int64)
    else:
        samples, readings = load_posterior(), _readings()
        weights = _posterior_weights(samples, strategy if strategy in readings else AVERAGED, readings)
        draw = np.minimum(np.searchsorted(np.cumsum(weights), rng.random(n) * weights.sum(), side="right"),
                          len(samples) - 1).astype(np.int64)
        values = {name: samples[name].to_numpy(dtype=float)[draw] for name in samples.columns
                  if name not in ("draw", "reading")}
    return Params.with_overrides(values, base=base), draw


#: ``posterior_of`` of a strategy that is none of the readings the posterior was fitted under.
AVERAGED = "averaged"


def posterior_of(strategy: str | None) -> str:
    """Which of the shipped posteriors ``calibration=posterior`` draws from for ``strategy``.

    The posterior is fitted under each reading of PRK's strategy from September 2023
    (``experiments/calibrate.py``): a run of one of them draws from its own. Any other strategy
    (a plugin's, a schedule) draws from the readings' posteriors averaged by the readings'
    probabilities (Bayesian model averaging): the parameters given the seeds, whatever PRK did.
    """
    return strategy if strategy in _readings() else AVERAGED


def _readings() -> dict[str, float]:
    from sim.calibration.store import load

    return dict(load("fit")["readings"])


def _posterior_weights(samples, which: str, probability: dict[str, float]) -> np.ndarray:
    """Each draw's weight under the posterior ``which``: its reading's draws alike, or, averaged,
    each reading's draws together weighing its probability."""
    reading = samples["reading"].to_numpy()
    if which != AVERAGED:
        return (reading == which).astype(float)
    counts = {k: int((reading == k).sum()) for k in probability}
    return np.array([probability[r] / counts[r] for r in reading])


__all__ = ["AVERAGED", "CALIBRATED", "SOURCES", "parameter_draws", "posterior_of"]

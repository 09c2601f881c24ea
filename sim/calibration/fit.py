"""The simulation-based fit: priors to a posterior, with the batch engine.

Algorithm (``docs/calibration.md``, "The fit"): sequential Monte Carlo ABC with likelihood
tempering (Del Moral, Doucet and Jasra 2012; Beaumont et al. 2009 for the population
proposal), with the band observation model of :mod:`sim.calibration.targets` as the ABC kernel
(Wilkinson 2013: ABC with a kernel is exact inference under that model error).

Each generation proposes ``candidates`` parameter vectors, runs *all* of them in one batch of
the engine (one replication each), and weights vector i by
``prior(z_i) / q(z_i) * L(x_i) ** beta``, where ``L(x_i)`` is the kernel likelihood of its
simulated statistics. ``beta`` rises from 0 to 1 as fast as the effective sample size (ESS)
allows; the next proposal ``q`` is a Gaussian kernel density (:class:`scipy.stats.gaussian_kde`)
fitted to the weighted population on the unconstrained scale, mixed with the prior (a
defensive share) so that weights stay bounded. The fit ends at ``beta = 1`` with an ESS of at
least ``final_ess`` (pooling the generations at ``beta = 1``, each a valid
importance sample): the weights are then importance weights of the exact ABC posterior
(``L(x_i)`` is an unbiased estimate of the likelihood), and ``particles`` equally weighted
draws are resampled from them.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from tqdm.auto import tqdm

from sim.calibration.priors import Prior, priors
from sim.calibration.targets import Observation, seed_observation, simulate_statistics
from sim.params import Params

#: A parameter counts as identified by the targets when the fit removes at least this share
#: of its prior variance (1 - posterior variance / prior variance).
IDENTIFIED_CONTRACTION = 0.3


@dataclass
class Fit:
    """A fitted posterior and how it was reached.

    samples: ``particles`` equally weighted posterior draws (one column per parameter).
    generations: one row per generation (beta, ESS, share of candidates with a finite
        likelihood, seconds).
    simulations: parameter vectors simulated (each one replication of every block).
    """

    samples: pd.DataFrame
    generations: pd.DataFrame
    simulations: int
    seconds: float
    seed: int
    observation: Observation
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def final_ess(self) -> float:
        """ESS of the posterior population (the generations at beta = 1, pooled)."""
        return float(self.generations["pooled_ess"].iloc[-1])

    @property
    def acceptance_rate(self) -> float:
        """ESS per candidate simulated at beta = 1: the importance-sampling analogue of the
        acceptance rate of rejection ABC."""
        at_one = int((self.generations["beta"] >= 1.0).sum())
        return self.final_ess / (at_one * self.settings["candidates"])


def _sim_seed(seed: int, generation: int) -> int:
    """The engine seed of one generation (independent streams per generation)."""
    return int(np.random.SeedSequence(seed, spawn_key=(generation,)).generate_state(1)[0])


def _normalise(logw: np.ndarray) -> np.ndarray:
    finite = np.isfinite(logw)
    if not finite.any():
        raise RuntimeError("no candidate has a finite likelihood: the targets are out of the model's reach")
    w = np.zeros_like(logw)
    w[finite] = np.exp(logw[finite] - logw[finite].max())
    return w / w.sum()


def ess(logw: np.ndarray) -> float:
    """Effective sample size ``(sum w)^2 / sum w^2`` of log weights."""
    w = _normalise(logw)
    return float(1.0 / np.sum(w**2))


def _ess_gap(b: float, base_w: np.ndarray, ll: np.ndarray, keep: float) -> float:
    return ess(base_w + b * ll) - keep


def systematic_resample(w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` indices drawn by systematic resampling from normalised weights ``w``."""
    positions = (rng.random() + np.arange(k)) / k
    return np.minimum(np.searchsorted(np.cumsum(w), positions), len(w) - 1)


def kde_logpdf(kde: stats.gaussian_kde, points: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """``kde.logpdf(points.T)`` for ``points`` of shape ``(n, d)``, by whitened distances and
    matrix products (the same numbers; scipy's loop over points is ~20x slower for d = 10 and
    thousands of centres, and so is ``scipy.special.logsumexp`` against plain NumPy)."""
    whiten = np.linalg.inv(np.linalg.cholesky(kde.covariance))
    centres = kde.dataset.T @ whiten.T
    c2 = np.sum(centres**2, axis=1)
    logw = np.log(kde.weights)
    d = centres.shape[1]
    norm = -0.5 * d * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(kde.covariance)[1]
    out = np.empty(len(points))
    for start in range(0, len(points), chunk):
        x = points[start : start + chunk] @ whiten.T
        sq = np.sum(x**2, axis=1)[:, None] + c2[None, :] - 2.0 * x @ centres.T
        terms = logw[None, :] - 0.5 * np.maximum(sq, 0.0)
        top = terms.max(axis=1, keepdims=True)
        out[start : start + chunk] = np.log(np.exp(terms - top).sum(axis=1)) + top[:, 0]
    return out + norm


class _Space:
    """The calibrated parameters on the unconstrained scale ``z`` (one column each)."""

    def __init__(self, prior_map: dict[str, Prior]):
        self.priors = prior_map
        self.names = tuple(prior_map)

    def from_prior(self, u: np.ndarray) -> np.ndarray:
        return np.column_stack([p.to_z(p.ppf(u[:, j])) for j, p in enumerate(self.priors.values())])

    def logprior(self, Z: np.ndarray) -> np.ndarray:
        return np.sum([p.logpdf_z(Z[:, j]) for j, p in enumerate(self.priors.values())], axis=0)

    def values(self, Z: np.ndarray) -> dict[str, np.ndarray]:
        return {n: p.from_z(Z[:, j]) for j, (n, p) in enumerate(self.priors.items())}


def calibrate(
    observation: Observation | None = None,
    *,
    seed: int = 0,
    candidates: int = 20_000,
    particles: int = 2_000,
    names: list[str] | tuple[str, ...] | None = None,
    base: Params | None = None,
    ess_fraction: float = 0.5,
    final_ess: float | None = None,
    defensive: float = 0.1,
    max_generations: int = 30,
    progress: bool = True,
    simulator: Callable[[Params, int, int], pd.DataFrame] = simulate_statistics,
    likelihood: Callable[[Params, int, int], np.ndarray] | None = None,
) -> Fit:
    """Fit the calibrated parameters to the targets.

    Args:
        observation: the bands the targets' statistics are conditioned on (default: the seeds').
        seed: the fit's seed; the same seed gives the same posterior.
        candidates: parameter vectors simulated per generation (one batch).
        particles: posterior draws returned (and kernel centres of each proposal).
        names: parameters to fit (default: :data:`~sim.calibration.priors.CALIBRATED`).
        base: values of the other parameters (default: their defaults).
        ess_fraction: share of the population's ESS kept by each rise of beta.
        final_ess: ESS of the pooled generations at beta = 1 that ends the fit (default: ``particles``).
        defensive: share of each proposal drawn from the prior.
        max_generations: stop (at beta = 1) after this many generations.
        progress: a tqdm bar on a terminal.
        simulator: ``(params, n, seed) -> statistics table`` (default: the targets' statistics
            from the batch engine; tests pass known-answer simulators).
        likelihood: ``(params, n, seed) -> (n,)`` log-likelihoods, in place of ``simulator``
            and ``observation`` (the history's counts, :func:`sim.calibration.history.counts_likelihood`).

    Returns:
        The :class:`Fit`.
    """
    start = time.perf_counter()
    observation = observation or seed_observation()
    space = _Space(priors(names))
    base = base or Params()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    final_ess = particles if final_ess is None else final_ess

    def evaluate(Z: np.ndarray, generation: int) -> np.ndarray:
        p = Params.with_overrides(space.values(Z), base=base)
        if likelihood is not None:
            return np.asarray(likelihood(p, len(Z), _sim_seed(seed, generation)), dtype=float)
        return observation.loglik(simulator(p, len(Z), _sim_seed(seed, generation)))

    Z = space.from_prior(rng.random((candidates, len(space.names))))
    logprior = space.logprior(Z)
    logq = logprior.copy()
    ll = evaluate(Z, 0)
    beta, rows, simulations = 0.0, [], candidates
    pooled: list[tuple[np.ndarray, np.ndarray]] = []  # (Z, log weight) of the generations at beta = 1
    bar = tqdm(total=1.0, desc="calibrate", unit="beta", disable=not (progress and sys.stderr.isatty()),
               bar_format="{l_bar}{bar}| beta {n:.3f} [{elapsed}]")
    for generation in range(max_generations):
        base_w = logprior - logq
        if beta < 1.0:
            keep_ess = ess_fraction * ess(base_w + beta * ll)
            if ess(base_w + ll) >= keep_ess:
                beta = 1.0
            else:
                beta = optimize.brentq(_ess_gap, beta, 1.0, args=(base_w, ll, keep_ess), xtol=1e-9)
        logw = base_w + beta * ll
        if beta >= 1.0:
            pooled.append((Z, logw))
        pooled_ess = ess(np.concatenate([lw for _, lw in pooled])) if pooled else 0.0
        rows.append({"generation": generation, "beta": beta, "ess": ess(logw), "pooled_ess": pooled_ess,
                     "candidates": candidates, "finite_likelihood": float(np.isfinite(ll).mean()),
                     "seconds": time.perf_counter() - start})
        bar.update(beta - bar.n)
        if pooled_ess >= final_ess or (pooled and generation == max_generations - 1):
            break
        w = _normalise(logw)
        centres, counts = np.unique(systematic_resample(w, particles, rng), return_counts=True)
        kde = stats.gaussian_kde(Z[centres].T, weights=counts)
        n_def = rng.binomial(candidates, defensive)
        Z = np.vstack([kde.resample(candidates - n_def, seed=rng).T,
                       space.from_prior(rng.random((n_def, len(space.names))))])
        logprior = space.logprior(Z)
        logq = np.logaddexp(np.log1p(-defensive) + kde_logpdf(kde, Z), np.log(defensive) + logprior)
        ll = evaluate(Z, generation + 1)
        simulations += candidates
        if generation == max_generations - 2:
            beta = 1.0  # the last generation is at the posterior, whatever the ESS
    bar.close()
    Z = np.vstack([z for z, _ in pooled])
    keep = systematic_resample(_normalise(np.concatenate([lw for _, lw in pooled])), particles, rng)
    rng.shuffle(keep)
    samples = pd.DataFrame(space.values(Z[keep]))
    samples.insert(0, "draw", np.arange(len(samples)))
    settings = {"candidates": candidates, "particles": particles, "ess_fraction": ess_fraction, "final_ess": final_ess,
                "defensive": defensive, "max_generations": max_generations, "names": list(space.names)}
    return Fit(samples=samples, generations=pd.DataFrame(rows), simulations=simulations,
               seconds=time.perf_counter() - start, seed=seed, observation=observation, settings=settings)


@functools.lru_cache(maxsize=256)
def prior_variance(prior: Prior) -> float:
    """A prior's variance from 20,000 deterministic quantiles (priors are frozen, so each is
    computed once: the inverse CDF of a Beta is slow)."""
    grid = (np.arange(20_000) + 0.5) / 20_000
    return float(np.var(prior.ppf(grid)))


def summarise(samples: pd.DataFrame, prior_map: dict[str, Prior] | None = None) -> pd.DataFrame:
    """One row per parameter: prior and posterior median and 90% interval, posterior mean and
    s.d., contraction ``1 - var_post / var_prior`` and whether the targets identify it."""
    prior_map = prior_map or priors([c for c in samples.columns if c != "draw"])
    rows = []
    for name, p in prior_map.items():
        x = samples[name].to_numpy()
        prior_var = prior_variance(p)
        q05, q95 = p.interval(0.9)
        contraction = 1.0 - float(np.var(x)) / prior_var
        rows.append({
            "parameter": name, "family": p.family, "prior_median": p.median(), "prior_q05": q05, "prior_q95": q95,
            "posterior_mean": float(x.mean()), "posterior_sd": float(x.std()),
            "posterior_median": float(np.median(x)), "posterior_q05": float(np.quantile(x, 0.05)),
            "posterior_q95": float(np.quantile(x, 0.95)), "contraction": contraction,
            "identified": contraction >= IDENTIFIED_CONTRACTION,
        })
    return pd.DataFrame(rows)

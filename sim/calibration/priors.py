"""Priors from claims: the written rule that turns the analysts' views into distributions.

The rule (``docs/calibration.md``, "Priors from claims"):

1. **Anchor.** A parameter's prior is centred on its documented default in
   :mod:`sim.params` (itself sourced to a seed or a paper).
2. **Family.** Shares, trust levels and thresholds in [0, 1] get a Beta scaled to the
   parameter's bounds; aid scales in USD bn/yr get a log-normal truncated to the bounds.
3. **Location.** Each bearing of a claim on the parameter has a direction d in {-1, 0, +1}
   and a strength s in {1, 2, 3}. Their mean direction ``d_bar = sum(s d) / sum(s)`` moves the
   centre: the Beta's mean by ``d_bar * LOGIT_STEP`` on the logit scale, the log-normal's
   median by the factor ``2 ** d_bar``.
4. **Spread.** With evidence ``n = sum(s) / 2`` (a direct view counts as one
   pseudo-observation), disagreement ``v = sum(s (d - d_bar)^2) / sum(s)`` (0 when all
   bearings agree, 1 when they split evenly) and agreement ``a = 1 - v``, the
   width factor is ``w = sqrt((1 + n v) / (1 + n a))``: agreement narrows the prior like
   ``n`` pseudo-observations, disagreement widens it. The Beta's concentration is
   ``max(KAPPA0 / w^2, KAPPA_MIN)``; the log-normal's log-scale s.d. is ``SIGMA0 * w``.

The constants below are the only numbers in the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from sim.calibration.claims import bearings_for
from sim.params import PARAM_FIELDS

LOGIT_STEP = 1.0  #: logit-scale shift of a Beta's mean for a unanimous direction
LOG_STEP = np.log(2.0)  #: log-scale shift of a log-normal's median for a unanimous direction
KAPPA0 = 6.0  #: Beta concentration (a + b) with no claims
KAPPA_MIN = 2.0  #: floor of the Beta concentration (uniform at mean 0.5)
SIGMA0 = 0.6  #: log-normal log-scale s.d. with no claims

#: The parameters the analysts' claims bear on most, and their family.
FROM_CLAIMS: dict[str, str] = {
    "value_chn": "lognormal",
    "value_rus": "lognormal",
    "war_value_rus": "lognormal",
    "stability_aid_chn": "lognormal",
    "munitions_capacity": "lognormal",
    "food_share": "beta",
    "attention0_prk_chn": "beta",
    "trust0_prk_chn": "beta",
    "trust0_chn_prk": "beta",
    "attention_rate": "beta",
}

#: Every other parameter that moves what the seeds' counts inform, by the Morris screening of
#: ``experiments/calibrate.py`` (:func:`sim.calibration.history.screening`, 40 trajectories,
#: seed 0; a test checks that none that moves is missing). Those without claims get the rule's
#: prior with no evidence: centred on the default, of the widest spread.
SCREENED: dict[str, str] = {
    "attention0_prk_rus": "beta",
    "cost_chn": "lognormal",
    "cost_rus": "lognormal",
    "pressure_cost_chn": "lognormal",
    "rivalry_value_chn": "lognormal",
    "tech_value": "lognormal",
    "bid0_chn": "lognormal",
    "bid0_rus": "lognormal",
    "tech_threshold": "beta",
    "reliability_prk": "beta",
    "reliability_rus": "beta",
    "reliability_chn": "beta",
    "bid_rate": "beta",
    "trust_rate": "beta",
    "mil_share_rus": "beta",
    "barter_rate": "beta",
    "summit_trust": "beta",
    "trust_noise": "beta",
    "veto_hostility": "beta",
    "delivery_noise": "beta",
    "mil_weight": "beta",
}

#: The calibrated parameters and their family (the rest stay at their defaults).
CALIBRATED: dict[str, str] = {**FROM_CLAIMS, **SCREENED}


@dataclass(frozen=True)
class Evidence:
    """The claims' summary for one parameter: evidence n, mean direction, agreement."""

    n: float
    direction: float
    agreement: float

    @property
    def width(self) -> float:
        """Width factor ``w`` (1 with no claims; < 1 when claims agree; > 1 when they split)."""
        v = 1.0 - self.agreement
        return float(np.sqrt((1.0 + self.n * v) / (1.0 + self.n * self.agreement)))


def evidence(parameter: str, claims: tuple | None = None) -> Evidence:
    """Evidence from the registry's bearings on ``parameter`` (rule steps 3 and 4), or from
    those of ``claims`` (a re-coded registry)."""
    pairs = bearings_for(parameter, claims)
    if not pairs:
        return Evidence(0.0, 0.0, 1.0)
    s = np.array([b.strength for _, b in pairs], dtype=float)
    d = np.array([b.direction for _, b in pairs], dtype=float)
    d_bar = float((s * d).sum() / s.sum())
    v = float((s * (d - d_bar) ** 2).sum() / s.sum())
    return Evidence(float(s.sum() / 2.0), d_bar, 1.0 - v)


class Prior:
    """A prior on one parameter, on its bounds ``[lo, hi]``.

    Besides the density on the natural scale it offers the unconstrained scale
    ``z = logit((x - lo) / (hi - lo))`` that the fit moves particles on.
    """

    name: str
    lo: float
    hi: float
    family: str

    def ppf(self, q: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def params(self) -> dict[str, float]:
        raise NotImplementedError

    def to_z(self, x: np.ndarray) -> np.ndarray:
        u = (np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo)
        return special.logit(np.clip(u, 1e-12, 1 - 1e-12))

    def from_z(self, z: np.ndarray) -> np.ndarray:
        return self.lo + (self.hi - self.lo) * special.expit(z)

    def logpdf_z(self, z: np.ndarray) -> np.ndarray:
        """Log density on the unconstrained scale (density times the Jacobian dx/dz)."""
        u = special.expit(z)
        x = self.lo + (self.hi - self.lo) * u
        return self.logpdf(x) + np.log(self.hi - self.lo) + np.log(u) + np.log1p(-u)

    def median(self) -> float:
        return float(self.ppf(np.array([0.5]))[0])

    def interval(self, mass: float = 0.9) -> tuple[float, float]:
        lo, hi = self.ppf(np.array([(1 - mass) / 2, (1 + mass) / 2]))
        return float(lo), float(hi)

    def describe(self) -> dict[str, Any]:
        """The prior as data: family, its parameters, median and 90% interval."""
        q05, q95 = self.interval(0.9)
        return {"parameter": self.name, "family": self.family, **self.params(), "low": self.lo, "high": self.hi,
                "median": self.median(), "q05": q05, "q95": q95}


@dataclass(frozen=True)
class BetaPrior(Prior):
    """``x = lo + (hi - lo) u`` with ``u ~ Beta(a, b)``."""

    name: str
    lo: float
    hi: float
    a: float
    b: float
    family: str = "beta"

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.lo + (self.hi - self.lo) * stats.beta.ppf(q, self.a, self.b)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        u = (np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo)
        return stats.beta.logpdf(u, self.a, self.b) - np.log(self.hi - self.lo)

    def params(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b}


@dataclass(frozen=True)
class LogNormalPrior(Prior):
    """``log x ~ Normal(mu, sigma)`` truncated to ``[lo, hi]`` (``lo`` may be 0)."""

    name: str
    lo: float
    hi: float
    mu: float
    sigma: float
    family: str = "lognormal"

    def _dist(self):
        lo = -np.inf if self.lo <= 0 else (np.log(self.lo) - self.mu) / self.sigma
        hi = (np.log(self.hi) - self.mu) / self.sigma
        return stats.truncnorm(lo, hi, loc=self.mu, scale=self.sigma)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return np.clip(np.exp(self._dist().ppf(q)), self.lo, self.hi)  # exp(log(hi)) may round above hi

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            lx = np.log(x)
        return self._dist().logpdf(lx) - lx

    def params(self) -> dict[str, float]:
        return {"mu": self.mu, "sigma": self.sigma}


def prior_for(parameter: str, family: str | None = None, claims: tuple | None = None) -> Prior:
    """The prior of ``parameter`` by the rule above, from the registry's claims (or from
    ``claims``)."""
    f = PARAM_FIELDS[parameter]
    lo, hi = f.metadata["bounds"]
    default = float(f.default)
    family = family or CALIBRATED.get(parameter, "beta")
    ev = evidence(parameter, claims)
    w = ev.width
    if family == "beta":
        m0 = (default - lo) / (hi - lo)
        m = float(special.expit(special.logit(m0) + LOGIT_STEP * ev.direction))
        kappa = max(KAPPA0 / w**2, KAPPA_MIN)
        return BetaPrior(parameter, lo, hi, m * kappa, (1 - m) * kappa)
    if family == "lognormal":
        mu = float(np.log(default) + LOG_STEP * ev.direction)
        return LogNormalPrior(parameter, lo, hi, mu, SIGMA0 * w)
    raise ValueError(f"unknown prior family {family!r}; choose beta or lognormal")


def priors(names: list[str] | tuple[str, ...] | None = None, claims: tuple | None = None) -> dict[str, Prior]:
    """The priors of the calibrated parameters (or of ``names``), by the rule, from the
    registry's claims (or from ``claims``, a re-coded registry)."""
    return {n: prior_for(n, claims=claims) for n in (names or CALIBRATED)}


def sample(prior_map: dict[str, Prior], u: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter values from uniforms ``u`` of shape ``(n, len(prior_map))`` by inverse CDF."""
    return {name: p.ppf(u[:, j]) for j, (name, p) in enumerate(prior_map.items())}

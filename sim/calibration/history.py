"""History 2018-2024: the seeds' figures tied to simulated quantities by stated observation
models, the patterns of 2023-24 the model must predict, and the weight of evidence for each
analyst's reading of PRK's strategy after the September 2023 summit.

The replay is scenario ``history_2018_2024`` (month 0 = January 2018) with PRK's strategy
schedule ``engage_us`` (2018-19), ``bandwagon`` (from 2020) and a reading from September 2023
(:data:`READINGS`). Months below are 0-based calendar months of that run (January 2023 = 60);
the per-month table's ``month`` column is one more (the month just simulated).

Observation models (each seed figure used once; the food figures of seed 004 are inputs of the
scenario, so they are not used):

- Xi-Kim exchanges (seed 000: "three references ... this year ... compared to 10 in 2023"):
  the count in a year is Poisson with mean ``lambda`` times PRK's mean attention to China that
  year; given the two years' total the 2024 count is Binomial(13, a24 / (a23 + a24)), so the
  unknown rate ``lambda`` drops out (:func:`exchanges_loglik`). This is the likelihood the
  readings are weighed by and the posteriors under each reading are fitted to.
- Photos of the July 2023 Victory Day (seed 001: "84 photos of the Russian delegation while
  only printing 30 photos of the Chinese"): each of the 114 photos shows the Russians with
  probability PRK's attention to Russia relative to its attention to both patrons that month
  (:func:`photos_loglik`). July 2023 comes before the readings part (September 2023), so the
  photos' likelihood is the same under every reading and cannot weigh them; and no prior draw
  comes near the photos' share (the largest of 20,000 is about 0.27 against 0.74), so
  conditioning on them would put the whole posterior on the one most extreme draw. They are
  a hold-out pattern the model is checked on (:data:`PATTERNS`), and it fails it.

Seed 000's artillery "likely worth several billion dollars" is the source of the parameter
``munitions_capacity`` (an input), so it is not used here as a target; the replay reports the
munitions PRK ships in 2023-24 (:attr:`Replay.munitions_2023_24_bn`) for comparison only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from sim.calibration.targets import SCHEDULE_2018_22
from sim.engine import panels
from sim.params import Params
from sim.world import WorldSpec, schedule_label

SCENARIO = "history_2018_2024"
MONTHS = 84
#: PRK's strategies before the September 2023 Kim-Putin summit (configs/strategy/history.yaml).
SCHEDULE_BEFORE = SCHEDULE_2018_22
SUMMIT_2023 = 68  # September 2023
#: The readings of PRK's strategy from September 2023: the analysts' three and the baselines.
READINGS = ("balancing", "counterweight", "additional_pillar", "bandwagon", "engage_us")
YEAR_2023, YEAR_2024 = range(60, 72), range(72, 84)
VICTORY_DAY = 66  # July 2023
MID_2024 = 77  # June 2024: Putin in Pyongyang
EXCHANGES = (10, 3)  # seed 000: Xi-Kim exchanges in 2023 and 2024
PHOTOS = (84, 30)  # seed 001: photos of the Russian and of the Chinese delegation
#: The shares of Russia in PRK's attention under which 84 of 114 photos is not surprising: the
#: central 90% of the share's posterior given the count, Beta(84 + 1, 30 + 1) (a flat prior).
PHOTO_INTERVAL = tuple(float(x) for x in stats.beta.ppf([0.05, 0.95], PHOTOS[0] + 1, PHOTOS[1] + 1))


def exchanges_loglik(a23: np.ndarray, a24: np.ndarray, n23: int = EXCHANGES[0], n24: int = EXCHANGES[1]) -> np.ndarray:
    """Log-likelihood of ``n24`` of the ``n23 + n24`` Xi-Kim exchanges falling in 2024, given
    PRK's mean attention to China in 2023 and 2024 (Poisson counts in attention, conditioned on
    their total: binomial)."""
    return stats.binom.logpmf(n24, n23 + n24, _share(a24, a23))


def photos_loglik(a_rus: np.ndarray, a_chn: np.ndarray, rus: int = PHOTOS[0], chn: int = PHOTOS[1]) -> np.ndarray:
    """Log-likelihood of ``rus`` of the ``rus + chn`` photos showing the Russian delegation,
    each with probability PRK's attention to Russia relative to both patrons."""
    return stats.binom.logpmf(rus, rus + chn, _share(a_rus, a_chn))


def spec(reading: str) -> WorldSpec:
    """The replay with PRK following ``reading`` from September 2023."""
    schedule = (*SCHEDULE_BEFORE, (reading, SUMMIT_2023))
    return WorldSpec(strategy=schedule_label(schedule), schedule=schedule, scenario=SCENARIO, months=MONTHS)


@dataclass(frozen=True)
class Replay:
    """What the observation models and the patterns read from ``n`` replays (arrays ``(n,)``;
    ``attention_chn`` and ``attention_rus`` are PRK's attention to each patron, ``(n, MONTHS)``,
    for the figure)."""

    attention_chn: np.ndarray
    attention_rus: np.ndarray
    attention_chn_2023: np.ndarray
    attention_chn_2024: np.ndarray
    victory_day_rus: np.ndarray
    victory_day_chn: np.ndarray
    munitions_2023_24_bn: np.ndarray
    china_main_econ_2024: np.ndarray
    amity_prk_rus_mid_2024: np.ndarray
    russian_food_after_summit: np.ndarray
    tech_transferred: np.ndarray
    resolutions_passed: np.ndarray
    resolutions_tabled: np.ndarray
    alliance_ever: np.ndarray

    def loglik(self) -> np.ndarray:
        """Log-likelihood of the seeds' Xi-Kim exchanges, the counts that weigh the readings."""
        return loglik_of(self, EXCHANGES)

    @property
    def photo_share(self) -> np.ndarray:
        """Russia's share of PRK's attention to the patrons on the July 2023 Victory Day."""
        return _share(self.victory_day_rus, self.victory_day_chn)

    @property
    def exchange_share_2024(self) -> np.ndarray:
        """2024's share of PRK's mean attention to China over 2023 and 2024: the probability that
        an exchange falls in 2024 (:func:`exchanges_loglik`)."""
        return _share(self.attention_chn_2024, self.attention_chn_2023)


def _share(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / (a + b)``, 0.5 where both are 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, a + b, out=np.full(np.broadcast(a, b).shape, 0.5), where=(a + b) > 0)


#: Outcomes a replay reads, month by month.
REPLAY_COLUMNS = ("attention_prk_chn", "attention_prk_rus", "munitions_prk_rus", "aid_chn_prk_econ", "aid_rus_prk_econ",
                  "trust_prk_rus", "trust_rus_prk", "tech_transferred", "resolutions_passed", "resolutions_tabled",
                  "alliance_ever")


def replay(reading: str, params: Params, n: int, seed: int, replication_ids: np.ndarray | None = None) -> Replay:
    """Simulate ``n`` replays under ``reading`` with parameters ``params`` (one set, or one per
    replication) and read what the observation models need (replications ``0..n-1``, or
    ``replication_ids``)."""
    ids = np.arange(n) if replication_ids is None else np.asarray(replication_ids)
    panel = panels(spec(reading), REPLAY_COLUMNS, seed=seed, params=params, replication_ids=ids)
    amity = 0.5 * (panel["trust_prk_rus"][:, MID_2024] + panel["trust_rus_prk"][:, MID_2024])
    a_chn, aid_chn, aid_rus = panel["attention_prk_chn"], panel["aid_chn_prk_econ"], panel["aid_rus_prk_econ"]
    return Replay(
        attention_chn=a_chn,
        attention_rus=panel["attention_prk_rus"],
        attention_chn_2023=a_chn[:, list(YEAR_2023)].mean(axis=1),
        attention_chn_2024=a_chn[:, list(YEAR_2024)].mean(axis=1),
        victory_day_rus=panel["attention_prk_rus"][:, VICTORY_DAY],
        victory_day_chn=a_chn[:, VICTORY_DAY],
        munitions_2023_24_bn=panel["munitions_prk_rus"][:, 60:84].sum(axis=1) / 12.0,  # USD bn/yr, monthly
        china_main_econ_2024=aid_chn[:, list(YEAR_2024)].mean(axis=1) > aid_rus[:, list(YEAR_2024)].mean(axis=1),
        amity_prk_rus_mid_2024=amity >= np.asarray(params.amity_threshold),
        russian_food_after_summit=aid_rus[:, SUMMIT_2023:].max(axis=1) > 0,
        tech_transferred=panel["tech_transferred"][:, -1] > 0,
        resolutions_passed=panel["resolutions_passed"][:, -1],
        resolutions_tabled=panel["resolutions_tabled"][:, -1],
        alliance_ever=panel["alliance_ever"][:, -1] > 0,
    )


def counts_likelihood(reading: str, exchanges: tuple[int, int] = EXCHANGES) -> Callable[[Params, int, int], np.ndarray]:
    """The fit's likelihood under ``reading``: ``(params, n, seed) -> (n,)`` log-likelihood of
    Xi-Kim ``exchanges`` in 2023 and 2024 (the seeds', or synthetic ones), each parameter vector
    replayed once. The replay is a
    single draw of the model's noise, so ``exp`` of it is an unbiased estimate of the likelihood
    of the parameters (pseudo-marginal; Andrieu and Roberts 2009)."""

    def likelihood(params: Params, n: int, seed: int) -> np.ndarray:
        return loglik_of(replay(reading, params, n, seed), exchanges)

    return likelihood


#: The 2023-24 patterns of the seeds: name, citation, and whether a replay shows it.
PATTERNS = (
    ("Russia's share of PRK's attention on the July 2023 Victory Day in the photos' 90% interval "
     f"({PHOTO_INTERVAL[0]:.2f}-{PHOTO_INTERVAL[1]:.2f})", "seed 001",
     lambda r: (r.photo_share >= PHOTO_INTERVAL[0]) & (r.photo_share <= PHOTO_INTERVAL[1])),
    ("attention to China falls in 2024 while China stays the main economic source", "seed 000",
     lambda r: (r.attention_chn_2024 < r.attention_chn_2023) & r.china_main_econ_2024),
    ("PRK-Russia amity by mid-2024 (the mutual-aid deal)", "seed 000; seed 003",
     lambda r: r.amity_prk_rus_mid_2024),
    ("Kim declines Russian food aid after the September 2023 summit", "seed 002 (Matsegora)",
     lambda r: ~r.russian_food_after_summit),
    ("no crown-jewel technology transferred", "seed 003 (Easley)", lambda r: ~r.tech_transferred),
    ("sanctions resolutions tabled and vetoed, none passed", "seed 002 (Gause)",
     lambda r: (r.resolutions_tabled > 0) & (r.resolutions_passed == 0)),
    ("no three-way alliance", "seed 003 (Easley)", lambda r: ~r.alliance_ever),
)


#: The patterns observed after the readings part (September 2023): those that can weigh them.
#: The photos (July 2023) come before, and are the same under every reading.
READING_PATTERNS = PATTERNS[1:]


def readings_loglik(r: Replay, patterns: bool = False) -> np.ndarray:
    """Each replay's log-likelihood of what the seeds report after the readings part: the
    Xi-Kim exchanges and, with ``patterns``, also the 2023-24 patterns taken as observed events
    (0 or 1 per replay: a replay that misses one cannot have produced the seeds)."""
    ll = r.loglik()
    if not patterns:
        return ll
    shown = np.logical_and.reduce([np.asarray(holds(r), dtype=bool) for _, _, holds in READING_PATTERNS])
    return np.where(shown, ll, -np.inf)


def pattern_table(replays: dict[str, Replay]) -> pd.DataFrame:
    """Each pattern's predictive probability (share of replays that show it) under each
    reading, with its citation."""
    rows = []
    for name, seed, holds in PATTERNS:
        row = {"pattern": name, "source": seed}
        for reading, r in replays.items():
            row[reading] = float(np.mean(holds(r)))
        rows.append(row)
    return pd.DataFrame(rows)


def model_probabilities(logliks: dict[str, np.ndarray], boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Posterior probabilities of the readings (equal prior odds) from each reading's
    replays' log-likelihoods: the evidence of a reading is the mean likelihood over its replays
    (parameters drawn from their prior, noise from the model), a Monte Carlo estimate of the
    marginal likelihood; its Monte Carlo error is the bootstrap spread over replays."""
    names = list(logliks)
    log_evidence = np.array([_log_mean_exp(ll) for ll in logliks.values()])
    rng = np.random.default_rng(seed)
    draws = np.empty((boot, len(names)))
    for b in range(boot):
        draws[b] = [_log_mean_exp(ll[rng.integers(0, len(ll), len(ll))]) for ll in logliks.values()]
    boot_prob = np.apply_along_axis(_softmax, 1, draws)
    return pd.DataFrame({"reading": names, "probability": _softmax(log_evidence), "mc_error": boot_prob.std(axis=0),
                         "log_evidence": log_evidence})


def _log_mean_exp(ll: np.ndarray) -> float:
    return float(special.logsumexp(ll) - np.log(len(ll)))


def _softmax(x: np.ndarray) -> np.ndarray:
    if not np.isfinite(x).any():
        return np.full(len(x), 1.0 / len(x))
    z = np.exp(x - np.max(x[np.isfinite(x)]))
    return z / z.sum()


def synthetic_counts(r: Replay, i: int, rng: np.random.Generator, total: int = sum(EXCHANGES)) -> tuple[int, int]:
    """Seed-like counts drawn from replay ``i`` of ``r`` by the observation model: ``total``
    Xi-Kim exchanges (the seeds' 13) split between 2023 and 2024."""
    n24 = int(rng.binomial(total, r.exchange_share_2024[i]))
    return total - n24, n24


def loglik_of(r: Replay, exchanges: tuple[int, int]) -> np.ndarray:
    """The log-likelihood of observed counts ``exchanges`` (2023, 2024) in each replay of ``r``."""
    return exchanges_loglik(r.attention_chn_2023, r.attention_chn_2024, exchanges[0], exchanges[1])


def recovery(replays: dict[str, Replay], truths: dict[str, Replay], trials: int, seed: int = 0,
             total: int = sum(EXCHANGES)) -> pd.DataFrame:
    """How often the model choice picks the reading that generated synthetic data: for each
    true reading, ``trials`` data sets of ``total`` exchanges drawn from its replays (``truths``,
    simulated apart from ``replays``), each scored against every reading's replays; the share
    of trials whose most probable reading is the true one."""
    rng = np.random.default_rng(seed)
    rows = []
    for truth, source in truths.items():
        hits = 0
        for _ in range(trials):
            i = int(rng.integers(0, len(source.attention_chn_2023)))
            exchanges = synthetic_counts(source, i, rng, total)
            probs = model_probabilities({k: loglik_of(r, exchanges) for k, r in replays.items()}, boot=1)
            hits += probs["reading"].iloc[int(probs["probability"].to_numpy().argmax())] == truth
        rows.append({"truth": truth, "trials": trials, "recovered": hits / trials})
    return pd.DataFrame(rows)


def screening(readings: tuple[str, ...] = READINGS, trajectories: int = 20, seed: int = 0,
              levels: int = 4) -> pd.DataFrame:
    """Morris screening (SALib) of every parameter over its whole box, under each reading, for
    the statistics the seeds' counts inform: the 2024 share of PRK's 2023-24 attention to China
    (the exchanges' binomial probability) and Russia's share of PRK's attention to the patrons
    on the July 2023 Victory Day (photos).

    The runs of a trajectory share one replication's random numbers, so an effect measures the
    parameter, not the noise. Returns one row per parameter and a column per reading and
    statistic (``<reading>:<statistic>``): ``mu_star`` relative to the largest of its column
    (1 = the most influential), and ``max``, the largest over the columns."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    from sim.params import parameter_space

    problem = parameter_space()
    x = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    names, d = problem["names"], problem["num_vars"]
    params = Params.with_overrides({n: x[:, i] for i, n in enumerate(names)})
    ids = np.repeat(np.arange(trajectories), d + 1)
    out = {}
    for reading in readings:
        r = replay(reading, params, len(ids), seed, replication_ids=ids)
        statistics = {"exchange_share_2024": r.exchange_share_2024, "photo_share": r.photo_share}
        for stat, y in statistics.items():
            res = analyze.analyze(problem, x, np.asarray(y, dtype=float), num_levels=levels, seed=seed)
            mu = np.asarray(res["mu_star"], dtype=float)
            out[f"{reading}:{stat}"] = mu / mu.max() if mu.max() > 0 else mu
    table = pd.DataFrame(out, index=pd.Index(names, name="parameter"))
    table["max"] = table.max(axis=1)
    return table.sort_values("max", ascending=False)


#: A parameter moves the counts when its Morris mu* reaches this share of the most influential
#: parameter's, for some reading and statistic (:func:`screening`); the fit calibrates those.
MOVES = 0.05


def moving(screen: pd.DataFrame, threshold: float = MOVES) -> list[str]:
    """The parameters of a :func:`screening` table that move the counts."""
    return [str(n) for n in screen.index[screen["max"] >= threshold]]


def recodings() -> list[tuple[str, str, int, tuple]]:
    """Every re-coding of one claim's bearing on a calibrated parameter one step up or down in
    strength (1-3; down from 1 drops it), for the claims that set priors: ``(claim id,
    parameter, step, re-coded claims)``."""
    from dataclasses import replace

    from sim.calibration.claims import CLAIMS
    from sim.calibration.priors import CALIBRATED

    out = []
    for i, claim in enumerate(CLAIMS):
        if claim.interprets:  # it reads a target figure and sets no prior
            continue
        for j, b in enumerate(claim.bearings):
            if b.parameter not in CALIBRATED:
                continue
            for step in (-1, 1):
                strength = min(max(b.strength + step, 0), 3)
                if strength == b.strength:
                    continue
                bearings = (*claim.bearings[:j], replace(b, strength=strength), *claim.bearings[j + 1:])
                out.append((claim.id, b.parameter, step, (*CLAIMS[:i], replace(claim, bearings=bearings),
                                                          *CLAIMS[i + 1:])))
    return out


def coding_robustness(replays: int, seed: int = 0) -> pd.DataFrame:
    """The readings' probabilities under every re-coding of the claims (:func:`recodings`),
    the same uniforms feeding every re-coded prior: min, max and spread per reading, beside the
    probabilities under the claims as coded."""
    from sim.calibration.priors import CALIBRATED, priors, sample

    u = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xC0DE,))).random((replays, len(CALIBRATED)))

    def probabilities(claims):
        params = Params.with_overrides(sample(priors(claims=claims), u))
        return model_probabilities({k: replay(k, params, replays, seed).loglik() for k in READINGS}, boot=1)[
            "probability"].to_numpy()

    base = probabilities(None)
    runs = np.array([probabilities(claims) for *_, claims in recodings()])
    return pd.DataFrame({"reading": list(READINGS), "as_coded": base, "min": runs.min(axis=0),
                         "max": runs.max(axis=0), "spread": runs.max(axis=0) - runs.min(axis=0),
                         "recodings": len(runs)})

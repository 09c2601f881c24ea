"""Model parameters and mechanism switches, as plain typed data.

Every parameter carries its unit, bounds, a one-line meaning and the source it leans on
(seed file in ``shared/seeds`` or a paper). :func:`parameter_space` turns the dataclass into
the ``{"names", "bounds"}`` problem that SALib and the calibration use.

A field may hold a float (one world) or an array of shape ``(R,)`` (one value per
replication); :meth:`Params.broadcast` makes every field an array of shape ``(R,)``, which is
what the equations in :mod:`sim.equations` expect.
"""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class ParameterError(ValueError):
    """A parameter name or value that the model does not accept."""


def param(default: float, lo: float, hi: float, unit: str, doc: str, source: str = "") -> Any:
    """A parameter field: default value plus its bounds, unit, meaning and source."""
    return field(
        default=default,
        metadata={"bounds": (lo, hi), "unit": unit, "doc": doc, "source": source},
    )


@dataclass
class Params:
    """All parameters of one world (or one per replication, as ``(R,)`` arrays)."""

    # --- patron competition (Tullock contest for influence over PRK) ---
    value_chn: float = param(4.0, 0.5, 10.0, "USD bn/yr", "China's value of influence over PRK",
                             "seed 004 (CCP source: PRK a 'bargaining chip'); seed 000 (biggest benefactor)")
    rivalry_value_chn: float = param(0.5, 0.0, 2.0, "1", "rise in China's value per unit US-China rivalry",
                                     "seed 004 (bargaining chip in negotiations with Washington)")
    value_rus: float = param(1.0, 0.1, 10.0, "USD bn/yr", "Russia's peacetime value of influence over PRK",
                             "seed 002 (Moscow cut support after 1991)")
    war_value_rus: float = param(3.0, 0.0, 10.0, "USD bn/yr", "Russia's extra value of PRK at full war intensity",
                                 "seed 001 (Hong Min: Moscow's need for support on its war)")
    cost_chn: float = param(1.0, 0.2, 5.0, "1", "China's cost of one USD of aid", "Tullock (1980)")
    cost_rus: float = param(1.0, 0.2, 5.0, "1", "Russia's cost of one USD of aid", "Tullock (1980)")
    pressure_cost_chn: float = param(1.0, 0.0, 5.0, "1", "rise in China's aid cost per unit US pressure",
                                     "seed 001 (Hong Min: US messages urging China's cooperation)")
    bid_rate: float = param(0.5, 0.01, 1.0, "1/month", "speed at which a patron's aid moves to the contest's equilibrium")
    bid0_chn: float = param(1.5, 0.0, 10.0, "USD bn/yr", "China's aid offer at month 0",
                            "seed 002 (Beijing PRK's primary economic backer)")
    bid0_rus: float = param(0.5, 0.0, 10.0, "USD bn/yr", "Russia's aid offer at month 0",
                            "seed 003 (2019 summit 'almost an afterthought')")
    stability_aid_chn: float = param(0.8, 0.0, 5.0, "USD bn/yr", "China's aid for peninsula stability, outside the contest",
                                     "seed 004 (Wang Yi: 'peace and stability on the peninsula'); seed 000 (economic lifeline)")
    mil_share_chn: float = param(0.05, 0.0, 1.0, "1", "military share of China's aid",
                                 "seed 002 (Gause: technology he is not getting from China; Bennett)")
    mil_share_rus: float = param(0.5, 0.0, 1.0, "1", "military share of Russia's aid",
                                 "seed 002 (Revere: the military leg with Moscow)")
    # --- transaction (Russia's aid for PRK's munitions; crown jewels) ---
    munitions_capacity: float = param(3.0, 0.0, 10.0, "USD bn/yr", "PRK's munitions exports at full war need",
                                      "seed 000 (artillery 'likely worth several billion dollars')")
    barter_rate: float = param(0.5, 0.0, 1.0, "1", "USD of Russian aid paid per USD of munitions",
                               "seed 000 (in exchange, Russia sent aid)")
    tech_threshold: float = param(0.8, 0.0, 1.0, "trust", "Russia's trust in PRK needed to release crown jewels",
                                  "seed 003 (Easley: no crown jewels for old, dumb munitions)")
    tech_value: float = param(1.0, 0.0, 5.0, "USD bn/yr", "military aid value of sensitive technology once released",
                              "seed 001 (Hong Min: setbacks fixed quickly with Russian help)")
    # --- delivery of promised aid ---
    reliability_chn: float = param(0.7, 0.0, 1.0, "1", "expected share of China's promised aid delivered",
                                   "seed 004 (Xi's support hinted, not specified)")
    reliability_rus: float = param(0.6, 0.0, 1.0, "1", "expected share of Russia's promised aid delivered",
                                   "seed 002 (hardware PRK 'expects to obtain'); seed 001 (limited cooperation)")
    reliability_prk: float = param(0.5, 0.0, 1.0, "1", "share of what a patron pays for that PRK delivers",
                                   "seed 002 (Bennett: Beijing felt betrayed); seed 003 (Easley: distrust lingers)")
    delivery_noise: float = param(0.1, 0.0, 0.5, "1", "s.d. of the monthly delivered share")
    # --- trust dynamics ---
    trust_rate: float = param(0.05, 0.0, 0.5, "1/month", "speed at which trust follows observed reciprocity")
    jealousy: float = param(1.0, 0.0, 5.0, "1", "patron's trust lost per month, per unit of attention PRK gives it below what it is used to, relative to trust_rate",
                            "seed 003 (Delury: 'the Chinese are a bit miffed')")
    habit_rate: float = param(0.05, 0.01, 0.5, "1/month", "speed at which a patron gets used to the attention PRK gives it",
                              "seed 003 (Delury: jealousy is relative to what a patron had)")
    summit_jealousy: float = param(0.05, 0.0, 0.5, "trust", "trust a patron loses in PRK when PRK holds a summit with its rival",
                                   "seed 003 (Delury: 'a bit miffed seeing Kim choose Putin over them')")
    favour_trust: float = param(0.02, 0.0, 0.2, "1", "share of the gap to full trust that PRK's trust in a patron closes when the patron vetoes a resolution on its behalf or releases technology to it",
                                "seed 002 (Gause: Russia 'will block any U.N. resolutions'); seed 003 (Easley: crown jewels)")
    cut_trust: float = param(0.2, 0.0, 2.0, "trust", "PRK's trust lost in a patron per unit relative cut of that patron's aid offer",
                             "seed 002 (Bennett: Pyongyang does not fully trust Beijing)")
    betrayal_rate: float = param(0.01, 0.0, 0.2, "1/month", "probability of a betrayal shock in a month",
                                 "seed 002 (Bennett: Beijing felt betrayed by Jang Song Thaek's execution)")
    betrayal_size: float = param(0.2, 0.0, 1.0, "trust", "trust a patron loses in PRK at a betrayal",
                                 "seed 002 (Bennett)")
    trust_noise: float = param(0.01, 0.0, 0.1, "trust/month", "s.d. of monthly trust noise")
    balance_rate: float = param(0.02, 0.0, 0.2, "1/month", "strength of structural-balance pressure",
                                "Heider (1946); Cartwright and Harary (1956)")
    chn_rus_alignment: float = param(0.6, 0.0, 1.0, "trust", "level CHN-RUS mutual trust tends to",
                                     "seed 002 (Russel: China uses its leverage with Russia against the US)")
    trust0_prk_chn: float = param(0.4, 0.0, 1.0, "trust", "PRK's trust in China at month 0",
                                  "seed 002 (Bennett: PRK does not fully trust Beijing)")
    trust0_chn_prk: float = param(0.4, 0.0, 1.0, "trust", "China's trust in PRK at month 0",
                                  "seed 002 (Bennett: China wary of Kim, felt betrayed)")
    trust0_prk_rus: float = param(0.5, 0.0, 1.0, "trust", "PRK's trust in Russia at month 0",
                                  "seed 003 (Easley: trust is low among the three)")
    trust0_rus_prk: float = param(0.5, 0.0, 1.0, "trust", "Russia's trust in PRK at month 0",
                                  "seed 003 (Easley)")
    trust0_prk_usa: float = param(0.1, 0.0, 1.0, "trust", "PRK's and the US's mutual trust at month 0",
                                  "seed 004 (Cheong: continuing hostility against the US)")
    # --- attention ---
    attention_rate: float = param(0.1, 0.0, 1.0, "1/month", "speed at which attention moves to its target")
    attention0_prk_chn: float = param(0.6, 0.0, 1.0, "share", "PRK's attention to China at month 0",
                                      "seed 003 (Kim's 'first known foreign trip as leader', to Beijing in 2018)")
    attention0_prk_rus: float = param(0.3, 0.0, 1.0, "share", "PRK's attention to Russia at month 0",
                                      "seed 003 (the 2019 Putin summit 'almost an afterthought'); the "
                                      "rest of PRK's attention goes to the US")
    patron_outside: float = param(5.0, 0.1, 50.0, "USD bn/yr", "scale of a patron's diplomacy beyond PRK")
    # --- food ---
    food_need_mt: float = param(5.5, 4.0, 7.0, "Mt/yr", "PRK's annual food need",
                                "seed 004 (about 5.5 million tons annually)")
    food_share: float = param(0.3, 0.0, 1.0, "1", "share of economic aid that is food")
    tons_per_bn: float = param(2.5, 0.5, 5.0, "Mt per USD bn", "food bought by one USD bn (grain near 400 USD/t)")
    # --- dependence and leverage ---
    mil_weight: float = param(1.0, 0.0, 3.0, "1", "PRK's value of one USD of military aid relative to economic aid",
                              "seed 002 (Revere: the military leg of national security)")
    outside_weight: float = param(0.5, 0.0, 2.0, "1", "weight of PRK's outside option in its leverage",
                                  "seed 002 (Russel: other friends and other options)")
    # --- US policy and the UN Security Council ---
    veto_hostility: float = param(0.5, 0.0, 1.0, "1 - trust", "distrust of the US above which a patron vetoes",
                                  "seed 002 (Gause: Russia 'will block any U.N. resolutions')")
    sanction_step: float = param(0.2, 0.0, 1.0, "1", "rise in sanctions level per resolution passed")
    sanction_decay: float = param(0.02, 0.0, 0.5, "1/month", "monthly decay of the sanctions level")
    sanctions_cost_chn: float = param(1.0, 0.0, 5.0, "1", "rise in China's aid cost per unit sanctions level")
    condemnation_cost_rus: float = param(0.2, 0.0, 2.0, "1", "rise in Russia's aid cost under trilateral condemnation",
                                         "seed 002 (joint US-ROK-Japan statement on arms transfers)")
    us_aid: float = param(1.0, 0.0, 5.0, "USD bn/yr", "economic relief the US offers at full engagement",
                          "seed 004 (talks 'without preconditions')")
    # --- events and the strategic triangle ---
    summit_trust: float = param(0.1, 0.0, 0.5, "trust", "rise in mutual trust at a summit",
                                "seed 003 (Kim-Putin summit); seed 002 (five Xi-Kim summits 2018-19)")
    amity_threshold: float = param(0.5, 0.0, 1.0, "trust", "mutual trust above which a pair is in amity",
                                   "Dittmer (1981)")
    amity_band: float = param(0.1, 0.0, 0.5, "trust", "width of the band around amity_threshold inside which a pair keeps its last amity or enmity",
                              "Dittmer (1981): amity and enmity are relations that persist")
    alliance_threshold: float = param(0.7, 0.0, 1.0, "trust", "mutual trust every pair needs for a three-way alliance",
                                      "seed 003 (Easley: a real alliance of the three isn't credible)")

    def __post_init__(self) -> None:
        check_bounds(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def with_overrides(cls, overrides: dict[str, Any] | None = None, base: Params | None = None) -> Params:
        """A copy of ``base`` (default: the defaults) with ``overrides``; unknown names raise."""
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(cls.names()))
        if unknown:
            raise ParameterError(
                f"unknown parameter {', '.join(map(repr, unknown))}; known parameters: {', '.join(cls.names())}"
            )
        base = base if base is not None else cls()
        return dataclasses.replace(base, **overrides)

    def broadcast(self, n: int) -> Params:
        """Every field as a float64 array of shape ``(n,)`` (one value per replication)."""
        out = object.__new__(Params)
        for name in self.names():
            value = np.asarray(getattr(self, name), dtype=float)
            if value.ndim == 0:
                value = np.full(n, float(value))
            elif value.shape != (n,):
                raise ParameterError(f"parameter {name!r} has shape {value.shape}; expected () or ({n},)")
            object.__setattr__(out, name, value)
        return out

    def take(self, index: Any) -> Params:
        """The replications ``index`` of a broadcast Params (fields are arrays)."""
        out = object.__new__(Params)
        for name in self.names():
            value = np.asarray(getattr(self, name))
            object.__setattr__(out, name, value if value.ndim == 0 else value[index])
        return out

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.names()}

    def arrays(self, n: int | None = None) -> np.recarray:
        """The parameters as the record array ``(n,)`` of :data:`PARAM_RECORD` that compiled
        code takes: replication r's record ``q = a[r]`` reads ``q.value_chn``, and the array's
        fields read as ``(n,)`` arrays like a broadcast Params. Fields may be scalars or ``(n,)``
        arrays (``n`` defaults to the length of a broadcast Params)."""
        if n is None:
            n = np.shape(self.value_chn)[0]
        out = np.empty(n, dtype=PARAM_RECORD).view(np.recarray)
        for name in self.names():
            value = getattr(self, name)
            if np.ndim(value) and np.shape(value) != (n,):
                raise ParameterError(f"parameter {name!r} has shape {np.shape(value)}; expected () or ({n},)")
            out[name] = value
        return out


def bounds(name: str) -> tuple[float, float]:
    """The (low, high) bounds of parameter ``name``."""
    return PARAM_FIELDS[name].metadata["bounds"]


def check_bounds(p: Params) -> None:
    """Raise :class:`ParameterError` naming the first parameter outside its bounds."""
    for name, f in PARAM_FIELDS.items():
        lo, hi = f.metadata["bounds"]
        value = np.asarray(getattr(p, name), dtype=float)
        if not np.all(np.isfinite(value)) or np.any(value < lo) or np.any(value > hi):
            bad = value[~((value >= lo) & (value <= hi))] if value.ndim else value
            shown = float(np.ravel(bad)[0]) if np.size(bad) else float("nan")
            raise ParameterError(
                f"parameter {name!r} = {shown:g} is outside its bounds [{lo:g}, {hi:g}] "
                f"({f.metadata['unit']}): {f.metadata['doc']}"
            )


def parameter_space(names: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """The parameter space as plain data, in SALib's problem format."""
    names = list(names or Params.names())
    unknown = [n for n in names if n not in PARAM_FIELDS]
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]!r}; known parameters: {', '.join(Params.names())}")
    return {"num_vars": len(names), "names": names, "bounds": [list(bounds(n)) for n in names]}


def describe() -> list[dict[str, Any]]:
    """One record per parameter: name, default, bounds, unit, meaning, source."""
    return [
        {"name": n, "default": f.default, "low": f.metadata["bounds"][0], "high": f.metadata["bounds"][1],
         "unit": f.metadata["unit"], "doc": f.metadata["doc"], "source": f.metadata["source"]}
        for n, f in PARAM_FIELDS.items()
    ]


PARAM_FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(Params)}
#: One replication's parameters as compiled code sees them, a record (see :meth:`Params.arrays`).
PARAM_RECORD = np.dtype([(name, "f8") for name in PARAM_FIELDS], align=True)


@dataclass(frozen=True)
class Switches:
    """Mechanisms of the model, each switchable off (DESIGN.md, 'Mechanisms')."""

    patron_competition: bool = True  #: patrons' aid follows the Tullock best response
    transaction: bool = True  #: Russia pays aid for munitions; crown jewels above a trust threshold
    reciprocity: bool = True  #: trust follows delivered vs promised support
    jealousy: bool = True  #: a patron's trust in PRK falls as PRK's attention moves to its rival
    betrayal: bool = True  #: random betrayal shocks to a patron's trust in PRK
    noise: bool = True  #: trust noise and noise in the delivered share of aid
    structural_balance: bool = False  #: Heider pressure toward balanced triads (optional)
    us_policy: bool = True  #: US pressure, engagement, condemnation, UNSC resolutions
    shocks: bool = True  #: scenario events (war end, detente, food crisis, summits) over time

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def flags(self) -> SwitchFlags:
        """The switches as the named tuple of booleans that compiled code takes."""
        return SwitchFlags(*(bool(getattr(self, n)) for n in self.names()))

    @classmethod
    def only(cls, *on: str) -> Switches:
        """Every mechanism off except ``on``."""
        unknown = sorted(set(on) - set(cls.names()))
        if unknown:
            raise ParameterError(f"unknown mechanism {unknown[0]!r}; known mechanisms: {', '.join(cls.names())}")
        return cls(**{n: n in on for n in cls.names()})


#: Switches as compiled code sees them (see :meth:`Switches.flags`).
SwitchFlags = namedtuple("SwitchFlags", Switches.names())

"""``trisim explain <parameter>``: the claims, prior, posterior and targets behind a parameter.

:func:`explain` returns the same information as data.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

import numpy as np

from sim.calibration.claims import bearings_for, claims_for
from sim.calibration.priors import CALIBRATED, evidence, prior_for
from sim.calibration.store import MissingCalibrationError, load
from sim.params import PARAM_FIELDS, ParameterError

DIRECTIONS = {1: "higher", 0: "about the default", -1: "lower"}
STRENGTHS = {1: "weak", 2: "moderate", 3: "strong"}
MIN_EFFECT = 0.05  #: statistics shown by the command: those a parameter moves at least this much (relative mu*)


def explain(parameter: str) -> dict[str, Any]:
    """What sets ``parameter``: its definition, the claims bearing on it, its prior (by the
    rule of :mod:`sim.calibration.priors`), its shipped posterior under each reading of PRK's
    strategy, and what of the seeds' counts it moves (the Morris screening's relative mu*).

    Raises:
        ParameterError: ``parameter`` is not a model parameter.
    """
    if parameter not in PARAM_FIELDS:
        raise ParameterError(f"unknown parameter {parameter!r}; calibrated parameters: {', '.join(CALIBRATED)} "
                             "(all parameters: trisim explain --list)")
    f = PARAM_FIELDS[parameter]
    calibrated = parameter in CALIBRATED
    claims = [
        {"claim": c.id, "analyst": c.analyst, "affiliation": c.affiliation, "kind": c.kind, "seed": c.seed,
         "seed_file": c.seed_file, "date": c.date, "quote": c.quote, "direction": DIRECTIONS[b.direction],
         "strength": STRENGTHS[b.strength], "why": b.why, "interprets": c.interprets}
        for c in claims_for(parameter) for b in c.bearings if b.parameter == parameter
    ]
    ev = evidence(parameter)
    out: dict[str, Any] = {
        "parameter": parameter, "unit": f.metadata["unit"], "meaning": f.metadata["doc"],
        "source": f.metadata["source"], "default": float(f.default), "bounds": list(f.metadata["bounds"]),
        "calibrated": calibrated, "claims": claims,
        "evidence": {"n": ev.n, "mean_direction": ev.direction, "agreement": ev.agreement, "width": ev.width},
        "prior": prior_for(parameter).describe() if calibrated else None,
        "posterior": None, "targets": [],
    }
    if calibrated:
        try:
            summary = load("summary")
            screen = load("screening").set_index("parameter")
        except MissingCalibrationError:
            return out
        rows = summary[summary["parameter"] == parameter]
        if len(rows):
            out["posterior"] = {
                str(r["reading"]): {k: _plain(v) for k, v in r.items() if k.startswith(("posterior", "contr", "ident"))}
                for _, r in rows.iterrows()}
        if parameter in screen.index:
            effects = screen.loc[parameter].drop("max").sort_values(ascending=False)
            out["targets"] = [{"reading": k.split(":")[0], "statistic": k.split(":")[1], "effect": float(v)}
                              for k, v in effects.items()]
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def overview() -> list[dict[str, Any]]:
    """One record per parameter: name, unit, calibrated or not, number of claims."""
    return [{"parameter": n, "unit": f.metadata["unit"], "calibrated": n in CALIBRATED,
             "claims": len(bearings_for(n))} for n, f in PARAM_FIELDS.items()]


def _g(x: float) -> str:
    return f"{x:.3g}"


def render(info: dict[str, Any]) -> str:
    """The text ``trisim explain`` prints."""
    wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="    ")
    lo, hi = info["bounds"]
    lines = [f"{info['parameter']} [{info['unit']}]: {info['meaning']}",
             f"  default {_g(info['default'])}, bounds [{_g(lo)}, {_g(hi)}]; "
             f"{'calibrated' if info['calibrated'] else 'not calibrated (kept at its default)'}",
             f"  source: {info['source'] or '-'}", ""]
    lines.append(f"Claims ({len(info['claims'])}):" if info["claims"] else "Claims: none in the registry.")
    for c in info["claims"]:
        lines.append(f"  - {c['analyst']} ({c['affiliation']}), seed {c['seed']} ({c['seed_file']}), {c['date']}:")
        lines.extend(wrap.wrap(f"\u201c{c['quote']}\u201d"))
        lines.extend(textwrap.wrap(f"-> {c['direction']}, {c['strength']}: {c['why']}", width=96,
                                   initial_indent="    ", subsequent_indent="       "))
        if c["interprets"]:
            lines.extend(textwrap.wrap(f"(sets no prior: it reads the {c['interprets']}, a figure the calibration "
                                       "is fitted to or checked on)", width=96, initial_indent="    ",
                                       subsequent_indent="     "))
    ev = info["evidence"]
    if info["prior"]:
        p = info["prior"]
        shape = (f"Beta(a={_g(p['a'])}, b={_g(p['b'])}) on [{_g(lo)}, {_g(hi)}]" if p["family"] == "beta"
                 else f"LogNormal(mu={_g(p['mu'])}, sigma={_g(p['sigma'])}) truncated to [{_g(lo)}, {_g(hi)}]")
        lines += ["", f"Prior: {shape}",
                  f"  median {_g(p['median'])}, 90% interval [{_g(p['q05'])}, {_g(p['q95'])}]  "
                  f"(evidence n={_g(ev['n'])}, mean direction {ev['mean_direction']:+.2f}, "
                  f"agreement {_g(ev['agreement'])}, width x{_g(ev['width'])})"]
    post = info["posterior"]
    if post:
        lines += ["", "Posterior, under each reading of PRK's strategy from September 2023 "
                      "(fitted to the Xi-Kim exchanges):"]
        for reading, p in post.items():
            ident = "identified" if p["identified"] else "not identified"
            lines.append(f"  {reading:<18} median {_g(p['posterior_median'])}, 90% interval "
                         f"[{_g(p['posterior_q05'])}, {_g(p['posterior_q95'])}], contraction {p['contraction']:+.2f} "
                         f"({ident})")
    elif info["calibrated"]:
        lines += ["", "Posterior: not available (run: python experiments/calibrate.py)"]
    strong = [t for t in info["targets"] if t["effect"] >= MIN_EFFECT]
    if info["targets"] and not strong:
        lines += ["", f"The seeds' counts: it moves none of them (Morris mu* below {MIN_EFFECT} of the largest)."]
    elif strong:
        lines += ["", "What of the seeds' counts it moves (Morris mu*, relative to the most influential parameter):"]
        for t in strong[:4]:
            lines.append(f"  - {t['statistic']} under {t['reading']}: {t['effect']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``trisim explain <parameter> [--json]`` or ``trisim explain --list``."""
    parser = argparse.ArgumentParser(prog="trisim explain",
                                     description="Show the claims, prior, posterior and targets behind a parameter.")
    parser.add_argument("parameter", nargs="?", help="a parameter name, e.g. value_chn")
    parser.add_argument("--json", action="store_true", help="print the information as JSON")
    parser.add_argument("--list", action="store_true", help="list every parameter")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.list or not args.parameter:
        rows = overview()
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                flag = "calibrated" if r["calibrated"] else ""
                print(f"{r['parameter']:<22} {r['unit']:<12} claims {r['claims']:<3} {flag}")
        return 0
    try:
        info = explain(args.parameter)
    except ParameterError as err:
        print(f"trisim explain: error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(info, indent=2, default=_plain) if args.json else render(info))
    return 0

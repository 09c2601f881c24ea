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

from sim.calibration.claims import bearings_for
from sim.calibration.priors import CALIBRATED, evidence, prior_for
from sim.calibration.store import MissingCalibrationError, load
from sim.calibration.targets import target
from sim.params import PARAM_FIELDS, ParameterError

DIRECTIONS = {1: "higher", 0: "about the default", -1: "lower"}
STRENGTHS = {1: "weak", 2: "moderate", 3: "strong"}
MIN_SPEARMAN = 0.1  #: targets shown by the command: those a parameter moves at least this much


def explain(parameter: str) -> dict[str, Any]:
    """What sets ``parameter``: its definition, the claims bearing on it, its prior (by the
    rule of :mod:`sim.calibration.priors`), its shipped posterior and the targets it most
    affects (Spearman correlation under the prior predictive).

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
         "strength": STRENGTHS[b.strength], "why": b.why}
        for c, b in bearings_for(parameter)
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
            sens = load("sensitivity")
            diag = load("diagnostics").set_index("target")
        except MissingCalibrationError:
            return out
        row = summary[summary["parameter"] == parameter]
        if len(row):
            out["posterior"] = {k: _plain(v) for k, v in row.iloc[0].items() if k.startswith(("posterior", "contr",
                                                                                              "ident"))}
        rows = sens[sens["parameter"] == parameter].copy()
        rows["abs"] = rows["spearman"].abs()
        for _, r in rows.sort_values("abs", ascending=False).iterrows():
            t = target(r["target"])
            d = diag.loc[t.name]
            out["targets"].append({"target": t.name, "spearman": float(r["spearman"]), "seed": t.seed,
                                   "figure": t.figure, "statistic": t.statistic, "low": float(d["low"]),
                                   "high": float(d["high"]), "posterior_median": float(d["posterior_median"])})
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
        ident = "identified by the targets" if post["identified"] else "not identified by the targets"
        lines += ["", f"Posterior: median {_g(post['posterior_median'])}, 90% interval "
                      f"[{_g(post['posterior_q05'])}, {_g(post['posterior_q95'])}], "
                      f"contraction {post['contraction']:.2f} ({ident})"]
    elif info["calibrated"]:
        lines += ["", "Posterior: not available (run: python experiments/calibrate.py)"]
    strong = [t for t in info["targets"] if abs(t["spearman"]) >= MIN_SPEARMAN]
    if info["targets"] and not strong:
        lines += ["", f"Targets: none moves with it (|Spearman| < {MIN_SPEARMAN} under the prior)."]
    elif strong:
        lines += ["", "Targets it affects most (Spearman correlation under the prior):"]
        for t in strong[:3]:
            lines.append(f"  - {t['target']} ({t['spearman']:+.2f}), seed {t['seed']}: band "
                         f"[{_g(t['low'])}, {_g(t['high'])}], posterior median {_g(t['posterior_median'])}")
            lines.extend(wrap.wrap(t["statistic"]))
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

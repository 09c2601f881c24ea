"""``trisim list strategies|scenarios|policies|params``: what a config may name, with one line each.

Strategies, scenarios and policies come from their registries (plugins included), parameters
from :func:`sim.params.describe` (unit, bounds, default, source), outcomes from
:data:`sim.outcomes.OUTCOME_INFO`: the help never repeats what the code declares.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

#: What ``trisim list`` lists: name -> one-line description.
KINDS = {
    "strategies": "PRK's strategies (strategy=NAME)",
    "scenarios": "the worlds PRK plays in (scenario=NAME)",
    "policies": "US policies (us_policy=NAME) and patron policies (chn_policy=NAME, rus_policy=NAME)",
    "params": "model parameters (params.NAME=VALUE): unit, bounds, default, source",
    "outcomes": "outcome columns of the result tables: unit, kind, meaning",
}


def summary(cls: Any) -> str:
    """The first sentence-line of a class's docstring, on one line."""
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split()).replace("``", "")


def registry_lines(registry: Any) -> list[tuple[str, str]]:
    """(name, description) of every entry of a registry, in registry order."""
    return [(name, summary(registry[name])) for name in registry.names()]


def strategies() -> list[tuple[str, str]]:
    from sim.strategies import STRATEGIES

    return registry_lines(STRATEGIES)


def scenarios() -> list[tuple[str, str]]:
    from sim.scenarios import SCENARIOS

    return registry_lines(SCENARIOS)


def policies() -> list[tuple[str, str]]:
    from sim.policies import PATRON_POLICIES, US_POLICIES

    return ([(f"us_policy={n}", d) for n, d in registry_lines(US_POLICIES)]
            + [(f"chn_policy|rus_policy={n}", d) for n, d in registry_lines(PATRON_POLICIES)])


def params() -> list[tuple[str, str]]:
    from sim.params import describe

    out = []
    for p in describe():
        unit = "" if p["unit"] == "1" else f" {p['unit']}"
        source = f" Source: {p['source']}." if p["source"] else ""
        doc = p["doc"].rstrip(".")
        out.append((p["name"], f"{p['default']:g}{unit} in [{p['low']:g}, {p['high']:g}]. {doc}.{source}"))
    return out


def outcomes() -> list[tuple[str, str]]:
    from sim.outcomes import DECLARED

    return [(o.name, f"{o.label} ({o.unit}; {o.dtype}, {o.kind})") for o in DECLARED]


LISTS = {"strategies": strategies, "scenarios": scenarios, "policies": policies, "params": params,
         "outcomes": outcomes}


def format_lines(rows: list[tuple[str, str]], width: int | None = None) -> str:
    """Two columns, the descriptions wrapped to the terminal width."""
    import textwrap

    width = width or shutil.get_terminal_size((100, 20)).columns
    pad = min(max(len(n) for n, _ in rows) + 2, 34)
    out = []
    for name, text in rows:
        lines = textwrap.wrap(text, max(width - pad - 2, 30)) or [""]
        head = f"  {name:<{pad}}" if len(name) < pad else f"  {name}\n  {'':<{pad}}"
        out.append(head + lines[0])
        out += [f"  {'':<{pad}}{line}" for line in lines[1:]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``trisim list KIND``; the exit status."""
    ap = argparse.ArgumentParser(prog="trisim list", description="What a config may name, one line each.",
                                 epilog="\n".join(f"  {k:<11} {v}" for k, v in KINDS.items()),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=list(KINDS), metavar="KIND", help="one of: " + ", ".join(KINDS))
    args = ap.parse_args(argv)
    print(format_lines(LISTS[args.kind]()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``trisim sensitivity --method sobol|morris ...``: one command for both SALib methods.

``sobol`` (the default) estimates first-order and total (``--second-order``: also
second-order) Sobol' indices (:mod:`sim.analysis.sobol`); ``morris`` screens many parameters
by their elementary effects (:mod:`sim.analysis.morris`). The other options are the method's.
"""

from __future__ import annotations

import argparse

METHODS = ("sobol", "morris")


def main(argv: list[str] | None = None) -> int:
    """Pick the method, hand the other options to it."""
    ap = argparse.ArgumentParser(prog="trisim sensitivity", add_help=False,
                                 description="Global sensitivity analysis of a model outcome (SALib).")
    ap.add_argument("--method", choices=METHODS, default="sobol")
    args, rest = ap.parse_known_args(argv)
    prog = f"trisim sensitivity --method {args.method}"
    if args.method == "morris":
        from sim.analysis import morris

        return morris.main(rest, prog=prog)
    from sim.analysis import sobol

    return sobol.main(rest, prog=prog)


if __name__ == "__main__":
    raise SystemExit(main())

"""Scripted encounters: PRK's strategy against patrons with fixed behaviour."""

from __future__ import annotations

import numpy as np

from sim.params import Params, Switches
from sim.world import WorldSpec
from tests.conftest import run_steps

FIXED = Switches(noise=False, betrayal=False, us_policy=False, shocks=False)


def encounter(strategy: str, bid_chn: float, bid_rus: float, months: int = 60, switches: Switches = FIXED,
              us_policy: str = "pressure", **overrides):
    """Final state after ``months`` against patrons that always offer ``bid_chn`` / ``bid_rus``."""
    p = Params.with_overrides({"bid0_chn": bid_chn, "bid0_rus": bid_rus, **overrides})
    spec = WorldSpec(strategy=strategy, chn_policy="fixed", rus_policy="fixed", months=months,
                     switches=switches, us_policy=us_policy)
    return run_steps(spec, p, n=1)


def received(state, donor: int, channel: int) -> float:
    from sim.actors import PRK

    return float(state.aid[0, donor, PRK, channel])


__all__ = ["FIXED", "encounter", "np", "received"]

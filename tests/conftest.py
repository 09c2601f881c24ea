from __future__ import annotations

import numpy as np
import pytest

from sim.params import Params, Switches
from sim.world import WorldSpec


def run_steps(spec: WorldSpec, params: Params | None = None, n: int = 4, seed: int = 0, callback=None):
    """Advance n replications of ``spec`` month by month with the engines' pieces (each
    agent's decision, then the transition, replication by replication), calling
    ``callback(state, month)`` after every month; return the final state."""
    from sim.dynamics import transition, workspace
    from sim.rng import noise_block
    from sim.state import initial_state

    world = spec.build()
    p = (params or Params()).broadcast(n)
    pa, flags, work = p.arrays(), spec.switches.flags(), workspace()
    z, u = noise_block(seed, np.arange(n), spec.months)
    d0 = world.drivers
    s = initial_state(p, n, rivalry=d0.us_china_rivalry[0], hostility=d0.us_russia_hostility[0])
    for t in range(spec.months):
        m = world.month(t)
        for r in range(n):
            transition(s[r], world.decide(s[r], m, pa[r]), m, pa[r], flags, z[r], u[r], *work)
        if callback is not None:
            callback(s, m)
    return s


@pytest.fixture
def quiet() -> Switches:
    """Every stochastic mechanism off."""
    return Switches(noise=False, betrayal=False, us_policy=False)

"""trisim: an agent-based simulator of the North Korea-China-Russia(-United States) triangle.

Quick start::

    from sim import WorldSpec, simulate
    table = simulate(WorldSpec(strategy="counterweight", scenario="war_ends"), replications=1000, seed=1)
"""

from importlib.metadata import PackageNotFoundError, version

from sim.engine import run, simulate, simulate_mesa
from sim.params import Params, Switches, parameter_space
from sim.policies import PATRON_POLICIES, US_POLICIES
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.world import WorldSpec

try:
    __version__ = version("trisim")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "PATRON_POLICIES", "SCENARIOS", "STRATEGIES", "US_POLICIES", "Params", "Switches", "WorldSpec",
    "__version__", "parameter_space", "run", "simulate", "simulate_mesa",
]

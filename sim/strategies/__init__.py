"""PRK's strategies, in one explicit registry (Axelrod-style: one small class each).

A strategy defined outside the package joins the registry with ``@STRATEGIES.register`` in a
file loaded as a plugin (:func:`sim.registry.load_plugin`, the ``plugins`` config key), or
through the ``trisim.strategies`` entry-point group of an installed package.
"""

from __future__ import annotations

from sim.registry import Registry
from sim.rules import checker
from sim.strategies.additional_pillar import AdditionalPillar
from sim.strategies.balancing import Balancing
from sim.strategies.bandwagon import Bandwagon
from sim.strategies.base import Month, PRKDecision, Strategy
from sim.strategies.counterweight import Counterweight
from sim.strategies.engage_us import EngageUs

STRATEGIES: Registry[Strategy] = Registry("strategy", check=checker("prk"), entry_points="trisim.strategies")
for _cls in (Balancing, Counterweight, AdditionalPillar, Bandwagon, EngageUs):
    STRATEGIES.register(_cls)

#: The three strategies the analysts name; the other two are baselines.
ANALYST_STRATEGIES = ("balancing", "counterweight", "additional_pillar")
BASELINES = ("bandwagon", "engage_us")

__all__ = ["ANALYST_STRATEGIES", "BASELINES", "STRATEGIES", "Month", "PRKDecision", "Strategy"]

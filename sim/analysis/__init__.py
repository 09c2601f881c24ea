"""Analysis of simulated outcomes: publication figures, Sobol sensitivity, PRIM scenario
discovery and the ``trisim report`` command.

Importing the package loads nothing heavy; import the submodules:
:mod:`sim.analysis.figures`, :mod:`sim.analysis.sobol`, :mod:`sim.analysis.prim`,
:mod:`sim.analysis.report` (and :mod:`sim.analysis.examples`, which rebuilds the figures in
``docs/figures``). See ``docs/analysis.md``.
"""

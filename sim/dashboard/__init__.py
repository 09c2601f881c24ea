"""The student dashboard: a Mesa SolaraViz app over :class:`sim.model.TriangleModel`.

Start it with ``make dashboard`` (``solara run sim/dashboard/app.py``) and open
http://127.0.0.1:8765. :mod:`sim.dashboard.components` holds the views (the strategic-triangle
diagram, the trust/attention/aid series, the explanation text) as plain functions of a model;
:mod:`sim.dashboard.app` holds the inputs and the page.
"""

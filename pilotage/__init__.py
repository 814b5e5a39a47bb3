"""Pilotage: marketing & sales steering.

This package holds what every layer shares: ``settings`` (from the environment), ``store``
(the SQL store: engine, models, migrations), ``dates`` (month and week arithmetic) and the
command line (``cli``). The layers themselves are the top-level packages ``etl``,
``forecasting`` and ``dashapp``; each depends on ``pilotage.store``, none on another.
"""

__version__ = "0.1.0"

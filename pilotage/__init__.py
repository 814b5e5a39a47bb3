"""Pilotage: marketing & sales steering.

This package holds what every layer shares (settings, the command line); the layers
themselves are the top-level packages ``etl``, ``forecasting`` and ``dashapp``.
"""

__version__ = "0.1.0"

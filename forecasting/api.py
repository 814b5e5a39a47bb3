"""The app's contract with forecasting: everything ``dashapp`` may use of this package, and nothing else.

``dashapp`` reads forecasting's results through the store or through this module; it never imports
another ``forecasting`` module. Changing a name or a signature here changes the app's contract:
change ``dashapp/semantic/`` (the only place that imports this module) in the same commit.

Lead forecasts (:mod:`forecasting.registry`): the runs, the champion, the stored forecasts;
promotion and rollback (admin). Media planning: the stored response models of a media run, the
current plan and the lead targets of a scope, scenario simulation and the budget optimiser.
Regions: how the forecast and media series group regions into top regions.

The optimiser and the media registry need scipy, statsmodels and scikit-learn, which take seconds
to import: they are loaded on first use (``forecasting.api.optimise``), so the app starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from forecasting.planning.data import current_plan, lead_targets, top_region_codes
from forecasting.planning.scenario import simulate
from forecasting.registry import (
    DEFAULT_KIND,
    RegistryError,
    champion,
    forecasts,
    get_run,
    list_runs,
    promote,
    rollback,
)
from forecasting.series import top_region

if TYPE_CHECKING:  # what __getattr__ below gives, for readers and type checkers
    from forecasting.planning.optimise import Infeasible, optimise
    from forecasting.planning.registry import run_models

# name -> module, imported on first use (module-level __getattr__, PEP 562)
_ON_FIRST_USE = {
    "run_models": "forecasting.planning.registry",
    "optimise": "forecasting.planning.optimise",
    "Infeasible": "forecasting.planning.optimise",
}

__all__ = [
    # lead forecasts
    "DEFAULT_KIND", "RegistryError", "champion", "forecasts", "get_run", "list_runs", "promote", "rollback",
    # media planning
    "run_models", "current_plan", "lead_targets", "simulate", "optimise", "Infeasible",
    # regions
    "top_region", "top_region_codes",
]


def __getattr__(name: str):
    if name in _ON_FIRST_USE:
        return getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The app's contract with forecasting: everything ``dashapp`` may use of this package, and nothing else.

``dashapp`` reads forecasting's results through the store or through this module; it never imports
another ``forecasting`` module. Changing a name or a signature here changes the app's contract:
change ``dashapp/semantic/`` (the only place that imports this module) in the same commit.

Lead forecasts (:mod:`forecasting.registry`): the runs, the champion, the stored forecasts and their
backtest accuracy by horizon; promotion and rollback (admin); the registry's messages
(decisions, results, refusals) as a code and values, for the app to word them in the user's
language. The forecast of record (:mod:`forecasting.record`): per scope and month, the
champion's reconciled forecast with its drivers, the planners' overrides, and the "last month
outside the 95% interval" state. Media planning: the
stored response models of a media run, the current plan and the lead targets of a scope, scenario
simulation (on the forecast of record) and the budget optimiser; the lift tests a reader may see and
where the media model agrees with them. Regions: how the forecast and media
series group regions into top regions.

The optimiser and the media registry need scipy, statsmodels and scikit-learn, which take seconds
to import: they are loaded on first use (``forecasting.api.optimise``), so the app starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from forecasting.planning.data import (
    current_plan,
    experiment_report,
    lead_targets,
    stored_experiments,
    top_region_codes,
)
from forecasting.planning.scenario import simulate, simulate_on_record
from forecasting.record import (
    MAX_OVERRIDE,
    MAX_REASON,
    OverrideError,
    current_overrides,
    forecast_of_record,
    interval_states,
    media_models,
    override_history,
    series_key,
    set_override,
)
from forecasting.registry import (
    ACCURACY_LABELS,
    DEFAULT_KIND,
    MISSING_ACCURACY,
    RegistryError,
    accuracy,
    champion,
    forecasts,
    get_run,
    list_runs,
    parse_message,
    promote,
    rollback,
)
from forecasting.series import MEASURE, top_region

if TYPE_CHECKING:  # what __getattr__ below gives, for readers and type checkers
    from forecasting.planning.optimise import MAX_WIDEN, Infeasible, geo_media_leads, optimise, optimise_geo
    from forecasting.planning.registry import run_models

# name -> module, imported on first use (module-level __getattr__, PEP 562)
_ON_FIRST_USE = {
    "run_models": "forecasting.planning.registry",
    "optimise": "forecasting.planning.optimise",
    "Infeasible": "forecasting.planning.optimise",
    "optimise_geo": "forecasting.planning.optimise",
    "geo_media_leads": "forecasting.planning.optimise",
    "MAX_WIDEN": "forecasting.planning.optimise",
}

__all__ = [
    # lead forecasts
    "DEFAULT_KIND", "RegistryError", "accuracy", "champion", "forecasts", "get_run", "list_runs", "promote", "rollback",
    "parse_message", "ACCURACY_LABELS", "MISSING_ACCURACY",
    # the forecast of record (of MEASURE, qualified leads)
    "MEASURE", "forecast_of_record", "series_key", "current_overrides", "override_history", "set_override",
    "OverrideError", "MAX_OVERRIDE", "MAX_REASON", "interval_states",
    # media planning
    "run_models", "media_models", "current_plan", "lead_targets", "simulate", "simulate_on_record", "optimise",
    "optimise_geo", "geo_media_leads", "MAX_WIDEN", "Infeasible",
    # experiments (lift tests) against the media model
    "stored_experiments", "experiment_report",
    # regions
    "top_region", "top_region_codes",
]


def __getattr__(name: str):
    if name in _ON_FIRST_USE:
        return getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The current media plan of a scope and what it is compared with: the plan months (after the model's cut-off,
those the forecast of record covers, at most a year), the spend planned on them, their controls and monthly
targets, and the forecast of record every prediction starts from. Read from the store now, cached per run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import api as forecasting_api
from pilotage.store.engine import get_engine

from ..cache import scoped_cache
from .access import champion_run, model_for, run_models

MAX_MONTHS = 12  # the optimiser's time grows fast with the months (24: 20-40 s); a year is the planning horizon


def first_of_month(value) -> dt.date:
    return pd.Timestamp(value).date().replace(day=1)


@dataclass
class PlanContext:
    """The plan months of a scope with the current plan on them (months x channels, EUR), the controls of
    those months (raw, months x J, as the model wants them), the monthly targets and the plan's notes.

    ``record``: the forecast of record of those months (:class:`forecasting.planning.scenario.RecordPath`),
    which the current plan's prediction is and every scenario starts from; None without a lead forecast of
    the scope (predictions are then the response model's alone). ``record_run`` is its lead run's id,
    ``gap_spend`` the current plan of the months between the model's history and the plan months (when the
    lead forecast starts later than the media model's plan), ``dropped`` the plan months after the
    forecast of record's last, ``plan_changed`` the months whose plan changed since the lead training."""

    current: pd.DataFrame
    controls: np.ndarray | None
    targets: pd.Series
    notes: list[str]
    unmodelled: dict[str, float] = field(default_factory=dict)  # EUR planned on channels the model lacks
    record: object | None = None
    record_run: int | None = None
    gap_spend: np.ndarray | None = None
    dropped: list[dt.date] = field(default_factory=list)
    plan_changed: list[dt.date] = field(default_factory=list)

    @property
    def months(self) -> list[dt.date]:
        return list(self.current.index)


@scoped_cache
def run_context(run_id: int, lead_run_id: int | None, scope: str) -> PlanContext:
    from .. import forecasts  # the forecast of record (forecasts imports this module)

    model = run_models(run_id)[scope]
    engine = get_engine()
    plan = forecasting_api.current_plan(engine, scope, model.periods[-1], list(model.channels), list(model.controls))
    months = [first_of_month(m) for m in plan.months][:MAX_MONTHS]
    # In cents, as the editor shows it: the editor's rows of the current plan are then the current plan exactly.
    spend = np.round(np.asarray(plan.spend, dtype=float).reshape(len(plan.months), len(model.channels))[:len(months)],
                     2)
    controls = None
    if model.controls and plan.controls is not None and len(plan.controls):
        controls = np.asarray(plan.controls, dtype=float)[:len(months)]
    record = None if lead_run_id is None else forecasts.record_for_scope(scope, {"id": lead_run_id})
    kept, dropped, gap, path = list(range(len(months))), [], None, None
    if record is not None and record.bands:
        kept = [i for i, m in enumerate(months) if m in record.months]
        if kept:
            dropped = [m for i, m in enumerate(months) if i not in kept and m > months[kept[-1]]]
            if kept[0] > 0:
                gap = spend[:kept[0]]
            path = record.path([months[i] for i in kept])
        else:
            kept = list(range(len(months)))
    months = [months[i] for i in kept]
    current = pd.DataFrame(spend[kept], index=months, columns=list(model.channels))
    if controls is not None:
        controls = controls[kept]
    goals = forecasting_api.lead_targets(engine, scope, months)
    targets = pd.Series({first_of_month(m): float(v) for m, v in goals.items()}, dtype=float).sort_index()
    changed = [m for m in record.plan_changed if m in months] if path is not None else []
    return PlanContext(current, controls, targets, list(plan.notes), dict(plan.unmodelled), path,
                       lead_run_id if path is not None else None, gap, dropped, changed)


def lead_champion_id() -> int | None:
    from .. import forecasts

    run = forecasts.champion_run()
    return int(run["id"]) if run is not None else None


def champions() -> tuple:
    """The champion media run (its row: id, cut-off, creation, author) and the lead champion's id: with the
    data version, what the page's figures depend on (a view rendered once is kept under them, so that a
    promotion shows at once)."""
    run = champion_run()
    return (tuple(sorted(run.items())) if run is not None else None), lead_champion_id()


def plan_context(scope) -> PlanContext:
    """The current plan of ``scope`` read from the store now (a plan loaded after the fit shows), on the
    model's channels, for the months after its cut-off that the forecast of record covers; with its
    controls, monthly targets and the forecast of record of those months."""
    run, _model = model_for(scope)
    return run_context(run["id"], lead_champion_id(), scope)


def current_plan(scope) -> pd.DataFrame:
    return plan_context(scope).current.copy()


def plan_months(scope) -> list[dt.date]:
    return plan_context(scope).months


def targets(scope) -> pd.Series:
    """Monthly qualified-lead targets of the plan months (months without one left out)."""
    return plan_context(scope).targets

"""Predictions of spend plans: the current plan's (every reader) and an edited or saved plan's (the roles that
plan, or whoever a scenario was shared with), on the forecast of record when the scope has one, else by the
response model alone; with 80 % and 95 % intervals, cost per lead and the cells outside the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import api as forecasting_api

from ...auth.permissions import require_role
from ..cache import scoped_cache
from .access import LEVELS, WRITE_ROLES, model_for, run_models
from .model import finite_or_none
from .plan import PlanContext, lead_champion_id, plan_context, run_context


@dataclass
class Simulation:
    """A plan's predicted qualified leads (per month and in total, 80% and 95% intervals), its spend, cost
    per qualified lead (with its 80% interval) and the cells whose spend is outside the history."""

    months: list[dt.date]
    leads: list[float]
    bands: dict[str, list[float]]  # lo80, hi80, lo95, hi95 per month
    spend: list[float]  # per month
    total: float
    total_bands: dict[str, float]
    spend_total: float
    cost_per_lead: float | None
    cost_bands: dict[str, float | None]
    media_leads: float = 0.0  # the leads the plan's spend brings (the rest is the baseline)
    contributions: dict[str, list[float]] = field(default_factory=dict)
    out_of_range: list[dict] = field(default_factory=list)  # month, channel, spend, low, high
    on_record: bool = False  # the forecast of record moved by the response model, else the model's alone


def _level_key(level: float) -> str:
    return str(int(round(level * 100)))


def simulation_of(model, plan: pd.DataFrame, context: PlanContext) -> Simulation:
    """``plan``'s prediction: on the forecast of record when the scope has one (the current plan's is then the
    forecast of record exactly), else the response model's alone."""
    if context.record is not None:
        result = forecasting_api.simulate_on_record(
            model, plan.to_numpy(dtype=float), context.current[list(model.channels)].to_numpy(dtype=float),
            context.record, periods=list(plan.index), controls=context.controls, levels=LEVELS, seed=0,
            gap_spend=context.gap_spend)
    else:
        result = forecasting_api.simulate(model, plan.to_numpy(dtype=float), list(plan.index),
                                          controls=context.controls, levels=LEVELS, seed=0,
                                          gap_spend=context.gap_spend)
    return _from_result(model, result, on_record=context.record is not None)


def _from_result(model, result, on_record: bool = False) -> Simulation:
    """A plain record of :class:`forecasting.planning.scenario.ScenarioResult` (picklable, no draws)."""
    bands, total_bands, cost_bands = {}, {}, {}
    for level in LEVELS:
        key = _level_key(level)
        lo, hi = result.intervals[level]
        bands[f"lo{key}"] = np.asarray(lo, dtype=float).tolist()
        bands[f"hi{key}"] = np.asarray(hi, dtype=float).tolist()
        total_bands[f"lo{key}"], total_bands[f"hi{key}"] = (float(v) for v in result.total_intervals[level])
        c_lo, c_hi = result.cost_per_lead_intervals[level]
        cost_bands[f"lo{key}"], cost_bands[f"hi{key}"] = finite_or_none(c_lo), finite_or_none(c_hi)
    contributions = np.asarray(result.contributions, dtype=float)
    return Simulation(
        months=list(result.periods), leads=np.asarray(result.leads, dtype=float).tolist(), bands=bands,
        spend=np.asarray(result.spend, dtype=float).sum(axis=1).tolist(), total=float(result.total_leads),
        total_bands=total_bands, spend_total=float(result.total_spend),
        cost_per_lead=finite_or_none(result.cost_per_lead),
        cost_bands=cost_bands, media_leads=float(result.media_leads),
        contributions={c: contributions[:, i].tolist() for i, c in enumerate(model.channels)},
        out_of_range=[{"month": o.period, "channel": o.channel, "spend": float(o.spend), "low": float(o.hist_min),
                       "high": float(o.hist_max)} for o in result.out_of_range],
        on_record=on_record,
    )


@scoped_cache
def _current_simulation(run_id: int, lead_run_id: int | None, scope: str) -> Simulation:
    context = run_context(run_id, lead_run_id, scope)
    return simulation_of(run_models(run_id)[scope], context.current, context)


def simulate_current(scope) -> Simulation:
    """The current media plan's prediction (every reader may see it): the forecast of record of the scope,
    exactly, when there is one."""
    run, _model = model_for(scope)
    return _current_simulation(run["id"], lead_champion_id(), scope)


def simulate_plan(scope, plan: pd.DataFrame) -> Simulation:
    """An edited plan's prediction (planners and admins; the plan was validated by :func:`plan_from_rows`)."""
    require_role(*WRITE_ROLES)
    return simulate_saved(scope, plan)


def simulate_saved(scope, plan: pd.DataFrame) -> Simulation:
    """A stored scenario's prediction, for whoever may read that scenario (its author, or a user it was shared
    with: :mod:`.sharing` checks that); never a plan that came from the browser."""
    _run, model = model_for(scope)
    return simulation_of(model, plan, plan_context(scope))

"""What the planning page shows, as plain numbers: the rules that used to sit in its callbacks (whose plan a
user's prediction is, what goes into the editor, the summary's differences with the current plan and the
target, the prediction's rows and export, the comparison, the optimiser's grids). The page only formats and
draws these; they are tested here without a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .access import PlanningError, can_edit
from .model import channel_table
from .plan import current_plan, plan_context, targets
from .rows import plan_from_rows
from .scenarios import CURRENT, compare_scenarios, load_scenario
from .simulation import Simulation, simulate_current, simulate_plan
from .uploads import FileIssue, apply_cells, parse_plan_file


@dataclass
class Prediction:
    """A plan's prediction beside the current plan's and the monthly targets of its months."""

    simulation: Simulation
    current: Simulation
    targets: pd.Series


def prediction(scope, rows) -> Prediction:
    """The prediction of the editor's plan: a planner's rows are simulated; a director's prediction is always
    the current plan's, whatever rows their browser sends."""
    current = simulate_current(scope)
    sim = simulate_plan(scope, plan_from_rows(scope, rows)) if can_edit() else current
    return Prediction(sim, current, targets(scope))


@dataclass
class Summary:
    """The figures the summary, the comparison and the optimiser's result show: leads and spend in all, cost per
    lead, their 80 % intervals, and the differences with the current plan and with the target (None without
    a target of those months)."""

    leads: float
    leads_lo: float
    leads_hi: float
    spend: float
    cost_per_lead: float | None
    cost_lo: float | None
    cost_hi: float | None
    delta_leads: float | None
    delta_spend: float | None
    goal: float | None
    gap: float | None
    out_of_range: int


def summary(sim: Simulation, current: Simulation | None, goals: pd.Series) -> Summary:
    goal = goals.reindex(sim.months).sum(min_count=1)
    goal = None if pd.isna(goal) else float(goal)
    return Summary(
        leads=sim.total, leads_lo=sim.total_bands["lo80"], leads_hi=sim.total_bands["hi80"], spend=sim.spend_total,
        cost_per_lead=sim.cost_per_lead, cost_lo=sim.cost_bands["lo80"], cost_hi=sim.cost_bands["hi80"],
        delta_leads=None if current is None else sim.total - current.total,
        delta_spend=None if current is None else sim.spend_total - current.spend_total,
        goal=goal, gap=None if goal is None else sim.total - goal, out_of_range=len(sim.out_of_range))


def prediction_rows(sim: Simulation, current: Simulation | None, goals: pd.Series) -> list[dict]:
    """Per month: spend, expected leads with the 80 % and 95 % intervals, the current plan's, the target and the
    cost per lead (None without leads); then the total row (``month`` None)."""
    rows = []
    for t, month in enumerate(sim.months):
        goal = goals.get(month)
        rows.append({
            "month": month, "spend": sim.spend[t], "leads": sim.leads[t],
            **{band: sim.bands[band][t] for band in ("lo80", "hi80", "lo95", "hi95")},
            "current": current.leads[t] if current is not None and t < len(current.leads) else None,
            "target": None if goal is None or pd.isna(goal) else float(goal),
            "cost_per_lead": sim.spend[t] / sim.leads[t] if sim.leads[t] > 0 else None})
    total = summary(sim, current, goals)
    rows.append({"month": None, "spend": sim.spend_total, "leads": sim.total,
                 **{band: sim.total_bands[band] for band in ("lo80", "hi80", "lo95", "hi95")},
                 "current": current.total if current is not None else None, "target": total.goal,
                 "cost_per_lead": sim.cost_per_lead})
    return rows


def export_rows(scope, rows) -> tuple[list[dict], int | None]:
    """The prediction as its export holds it: per month the spend, the plan's leads with their intervals, the
    current plan's (the forecast of record) and the target; and the lead run it stands on (None: the response
    model alone). A director's is always the current plan's, whatever rows arrive."""
    predicted = prediction(scope, rows)
    sim, context = predicted.simulation, plan_context(scope)
    months = [r for r in prediction_rows(sim, predicted.current, context.targets) if r["month"] is not None]
    return [{k: v for k, v in r.items() if k != "cost_per_lead"} for r in months], \
        (context.record_run if sim.on_record else None)


def sorted_channels(rows: list[dict]) -> list[dict]:
    """The channel table's order: the channels the data identify first, the largest share of leads first."""
    return sorted(rows, key=lambda r: (not r["identified"], -(r["share"] or 0.0)))


def bounds_rows(scope) -> list[dict]:
    """The optimiser's per-channel grid: each channel's historical monthly spend, no widening, not locked."""
    return [{"channel": r["channel"], "spend_min": r["spend_min"], "spend_max": r["spend_max"], "widen": None,
             "widen_min": None, "locked": False} for r in channel_table(scope)]


def budget_months(scope) -> tuple[list[dt.date], float]:
    """The optimiser's defaults: the plan months (their budgets blank) and the current plan's total, rounded."""
    plan = current_plan(scope)
    return list(plan.index), round(float(plan.to_numpy().sum()))


@dataclass
class Edit:
    """What an edit puts in the editor: the plan, or the file's problems (nothing changes), and what to say."""

    plan: pd.DataFrame | None
    issues: list[FileIssue]
    message: str  # the key of the message
    values: dict


def uploaded(scope, rows, contents, filename) -> Edit:
    """An uploaded file's cells put on the editor's plan (on the current plan when the editor holds a bad cell)."""
    cells, issues = parse_plan_file(scope, contents, filename)
    if issues:
        return Edit(None, issues, "planning.upload.failed", {})
    try:
        base = plan_from_rows(scope, rows)
    except PlanningError:
        base = current_plan(scope)
    return Edit(apply_cells(base, cells), [], "planning.upload.done", {"cells": len(cells)})


def loaded(scope, scenario) -> Edit:
    """A saved scenario put in the editor, with the plan months it did not hold (taken from the current plan)."""
    if scenario in (None, ""):
        raise PlanningError("pick")
    row, plan, missing = load_scenario(scope, scenario)
    if missing:
        return Edit(plan, [], "planning.editor.loaded_partly", {"name": row["name"], "months": missing})
    return Edit(plan, [], "planning.editor.loaded", {"name": row["name"]})


def allocated(scope, allocation) -> Edit:
    """The optimiser's allocation kept in the page, put in the editor only on the scope it was made for."""
    if not isinstance(allocation, dict) or allocation.get("scope") != scope:
        raise PlanningError("no_allocation")
    return Edit(plan_from_rows(scope, allocation.get("rows")), [], "planning.editor.used", {})


def kept_compared(listing: list[dict], compared) -> list:
    """The compared choices that still exist after a save or a delete (the current plan always does)."""
    ids = {r["id"] for r in listing}
    return [v for v in (compared if isinstance(compared, list) else []) if v == CURRENT or v in ids]


def comparison(scope, choices) -> tuple[list[tuple[str, str, Simulation, Summary]], pd.Series]:
    """The chosen plans (the current plan and the user's scenarios) with their summary against the current plan
    and the target; and the targets."""
    items = compare_scenarios(scope, choices)
    goals, current = targets(scope), simulate_current(scope)
    return [(key, name, sim, summary(sim, current, goals)) for key, name, sim in items], goals

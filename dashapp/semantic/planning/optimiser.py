"""The budget optimiser: the best allocation of a budget (or the least spend for a target of leads) by channel,
region and month, within each region's historical spend unless the planner widens a channel. A planning
tool that costs CPU seconds: the roles that plan only, one run at a time per user; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask_login import current_user

from forecasting import api as forecasting_api
from pilotage.store.engine import get_engine
from pilotage.store.models.planning import NATIONAL_SCOPE

from ...auth.permissions import require_role
from ...extensions import cache
from ..cache import scoped_cache
from ..scope import region_tree
from .access import WRITE_ROLES, PlanningError, model_for, run_models
from .plan import plan_context, run_context
from .rows import amount_of
from .simulation import Simulation, simulate_current, simulation_of

OPTIMISER_LOCK_S = 30  # released at once when done; the timeout frees a cancelled or crashed job's lock


@dataclass
class Optimisation:
    """The optimiser's answer: the allocation (months x channels, EUR: the regions summed, as the editor takes
    it) and by region (``by_region``: region x channel EUR over the plan), its simulation (expected leads with
    80% and 95% intervals), the constraints it sits on grouped by channel (``binding``), the channels spent
    outside their history (``extrapolated``, only when the planner ``widened`` a range), the media leads the
    regions' response models give it and the current plan, and the seconds it took."""

    plan: pd.DataFrame
    simulation: Simulation
    binding: list[dict]  # kind, channel, cells, of, regions, months, low, high, historical
    seconds: float
    by_region: pd.DataFrame = field(default_factory=pd.DataFrame)
    extrapolated: list[dict] = field(default_factory=list)  # channel, cells, regions, spend, beyond, ratio
    widened: bool = False
    media_leads: float = 0.0
    reference_media_leads: float | None = None
    cells: int = 0  # months x regions x channels optimised


OPTIMISE_MODES = ("budget", "target")
OPTIMISE_ROLES = WRITE_ROLES  # a planning tool that costs CPU seconds: the roles that plan


@scoped_cache
def _optimiser_regions(run_id: int, scope: str) -> list[str]:
    """The response models the optimiser allocates over: a region's own; for the whole company, the top
    regions' models when every top region has one (a plan by channel, region and month), else the national
    model alone (a plan by channel and month: regions without a model cannot be given a share)."""
    models = run_models(run_id)
    if scope != NATIONAL_SCOPE:
        return [scope]
    regional = sorted(c for c in models if c != NATIONAL_SCOPE)
    tops = forecasting_api.top_region_codes(region_tree().parent)
    return regional if regional and set(tops) <= set(regional) else [NATIONAL_SCOPE]


@scoped_cache
def _regional_plan(run_id: int, lead_run_id: int | None, scope: str, region: str) -> np.ndarray:
    """``region``'s current plan (months x its model's channels, EUR) on the scope's plan months."""
    context = run_context(run_id, lead_run_id, scope)
    if region == scope:
        return context.current.to_numpy(dtype=float)
    model = run_models(run_id)[region]
    plan = forecasting_api.current_plan(get_engine(), region, model.periods[-1], list(model.channels),
                                        list(model.controls), months=context.months)
    return np.asarray(plan.spend, dtype=float).reshape(len(context.months), len(model.channels))


def optimise_plan(scope, mode: str, amount, bounds: dict[str, dict], period_budgets: dict | None = None,
                  progress=None) -> Optimisation:
    """Spread ``amount`` EUR over the plan months, regions and channels (``budget`` mode: all of it), or find
    the least spend that brings ``amount`` qualified leads in all (``target`` mode). Every cell stays within
    its region's historical monthly spend unless the planner widened the channel (``bounds``: ``{channel:
    {"widen": factor >= 1 on the maxima, "widen_min": factor <= 1 on the minima, "locked": keep the current
    plan}}``); optional per-month budgets ``{month: EUR}``. ``progress(fraction, step)`` is told how far it
    is. Planners and admins only; nothing is written."""
    require_role(*OPTIMISE_ROLES)
    run, model = model_for(scope)
    if mode not in OPTIMISE_MODES:
        raise PlanningError("mode")
    total = amount_of(amount, "amount") if amount not in (None, "") else 0.0
    if total <= 0:
        raise PlanningError("amount")
    context = plan_context(scope)
    months, channels = context.months, list(model.channels)
    lead_run = context.record_run if context.record is not None else None
    codes = _optimiser_regions(run["id"], scope)
    regions = {code: run_models(run["id"])[code] for code in codes}
    every = sorted({c for m in regions.values() for c in m.channels})
    reference = np.zeros((len(months), len(codes), len(every)))
    for r, code in enumerate(codes):
        index = [every.index(c) for c in regions[code].channels]
        reference[:, r, index] = _regional_plan(run["id"], lead_run, scope, code)
    widen = {c: b["widen"] for c, b in bounds.items() if c in every and b.get("widen")}
    widen_min = {c: b["widen_min"] for c, b in bounds.items() if c in every and b.get("widen_min") is not None}
    locked = {c for c, b in bounds.items() if c in every and b.get("locked")}
    caps = None
    if period_budgets:
        caps = [period_budgets.get(m) for m in months]
    target_media = None
    if mode == "target":
        # The optimiser reaches media leads; a target of qualified leads in all is met when the media leads
        # make up the gap between it and the current plan's prediction without the current plan's media.
        base = forecasting_api.geo_media_leads(regions, months, reference)
        target_media = total - (simulate_current(scope).total - base)
    # One optimisation at a time per user: a job is a process, and nothing else stops a burst of forged
    # requests from starting dozens.
    lock = f"pilotage:optimising:{current_user.get_id()}"
    if not cache.add(lock, 1, timeout=OPTIMISER_LOCK_S):
        raise PlanningError("busy")
    try:
        allocation = forecasting_api.optimise_geo(
            regions, months, budget=total if mode == "budget" else None, target_media=target_media,
            widen=widen or None, widen_min=widen_min or None, locked=locked, reference=reference,
            period_budgets=caps, progress=progress)
    except forecasting_api.Infeasible as error:
        code = f"infeasible_{error.code}" if error.code else f"infeasible_{mode}"
        raise PlanningError(code, **{k: v for k, v in error.values.items() if isinstance(v, (int, float))}) from None
    except ValueError:
        raise PlanningError("bounds_factor") from None
    finally:
        cache.delete(lock)
    summed = allocation.channel_plan()
    plan = pd.DataFrame(summed[:, [every.index(c) for c in channels]], index=months, columns=channels)
    by_region = pd.DataFrame(allocation.spend.sum(axis=0), index=codes, columns=every)
    binding = [{"kind": b.kind, "channel": b.channel, "cells": b.cells, "of": b.of, "regions": b.regions,
                "months": b.periods, "low": b.low, "high": b.high, "historical": b.historical}
               for b in allocation.binding]
    if mode == "target":
        offset = total - target_media
        binding = [{**b, "low": b["low"] + offset, "high": b["high"] + offset} if b["kind"] == "target" else b
                   for b in binding]
    extrapolated = [{"channel": e.channel, "cells": e.cells, "regions": e.regions, "spend": e.spend,
                     "beyond": e.beyond, "ratio": e.ratio} for e in allocation.extrapolated]
    return Optimisation(plan=plan, simulation=simulation_of(model, plan, context), binding=binding,
                        seconds=float(allocation.seconds), by_region=by_region, extrapolated=extrapolated,
                        widened=allocation.widened, media_leads=allocation.media_leads,
                        reference_media_leads=allocation.reference_media_leads, cells=int(allocation.spend.size))

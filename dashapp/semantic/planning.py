"""What the planning page (``/planning``) reads and writes: the champion media model of a scope, what
it says per channel, the current media plan and the targets, simulations and optimisations of spend
plans, and the user's saved scenarios. The only module of the app that talks to media planning
(through :mod:`forecasting.api`, the app's contract with forecasting) or to the scenario tables.

Scope: a media run holds one response model for the whole company (``national``) and one per top
region. A user who sees every region may pick any of them; a user scoped to some regions may pick
the models of the top regions inside their scope only, never the national one (it mixes in the
other regions). Every function takes the scope code chosen in the page and checks it again here
(:func:`checked_scope`): a forged code is refused, never widened.

Roles: directors read (the model and the current plan's prediction); planners and admins also
simulate edited plans, run the optimiser and save, load and delete their own scenarios. The
optimiser writes nothing, but it is a planning tool that costs CPU seconds: it is kept to the
roles that plan. Scenarios belong to one user and one scope: every read and write is filtered by
the logged-in user's id and the checked scope, so a forged scenario id of someone else reads as
"not found".

Plans are pandas frames: one row per month (a ``datetime.date``, the first of the month), one
column per channel of the model, EUR. Everything that arrives from the browser (grid rows, an
uploaded file, an allocation kept in the page) is validated into such a frame first
(:func:`plan_from_rows`, :func:`parse_plan_file`).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask_login import current_user
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from forecasting import api as forecasting_api  # scipy & co. load on first use of the optimiser or a media run
from pilotage.input import LINE, UPLOADS, InputError, RawTable
from pilotage.input.columns import decimal_mark, parse_numbers
from pilotage.input.sandbox import read_upload
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine
from pilotage.store.models import Channel, ForecastRun
from pilotage.store.models.planning import NATIONAL_SCOPE, PlanScenario, PlanScenarioCell

from ..auth import audit
from ..auth.permissions import require_role
from ..extensions import cache
from .cache import scoped_cache
from .inputs import clean_text
from .inputs import row_id as _scenario_id
from .scope import allowed_regions, region_tree

MEDIA_KIND = "media"
READ_ROLES = ("director", "planner", "admin")
WRITE_ROLES = ("planner", "admin")
LEVELS = (0.8, 0.95)
MAX_MONTHS = 12  # the optimiser's time grows fast with the months (24: 20-40 s); a year is the planning horizon
MAX_CELL_EUR = 1e9  # more than any media budget: a larger figure is a typing error
MAX_NAME = 120
MAX_FILE_BYTES = UPLOADS.max_bytes  # the input layer's upload caps: 2 MB, 5,000 rows, 200 columns
OPTIMISER_LOCK_S = 30  # released at once when done; the timeout frees a cancelled or crashed job's lock
MAX_SCENARIOS = 200  # per user: a list to choose from, not an archive
MAX_ISSUES = 20  # errors listed for one file (the rest are counted)
MAX_COMPARED = 6
CURVE_POINTS = 41


class PlanningError(ValueError):
    """A request the page cannot serve: ``code`` names the translated message, ``values`` fill it."""

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values


# --- scope and the champion media run -------------------------------------------------------------

def permitted_scopes() -> list[str]:
    """The model scopes the user may read: ``national`` only when they see every region, then the top
    regions inside their scope (a top region counts only when the user sees all of it)."""
    require_role(*READ_ROLES)
    regions = allowed_regions()
    if not regions:
        return []
    tree = region_tree()
    tops = [code for code in forecasting_api.top_region_codes(tree.parent) if code in regions]
    everything = regions == frozenset(tree.parent)
    return ([NATIONAL_SCOPE] if everything else []) + tops


def champion_run() -> dict | None:
    """The champion media run's id, cut-off, creation time and author (one indexed row, read once per
    request and never cached longer: a promotion must show at once)."""
    from flask import g, has_request_context

    if has_request_context() and "media_champion" in g:
        return g.media_champion
    run = _read_champion()
    if has_request_context():
        g.media_champion = run
    return run


def _read_champion() -> dict | None:
    statement = (select(ForecastRun.id, ForecastRun.cutoff, ForecastRun.created_at, ForecastRun.run_by)
                 .where(ForecastRun.kind == MEDIA_KIND, ForecastRun.is_champion.is_(True),
                        ForecastRun.status == "ok"))
    with get_engine().connect() as conn:
        row = conn.execute(statement).first()
    return dict(row._mapping) if row is not None else None


_MODELS: dict[tuple[str, int], dict] = {}
_MODELS_LOCK = threading.Lock()


def _models(run_id: int) -> dict:
    """The run's response models by scope, parsed once per process and run (a run never changes)."""
    key = (get_settings().database_url, int(run_id))
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
    # This run's models, not the champion's: a promotion in between must not put another run's
    # figures under this run's id (the page's caches are keyed by it).
    models = forecasting_api.media_models(get_engine(), int(run_id))
    with _MODELS_LOCK:
        if len(_MODELS) > 8:
            _MODELS.clear()
        _MODELS[key] = models
    return models


def scope_options() -> list[str]:
    """The permitted scopes that have a model in the champion run, national first."""
    run = champion_run()
    if run is None:
        return []
    models = _models(run["id"])
    return [code for code in permitted_scopes() if code in models]


def checked_scope(value) -> str:
    """``value`` if it is a scope the user may read and the champion run has a model for, else
    :class:`PlanningError` (``no_run``, ``no_model`` or ``scope``)."""
    if champion_run() is None:
        raise PlanningError("no_run")
    options = scope_options()
    if not options:
        raise PlanningError("no_model")
    if not isinstance(value, str) or value not in options:
        raise PlanningError("scope")
    return value


def model_for(scope) -> tuple[dict, object]:
    """(champion run, its :class:`~forecasting.planning.model.ResponseModel` for ``scope``), scope checked."""
    code = checked_scope(scope)
    run = champion_run()
    return run, _models(run["id"])[code]


def scope_label(code: str, language: str) -> str:
    from .. import i18n

    if code == NATIONAL_SCOPE:
        return i18n.t("planning.scope.national", language)
    return region_tree().names.get(code, code)


@scoped_cache
def channel_names(language: str) -> dict[str, str]:
    column = Channel.name_fr if language == "fr" else Channel.name_en
    with get_engine().connect() as conn:
        return dict(conn.execute(select(Channel.code, column)).all())


# --- what the model says ----------------------------------------------------------------------------

def _bounds(model, figure) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = model.interval(figure, LEVELS[0])
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


@scoped_cache
def _channel_table(run_id: int, scope: str) -> list[dict]:
    model = _models(run_id)[scope]
    share = model.contribution_shares()
    share_lo, share_hi = _bounds(model, lambda p: model.contribution_shares(p))
    average = model.average_cost()
    average_lo, average_hi = _bounds(model, lambda p: model.average_cost(params=p))
    marginal = model.marginal_cost()
    marginal_lo, marginal_hi = _bounds(model, lambda p: model.marginal_cost(params=p))
    low, high = model.spend_range()
    recent = model.recent_spend()
    rows = []
    for i, channel in enumerate(model.channels):
        rows.append({
            "channel": channel, "identified": bool(model.identified[i]), "reason": model.reasons[i] or "",
            "detail": (model.stats.get("details") or [""] * len(model.channels))[i] or "",
            "share": _finite(share[i]), "share_lo": _finite(share_lo[i]), "share_hi": _finite(share_hi[i]),
            "average_cost": _finite(average[i]), "average_cost_lo": _finite(average_lo[i]),
            "average_cost_hi": _finite(average_hi[i]),
            "marginal_cost": _finite(marginal[i]), "marginal_cost_lo": _finite(marginal_lo[i]),
            "marginal_cost_hi": _finite(marginal_hi[i]),
            "spend_min": float(low[i]), "spend_max": float(high[i]), "recent_spend": float(recent[i]),
            "spend_total": float(model.spend[:, i].sum()),
        })
    return rows


def channel_table(scope) -> list[dict]:
    """Per channel: contribution share, average and marginal cost per incremental qualified lead (each
    with its 80% interval over the bootstrap draws; None where infinite), whether the data identify
    it and why not, and its historical spend per period (min, max, recent mean)."""
    run, _model = model_for(scope)
    return _channel_table(run["id"], scope)


@scoped_cache
def _contributions(run_id: int, scope: str) -> pd.DataFrame:
    model = _models(run_id)[scope]
    fitted = model.fitted()
    frame = pd.DataFrame(fitted.contributions, columns=list(model.channels))
    frame.insert(0, "baseline", fitted.baseline)
    frame.insert(0, "period", list(model.periods))
    frame["fitted"] = fitted.total
    frame["actual"] = np.asarray(model.y, dtype=float)
    return frame


def contributions(scope) -> pd.DataFrame:
    """The history decomposed: ``period, baseline, <channel>..., fitted, actual``; baseline plus the
    channels' contributions is the fitted value of each period."""
    run, _model = model_for(scope)
    return _contributions(run["id"], scope)


@scoped_cache
def _curves(run_id: int, scope: str) -> dict[str, dict]:
    model = _models(run_id)[scope]
    low, high = model.spend_range()
    recent = model.recent_spend()
    out = {}
    for i, channel in enumerate(model.channels):
        top = max(float(high[i]) * 1.5, float(recent[i]) * 2.0, 1.0)
        grid = np.linspace(0.0, top, CURVE_POINTS)
        lo, hi = model.interval(lambda p, c=channel, g=grid: model.response_curve(c, g, p), LEVELS[0])
        current = float(recent[i])
        out[channel] = {"spend": grid.tolist(), "leads": model.response_curve(channel, grid).tolist(),
                        "lo": np.asarray(lo, dtype=float).tolist(), "hi": np.asarray(hi, dtype=float).tolist(),
                        "spend_min": float(low[i]), "spend_max": float(high[i]), "current_spend": current,
                        "current_leads": float(model.response_curve(channel, np.array([current]))[0]),
                        "identified": bool(model.identified[i])}
    return out


def response_curves(scope) -> dict[str, dict]:
    """Per channel: leads per period that a steady spend brings (``spend``, ``leads``), the 80% band over
    the draws (``lo``, ``hi``), the historical spend range and the current (recent mean) spend point."""
    run, _model = model_for(scope)
    return _curves(run["id"], scope)


def model_summary(scope) -> dict:
    """Which media model the champion is (``"geo"``: the pooled model over every region, whose national
    figures are the regions' sum; ``"national"``: one model per scope), how many regions it pools, and the
    share of the scope's fitted leads that channels the data do not identify bring (``unattributed``)."""
    _run, model = model_for(scope)
    stats = dict(model.stats)
    shares = model.contribution_shares()
    unattributed = float(sum(max(float(s), 0.0) for s, ok in zip(shares, model.identified, strict=True) if not ok))
    return {"model": stats.get("model") or "national", "regions": len(stats.get("regions") or []),
            "unattributed": unattributed}


def model_stats(scope) -> dict:
    """The model's fit figures (R², MAPE, hold-out...) as the fit stored them, plus its history span."""
    _run, model = model_for(scope)
    return {**dict(model.stats), "first": model.periods[0], "last": model.periods[-1],
            "frequency": model.frequency}


@scoped_cache
def _experiments(run_id: int, scope: str) -> list[dict]:
    tree = region_tree()
    visible = allowed_regions()
    everything = visible == frozenset(tree.parent)
    scope_regions = None if scope == NATIONAL_SCOPE else tree.with_descendants([scope])
    tests = forecasting_api.stored_experiments(get_engine(), None if everything else visible, scope_regions)
    return forecasting_api.experiment_report(_models(run_id)[scope], tests)


def experiments(scope) -> list[dict]:
    """The lift tests the user may see (all their regions inside the user's scope; a whole-country test only
    for who sees the whole country) within the model's scope, each with the model's lift for the same channel,
    regions and days, its 80 % interval, and whether it agrees with the measured one (the intervals overlap)."""
    run, _model = model_for(scope)
    return _experiments(run["id"], scope)


# --- the current plan and targets -------------------------------------------------------------------

def _month(value) -> dt.date:
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
def _context(run_id: int, lead_run_id: int | None, scope: str) -> PlanContext:
    from . import forecasts  # the forecast of record (forecasts imports this module)

    model = _models(run_id)[scope]
    engine = get_engine()
    plan = forecasting_api.current_plan(engine, scope, model.periods[-1], list(model.channels), list(model.controls))
    months = [_month(m) for m in plan.months][:MAX_MONTHS]
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
    targets = pd.Series({_month(m): float(v) for m, v in goals.items()}, dtype=float).sort_index()
    changed = [m for m in record.plan_changed if m in months] if path is not None else []
    return PlanContext(current, controls, targets, list(plan.notes), dict(plan.unmodelled), path,
                       lead_run_id if path is not None else None, gap, dropped, changed)


def _lead_champion_id() -> int | None:
    from . import forecasts

    run = forecasts.champion_run()
    return int(run["id"]) if run is not None else None


def plan_context(scope) -> PlanContext:
    """The current plan of ``scope`` read from the store now (a plan loaded after the fit shows), on the
    model's channels, for the months after its cut-off that the forecast of record covers; with its
    controls, monthly targets and the forecast of record of those months."""
    run, _model = model_for(scope)
    return _context(run["id"], _lead_champion_id(), scope)


def current_plan(scope) -> pd.DataFrame:
    return plan_context(scope).current.copy()


def plan_months(scope) -> list[dt.date]:
    return plan_context(scope).months


def targets(scope) -> pd.Series:
    """Monthly qualified-lead targets of the plan months (months without one left out)."""
    return plan_context(scope).targets


# --- simulation and optimisation ----------------------------------------------------------------------

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


def _simulation(model, plan: pd.DataFrame, context: PlanContext) -> Simulation:
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
        cost_bands[f"lo{key}"], cost_bands[f"hi{key}"] = _finite(c_lo), _finite(c_hi)
    contributions = np.asarray(result.contributions, dtype=float)
    return Simulation(
        months=list(result.periods), leads=np.asarray(result.leads, dtype=float).tolist(), bands=bands,
        spend=np.asarray(result.spend, dtype=float).sum(axis=1).tolist(), total=float(result.total_leads),
        total_bands=total_bands, spend_total=float(result.total_spend), cost_per_lead=_finite(result.cost_per_lead),
        cost_bands=cost_bands, media_leads=float(result.media_leads),
        contributions={c: contributions[:, i].tolist() for i, c in enumerate(model.channels)},
        out_of_range=[{"month": o.period, "channel": o.channel, "spend": float(o.spend), "low": float(o.hist_min),
                       "high": float(o.hist_max)} for o in result.out_of_range],
        on_record=on_record,
    )


@scoped_cache
def _current_simulation(run_id: int, lead_run_id: int | None, scope: str) -> Simulation:
    context = _context(run_id, lead_run_id, scope)
    return _simulation(_models(run_id)[scope], context.current, context)


def simulate_current(scope) -> Simulation:
    """The current media plan's prediction (every reader may see it): the forecast of record of the scope,
    exactly, when there is one."""
    run, _model = model_for(scope)
    return _current_simulation(run["id"], _lead_champion_id(), scope)


def simulate_plan(scope, plan: pd.DataFrame) -> Simulation:
    """An edited plan's prediction (planners and admins; the plan was validated by :func:`plan_from_rows`)."""
    require_role(*WRITE_ROLES)
    return simulate_saved(scope, plan)


def simulate_saved(scope, plan: pd.DataFrame) -> Simulation:
    """A stored scenario's prediction, for whoever may read that scenario (its author, or a user it was shared
    with: :mod:`dashapp.semantic.sharing` checks that); never a plan that came from the browser."""
    _run, model = model_for(scope)
    return _simulation(model, plan, plan_context(scope))


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
    models = _models(run_id)
    if scope != NATIONAL_SCOPE:
        return [scope]
    regional = sorted(c for c in models if c != NATIONAL_SCOPE)
    tops = forecasting_api.top_region_codes(region_tree().parent)
    return regional if regional and set(tops) <= set(regional) else [NATIONAL_SCOPE]


@scoped_cache
def _regional_plan(run_id: int, lead_run_id: int | None, scope: str, region: str) -> np.ndarray:
    """``region``'s current plan (months x its model's channels, EUR) on the scope's plan months."""
    context = _context(run_id, lead_run_id, scope)
    if region == scope:
        return context.current.to_numpy(dtype=float)
    model = _models(run_id)[region]
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
    regions = {code: _models(run["id"])[code] for code in codes}
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
    return Optimisation(plan=plan, simulation=_simulation(model, plan, context), binding=binding,
                        seconds=float(allocation.seconds), by_region=by_region, extrapolated=extrapolated,
                        widened=allocation.widened, media_leads=allocation.media_leads,
                        reference_media_leads=allocation.reference_media_leads, cells=int(allocation.spend.size))


# --- validated plans from the browser -------------------------------------------------------------------

_EUR = re.compile(r"eur", re.IGNORECASE)


def _number_text(value: str) -> float | None:
    """A number written by a person in either locale: ``1 234,50``, ``1,234.50``, ``1.234``, ``€120``. A
    single separator followed by exactly three digits groups thousands (euros have two decimals)."""
    text = re.sub(r"[\s\u00a0\u202f€]|eur", "", value.strip(), flags=re.IGNORECASE)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        head, _, tail = text.rpartition(mark)
        text = text.replace(mark, "") if text.count(mark) > 1 or len(tail) == 3 else f"{head}.{tail}"
    return float(text) if re.fullmatch(r"-?\d+(\.\d*)?", text) else None


def _column_decimal(cells: pd.Series, filename: str, column: str) -> tuple[str | None, FileIssue | None]:
    """The decimal mark of a file's column of amounts, decided once from all its text cells (``1,234``
    means the same on every line, and the same as in the ETL), or the problem when they cannot decide."""
    texts = pd.Series([_EUR.sub("", v) for v in cells if isinstance(v, str)], dtype=str)
    try:
        return decimal_mark(texts, file=filename, column=column), None
    except InputError as error:
        code = error.code.removeprefix("input.")
        return None, FileIssue(code, 1, column, " / ".join(error.params.get("examples", []))[:80])


def _decided_number(value: str, decimal: str) -> float | None:
    number = float(parse_numbers(pd.Series([_EUR.sub("", value)], dtype=str), decimal).iloc[0])
    return None if math.isnan(number) else number


def amount_of(value, column: str, decimal: str | None = None) -> float:
    """A spend in EUR from an untrusted cell (blank is 0); :class:`PlanningError` names the column otherwise.
    A number, or text (``1 234,50``, ``1,234.50``, ``€``) read with its column's ``decimal`` mark when
    a file decided it (see :func:`_column_decimal`), else as one person typed it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    if isinstance(value, bool):
        raise PlanningError("spend", column=column, value=str(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str):
        number = _number_text(value) if decimal is None else _decided_number(value, decimal)
        if number is None:
            raise PlanningError("spend", column=column, value=value[:40])
    else:
        raise PlanningError("spend", column=column, value=str(value)[:40])
    if not math.isfinite(number):
        raise PlanningError("spend", column=column, value=str(value)[:40])
    if number < 0:
        raise PlanningError("negative", column=column, value=str(value)[:40])
    if number > MAX_CELL_EUR:
        raise PlanningError("too_large", column=column, value=str(value)[:40])
    return number


def _row_month(row, months) -> dt.date:
    """The plan month of one untrusted grid row (``{"month": "2026-11-01", ...}``); ``rows`` error otherwise."""
    if not isinstance(row, dict) or not isinstance(row.get("month"), str):
        raise PlanningError("rows")
    try:
        month = dt.date.fromisoformat(row["month"][:10])
    except ValueError:
        raise PlanningError("rows") from None
    if month not in months:
        raise PlanningError("rows")
    return month


def plan_from_rows(scope, rows) -> pd.DataFrame:
    """The editor grid's rows (``[{"month": "2026-11-01", "<channel>": spend, ...}]``, untrusted) as a plan
    of the scope's plan months and model channels; blank cells are 0. Raises :class:`PlanningError`."""
    _run, model = model_for(scope)
    months = plan_months(scope)
    channels = list(model.channels)
    if not isinstance(rows, list) or len(rows) != len(months):
        raise PlanningError("rows")
    by_month = {}
    for row in rows:
        month = _row_month(row, months)
        if month in by_month:
            raise PlanningError("rows")
        by_month[month] = [amount_of(row.get(c), c) for c in channels]
    return pd.DataFrame([by_month[m] for m in months], index=months, columns=channels)


def plan_rows(plan: pd.DataFrame) -> list[dict]:
    """A plan as the editor grid's rows."""
    return [{"month": m.isoformat(), **{c: round(float(v), 2) for c, v in row.items()}}
            for m, row in plan.iterrows()]


def bounds_from_rows(scope, rows) -> dict[str, dict]:
    """The optimiser's per-channel grid (``[{"channel", "widen", "widen_min", "locked"}]``, untrusted) as
    ``{channel: {"widen": factor or None, "widen_min": factor or None, "locked": bool}}``. ``widen`` (1 to
    5) multiplies the channel's historical monthly maxima, ``widen_min`` (0 to 1) its minima: blank is the
    history itself. Unknown channels and factors out of range are refused."""
    _run, model = model_for(scope)
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise PlanningError("rows")
    out = {}
    for row in rows:
        if not isinstance(row, dict) or row.get("channel") not in model.channels:
            raise PlanningError("rows")
        channel = row["channel"]
        out[channel] = {"widen": _factor(row.get("widen"), channel, 1.0, forecasting_api.MAX_WIDEN),
                        "widen_min": _factor(row.get("widen_min"), channel, 0.0, 1.0),
                        "locked": row.get("locked") is True}
    return out


def _factor(value, column: str, low: float, high: float) -> float | None:
    """A widening factor from an untrusted cell (blank: None, the history's own bound)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise PlanningError("bounds_factor", column=column)
    try:
        number = float(value.replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise PlanningError("bounds_factor", column=column) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise PlanningError("bounds_factor", column=column)
    return number


def budgets_from_rows(scope, rows) -> dict[dt.date, float]:
    """The optimiser's per-month budget grid (``[{"month", "budget"}]``, untrusted): ``{month: EUR}`` for the
    plan months that have one."""
    months = set(plan_months(scope))
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise PlanningError("rows")
    out = {}
    for row in rows:
        month = _row_month(row, months)
        if row.get("budget") not in (None, ""):
            out[month] = amount_of(row["budget"], f"{month:%Y-%m}")
    return out


# --- uploads --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileIssue:
    """One problem of an uploaded plan: ``code`` names the translated message; ``line`` is the file's line
    (the header is line 1), ``column`` the column's name as written in the file."""

    code: str
    line: int | None = None
    column: str | None = None
    value: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)  # an ``input.*`` code's values


MONTH_NAMES = ("month", "mois", "period", "période", "periode", "date")
CHANNEL_NAMES = ("channel", "canal", "channel_code", "media", "média")
SPEND_NAMES = ("spend", "budget", "dépense", "depense", "dépenses", "depenses", "amount", "montant",
               "planned_spend", "eur")


def _fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _read_table(contents: str, filename: str) -> RawTable:
    """The file's cells as text with their line numbers; raises :class:`PlanningError` for a request that
    is not a file and :class:`InputError` for a file that cannot be read. The file is parsed by the input
    layer in a child process bounded in time and memory (a hostile workbook must not hold a worker)."""
    if not isinstance(contents, str) or "," not in contents or not isinstance(filename, str):
        raise PlanningError("unreadable")
    if len(contents) > MAX_FILE_BYTES * 4 // 3 + 1_000:  # base64: checked before decoding it
        raise PlanningError("file_too_large", limit=MAX_FILE_BYTES // 1_000_000)
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (ValueError, TypeError):
        raise PlanningError("unreadable") from None
    return read_upload(data, filename[:200], limits=UPLOADS)


def _parse_month(value) -> dt.date | None:
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().replace(day=1) if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip() if value is not None else ""
    for pattern, fmt in ((r"\d{4}-\d{1,2}", "%Y-%m"), (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
                         (r"\d{4}-\d{1,2}-\d{1,2}[ T]00:00:00", "%Y-%m-%d %H:%M:%S"), (r"\d{1,2}/\d{4}", "%m/%Y"),
                         (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y"), (r"\d{4}/\d{1,2}", "%Y/%m")):
        if re.fullmatch(pattern, text):
            try:
                return dt.datetime.strptime(text.replace("T", " "), fmt).date().replace(day=1)
            except ValueError:
                return None
    return None


def _channel_lookup(channels: list[str]) -> dict[str, str]:
    """Folded codes and names (both languages) of the model's channels -> code."""
    lookup = {_fold(c): c for c in channels}
    for language in ("en", "fr"):
        for code, name in channel_names(language).items():
            if code in channels and name:
                lookup.setdefault(_fold(name), code)
    return lookup


def parse_plan_file(scope, contents: str, filename: str) -> tuple[dict[tuple[dt.date, str], float], list[FileIssue]]:
    """The cells of an uploaded plan (CSV or XLSX, long ``month, channel, spend`` or wide ``month`` plus one
    column per channel): ``{(month, channel): EUR}`` and the problems found, each with its line and column.
    Months must be plan months; channels the model's, by code or by name. Nothing is kept when there is
    a problem (the caller shows them all and changes nothing)."""
    require_role(*WRITE_ROLES)
    _run, model = model_for(scope)
    months = set(plan_months(scope))
    try:
        raw = _read_table(contents, filename)
        raw.refuse_rejects()
    except PlanningError as error:
        return {}, [FileIssue(error.code, value=str(error.values.get("name", error.values.get("limit", ""))))]
    except InputError as error:  # translated from its code and params (the ``input.*`` catalogue)
        return {}, [FileIssue(error.code, error.line, error.column, params=error.params)]
    if raw.frame.empty:
        return {}, [FileIssue("empty")]
    frame = raw.frame
    folded = {_fold(c): c for c in raw.columns}
    month_column = next((folded[n] for n in map(_fold, MONTH_NAMES) if n in folded), None)
    if month_column is None:
        return {}, [FileIssue("no_month", line=1)]
    channel_column = next((folded[n] for n in map(_fold, CHANNEL_NAMES) if n in folded), None)
    spend_column = next((folded[n] for n in map(_fold, SPEND_NAMES) if n in folded), None)
    lookup = _channel_lookup(list(model.channels))
    issues: list[FileIssue] = []
    cells: dict[tuple[dt.date, str], float] = {}
    lines: dict[tuple[dt.date, str], int] = {}

    amount_columns = [spend_column] if channel_column is not None and spend_column is not None else [
        c for c in frame.columns if c != month_column and c != channel_column and lookup.get(_fold(c))]
    decimals = {}
    for column in amount_columns:
        decimals[column], issue = _column_decimal(frame[column], filename, column)
        if issue:
            issues.append(issue)
    if issues:
        return {}, issues

    def add(line: int, month: dt.date, channel: str, raw, column: str) -> None:
        try:
            value = amount_of(None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else raw, column,
                              decimals.get(column))
        except PlanningError as error:
            issues.append(FileIssue(error.code, line, column, str(raw)[:40]))
            return
        if (month, channel) in cells:
            issues.append(FileIssue("duplicate", line, column, f"{month:%Y-%m} · {channel}"))
            return
        cells[(month, channel)] = value
        lines[(month, channel)] = line

    def month_of(line: int, raw) -> dt.date | None:
        month = _parse_month(raw)
        if month is None:
            issues.append(FileIssue("month", line, month_column, str(raw)[:40]))
        elif month not in months:
            issues.append(FileIssue("month_outside", line, month_column, f"{month:%Y-%m}"))
            return None
        return month

    if channel_column is not None:  # long: one row per month and channel
        if spend_column is None:
            return {}, [FileIssue("no_spend", line=1)]
        for record in frame.to_dict("records"):
            line = record[LINE]
            month = month_of(line, record[month_column])
            channel = lookup.get(_fold(record[channel_column]))
            if channel is None:
                issues.append(FileIssue("channel", line, channel_column, str(record[channel_column])[:40]))
            if month is not None and channel is not None:
                add(line, month, channel, record[spend_column], spend_column)
    else:  # wide: one row per month, one column per channel
        columns = {}
        for column in raw.columns:
            if column == month_column:
                continue
            channel = lookup.get(_fold(column))
            if channel is None:
                issues.append(FileIssue("channel", 1, column, column[:40]))
            else:
                columns[column] = channel
        if not columns and not issues:
            return {}, [FileIssue("no_channel", line=1)]
        for record in frame.to_dict("records"):
            line = record[LINE]
            month = month_of(line, record[month_column])
            if month is None:
                continue
            for column, channel in columns.items():
                add(line, month, channel, record[column], column)
    if issues:
        return {}, issues
    return cells, []


def apply_cells(plan: pd.DataFrame, cells: dict[tuple[dt.date, str], float]) -> pd.DataFrame:
    """``plan`` with the file's cells put in (the cells it does not hold keep their value)."""
    plan = plan.copy()
    for (month, channel), value in cells.items():
        plan.loc[month, channel] = value
    return plan


# --- saved scenarios ----------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _owner() -> int:
    return int(current_user.id)


def clean_name(value) -> str:
    """A scenario name: printable text, spaces collapsed, 1 to 120 characters; else :class:`PlanningError`."""
    name = clean_text(value, MAX_NAME)
    if name is None:
        raise PlanningError("name")
    return name


def list_scenarios(scope) -> list[dict]:
    """The user's own scenarios of ``scope``: ``id, name, updated_at, run_id, total_spend``, latest first."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    cell = PlanScenarioCell.__table__
    statement = (select(PlanScenario.id, PlanScenario.name, PlanScenario.updated_at, PlanScenario.run_id,
                        func.coalesce(func.sum(cell.c.spend), 0.0).label("total_spend"))
                 .outerjoin(cell, cell.c.scenario_id == PlanScenario.id)
                 .where(PlanScenario.owner_id == _owner(), PlanScenario.scope_code == code)
                 .group_by(PlanScenario.id, PlanScenario.name, PlanScenario.updated_at, PlanScenario.run_id)
                 .order_by(PlanScenario.updated_at.desc(), PlanScenario.id.desc()))
    with get_engine().connect() as conn:
        return [{**dict(r._mapping), "total_spend": float(r.total_spend)} for r in conn.execute(statement)]


def save_scenario(scope, name, plan: pd.DataFrame, overwrite: bool = False) -> tuple[str, int | None]:
    """Save ``plan`` under ``name`` for the user and scope: ``("saved", id)``, ``("replaced", id)`` when
    ``overwrite`` and the name existed, or ``("exists", id)`` when it existed and nothing was written."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    name = clean_name(name)
    run = champion_run()
    owner = _owner()
    now = _now()
    cells = [{"month": m, "channel_code": c, "spend": float(v)} for m, row in plan.iterrows() for c, v in row.items()]
    engine = get_engine()
    try:
        with engine.begin() as conn:
            existing = conn.execute(select(PlanScenario.id).where(
                PlanScenario.owner_id == owner, PlanScenario.scope_code == code, PlanScenario.name == name)).scalar()
            if existing is not None and not overwrite:
                return "exists", int(existing)
            if existing is None:
                count = conn.execute(select(func.count()).select_from(PlanScenario)
                                     .where(PlanScenario.owner_id == owner)).scalar_one()
                if count >= MAX_SCENARIOS:
                    raise PlanningError("too_many_scenarios", limit=MAX_SCENARIOS)
                scenario_id = conn.execute(insert(PlanScenario).values(
                    owner_id=owner, name=name, scope_code=code, run_id=run["id"] if run else None, note="",
                    created_at=now, updated_at=now).returning(PlanScenario.id)).scalar_one()
                status = "saved"
            else:
                scenario_id = int(existing)
                conn.execute(update(PlanScenario).where(PlanScenario.id == scenario_id).values(
                    updated_at=now, run_id=run["id"] if run else None))
                conn.execute(delete(PlanScenarioCell).where(PlanScenarioCell.scenario_id == scenario_id))
                status = "replaced"
            if cells:
                conn.execute(insert(PlanScenarioCell), [{"scenario_id": scenario_id, **c} for c in cells])
    except IntegrityError:  # saved by the same user in another tab at the same instant
        return "exists", None
    audit.record("scenario", current_user.email, {"action": status, "scope": code, "name": name, "id": scenario_id})
    return status, int(scenario_id)


def _own_scenario(conn, scope: str, scenario_id) -> dict | None:
    number = _scenario_id(scenario_id)
    if number is None:
        return None
    row = conn.execute(select(PlanScenario.id, PlanScenario.name, PlanScenario.run_id, PlanScenario.updated_at)
                       .where(PlanScenario.id == number, PlanScenario.owner_id == _owner(),
                              PlanScenario.scope_code == scope)).first()
    return dict(row._mapping) if row is not None else None


def own_scenario_scope(scenario_id) -> str:
    """The scope of one of the user's scenarios, for a caller that has its id only (the read API); another
    user's id, or a malformed one, is :class:`PlanningError` ``not_found`` (whether it exists is not said)."""
    require_role(*WRITE_ROLES)
    number = _scenario_id(scenario_id)
    if number is not None:
        with get_engine().connect() as conn:
            scope = conn.execute(select(PlanScenario.scope_code).where(
                PlanScenario.id == number, PlanScenario.owner_id == _owner())).scalar()
        if scope is not None:
            return scope
    raise PlanningError("not_found")


def load_scenario(scope, scenario_id) -> tuple[dict, pd.DataFrame, list[dt.date]]:
    """One of the user's scenarios of ``scope``: (its row, its plan on the current plan months, the plan
    months it did not hold, taken from the current plan). Another user's id, or another scope's, is
    :class:`PlanningError` ``not_found``."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    with get_engine().connect() as conn:
        row = _own_scenario(conn, code, scenario_id)
        if row is None:
            raise PlanningError("not_found")
    plan, missing = scenario_plan(code, row["id"])
    return row, plan, missing


def scenario_plan(code: str, scenario_id: int) -> tuple[pd.DataFrame, list[dt.date]]:
    """A scenario's plan on the current plan months of its (checked) scope ``code``, and the plan months it
    did not hold (taken from the current plan). The caller has checked that the user may read it."""
    with get_engine().connect() as conn:
        cells = conn.execute(select(PlanScenarioCell.month, PlanScenarioCell.channel_code, PlanScenarioCell.spend)
                             .where(PlanScenarioCell.scenario_id == scenario_id)).all()
    current = current_plan(code)
    plan = current.copy()
    held = set()
    for month, channel, spend in cells:
        month = _month(month)
        if month in plan.index and channel in plan.columns:
            plan.loc[month, channel] = float(spend)
            held.add(month)
    return plan, [m for m in current.index if m not in held]


def delete_scenario(scope, scenario_id) -> str:
    """Delete one of the user's scenarios of ``scope``; returns its name, or raises ``not_found``."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    with get_engine().begin() as conn:
        row = _own_scenario(conn, code, scenario_id)
        if row is None:
            raise PlanningError("not_found")
        conn.execute(delete(PlanScenario).where(PlanScenario.id == row["id"], PlanScenario.owner_id == _owner()))
    audit.record("scenario", current_user.email, {"action": "deleted", "scope": code, "name": row["name"],
                                                  "id": row["id"]})
    return row["name"]


CURRENT = "current"


def compare_scenarios(scope, choices) -> list[tuple[str, str, Simulation]]:
    """(key, name, simulation) of each chosen item: ``"current"`` (the current plan) or one of the user's
    scenario ids; unknown or foreign ids are skipped; at most :data:`MAX_COMPARED`."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    if not isinstance(choices, list):
        return []
    out = []
    seen = set()
    for choice in choices[:MAX_COMPARED]:
        if choice == CURRENT and CURRENT not in seen:
            seen.add(CURRENT)
            out.append((CURRENT, "", simulate_current(code)))
            continue
        number = _scenario_id(choice)
        if number is None or number in seen:
            continue
        seen.add(number)
        try:
            row, plan, _missing = load_scenario(code, number)
        except PlanningError:
            continue
        out.append((str(row["id"]), row["name"], simulate_plan(code, plan)))
    return out

"""The pooled geo model (:mod:`.geo`) fed from the store and registered as a media run (``params["model"] = "geo"``).

**Inputs** (:func:`geo_panel`): the top regions that :func:`.data.model_inputs` supports for a pooled
model (every top region with qualified leads and paid spend: pooling lends small ones strength), each with
its monthly qualified leads, its paid spend per channel (rows booked on the country are already
split over its regions by :func:`.data.scope_spend`: the channel's regional share of the spend
booked per region, else the regions' share of qualified leads) and the national controls (the same
index in every region). Channels are the union of the regions' (zero where a region never spends).
The model is **fitted on weeks** of the store's daily facts over the same regions and channels
(:mod:`.geo_weekly`, :func:`weekly_scope_models`), on months only where fewer than ``MIN_WEEKS`` weeks of
daily facts exist (or with ``grain="month"``); what follows describes the monthly fit's exact conversion,
:mod:`.geo_weekly` the weekly one's.

**What the app and the optimiser read** are :class:`.model.ResponseModel` per scope, converted
exactly from the geo model (:func:`region_model`): region ``r``'s response to channel ``c`` is
``s_r (b_c + d_rc) hill(n; h_c, k_c) / hill(1; h_c, k_c)`` with ``n = (1 - decay) adstock(spend) /
(s_r xbar_c)``, which is a Hill of the EUR adstock with half point ``h_c s_r xbar_c / (1 - decay_c)`` and
``beta = s_r (b_c + d_rc) / hill(1)``; its baseline is ``s_r`` times its own. The optimiser of the
national scope therefore allocates channel x region x month on the regions' own curves.

**The national scope** is the sum of the regions. A national plan gives spend per channel and month,
not per region; it is spread over the regions **by their size** (mean monthly leads), the one split
under which the sum of the regional Hill curves is itself one Hill curve (every region's half point,
divided by its share, is then ``h_c xbar_c S / (1 - decay_c)``), so the national model is a
:class:`ResponseModel` with ``beta = sum_r beta_rc`` and the same carry-over and shape, and every
scenario function works on it unchanged (the forecast-of-record identity included). Leads that no
modelled region holds (unassigned, regions too small for a model) are added to its intercept as their
mean over the history.

**Accuracy, for the champion rule** (:func:`geo_holdout_scores`): the geo model refitted without the
last ``HOLDOUT_MONTHS`` months predicts them in every region from the actual spend and controls; the
national prediction is the regions' sum plus the unmodelled leads' training mean, scored against the
national leads exactly as :func:`.registry.holdout` scores the national model (MASE, sMAPE, coverage),
so that the shared rule (:func:`forecasting.registry.decide_champion`) compares like with like. Fitted on
weeks (:func:`weekly_holdout_scores`), the model sees the bins that end before the first held-out month and
its weekly predictions are summed into the same months.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from forecasting import registry
from forecasting.metrics import smape
from forecasting.planning.data import ScopeInputs, model_inputs
from forecasting.planning.geo import REMEDIES, GeoModel, GeoParams, fit_geo
from forecasting.planning.geo_weekly import (
    WeeklyPanel,
    convert,
    fit_weekly,
    national_params,
    predict_months,
    weekly_panel,
)
from forecasting.planning.model import Params, ResponseModel, baseline_design
from forecasting.planning.registry import new_run, register, score_holdout
from forecasting.planning.transforms import adstock, hill
from forecasting.series import DataError
from pilotage.store.models import NATIONAL_SCOPE

MODEL = "geo"
MIN_REGIONS = 2
HOLDOUT_MONTHS = 6
MIN_HOLDOUT_TRAIN = 18
MIN_WEEKS = 104  # two seasons of weeks, as the monthly model's MIN_MONTHS
SEASON = 12
LEVEL = 0.8


@dataclass
class GeoPanel:
    """The regions' monthly panel, and the national series it is compared to."""

    regions: list[str]
    channels: list[str]
    periods: list[dt.date]
    y: np.ndarray  # (R, T)
    spend: np.ndarray  # (R, T, C) EUR
    control_names: list[str]
    controls: np.ndarray  # (R, T, J)
    national: ScopeInputs

    @property
    def remainder(self) -> np.ndarray:
        """National leads that no modelled region holds, per month (T,)."""
        return self.national.y - self.y.sum(axis=0)


def geo_panel(inputs: dict[str, ScopeInputs]) -> GeoPanel:
    """The panel of the supported top regions (see the module's docstring); DataError with fewer than two."""
    regions = [s for s in inputs if s != NATIONAL_SCOPE]
    if len(regions) < MIN_REGIONS:
        raise DataError(f"the geo model needs at least {MIN_REGIONS} regions with enough data "
                        f"({len(regions)} have)")
    national = inputs[NATIONAL_SCOPE]
    channels = sorted({c for s in regions for c in inputs[s].channels})
    spend = np.zeros((len(regions), len(national.periods), len(channels)))
    for r, scope in enumerate(regions):
        for j, channel in enumerate(inputs[scope].channels):
            spend[r, :, channels.index(channel)] = inputs[scope].spend[:, j]
    y = np.stack([inputs[s].y for s in regions])
    controls = np.repeat(national.controls[None, :, :], len(regions), axis=0)
    return GeoPanel(regions, channels, list(national.periods), y, spend, list(national.control_names), controls,
                    national)


def fit_panel(panel: GeoPanel, n_boot: int, seed: int, n_jobs: int, end: int | None = None) -> GeoModel:
    part = slice(None, end)
    return fit_geo(panel.y[:, part], panel.spend[:, part], panel.periods[part], panel.channels, panel.regions,
                   panel.controls[:, part] if panel.control_names else None, panel.control_names, "month",
                   n_boot=n_boot, seed=seed, n_jobs=n_jobs)


# --- the geo model as response models per scope -------------------------------------------------

def _hill_one(p: GeoParams) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(p.logh) ** p.shape)


def _region_params(geo: GeoModel, r: int, p: GeoParams) -> Params:
    size = geo.size[r]
    half = np.exp(p.logh) * size * geo.unit_spend / (1.0 - p.decay)
    return Params(p.decay.copy(), half, p.shape.copy(), size * p.effects[r] / _hill_one(p), size * p.base[r])


def _national_params(geo: GeoModel, p: GeoParams, offset: float) -> Params:
    total = float(geo.size.sum())
    half = np.exp(p.logh) * total * geo.unit_spend / (1.0 - p.decay)
    beta = (geo.size[:, None] * p.effects).sum(axis=0) / _hill_one(p)
    base = (geo.size[:, None] * p.base).sum(axis=0)
    base[0] += offset
    return Params(p.decay.copy(), half, p.shape.copy(), beta, base)


def _response(geo: GeoModel, params, draws, y, spend, controls, residual_sd, stats) -> ResponseModel:
    return ResponseModel(list(geo.channels), list(geo.controls), list(geo.periods), geo.frequency, geo.n_harmonics,
                         params, np.asarray(y, dtype=float), np.asarray(spend, dtype=float), controls,
                         geo.control_mean.copy(), geo.control_scale.copy(), float(residual_sd), draws,
                         list(geo.identified), list(geo.reasons), stats)


def region_model(geo: GeoModel, r: int) -> ResponseModel:
    """Region ``r`` of the geo model as an exact :class:`ResponseModel` (see the module's docstring)."""
    stats = {"model": MODEL, "region": geo.regions[r], "frequency": geo.frequency, "details": list(geo.details),
             "regions": list(geo.regions), "r2": geo.stats.get("r2_region"), "mape": geo.stats.get("mape_region"),
             "n_boot": len(geo.draws)}
    return _response(geo, _region_params(geo, r, geo.params), [_region_params(geo, r, d) for d in geo.draws],
                     geo.y[r], geo.spend[r], geo.control_values[r], geo.residual_sd * geo.size[r], stats)


def national_model(geo: GeoModel, national_y: np.ndarray) -> ResponseModel:
    """The sum of the regions for a national plan spread by region size (see the module's docstring)."""
    offset = float(np.mean(np.asarray(national_y, dtype=float) - geo.y.sum(axis=0)))
    total, _ = geo.fitted()
    fitted = total.sum(axis=0) + offset
    residual = np.asarray(national_y, dtype=float) - fitted
    sd = float(np.sqrt(np.sum(residual ** 2) / max(len(residual) - 1, 1)))
    stats = {"model": MODEL, "r2": geo.stats.get("r2"), "mape": geo.stats.get("mape"),
             "r2_region": geo.stats.get("r2_region"), "mape_region": geo.stats.get("mape_region"),
             "n_boot": len(geo.draws), "regions": list(geo.regions), "details": list(geo.details),
             "unattributed_share": geo.unattributed_share()}
    return _response(geo, _national_params(geo, geo.params, offset),
                     [_national_params(geo, d, offset) for d in geo.draws], national_y, geo.spend.sum(axis=0),
                     geo.control_values[0], sd, stats)


def _monthly_design(panel: GeoPanel, n_harmonics: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw = panel.national.controls
    mean = raw.mean(axis=0) if panel.control_names else np.zeros(0)
    scale = raw.std(axis=0) if panel.control_names else np.zeros(0)
    scale = np.where(scale > 0, scale, 1.0)
    design = baseline_design(panel.periods, panel.periods[0], n_harmonics, (raw - mean) / scale)
    return design, mean, scale


def weekly_scope_models(geo: GeoModel, wp: WeeklyPanel, panel: GeoPanel) -> dict[str, ResponseModel]:
    """The weekly geo model as monthly response models per scope (:mod:`.geo_weekly`), national first."""
    design, mean, scale = _monthly_design(panel, geo.n_harmonics)
    point = convert(geo, wp, panel.spend, design)
    draws = [convert(geo, wp, panel.spend, design, d) for d in geo.draws]
    offset = float(np.mean(panel.remainder))

    def build(params, draw_params, y, spend, residual_sd, stats) -> ResponseModel:
        return ResponseModel(list(geo.channels), list(geo.controls), list(panel.periods), "month", geo.n_harmonics,
                             params, np.asarray(y, dtype=float), np.asarray(spend, dtype=float),
                             panel.national.controls.copy(), mean.copy(), scale.copy(), float(residual_sd),
                             draw_params, list(geo.identified), list(geo.reasons), stats)

    def sd(actual, params, spend) -> float:
        fitted = design @ params.base
        stock = adstock(np.asarray(spend).T, params.decay, np.zeros(len(params.decay)))
        fitted = fitted + (params.beta[:, None] * hill(stock, params.half[:, None], params.shape[:, None])).sum(axis=0)
        residual = np.asarray(actual, dtype=float) - fitted
        return float(np.sqrt(np.sum(residual ** 2) / max(len(residual) - 1, 1)))

    common = {"model": MODEL, "frequency": geo.frequency, "fitted_on": "week", "fitted_periods": len(geo.periods),
              "details": list(geo.details),
              "regions": list(geo.regions), "n_boot": len(geo.draws)}
    national_point = national_params(point, offset)
    national_stats = {**common, "r2": geo.stats.get("r2"), "mape": geo.stats.get("mape"),
                      "r2_region": geo.stats.get("r2_region"), "mape_region": geo.stats.get("mape_region"),
                      "unattributed_share": geo.unattributed_share()}
    out = {NATIONAL_SCOPE: build(national_point, [national_params(d, offset) for d in draws], panel.national.y,
                                 panel.spend.sum(axis=0),
                                 sd(panel.national.y, national_point, panel.spend.sum(axis=0)), national_stats)}
    for r, code in enumerate(geo.regions):
        stats = {**common, "region": code, "r2": geo.stats.get("r2_region"), "mape": geo.stats.get("mape_region")}
        out[code] = build(point.regions[r], [d.regions[r] for d in draws], panel.y[r], panel.spend[r],
                          sd(panel.y[r], point.regions[r], panel.spend[r]), stats)
    return out


def scope_models(geo: GeoModel, national_y: np.ndarray) -> dict[str, ResponseModel]:
    """``{"national": ..., region: ...}``, national first."""
    return {NATIONAL_SCOPE: national_model(geo, national_y),
            **{code: region_model(geo, r) for r, code in enumerate(geo.regions)}}


def identification(geo: GeoModel) -> dict:
    """The national identification table: per channel its share of the fitted leads and average cost (80%
    intervals over the draws), identified or the reason, its detail and what would identify it; and the
    share of leads left unattributed (from channels not identified)."""
    share = geo.contribution_shares()
    share_lo, share_hi = geo.interval(geo.contribution_shares, LEVEL)
    cost = geo.average_cost()
    cost_lo, cost_hi = geo.interval(geo.average_cost, LEVEL)
    rows = []
    for j, channel in enumerate(geo.channels):
        reason = geo.reasons[j]
        rows.append({"channel": channel, "identified": not reason, "reason": reason, "detail": geo.details[j],
                     "remedy": REMEDIES.get(reason, "") if reason else "", "share": float(share[j]),
                     "share_lo": float(share_lo[j]), "share_hi": float(share_hi[j]), "average_cost": float(cost[j]),
                     "average_cost_lo": float(cost_lo[j]), "average_cost_hi": float(cost_hi[j])})
    return {"channels": rows, "unattributed_share": geo.unattributed_share(),
            "identified": sum(r["identified"] for r in rows), "regions": list(geo.regions)}


# --- accuracy and registration ------------------------------------------------------------------

def geo_holdout_scores(panel: GeoPanel, seed: int = 0, months: int = HOLDOUT_MONTHS) -> dict:
    """The geo model's national holdout, scored as :func:`.registry.holdout` scores the national model
    (see the module's docstring), plus the regions' sMAPE."""
    n = len(panel.periods)
    if n - months < MIN_HOLDOUT_TRAIN:
        return {"months": [], "note": f"{n} months: too short for a {months}-month holdout"}
    end = n - months
    model = fit_panel(panel, 0, seed, 1, end)
    total, _ = model.predict(panel.spend, panel.periods, panel.controls if panel.control_names else None)
    predicted = total[:, end:].sum(axis=0) + float(panel.remainder[:end].mean())
    national = panel.national.y
    in_sample, _ = model.fitted()
    residual = national[:end] - in_sample.sum(axis=0) - float(panel.remainder[:end].mean())
    sd = float(np.sqrt(np.sum(residual ** 2) / max(end - 1, 1)))
    return {**score_holdout(national, predicted, panel.periods, sd),
            "smape_region": smape(panel.y[:, end:].ravel(), total[:, end:].ravel())}


def weekly_holdout_scores(panel: GeoPanel, wp: WeeklyPanel, seed: int = 0, months: int = HOLDOUT_MONTHS) -> dict:
    """:func:`geo_holdout_scores` for the weekly model: fitted on the bins that end before the first held-out
    month, its weekly predictions (actual spend and controls) summed to months, then scored the same way on the
    same months against the national leads."""
    n = len(panel.periods)
    if n - months < MIN_HOLDOUT_TRAIN:
        return {"months": [], "note": f"{n} months: too short for a {months}-month holdout"}
    end = n - months
    start = panel.periods[end]
    train = sum(1 for w in wp.weeks if w + dt.timedelta(days=7) <= start)
    model = fit_weekly(wp, 0, seed, 1, train)
    total, _ = predict_months(model, wp)
    offset = float(panel.remainder[:end].mean())
    predicted = total[:, end:].sum(axis=0) + offset
    national = panel.national.y
    residual = national[:end] - total[:, :end].sum(axis=0) - offset
    sd = float(np.sqrt(np.sum(residual ** 2) / max(end - 1, 1)))
    return {**score_holdout(national, predicted, panel.periods, sd),
            "smape_region": smape(panel.y[:, end:].ravel(), total[:, end:].ravel()), "fitted_on": "week"}


@dataclass
class GeoFitResult:
    run_id: int
    is_champion: bool
    decision: str
    cutoff: dt.date
    duration_s: float
    geo: GeoModel
    models: dict[str, ResponseModel]
    holdout: dict
    identification: dict
    notes: list[str]
    weekly: WeeklyPanel | None = None  # the panel a weekly fit saw (None: fitted on months)


def fit_and_register_geo(engine: Engine, cutoff: dt.date | str | None = None, run_by: str = "unknown",
                         seed: int = 0, n_boot: int = 100, n_jobs: int | None = None,
                         inputs: dict[str, ScopeInputs] | None = None, grain: str = "week") -> GeoFitResult:
    """Fit the geo model on the store's regions up to ``cutoff``, register it as a media run with
    ``params["model"] = "geo"`` and apply the champion rule (its national holdout MASE against the
    champion's). ``inputs``: :func:`.data.model_inputs` with ``pooled=True`` already read (else read here).
    ``grain``: ``"week"`` fits on weeks of the daily facts (:mod:`.geo_weekly`; months when the store has fewer
    than ``MIN_WEEKS`` of them), ``"month"`` on the monthly panel."""
    clock = time.perf_counter()
    jobs = n_jobs or os.cpu_count() or 1
    run = new_run(run_by, seed, n_boot, model=MODEL)
    notes: list[str] = []
    with registry.failure_recorded(engine, run, cutoff, clock):
        inputs = inputs if inputs is not None else model_inputs(engine, cutoff, notes, pooled=True)
        panel = geo_panel(inputs)
        wp = weekly_panel(engine, panel) if grain == "week" else None
        if wp is not None and wp.full < MIN_WEEKS:
            notes.append(f"fitted on months: {wp.full} weeks of daily facts (at least {MIN_WEEKS} needed)")
            wp = None
        if wp is None:
            geo = fit_panel(panel, n_boot, seed, jobs)
            scores = geo_holdout_scores(panel, seed)
        else:
            geo = fit_weekly(wp, n_boot, seed, jobs)
            scores = weekly_holdout_scores(panel, wp, seed)
    if wp is None:
        models = scope_models(geo, panel.national.y)
    else:
        models = weekly_scope_models(geo, wp, panel)
        notes.append(f"fitted on {wp.full} weeks of daily facts, converted to monthly response models")
    table = identification(geo)
    if abs(float(panel.remainder.sum())) > 0:
        notes.append(f"{panel.remainder.sum():,.0f} qualified leads outside the modelled regions "
                     f"({', '.join(panel.regions)}): added to the national baseline")
    notes.append("a national plan is spread over the regions by their size (mean monthly leads)")
    run_id, is_champion, decision, duration = register(
        engine, run, models, inputs, scores, notes, clock, method="media_geo", geo=table,
        geo_stats={**{k: v for k, v in geo.stats.items() if not isinstance(v, list)}, "fitted_on": geo.frequency})
    return GeoFitResult(run_id, is_champion, decision, panel.national.cutoff, duration, geo, models, scores, table,
                        notes, wp)


def model_kind(run: dict | None) -> str:
    """``"geo"`` or ``"national"`` (per-scope models) for a media run row."""
    return ((run or {}).get("params") or {}).get("model") or "national"


def regions_of(run: dict | None) -> Sequence[str]:
    return (((run or {}).get("params") or {}).get("geo") or {}).get("regions", [])

"""Media runs: fit the response models, register them, choose the champion; read them back for the app.

A media run is a ``forecast_run`` row with ``kind = "media"`` (:mod:`forecasting.registry` holds
the rules, shared with the lead forecaster: one champion per kind, promote, roll back, history).
Its ``params`` JSON holds::

    {"models": {"national": ResponseModel.to_dict(), "<top region>": ...},
     "plan": {scope: Plan.to_dict()},      # the media plan after the cut-off, as the fit saw it
     "targets": {scope: {"YYYY-MM-DD": qualified-lead target}},
     "holdout": {...}, "notes": [...], "n_boot": ..., "controls": [...]}

A run of the pooled geo model (:mod:`.geo_run`) has the same form plus ``"model": "geo"`` and its
identification table ``"geo"``; its models are converted from the geo model.

**Accuracy, for the champion rule**: the national model is refitted without its last
``HOLDOUT_MONTHS`` months (no bootstrap) and predicts them from their actual spend and controls,
the carry-over of the earlier spend included. ``forecast_run.mase`` is that holdout's MASE (scaled
by the seasonal naive's in-sample error, m = 12, as the lead forecaster's), ``smape`` its sMAPE (%),
``naive_mase`` the seasonal naive's MASE on the same months, ``coverage80`` / ``coverage95`` the
share of those months inside the model's normal interval (``residual_sd``). A run becomes champion
when its ``mase`` is below the champion's (:func:`forecasting.registry.decide_champion`). Holdout
figures are not comparable with the lead forecaster's backtest (other target window, one origin).

A fit that fails is registered as a ``failed`` run and the error re-raised (as
:func:`forecasting.training.train` does); missing data raises :class:`DataError` without a run.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm
from sqlalchemy import Connection, Engine, select

from forecasting import registry
from forecasting.metrics import mase, smape
from forecasting.planning.data import Plan, ScopeInputs, lead_targets, model_inputs, regions_within, stored_experiments
from forecasting.planning.data import current_plan as plan_from_store
from forecasting.planning.model import ResponseModel
from forecasting.serialise import json_safe
from forecasting.series import DataError, month_start, region_parents
from pilotage.store.models import NATIONAL_SCOPE, ForecastRun

KIND = "media"
DEFAULT_BOOT = 200
HOLDOUT_MONTHS = 6
MIN_HOLDOUT_TRAIN = 18  # months the holdout fit needs before the held-out ones
SEASON = 12

__all__ = ["KIND", "DataError", "MediaFitResult", "RegistryError", "champion_models", "current_plan",
           "fit_and_register", "list_runs", "promote", "rollback", "run_models", "targets"]

RegistryError = registry.RegistryError


@dataclass
class MediaFitResult:
    run_id: int
    is_champion: bool
    decision: str
    cutoff: dt.date
    duration_s: float
    models: dict[str, ResponseModel]
    plans: dict[str, Plan]
    targets: dict[str, dict[dt.date, float]]
    holdout: dict  # months, actual, predicted, naive, mase, smape, naive_mase, coverage80, coverage95
    fit_seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _fit(inputs: ScopeInputs, n_boot: int, seed: int, n_jobs: int, end: int | None = None,
         experiments=None) -> ResponseModel:
    from forecasting.planning.fit import fit_response  # helper A's module, imported when a fit is asked

    part = slice(None, end)
    return fit_response(inputs.y[part], inputs.spend[part], inputs.periods[part], inputs.channels,
                        controls=inputs.controls[part] if inputs.control_names else None,
                        control_names=tuple(inputs.control_names), frequency="month", n_boot=n_boot, seed=seed,
                        n_jobs=n_jobs, experiments=experiments)


def holdout(inputs: ScopeInputs, seed: int = 0, months: int = HOLDOUT_MONTHS) -> dict:
    """Refit without the last ``months`` months and score the prediction of them (see the module's docstring)."""
    n = len(inputs.periods)
    if n - months < MIN_HOLDOUT_TRAIN:
        return {"months": [], "note": f"{n} months: too short for a {months}-month holdout"}
    end = n - months
    model = _fit(inputs, 0, seed, 1, end)
    predicted = model.predict(inputs.spend[end:], inputs.periods[end:],
                              inputs.controls[end:] if inputs.control_names else None,
                              carry_in=model.carry_out()).total
    return score_holdout(inputs.y, predicted, inputs.periods, model.residual_sd)


def score_holdout(y: np.ndarray, predicted: np.ndarray, periods: Sequence[dt.date], residual_sd: float) -> dict:
    """The holdout figures of the champion rule for the last ``len(predicted)`` months of ``y`` (national
    leads over ``periods``): MASE and sMAPE, the seasonal naive's MASE, the normal interval's coverage."""
    n, months = len(y), len(predicted)
    end = n - months
    actual, train = y[end:], y[:end]
    naive = y[end - SEASON:n - SEASON] if end >= SEASON else np.full(months, np.nan)
    coverage = {}
    for level in (0.8, 0.95):
        half = norm.ppf(0.5 + level / 2) * residual_sd
        coverage[level] = float(np.mean(np.abs(actual - predicted) <= half))
    return {"months": [f"{m:%Y-%m-%d}" for m in periods[end:]], "actual": actual.tolist(),
            "predicted": np.asarray(predicted, dtype=float).tolist(), "naive": naive.tolist(),
            "mase": mase(actual, predicted, train, SEASON), "smape": smape(actual, predicted),
            "naive_mase": mase(actual, naive, train, SEASON) if end >= SEASON else math.nan,
            "coverage80": coverage[0.8], "coverage95": coverage[0.95]}


def new_run(run_by: str, seed: int, n_boot: int, **params) -> dict:
    """A media run's row before its fit (``params`` beyond the shared ones, e.g. ``model = "geo"``)."""
    return {"kind": KIND, "created_at": registry.now(), "run_by": run_by or "unknown",
            "code_version": registry.code_version(), "seed": seed, "horizon": 0,
            "params": {"measure": "qualified_leads", "n_boot": n_boot, "holdout_months": HOLDOUT_MONTHS, **params}}


def register(engine: Engine, run: dict, models: dict[str, ResponseModel], inputs: dict[str, ScopeInputs],
             scores: dict, notes: list[str], clock: float, method: str = "media_response",
             **params) -> tuple[int, bool, str, float]:
    """Store a fitted run (its models, the plans and targets they saw, the holdout) and apply the champion
    rule: ``(run id, is champion, decision, duration in s)``."""
    national = inputs[NATIONAL_SCOPE]
    run["params"].update(json_safe({
        "models": {scope: model.to_dict() for scope, model in models.items()},
        "plan": {scope: inputs[scope].plan.to_dict() for scope in models},
        "targets": {scope: {f"{m:%Y-%m-%d}": v for m, v in inputs[scope].targets.items()} for scope in models},
        "holdout": scores, "controls": national.control_names, "notes": notes,
        "history": [f"{national.periods[0]:%Y-%m}", f"{national.cutoff:%Y-%m}"], **params,
    }))
    duration = time.perf_counter() - clock
    run.update(cutoff=national.cutoff, status="ok", horizon=len(national.plan.months), n_series=len(models),
               duration_s=duration, **{k: scores.get(k) for k in ("mase", "smape", "naive_mase", "coverage80",
                                                                  "coverage95")})
    series = [{**_series_row(scope, model, inputs[scope], scores if scope == NATIONAL_SCOPE else {}),
               "method": method} for scope, model in models.items()]
    with engine.begin() as conn:
        run_id = registry.store_run(conn, run, series, [])
        is_champion, decision = registry.decide_champion(conn, run_id, run["run_by"])
    return run_id, is_champion, decision, duration


def fit_and_register(engine: Engine, cutoff: dt.date | str | None = None, run_by: str = "unknown", seed: int = 0,
                     n_boot: int = DEFAULT_BOOT, n_jobs: int | None = None, regions: Sequence[str] | None = None,
                     progress: Callable[[str], None] | None = None,
                     on_scopes: Callable[[int], None] | None = None) -> MediaFitResult:
    """Fit a response model per scope on the data up to ``cutoff``, register the run, apply the champion rule.

    The national model is always fitted (the champion rule scores it); ``regions`` limits the
    regional ones (default: every region the data supports; ``[]``: none). ``on_scopes(n)`` is
    called once the number of scopes is known, ``progress(scope)`` after each fit. A region whose
    fit fails is left out with a note; a failing national fit fails the run.
    """
    clock = time.perf_counter()
    np.random.seed(seed)
    jobs = n_jobs or os.cpu_count() or 1
    run = new_run(run_by, seed, n_boot)
    notes: list[str] = []
    with registry.failure_recorded(engine, run, cutoff, clock):
        inputs = model_inputs(engine, cutoff, notes)
        if regions is not None:
            missing = sorted(set(regions) - set(inputs))
            if missing:
                raise DataError(f"no media model can be fitted for {', '.join(missing)}: not a top region with "
                                f"enough data (those that have: {', '.join(s for s in inputs if s != NATIONAL_SCOPE)})")
            inputs = {s: v for s, v in inputs.items() if s == NATIONAL_SCOPE or s in regions}
        if on_scopes is not None:
            on_scopes(len(inputs))
        models, seconds = {}, {}
        parents = region_parents(engine)
        for scope, scope_inputs in inputs.items():
            started = time.perf_counter()
            try:
                # the lift tests within the scope calibrate its model (calibration.py); the holdout scores the
                # data alone
                tests = stored_experiments(engine, None, None if scope == NATIONAL_SCOPE
                                           else frozenset(regions_within([scope], parents)))
                models[scope] = _fit(scope_inputs, n_boot, seed, jobs, experiments=tests)
                if tests:
                    notes.append(f"{scope}: calibrated on {len(tests)} experiment(s)")
            except Exception as error:
                if scope == NATIONAL_SCOPE:
                    raise
                notes.append(f"region {scope} left out: its fit failed ({type(error).__name__}: {error})")
            seconds[scope] = time.perf_counter() - started
            if progress is not None:
                progress(scope)
        scores = holdout(inputs[NATIONAL_SCOPE], seed)
    national = inputs[NATIONAL_SCOPE]
    plans = {scope: inputs[scope].plan for scope in models}
    goals = {scope: inputs[scope].targets for scope in models}
    for scope in models:
        notes.extend(f"{scope}: {n}" for n in inputs[scope].notes)
    run_id, is_champion, decision, duration = register(engine, run, models, inputs, scores, notes, clock,
                                                       fit_seconds=seconds)
    return MediaFitResult(run_id, is_champion, decision, national.cutoff, duration, models, plans, goals, scores,
                          seconds, notes)


def _series_row(scope: str, model: ResponseModel, inputs: ScopeInputs, scores: dict) -> dict:
    """One ``forecast_series`` row per scope, so that run listings show what each model holds."""
    return {
        "series_key": "total" if scope == NATIONAL_SCOPE else f"region:{scope}",
        "level": "total" if scope == NATIONAL_SCOPE else "region", "channel_code": None,
        "region_code": None if scope == NATIONAL_SCOPE else scope, "method": "media_response",
        "variant": ",".join(model.channels)[:200],
        "params": json_safe({"channels": model.channels, "identified": model.identified, "reasons": model.reasons,
                             "stats": model.stats}),
        **{k: scores.get(k) for k in ("mase", "smape", "naive_mase", "coverage80", "coverage95")},
        "n_obs": len(inputs.periods), "short_series": False, "note": "; ".join(inputs.notes)[:4000],
    }


# --- champion changes (the shared rules, for media runs only) ---------------------------------

def promote(engine: Engine, run_id: int, actor: str, reason: str = "") -> str:
    return registry.promote(engine, run_id, actor, reason, kind=KIND)


def rollback(engine: Engine, run_id: int | None, actor: str, reason: str = "") -> str:
    return registry.rollback(engine, run_id, actor, reason, kind=KIND)


def list_runs(engine: Engine, limit: int = 50) -> list[dict]:
    """The latest media runs first, without ``params`` (read a run's models with :func:`run_models`)."""
    return registry.list_runs(engine, KIND, limit, with_params=False)


# --- reading, for the app and the CLI ------------------------------------------------------------

@contextmanager
def _connection(source: Engine | Connection) -> Iterator[Connection]:
    if isinstance(source, Connection):
        yield source
    else:
        with source.connect() as conn:
            yield conn


def _run_row(source: Engine | Connection, run_id: int | None) -> dict | None:
    """A media run's row (the champion when ``run_id`` is None), or None."""
    statement = select(*ForecastRun.__table__.c).where(ForecastRun.kind == KIND)
    if run_id is None:
        statement = statement.where(ForecastRun.is_champion.is_(True))
    else:
        statement = statement.where(ForecastRun.id == run_id)
    with _connection(source) as conn:
        row = conn.execute(statement).first()
    return dict(row._mapping) if row is not None else None


def models_of(run: dict) -> dict[str, ResponseModel]:
    """The response models stored with a run, by scope (national first)."""
    return {scope: ResponseModel.from_dict(data) for scope, data in (run.get("params") or {}).get("models", {}).items()}


def run_models(source: Engine | Connection, run_id: int) -> tuple[dict, dict[str, ResponseModel]]:
    """``(run row, {scope: model})`` of a media run; :class:`RegistryError` if there is no such run."""
    run = _run_row(source, run_id)
    if run is None:
        raise RegistryError(f"no media run {run_id}")
    return run, models_of(run)


def champion_models(source: Engine | Connection) -> tuple[dict | None, dict[str, ResponseModel]]:
    """``(champion media run row, {scope: ResponseModel})``; ``(None, {})`` before the first media run."""
    run = _run_row(source, None)
    return (run, models_of(run)) if run is not None else (None, {})


def current_plan(engine: Engine, scope: str, run: dict | None = None) -> Plan | None:
    """The media plan of ``scope`` (EUR per month x channel of its model) for the months after the run's cut-off.

    ``run``: a media run row (default: the champion). Read from the store now, so a plan loaded
    after the fit shows; None when there is no media run or the run has no model for ``scope``.
    """
    run = run if run is not None else _run_row(engine, None)
    model = ((run or {}).get("params") or {}).get("models", {}).get(scope)
    if model is None:
        return None
    return plan_from_store(engine, scope, month_start(run["cutoff"]), model["channels"], model["controls"])


def targets(engine: Engine, scope: str, months: list[dt.date] | None = None,
            run: dict | None = None) -> dict[dt.date, float]:
    """Monthly qualified-lead targets of ``scope`` (default months: the current plan's), from ``fact_target``."""
    if months is None:
        plan = current_plan(engine, scope, run)
        months = plan.months if plan is not None else []
    return lead_targets(engine, scope, list(months))

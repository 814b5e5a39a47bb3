"""Monthly retraining: series and regressors from the marts, selection per series, reconciliation,
decomposition, and a registered run that may become the champion.

:func:`train` does, for the ``cutoff`` month (default: the last complete month of data):

1. :func:`forecasting.series.build_series`: qualified leads in total, by channel, by top region and
   by channel x top region, up to the cut-off;
2. :func:`forecasting.regressors.build_regressors`: media adstock (actual spend, then the media
   plan), covid stringency, working days, lagged sessions; each series gets its own columns;
3. :func:`forecasting.selection.forecast_many`: rolling-origin backtest, selection by MASE,
   final fit and conformal intervals, per series (in a process pool);
4. :func:`forecasting.reconcile.reconcile`: MinT (shrinkage) on the backtest one-step errors, so
   channel x region forecasts sum exactly to the channel, region and total forecasts, never
   negative. Intervals are recalibrated on the reconciled backtest (:func:`reconciled_intervals`),
   lower bounds are floored at 0, and every interval contains its forecast;
5. :func:`forecasting.decompose.decompose`: trend, season, media and other per series and month,
   and each regressor's effect (:func:`forecasting.decompose.regressor_effects`, in the series'
   parameters: the web sessions driver of the forecast of record);
6. :func:`horizon_accuracy`: the backtest of the forecasts as shown (reconciled), per horizon:
   MASE against the seasonal naive's, the share of past months inside the 80% / 95% intervals,
   and the interval of the total of the first months (``forecast_accuracy``);
7. :func:`forecasting.registry.store_run` then the champion rule, in one transaction; then the
   "last month outside the 95% interval" state of every scope
   (:func:`forecasting.record.refresh_interval_states`).

There is no randomness: the same data, parameters and code give the same forecasts. ``seed``
is recorded with the run and seeds numpy's global generator, for any library that would draw.
A training that fails is registered as ``failed`` with its message, and the error re-raised.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine

from forecasting import registry
from forecasting.backtest import Backtest, make_backtest
from forecasting.candidates import DEFAULT_CANDIDATES
from forecasting.decompose import decompose, media_contributions, regressor_effects
from forecasting.intervals import LEVELS, backtest_coverage, bounds, halfwidths, horizon_scale
from forecasting.reconcile import reconcile, reconcile_backtest, residual_matrix
from forecasting.regressors import Regressors, build_regressors
from forecasting.selection import (
    INTERVAL_METHOD,
    MIN_CALIBRATION_CELLS,
    SeriesForecast,
    SeriesInput,
    forecast_many,
)
from forecasting.serialise import json_safe
from forecasting.series import DataError, SeriesSet, build_series

DEFAULT_HORIZON = 6
KIND = "leads"


@dataclass
class TrainResult:
    run_id: int
    is_champion: bool
    decision: str
    cutoff: dt.date
    horizon: int
    n_series: int
    duration_s: float
    total: dict  # method, mase, smape, naive_mase, coverage80, coverage95 of the total series
    levels: dict[str, dict] = field(default_factory=dict)  # per level: series, short, mean MASE..., methods
    short_series: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Model:
    """Everything computed before storing (useful to tests and benchmarks)."""

    series: SeriesSet
    regressors: Regressors
    results: list[SeriesForecast]
    designs: list[tuple[np.ndarray | None, np.ndarray | None, list[str]]]
    reconciled: np.ndarray
    intervals: dict[float, tuple[np.ndarray, np.ndarray]]
    coverage: list[dict[float, float]]  # per series: backtest coverage of the reconciled intervals
    # per series: the backtest errors the intervals were calibrated on (origins x horizons), and whether
    # they are the reconciled forecasts' (else the series' own, when the hierarchy could not be reconciled)
    errors: list[tuple[np.ndarray, bool]] = field(default_factory=list)


def fit_all(engine: Engine, cutoff: dt.date | str | None = None, horizon: int = DEFAULT_HORIZON,
            candidates: Sequence[str] | None = None, n_jobs: int | None = None,
            sessions_lag: int | None = -1, progress: Callable[[int], None] | None = None,
            on_series: Callable[[int], None] | None = None) -> _Model:
    """Steps 1-4 of :func:`train`, without storing anything."""
    series = build_series(engine, cutoff)
    if on_series is not None:
        on_series(len(series.keys))
    regressors = build_regressors(engine, series, horizon, sessions_lag)
    designs = [regressors.for_series(key) for key in series.keys]
    # Fresh arrays, not views: SARIMAX's results differ in the last digits between a view and a copy of
    # the same data (a view is what the in-process path sees, a copy what a worker process unpickles).
    inputs = [SeriesInput(key.key, _owned(series.values[i]), _owned(x_past), _owned(x_future))
              for i, (key, (x_past, x_future, _)) in enumerate(zip(series.keys, designs, strict=True))]
    kwargs = {"candidates": tuple(candidates)} if candidates else {}
    results = forecast_many(inputs, horizon, n_jobs=n_jobs, progress=progress, **kwargs)
    base = np.vstack([r.yhat for r in results])
    residuals = None
    if all(len(r.backtest_origins) for r in results):
        residuals = residual_matrix([r.one_step_errors for r in results], [r.backtest_origins for r in results])
    reconciled = reconcile(base, series.hierarchy.S, residuals, nonnegative=True)
    intervals, coverage = reconciled_intervals(results, reconciled, series.hierarchy.S, residuals, horizon)
    calibrated = reconciled_errors(results, series.hierarchy.S, residuals)
    errors = [(result.calibration_errors, False) if calibrated is None or calibrated[i] is None
              else (calibrated[i], True) for i, result in enumerate(results)]
    return _Model(series, regressors, results, designs, reconciled, intervals, coverage, errors)


def reconciled_errors(results: Sequence[SeriesForecast], S: np.ndarray,
                      residuals: np.ndarray | None) -> list[np.ndarray | None] | None:
    """Per series, ``actuals - reconciled backtest forecasts`` (origins x horizons): the backtest of the
    forecasts as shown, each series' calibration forecasts reconciled cell by cell; None for a series with
    too few cells, and None altogether when the series' backtests do not share their shape."""
    shapes = {r.calibration_errors.shape for r in results}
    if len(shapes) != 1 or next(iter(shapes))[0] == 0:
        return None
    actuals = np.stack([r.backtest_actuals for r in results])
    base = actuals - np.stack([r.calibration_errors for r in results])
    calibrated = actuals - reconcile_backtest(base, S, residuals, nonnegative=True)
    return [row if np.sum(np.isfinite(row)) >= MIN_CALIBRATION_CELLS else None for row in calibrated]


def reconciled_intervals(results: Sequence[SeriesForecast], reconciled: np.ndarray, S: np.ndarray,
                         residuals: np.ndarray | None, horizon: int,
                         ) -> tuple[dict[float, tuple[np.ndarray, np.ndarray]], list[dict[float, float]]]:
    """80% / 95% intervals around the reconciled forecasts, calibrated on reconciled backtest errors.

    Each series' calibration forecasts (``actuals - calibration_errors``: the selection rule
    replayed origin by origin) are reconciled cell by cell like the final forecasts; the conformal
    half-widths and the leave-one-origin-out coverage then come from ``actuals - reconciled``.
    Shifting per-series intervals by the reconciliation instead leaves them too narrow (measured
    on the demo: 66% / 78% for 80% / 95%). A series whose backtest cannot be reconciled (too few
    cells shared by the whole hierarchy) keeps its own intervals, shifted.
    """
    shift = reconciled - np.vstack([r.yhat for r in results])
    calibrated = reconciled_errors(results, S, residuals)
    bands = {level: (np.empty_like(reconciled), np.empty_like(reconciled)) for level in LEVELS}
    coverage = []
    for i, result in enumerate(results):
        errors = None if calibrated is None else calibrated[i]
        if errors is not None:
            own = bounds(reconciled[i], halfwidths(errors, LEVELS, horizon, method=INTERVAL_METHOD), 0.0)
            coverage.append(backtest_coverage(errors, LEVELS, method=INTERVAL_METHOD))
        else:
            own = {level: (result.lower(level) + shift[i], result.upper(level) + shift[i]) for level in LEVELS}
            coverage.append(dict(result.coverage))
        for level in LEVELS:
            lo, hi = own[level]
            bands[level][0][i] = np.minimum(np.maximum(lo, 0.0), reconciled[i])
            bands[level][1][i] = np.maximum(hi, reconciled[i])
    return bands, coverage


def horizon_accuracy(y: np.ndarray, origins: np.ndarray, errors: np.ndarray, horizon: int,
                     season_length: int = 12) -> list[dict]:
    """The backtest of a series' forecasts as shown, per horizon ``1..horizon`` and for all of them (``0``).

    ``errors`` are ``actual - forecast`` per origin (training length, :mod:`forecasting.backtest`) and
    horizon. Per horizon: ``n`` backtest months, MASE (scaled per origin, as the selection's) next to the
    seasonal naive's (same month a year before the origin's window) on the same months, sMAPE, and the
    share of those months inside the 80% / 95% intervals calibrated on the other origins (leave one
    origin out, as :func:`forecasting.intervals.backtest_coverage`, but counted per horizon).
    ``sum_half80`` / ``sum_half95``: the half-widths of the interval of the total of months
    ``1..horizon``, calibrated the same way on the backtest's cumulated errors.
    """
    y = np.asarray(y, dtype=float)
    origins = np.asarray(origins, dtype=int)
    e = np.asarray(errors, dtype=float)
    empty = [{"horizon": h, "n": 0} for h in range(horizon + 1)]
    if e.ndim != 2 or e.shape[0] == 0 or e.shape[0] != len(origins):
        return empty
    width = min(horizon, e.shape[1])
    e = e[:, :width]
    steps = np.arange(width)
    index = origins[:, None] + steps[None, :]
    lag = season_length * (steps // season_length + 1)
    source = index - lag[None, :]
    padded = np.concatenate([y, np.full(width, np.nan)])
    naive = np.where(source >= 0, padded[np.clip(source, 0, None)], np.nan)
    built = make_backtest(y, origins, naive, season_length)  # actuals and per-origin scales, as the selection's
    actuals = built.actuals
    naive_bt = Backtest(origins, np.where(np.isfinite(naive), built.forecasts, np.nan), actuals, built.scales)
    shown = Backtest(origins, actuals - e, actuals, naive_bt.scales)
    valid = np.isfinite(e) & np.isfinite(actuals)
    counts = valid.sum(axis=0)
    mase_h, naive_h, smape_h = shown.mase_by_horizon(), naive_bt.mase_by_horizon(), shown.smape_by_horizon()
    hits = {level: np.zeros(width) for level in LEVELS}
    checked = np.zeros(width)
    if np.sum(valid) >= MIN_CALIBRATION_CELLS:
        scale = horizon_scale(np.abs(e))
        for k in range(e.shape[0]):
            row = valid[k]
            if not row.any():
                continue
            widths = halfwidths(e, LEVELS, method=INTERVAL_METHOD, exclude_origin=k, scale=scale)
            checked += row
            for level in LEVELS:
                hits[level] += row & (np.abs(np.nan_to_num(e[k])) <= widths[level])
    cumulated = np.cumsum(e, axis=1)  # a window cut by the end of the data stays nan
    sums = (halfwidths(cumulated, LEVELS, width, method=INTERVAL_METHOD)
            if np.sum(np.isfinite(cumulated)) >= MIN_CALIBRATION_CELLS else None)
    pooled = backtest_coverage(e, LEVELS, method=INTERVAL_METHOD) if np.sum(valid) >= MIN_CALIBRATION_CELLS else {}

    def number(value) -> float | None:
        value = float(value)
        return value if math.isfinite(value) else None

    rows = [{"horizon": 0, "n": int(counts.sum()), "mase": number(shown.mase()), "naive_mase": number(naive_bt.mase()),
             "smape": number(shown.smape()), "coverage80": number(pooled.get(0.8, math.nan)),
             "coverage95": number(pooled.get(0.95, math.nan)), "sum_half80": None, "sum_half95": None}]
    for h in range(width):
        covered = {level: hits[level][h] / checked[h] if checked[h] else math.nan for level in LEVELS}
        rows.append({"horizon": h + 1, "n": int(counts[h]), "mase": number(mase_h[h]), "naive_mase": number(naive_h[h]),
                     "smape": number(smape_h[h]), "coverage80": number(covered[0.8]),
                     "coverage95": number(covered[0.95]),
                     "sum_half80": None if sums is None else number(sums[0.8][h]),
                     "sum_half95": None if sums is None else number(sums[0.95][h])})
    rows += [{"horizon": h + 1, "n": 0} for h in range(width, horizon)]
    return rows


def _owned(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else np.array(a, dtype=float, copy=True, order="C")


def train(engine: Engine, cutoff: dt.date | str | None = None, run_by: str = "unknown", seed: int = 0,
          horizon: int = DEFAULT_HORIZON, candidates: Sequence[str] | None = None, n_jobs: int | None = None,
          sessions_lag: int | None = -1, progress: Callable[[int], None] | None = None,
          on_series: Callable[[int], None] | None = None) -> TrainResult:
    """Train on the data up to ``cutoff`` (a date or ``YYYY-MM``), register the run, apply the champion rule.

    ``progress(k)`` is called as ``k`` more series are done; ``on_series(n)`` once the number of
    series is known. Raises :class:`forecasting.series.DataError` when the store lacks data.
    """
    if horizon < 1:
        raise DataError("horizon must be at least 1 month")
    clock = time.perf_counter()
    np.random.seed(seed)
    started = registry.now()
    params = {"horizon": horizon, "candidates": list(candidates or DEFAULT_CANDIDATES),
              "measure": "qualified_leads", "sessions_lag": sessions_lag, "levels": [0.8, 0.95],
              "reconciliation": "mint_shrink", "interval_method": "pooled conformal on the reconciled backtest"}
    run = {"kind": KIND, "created_at": started, "run_by": run_by or "unknown", "code_version": registry.code_version(),
           "seed": seed, "horizon": horizon, "params": params}
    with registry.failure_recorded(engine, run, cutoff, clock):
        model = fit_all(engine, cutoff, horizon, candidates, n_jobs, sessions_lag, progress, on_series)
    series, regressors = model.series, model.regressors
    params.update(regressors=_regressor_params(regressors), dropped_cells=[list(c) for c in series.dropped],
                  history=[f"{series.months[0]:%Y-%m}", f"{series.cutoff:%Y-%m}"], notes=regressors.notes)
    series_rows, value_rows, accuracy_rows = _rows(model)
    total = next(r for r in series_rows if r["level"] == "total")
    duration = time.perf_counter() - clock
    run.update(cutoff=series.cutoff, status="ok", n_series=len(series_rows), duration_s=duration,
               mase=total["mase"], smape=total["smape"], naive_mase=total["naive_mase"],
               coverage80=total["coverage80"], coverage95=total["coverage95"])
    with engine.begin() as conn:
        run_id = registry.store_run(conn, run, series_rows, value_rows, accuracy_rows)
        is_champion, decision = registry.decide_champion(conn, run_id, run_by)
    notes = list(regressors.notes)
    try:  # the run is stored: a state that cannot be computed is a note, not a failed training
        from forecasting.record import refresh_interval_states

        refresh_interval_states(engine, trigger="training")
    except Exception as error:
        notes.append(f"the interval state could not be recomputed ({type(error).__name__}: {error})")
    from pilotage.hooks import after_training

    notes.extend(after_training(engine))  # the other layers' steps (the alerts), without importing them
    return TrainResult(run_id, is_champion, decision, series.cutoff, horizon, len(series_rows), duration,
                       {k: total[k] for k in ("method", "mase", "smape", "naive_mase", "coverage80", "coverage95")},
                       _level_summary(series_rows), sum(r["short_series"] for r in series_rows), notes)


def _level_summary(series_rows: list[dict]) -> dict[str, dict]:
    """Per level: number of series, short ones, mean backtest metrics, and methods chosen (most first)."""
    out: dict[str, dict] = {}
    for level in ("total", "channel", "region", "channel_region"):
        rows = [r for r in series_rows if r["level"] == level]
        if not rows:
            continue
        methods: dict[str, int] = {}
        for r in rows:
            methods[r["method"]] = methods.get(r["method"], 0) + 1

        def mean(column: str, rows=rows) -> float:
            values = [r[column] for r in rows if r[column] is not None and math.isfinite(r[column])]
            return float(np.mean(values)) if values else math.nan

        out[level] = {"series": len(rows), "short": sum(bool(r["short_series"]) for r in rows),
                      **{c: mean(c) for c in ("mase", "naive_mase", "smape", "coverage80", "coverage95")},
                      "methods": dict(sorted(methods.items(), key=lambda kv: (-kv[1], kv[0])))}
    return out


def _regressor_params(regressors: Regressors) -> dict:
    """What the run assumed: decays, and the spend per channel, top region and forecast month (EUR)."""
    n = regressors.n_past
    spend = [[channel, region, f"{month:%Y-%m}", round(float(values[n + i]), 2)]
             for (channel, region), values in sorted(regressors.spend.items())
             for i, month in enumerate(regressors.future_months) if values[n + i] > 0]
    return {
        "decay": regressors.decays,
        "decay_source": regressors.decay_sources,
        "sessions_lag": regressors.sessions_lag,
        "assumed_spend": spend,  # [channel, top region, YYYY-MM, EUR]: the media plan, spread as trained on
    }


def _rows(model: _Model) -> tuple[list[dict], list[dict], list[dict]]:
    series, regressors = model.series, model.regressors
    future = regressors.future_months
    series_rows, value_rows, accuracy_rows = [], [], []
    for i, (key, result, (x_past, x_future, names)) in enumerate(
            zip(series.keys, model.results, model.designs, strict=True)):
        media_past, media_future = media_contributions(result.params, result.method, result.members,
                                                       result.weights, names, x_past, x_future)
        parts = decompose(series.values[i], series.months, model.reconciled[i], future, media_past, media_future)
        effects = regressor_effects(result.params, result.method, result.members, result.weights, names, x_past,
                                    x_future)
        notes = list(result.notes)
        scores = {s.name: (None if not math.isfinite(s.mase) else round(s.mase, 4)) for s in result.scores}
        series_rows.append({
            "series_key": key.key, "level": key.level, "channel_code": key.channel_code,
            "region_code": key.region_code, "method": result.method, "variant": result.variant[:200],
            "params": json_safe({"models": result.params, "members": list(result.members),
                              "weights": list(result.weights), "regressors": names, "candidate_mase": scores,
                              "effects": {name: [float(v) for v in values] for name, values in effects.items()}}),
            "mase": result.backtest_mase, "smape": result.backtest_smape, "naive_mase": result.naive_backtest_mase,
            "coverage80": model.coverage[i].get(0.8), "coverage95": model.coverage[i].get(0.95),
            "n_obs": result.n_obs, "short_series": bool(result.short_series), "note": "; ".join(notes),
        })
        lo80, hi80 = (a[i] for a in model.intervals[0.8])
        lo95, hi95 = (a[i] for a in model.intervals[0.95])
        for h, month in enumerate(future):
            value_rows.append({
                "series_key": key.key, "month": month, "yhat": float(model.reconciled[i, h]),
                "lo80": float(lo80[h]), "hi80": float(hi80[h]), "lo95": float(lo95[h]), "hi95": float(hi95[h]),
                "trend": float(parts.trend[h]), "season": float(parts.season[h]),
                "media": float(parts.media[h]), "other": float(parts.other[h]),
            })
        if model.errors:
            errors, reconciled = model.errors[i]
            accuracy_rows += [{"series_key": key.key, "reconciled": reconciled, **row}
                              for row in horizon_accuracy(series.values[i], result.backtest_origins, errors,
                                                          len(future))]
    return series_rows, value_rows, accuracy_rows

"""Forecasts with calibrated intervals: the median combination, or per-series selection by backtest.

:func:`forecast_series` on a bare series (no regressors, no ``candidates`` named) forecasts with
the **median combination** (:func:`forecast_median`, :mod:`forecasting.candidates.combination`):
no method is chosen per series. Its members are fitted on the backtest's first window, rolled
over the later origins for the combination's backtest errors, and refitted (warm-started) on the
whole series; 80% / 95% conformal intervals come from those errors (:data:`MEDIAN_INTERVAL_METHOD`:
the 80% pooled over horizons with a scale growing at least as the square root of the horizon,
:data:`MEDIAN_MIN_SLOPE`; the 95% from each horizon's own errors where they suffice). Measured on three
sets of real monthly series, choosing per series on a short backtest generalised worse.

With regressors (the ``forecast train`` path) or named ``candidates``, **per-series selection**
(:func:`select`, then :func:`forecast_series`):

1. The backtest origins are planned (:func:`forecasting.backtest.plan_origins`). Seasonal
   components need two full seasons at the first origin; a series without them (fewer than
   ``2m`` points, or fewer than ``2m + 6`` so that six origins fit) is *short*: every candidate
   is fitted without a season (seasonal naive excepted) and the result says so.
2. Each candidate the first training window supports is backtested (one fit each); one that
   fails or gives a non-finite forecast is left out with the reason.
3. The best ``combine_k`` (3) by backtest MASE are combined (inverse-MASE weights by default);
   the combination is itself a candidate, scored on the same backtest.
4. The lowest backtest MASE wins (ties go to the cheaper candidate); sMAPE is reported.
5. The winner (or the combination's members) is refitted on the whole series, with the
   configuration the backtest evaluated, and forecasts the horizon.
6. Conformal intervals (:mod:`forecasting.intervals`) are calibrated on the errors of the
   selection rule replayed origin by origin (each origin's method chosen from the errors known
   at that time), not on the winner's own errors: those won partly by luck and give intervals
   that are too narrow. With fewer than 19 replayed errors, the winner's errors are used. The
   coverage stored is measured leaving one origin out. A level that the few errors of a very
   short series cannot support has infinite bounds.

There is no randomness anywhere: the same data gives the same forecasts. :func:`forecast_many`
runs many series in a process pool (``n_jobs``, default ``os.cpu_count()``), results in input order.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from forecasting.backtest import Backtest, backtest, make_backtest, plan_origins
from forecasting.candidates import DEFAULT_CANDIDATES, combination, get, seasonal_naive
from forecasting.candidates.base import Fitted, check_y, one_thread
from forecasting.intervals import LEVELS, backtest_coverage, bounds, halfwidths

COMBINE_K = 3
COMBINE_METHOD = "inverse_mase"
INTERVAL_METHOD = "pooled"
MIN_CALIBRATION_CELLS = 19  # the fewest scores that give a finite 95% conformal quantile
# The median combination's interval half-widths grow at least as the square root of the horizon
# (see forecasting.intervals.horizon_scale): without it, coverage fell with the horizon on real
# series (95% intervals held 94% of month 1 but 82% of month 18 on series.csv).
MEDIAN_MIN_SLOPE = 0.5
# Its tail (95%) is calibrated horizon by horizon (see forecasting.intervals, method "tail"): the
# pooled 95% intervals held 86%, 81% and 73% of month 1 on the three benchmark sets.
MEDIAN_INTERVAL_METHOD = "tail"


@dataclass
class CandidateScore:
    """One candidate's backtest result (``status`` is ``"ok"``, ``"unsupported"`` or ``"failed"``)."""

    name: str
    variant: str
    mase: float
    smape: float
    status: str = "ok"
    reason: str = ""


@dataclass
class Selection:
    """The chosen method for one series and how every candidate did."""

    method: str
    variant: str
    n_obs: int
    short_series: bool
    seasonal: bool
    notes: list[str]
    scores: list[CandidateScore]
    backtest: Backtest | None
    members: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    variants: dict[str, str] = field(default_factory=dict)
    calibration_errors: np.ndarray | None = field(default=None, repr=False)
    fits: dict[str, Fitted] = field(default_factory=dict, repr=False)

    @property
    def mase(self) -> float:
        return self.backtest.mase() if self.backtest is not None else math.nan

    @property
    def smape(self) -> float:
        return self.backtest.smape() if self.backtest is not None else math.nan

    def score(self, name: str) -> CandidateScore | None:
        return next((s for s in self.scores if s.name == name), None)


@dataclass
class SeriesForecast:
    """Forecast of one series with its intervals, backtest accuracy and the selection behind it.

    ``one_step_errors[i]`` is the chosen method's backtest error on ``y[backtest_origins[i]]``
    (the residuals that :func:`forecasting.reconcile.residual_matrix` aligns for MinT).
    """

    key: object
    method: str
    variant: str
    n_obs: int
    short_series: bool
    notes: list[str]
    yhat: np.ndarray
    intervals: dict[float, tuple[np.ndarray, np.ndarray]]
    backtest_mase: float
    backtest_smape: float
    naive_backtest_mase: float
    coverage: dict[float, float]
    scores: list[CandidateScore]
    members: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    params: dict = field(default_factory=dict)
    backtest_origins: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)
    one_step_errors: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    # The errors the intervals were calibrated on (origins x horizons) and the actuals they are
    # errors of: a hierarchy recalibrates its intervals on these once reconciled.
    calibration_errors: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    backtest_actuals: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)

    def lower(self, level: float) -> np.ndarray:
        return self.intervals[level][0]

    def upper(self, level: float) -> np.ndarray:
        return self.intervals[level][1]


def _fit_season(name: str, season_length: int, seasonal: bool) -> int:
    return season_length if (seasonal or name == seasonal_naive.NAME) else 1


def select(
    y: np.ndarray,
    horizon: int,
    season_length: int = 12,
    x: np.ndarray | None = None,
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
    combine_k: int = COMBINE_K,
    combine_method: str = COMBINE_METHOD,
    origins: np.ndarray | None = None,
) -> Selection:
    """Backtest the supported candidates on ``y`` (and regressors ``x``) and choose by MASE."""
    y = check_y(y)
    n, m = len(y), season_length
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    if x is not None:
        x = np.asarray(x, dtype=float)
        if x.shape[0] != n:
            raise ValueError(f"x has {x.shape[0]} rows, y has {n}")
    origins = plan_origins(n, horizon, m) if origins is None else np.asarray(origins, dtype=int)
    notes: list[str] = []
    if len(origins) == 0:
        notes.append(f"too short for a backtest ({n} points): naive forecast, no intervals")
        return Selection(seasonal_naive.NAME, "naive", n, True, False, notes, [], None)
    t0 = int(origins[0])
    seasonal = m > 1 and t0 >= 2 * m
    short = m > 1 and not seasonal
    if short:
        notes.append(
            f"short series ({n} points; the backtest's first window has {t0} < {2 * m}): "
            "no seasonal ETS, Theta, SARIMA or Fourier terms"
        )
    scores: list[CandidateScore] = []
    backtests: dict[str, Backtest] = {}
    variants: dict[str, str] = {}
    fits: dict[str, Fitted] = {}
    for name in candidates:
        module = get(name)
        m_fit = _fit_season(name, m, seasonal)
        reason = module.supports(t0, m_fit, x is not None)
        if reason:
            scores.append(CandidateScore(name, "", math.nan, math.nan, "unsupported", reason))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bt, fitted = backtest(module, y, horizon, m, x, origins, fit_season_length=m_fit)
        except Exception as error:  # one failing candidate must not stop a batch of series
            scores.append(CandidateScore(name, "", math.nan, math.nan, "failed", str(error)[:200]))
            continue
        if not bt.complete:
            scores.append(CandidateScore(name, fitted.variant, math.nan, math.nan, "failed", "non-finite forecasts"))
            continue
        backtests[name] = bt
        fits[name] = fitted
        variants[name] = fitted.variant
        scores.append(CandidateScore(name, fitted.variant, bt.mase(), bt.smape()))
    if not backtests:
        notes.append("every candidate failed: naive forecast")
        return Selection(seasonal_naive.NAME, "naive", n, short, seasonal, notes, scores, None, variants=variants)
    order = [name for name in candidates if name in backtests]
    scaled = {name: _scaled_errors(backtests[name], backtests[name].forecasts) for name in order}
    choice = _choose(backtests, order, combine_k, combine_method, scaled, ~np.isnan(backtests[order[0]].actuals))
    members, weights = choice.members, choice.weights
    if members:
        combined = backtests[members[0]].with_forecasts(choice.combined)
        backtests[combination.NAME] = combined
        label = " + ".join(f"{k} {v:.2f}" for k, v in zip(members, weights, strict=True))
        variants[combination.NAME] = f"combination ({label})"
        scores.append(CandidateScore(combination.NAME, variants[combination.NAME], combined.mase(), combined.smape()))
    chosen = choice.method
    if chosen != combination.NAME:
        members, weights = (), ()
    calibration = _replay_errors(backtests, order, combine_k, combine_method, scaled)
    return Selection(chosen, variants[chosen], n, short, seasonal, notes, scores, backtests[chosen],
                     members, weights, variants, calibration, fits)


@dataclass
class _Choice:
    method: str
    members: tuple[str, ...]
    weights: tuple[float, ...]
    combined: np.ndarray | None


def _scaled_errors(bt: Backtest, forecasts: np.ndarray) -> np.ndarray:
    """|actual - forecast| / scale, 0 where there is no actual (use with a mask)."""
    valid = ~np.isnan(bt.actuals)
    out = np.zeros(bt.actuals.shape)
    out[valid] = np.abs(bt.actuals[valid] - forecasts[valid]) / np.broadcast_to(bt.scales[:, None], out.shape)[valid]
    return out


def _masked_mase(scaled: np.ndarray, known: np.ndarray) -> float:
    """Horizon-balanced mean of ``scaled`` over the ``known`` cells (inf if none)."""
    counts = known.sum(axis=0)
    use = counts > 0
    if not use.any():
        return math.inf
    value = float(np.mean(np.where(known, scaled, 0.0).sum(axis=0)[use] / counts[use]))
    return value if np.isfinite(value) else math.inf


def _choose(backtests: dict[str, Backtest], order: list[str], combine_k: int, combine_method: str,
            scaled: dict[str, np.ndarray], known: np.ndarray) -> _Choice:
    """The selection rule: best single candidate by MASE, or the combination of the best ``k`` if better."""
    scores = {name: _masked_mase(scaled[name], known) for name in order}
    ranked = sorted(order, key=lambda name: (scores[name], order.index(name)))
    best = ranked[0]
    finite = [name for name in ranked if np.isfinite(scores[name])]
    if combine_k < 2 or len(finite) < 2:
        return _Choice(best, (), (), None)
    members = tuple(finite[:combine_k])
    w = combination.weights([scores[k] for k in members], combine_method)
    combined = combination.combine([backtests[k].forecasts for k in members], w)
    combined_score = _masked_mase(_scaled_errors(backtests[members[0]], combined), known)
    method = combination.NAME if combined_score < scores[best] else best
    return _Choice(method, members, tuple(float(v) for v in w), combined)


def _replay_errors(backtests: dict[str, Backtest], order: list[str], combine_k: int, combine_method: str,
                   scaled: dict[str, np.ndarray], min_known: int = 3) -> np.ndarray:
    """Errors of the selection rule itself, replayed origin by origin.

    At origin ``t`` the rule sees only the backtest cells whose actual is before ``t`` and
    picks a method; that method's errors from origin ``t`` are recorded. Calibrating intervals
    on these (rather than on the winner's own errors, which won partly by luck) accounts for the
    selection: the winner's curse otherwise makes intervals too narrow. Before ``min_known``
    cells are known the rule has nothing to go on and takes the mean of all candidates, so that
    short backtests (6 origins: 21 cells for 6 horizons) still calibrate on out-of-sample choices;
    the winner's own errors left a 24-month demo series' intervals at 65% for 80%.
    """
    ref = backtests[order[0]]
    origins, H = ref.origins, ref.horizon
    cell_time = origins[:, None] + np.arange(H)[None, :]  # index of the actual of each cell
    valid = ~np.isnan(ref.actuals)
    out = np.full((len(origins), H), np.nan)
    for i, t in enumerate(origins):
        known = (cell_time < t) & valid
        if known.sum() < min_known:
            # Nothing to choose on yet: the rule's prior is the plain mean of every candidate.
            row = np.mean([backtests[name].forecasts[i] for name in order], axis=0)
        else:
            choice = _choose(backtests, order, combine_k, combine_method, scaled, known)
            if choice.method == combination.NAME:
                row = choice.combined[i]
            else:
                row = backtests[choice.method].forecasts[i]
        out[i] = ref.actuals[i] - row
    return out


def _final_forecast(sel: Selection, y, horizon, m, x_past, x_future) -> tuple[np.ndarray, dict]:
    names = sel.members if sel.method == combination.NAME else (sel.method,)
    forecasts, params = [], {}
    for name in names:
        m_fit = _fit_season(name, m, sel.seasonal)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = get(name).fit(y, m_fit, x_past, like=sel.fits.get(name))
            with np.errstate(all="ignore"):
                forecasts.append(fitted.forecast(horizon, x_future))
        params[name] = {"variant": fitted.variant, **fitted.params}
    yhat = combination.combine(forecasts, sel.weights) if sel.method == combination.NAME else forecasts[0]
    return yhat, params


def forecast_series(
    y: np.ndarray,
    horizon: int,
    season_length: int = 12,
    x_past: np.ndarray | None = None,
    x_future: np.ndarray | None = None,
    levels: Sequence[float] = LEVELS,
    candidates: Sequence[str] | None = None,
    nonnegative: bool | None = None,
    key: object = None,
    combine_k: int = COMBINE_K,
    combine_method: str = COMBINE_METHOD,
    interval_method: str | None = None,
) -> SeriesForecast:
    """Forecast one series; intervals at ``levels`` from the backtest errors.

    Without regressors and without ``candidates``: the median combination
    (:func:`forecast_median`). With regressors (``x_past``), or with ``candidates`` named: the
    per-series selection among those candidates (default :data:`DEFAULT_CANDIDATES`).
    ``nonnegative`` (default: when ``y`` has no negative value) floors forecasts and bounds at 0.
    ``interval_method`` defaults to :data:`MEDIAN_INTERVAL_METHOD` for the median combination and
    :data:`INTERVAL_METHOD` for the selection.
    """
    with one_thread():
        if x_past is None and candidates is None:
            return _forecast_median(y, horizon, season_length, levels, nonnegative, key,
                                    interval_method or MEDIAN_INTERVAL_METHOD)
        return _forecast_series(y, horizon, season_length, x_past, x_future, levels,
                                DEFAULT_CANDIDATES if candidates is None else tuple(candidates), nonnegative, key,
                                combine_k, combine_method, interval_method or INTERVAL_METHOD)


def forecast_median(
    y: np.ndarray,
    horizon: int,
    season_length: int = 12,
    levels: Sequence[float] = LEVELS,
    nonnegative: bool | None = None,
    key: object = None,
    interval_method: str = MEDIAN_INTERVAL_METHOD,
) -> SeriesForecast:
    """The median combination (:mod:`forecasting.candidates.combination`) with conformal intervals.

    No method is chosen per series. The members are fitted on ``y[:t0]`` (the first backtest
    origin, :func:`forecasting.backtest.plan_origins`) and forecast from every origin with those
    parameters (states updated): the median of these is the combination's backtest, on which the
    intervals are calibrated, and each member's own backtest score is reported (not used to
    choose). The members are then refitted on the whole series, starting from the first fit.
    """
    with one_thread():
        return _forecast_median(y, horizon, season_length, levels, nonnegative, key, interval_method)


def _forecast_median(y, horizon, season_length, levels, nonnegative, key, interval_method) -> SeriesForecast:
    y = check_y(y)
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    n, m = len(y), season_length
    notes: list[str] = []
    short = m > 1 and n < 2 * m
    if short:
        notes.append(f"short series ({n} points < {2 * m}): no seasonal ETS, Theta or ARIMA")
    origins = plan_origins(n, horizon, m)
    # The backtest's members are fitted on the first window only (no parameter sees a test cell);
    # the final fit starts from them.
    fitted_bt = combination.fit(y[:origins[0]], m) if len(origins) else None
    fitted = combination.fit(y, m, like=fitted_bt)
    if fitted.params["failed"]:
        notes.append("left out of the median (fit failed): " + ", ".join(fitted.params["failed"]))
    method, variant = combination.NAME, fitted.variant
    yhat = fitted.forecast(horizon) if fitted.members else np.full(horizon, np.nan)
    params = {member.name: {"variant": member.variant, **member.params} for member in fitted.members}
    members = fitted.member_names
    if not np.all(np.isfinite(yhat)):
        notes.append("the median combination gave no finite forecast: seasonal naive")
        naive_fit = seasonal_naive.fit(y, m)
        method, variant, members = seasonal_naive.NAME, naive_fit.variant, ()
        yhat, params = naive_fit.forecast(horizon), {seasonal_naive.NAME: naive_fit.params}
        fitted = combination.Median(combination.NAME, variant, n, m, {}, y, members=[naive_fit])
    if nonnegative is None:
        nonnegative = bool(np.min(y) >= 0)
    if nonnegative:
        yhat = np.maximum(yhat, 0.0)
    scores: list[CandidateScore] = []
    bt = None
    if fitted_bt is not None and fitted_bt.members:
        stack = fitted_bt.member_forecasts(y, origins, horizon)
        combined = combination.median_of(stack)
        if nonnegative:
            combined = np.maximum(combined, 0.0)
        bt = make_backtest(y, origins, combined, m)
        for member, forecasts in zip(fitted_bt.members, stack, strict=True):
            own = make_backtest(y, origins, forecasts, m)
            scores.append(CandidateScore(member.name, member.variant, own.mase(), own.smape()))
        scores.append(CandidateScore(method, variant, bt.mase(), bt.smape()))
    else:
        notes.append(f"too short for a backtest ({n} points): no intervals")
    if bt is not None and bt.complete:
        errors = bt.errors
        widths = halfwidths(errors, levels, horizon, method=interval_method, min_slope=MEDIAN_MIN_SLOPE)
        cover = backtest_coverage(errors, levels, method=interval_method, min_slope=MEDIAN_MIN_SLOPE)
    else:
        errors = np.empty((0, horizon))
        widths = {level: np.full(horizon, np.nan) for level in levels}
        cover = {level: math.nan for level in levels}
    naive = next((s for s in scores if s.name == seasonal_naive.NAME), None)
    return SeriesForecast(
        key=key, method=method, variant=variant, n_obs=n, short_series=short, notes=notes, yhat=yhat,
        intervals=bounds(yhat, widths, 0.0 if nonnegative else None),
        backtest_mase=bt.mase() if bt is not None else math.nan,
        backtest_smape=bt.smape() if bt is not None else math.nan,
        naive_backtest_mase=naive.mase if naive is not None else math.nan, coverage=cover, scores=scores,
        members=members, weights=(), params=params,
        backtest_origins=origins if bt is not None else np.empty(0, dtype=int),
        one_step_errors=bt.errors[:, 0] if bt is not None else np.empty(0),
        calibration_errors=errors,
        backtest_actuals=bt.actuals if bt is not None else np.empty((0, horizon)),
    )


def _forecast_series(y, horizon, season_length, x_past, x_future, levels, candidates, nonnegative, key,
                     combine_k, combine_method, interval_method) -> SeriesForecast:
    y = check_y(y)
    if x_past is not None and x_future is None:
        raise ValueError("x_future is required with x_past (the regressors' planned values)")
    sel = select(y, horizon, season_length, x_past, candidates, combine_k, combine_method)
    notes = list(sel.notes)
    method, variant = sel.method, sel.variant
    try:
        yhat, params = _final_forecast(sel, y, horizon, season_length, x_past, x_future)
        if not np.all(np.isfinite(yhat)):
            raise ValueError("non-finite forecast")
    except Exception as error:  # fall back rather than stop a batch of series
        notes.append(f"final fit of {sel.method} failed ({error}): seasonal naive")
        fitted = seasonal_naive.fit(y, season_length)
        method, variant = seasonal_naive.NAME, fitted.variant
        yhat, params = fitted.forecast(horizon), {seasonal_naive.NAME: fitted.params}
    if nonnegative is None:
        nonnegative = bool(np.min(y) >= 0)
    if nonnegative:
        yhat = np.maximum(yhat, 0.0)
    errors = np.empty((0, horizon))
    if sel.backtest is not None:
        errors = sel.backtest.errors
        replay = sel.calibration_errors
        if replay is not None and np.sum(~np.isnan(replay)) >= MIN_CALIBRATION_CELLS:
            errors = replay
        widths = halfwidths(errors, levels, horizon, method=interval_method)
        cover = backtest_coverage(errors, levels, method=interval_method)
    else:
        widths = {level: np.full(horizon, np.nan) for level in levels}
        cover = {level: math.nan for level in levels}
    naive = sel.score(seasonal_naive.NAME)
    return SeriesForecast(
        key=key, method=method, variant=variant, n_obs=len(y), short_series=sel.short_series,
        notes=notes, yhat=yhat, intervals=bounds(yhat, widths, 0.0 if nonnegative else None),
        backtest_mase=sel.mase, backtest_smape=sel.smape,
        naive_backtest_mase=naive.mase if naive is not None else math.nan, coverage=cover,
        scores=sel.scores, members=sel.members, weights=sel.weights, params=params,
        backtest_origins=sel.backtest.origins if sel.backtest is not None else np.empty(0, dtype=int),
        one_step_errors=sel.backtest.errors[:, 0] if sel.backtest is not None else np.empty(0),
        calibration_errors=errors,
        backtest_actuals=sel.backtest.actuals if sel.backtest is not None else np.empty((0, horizon)),
    )


@dataclass
class SeriesInput:
    """One series for :func:`forecast_many`."""

    key: object
    y: np.ndarray
    x_past: np.ndarray | None = None
    x_future: np.ndarray | None = None


def _run_chunk(args) -> list[SeriesForecast]:
    items, horizon, kwargs = args
    with one_thread():
        return [forecast_series(it.y, horizon, x_past=it.x_past, x_future=it.x_future, key=it.key, **kwargs)
                for it in items]


def forecast_many(
    series: Iterable[SeriesInput],
    horizon: int,
    n_jobs: int | None = None,
    chunk_size: int = 8,
    progress: Callable[[int], None] | None = None,
    **kwargs,
) -> list[SeriesForecast]:
    """:func:`forecast_series` for every series, in a process pool of ``n_jobs`` (1: in process).

    ``progress`` is called with the number of series just finished.
    """
    # Fresh contiguous copies: statsmodels' SARIMAX gives (slightly) different results for array
    # views than for copies, and worker processes always get copies; without this the result
    # would depend on n_jobs.
    items = [SeriesInput(s.key, np.array(s.y, dtype=float),
                         None if s.x_past is None else np.array(s.x_past, dtype=float),
                         None if s.x_future is None else np.array(s.x_future, dtype=float)) for s in series]
    jobs = n_jobs or os.cpu_count() or 1
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    tasks = [(chunk, horizon, kwargs) for chunk in chunks]
    out: list[SeriesForecast] = []

    def collect(results: list[SeriesForecast]) -> None:
        out.extend(results)
        if progress is not None:
            progress(len(results))

    if jobs == 1 or len(chunks) <= 1:
        for task in tasks:
            collect(_run_chunk(task))
        return out
    # fork (where there is one) starts workers at no cost and needs no __main__ guard in scripts
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=ctx) as pool:
        for results in pool.map(_run_chunk, tasks):
            collect(results)
    return out

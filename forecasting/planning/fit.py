"""Fitting the media response model: a regularised, bounded least-squares fit and a block bootstrap.

Why a MAP fit: 60 months and 6 channels give 60 points for about 30 parameters, so the data alone
cannot pin every curve. Weakly-informative priors keep them identified: each channel's half
saturation point around its mean steady adstock (log-normal), its Hill shape around 1, its
carry-over around a modest value; bounds keep effects non-negative and the curves plausible, and a
penalty keeps the baseline non-negative over the history.

Why this parametrisation: a channel's adstock is divided by its steady level at mean spend
(``mean spend / (1 - decay)``), so its half point is a ratio ``h`` near 1 whatever the decay, and
its size is ``m``, the leads it brings at that normal level, rather than ``beta`` (the asymptote,
which trades off against ``h`` when the history never reaches saturation). The whole problem is
one smooth least-squares problem with an analytic Jacobian, solved by scipy's trust-region
reflective method from a few carry-over starts; the best start is kept.

Why a block bootstrap: the residuals of monthly leads are autocorrelated, so residuals are resampled
in moving blocks (about 3 months), rescaled by ``sqrt(n / (n - p))`` for the ``p`` parameters the
fit used (not held at a bound), added to the fitted values, and the model refitted from the point
estimate. The draws' percentiles are the intervals of every figure
(:meth:`~.model.ResponseModel.interval`); on simulated histories their 80% intervals of the average
cost per incremental lead cover the truth in about 85% of cases (``bench/planning.py``). Draw ``i``
uses its own seed ``(seed, i)``, so the draws do not depend on ``n_jobs``.

Identification (``reasons``): no spend at all -> "no_spend" (left out of the fit, no effect); spend
in fewer than :data:`MIN_PERIODS` periods -> "few_periods"; spend whose coefficient of variation is
below :data:`MIN_SPEND_CV` -> "constant_spend" (its effect cannot be told from the intercept); a
bootstrap 80% interval of the average cost wider than :data:`MAX_COST_RATIO` (hi / lo) or without an
upper end (the effect may be nil) -> "uncertain". Flagged channels are still fitted.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, lsq_linear
from scipy.signal import lfilter

from forecasting.candidates.base import one_thread
from forecasting.planning.calibration import Experiment, calibration_penalty, drawn, period_weights
from forecasting.planning.model import Params, ResponseModel, baseline_design

DAYS_PER_MONTH = 30.4375
MAX_DECAY = {"month": 0.9, "week": 0.97}
DEFAULT_HARMONICS = {"month": 2, "week": 3}
BLOCK_MONTHS = 3  # bootstrap block length, in months
HALF_RANGE = (0.1, 10.0)  # half point / mean steady adstock
SHAPE_RANGE = (0.5, 3.0)
HALF_PRIOR_SD = 0.9  # log scale, around 1 (the mean steady adstock)
SHAPE_PRIOR_SD = 0.6  # log scale, around 1
DECAY_PRIOR = (0.3, 0.3)  # monthly carry-over: mean, sd (converted for other frequencies)
ZERO_EFFECT = 1e-6  # leads at mean spend / mean target below which a channel brings nothing
EFFECT_PRIOR_SD = 2.0  # leads at mean spend, in units of the mean target: a ridge, barely binding
BASELINE_PENALTY = 10.0  # weight of a negative baseline, per noise sd
START_DECAYS = (0.1, 0.4, 0.7)  # monthly carry-over of each start
DRAW_TOL = 1e-6  # a bootstrap refit's tolerance: its error is far below the spread of the draws
# Identification thresholds.
MIN_PERIODS = 6  # periods with spend
MIN_SPEND_CV = 0.15  # coefficient of variation of spend
MAX_COST_RATIO = 3.0  # bootstrap 80% interval of the average cost: hi / lo above this is "uncertain"


def infer_frequency(periods: list[dt.date]) -> str:
    """"week" when periods are 7 days apart (median step), else "month"."""
    if len(periods) < 2:
        return "month"
    steps = np.diff([p.toordinal() for p in periods])
    return "week" if 5 <= float(np.median(steps)) <= 9 else "month"


def period_days(frequency: str) -> float:
    return 7.0 if frequency == "week" else DAYS_PER_MONTH


def per_period_decay(monthly: float, frequency: str) -> float:
    """The carry-over per period that leaves the same share after a month."""
    return float(monthly ** (period_days(frequency) / DAYS_PER_MONTH))


# --- the least-squares problem ------------------------------------------------------------------


def _carry(x: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """Geometric carry-over of each column (scipy's filter: the same recursion as :func:`.transforms.adstock`)."""
    out = np.zeros_like(x)
    for c, d in enumerate(decay):
        out[:, c] = lfilter([1.0], [1.0, -d], x[:, c])
    return out


@dataclass
class Problem:
    """Scaled data, priors and bounds of one fit. ``theta = [base (K), m, decay, log h, shape]`` (active channels)."""

    ys: np.ndarray  # (T,) target / y_scale
    x: np.ndarray  # (T, A) spend / mean spend, active channels
    design: np.ndarray  # (T, K) baseline columns
    sigma: float  # noise sd of ys (scales the data rows against the priors)
    max_decay: float
    decay_prior: tuple[float, float]
    _cache: dict = field(default_factory=dict, repr=False)
    # Experiments as (active channel index, (T,) leads per unit of f x m: y scale x days covered x the test's
    # regions' share, the experiment): one residual row each (calibration.calibration_penalty).
    calibration: tuple = ()

    @property
    def k(self) -> int:
        return self.design.shape[1]

    @property
    def a(self) -> int:
        return self.x.shape[1]

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        k, a = self.k, self.a
        return (theta[:k], theta[k:k + a], theta[k + a:k + 2 * a], theta[k + 2 * a:k + 3 * a],
                theta[k + 3 * a:k + 4 * a])

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        a = self.a
        lo = np.concatenate([np.full(self.k, -np.inf), np.zeros(a), np.zeros(a), np.full(a, math.log(HALF_RANGE[0])),
                             np.full(a, SHAPE_RANGE[0])])
        hi = np.concatenate([np.full(self.k, np.inf), np.full(a, np.inf), np.full(a, self.max_decay),
                             np.full(a, math.log(HALF_RANGE[1])), np.full(a, SHAPE_RANGE[1])])
        return lo, hi

    def curves(self, decay: np.ndarray, logh: np.ndarray, shape: np.ndarray) -> dict:
        """Normalised adstock ``n`` and the unit response ``f(n) = hill(n) / hill(1)`` with their derivatives."""
        stock = _carry(self.x, decay)
        dstock = _carry(np.vstack([np.zeros((1, self.a)), stock[:-1]]), decay)  # d stock / d decay
        n = stock * (1.0 - decay)
        dn = dstock * (1.0 - decay) - stock  # d n / d decay
        positive = n > 0
        safe = np.where(positive, n, 1.0)
        log_n = np.where(positive, np.log(safe), 0.0)
        u = np.where(positive, np.exp(shape * log_n), 0.0)
        v = np.exp(shape * logh)
        denom = (u + v) ** 2
        f = u * (1.0 + v) / (u + v)
        df_du = (1.0 + v) * v / denom
        df_dv = u * (u - 1.0) / denom
        return {"f": f, "df_dn": np.where(positive, df_du * shape * u / safe, 0.0) * dn,
                "df_dlogh": df_dv * shape * v, "df_dshape": df_du * u * log_n + df_dv * v * logh}

    def evaluate(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residual rows (data, priors, baseline penalty) and their Jacobian."""
        key = theta.tobytes()
        if key in self._cache:
            return self._cache[key]
        b, m, decay, logh, shape = self.split(theta)
        cv = self.curves(decay, logh, shape)
        baseline = self.design @ b
        fitted = baseline + cv["f"] @ m
        s = self.sigma
        t, k, a = len(self.ys), self.k, self.a
        mu_d, sd_d = self.decay_prior
        negative = baseline < 0
        rows = [(self.ys - fitted) / s, (decay - mu_d) / sd_d, logh / HALF_PRIOR_SD, np.log(shape) / SHAPE_PRIOR_SD,
                m / EFFECT_PRIOR_SD, BASELINE_PENALTY * np.where(negative, -baseline, 0.0) / s]
        jac = np.zeros((t + 4 * a + t, k + 4 * a))
        jac[:t, :k] = -self.design / s
        jac[:t, k:k + a] = -cv["f"] / s
        jac[:t, k + a:k + 2 * a] = -cv["df_dn"] * m / s
        jac[:t, k + 2 * a:k + 3 * a] = -cv["df_dlogh"] * m / s
        jac[:t, k + 3 * a:] = -cv["df_dshape"] * m / s
        diag = np.arange(a)
        jac[t + diag, k + a + diag] = 1.0 / sd_d
        jac[t + a + diag, k + 2 * a + diag] = 1.0 / HALF_PRIOR_SD
        jac[t + 2 * a + diag, k + 3 * a + diag] = 1.0 / (shape * SHAPE_PRIOR_SD)
        jac[t + 3 * a + diag, k + diag] = 1.0 / EFFECT_PRIOR_SD
        jac[t + 4 * a:, :k] = np.where(negative[:, None], -BASELINE_PENALTY * self.design / s, 0.0)
        if self.calibration:
            tests = [e for _, _, e in self.calibration]
            lifts = np.array([float(w @ cv["f"][:, j]) * m[j] for j, w, _ in self.calibration])
            penalty = calibration_penalty(lifts, tests)
            rows.append(penalty.residuals)
            extra = np.zeros((len(tests), k + 4 * a))
            for e, ((j, w, _), slope) in enumerate(zip(self.calibration, penalty.slope, strict=True)):
                extra[e, k + j] = slope * float(w @ cv["f"][:, j])
                for i, key in enumerate(("df_dn", "df_dlogh", "df_dshape")):
                    extra[e, k + (i + 1) * a + j] = slope * float(w @ cv[key][:, j]) * m[j]
            jac = np.vstack([jac, extra])
        out = (np.concatenate(rows), jac)
        self._cache.clear()
        self._cache[key] = out
        return out

    def fitted(self, theta: np.ndarray) -> np.ndarray:
        b, m, decay, logh, shape = self.split(theta)
        return self.design @ b + self.curves(decay, logh, shape)["f"] @ m

    def solve(self, theta0: np.ndarray, max_nfev: int = 200, tol: float = 1e-9) -> tuple[np.ndarray, float]:
        """Local MAP fit from ``theta0``: (theta, cost)."""
        lo, hi = self.bounds()
        theta0 = np.clip(theta0, lo, hi)
        self._cache.clear()
        done = least_squares(lambda th: self.evaluate(th)[0], theta0, jac=lambda th: self.evaluate(th)[1],
                             bounds=(lo, hi), method="trf", x_scale="jac", max_nfev=max_nfev,
                             ftol=tol, xtol=tol, gtol=tol)
        return done.x, float(done.cost)

    def start(self, monthly_decay: float, frequency: str) -> np.ndarray:
        """A start: every channel at one carry-over, h = shape = 1, the linear part solved (effects >= 0)."""
        decay = np.full(self.a, min(per_period_decay(monthly_decay, frequency), self.max_decay))
        logh, shape = np.zeros(self.a), np.ones(self.a)
        f = self.curves(decay, logh, shape)["f"]
        lo = np.concatenate([np.full(self.k, -np.inf), np.zeros(self.a)])
        ridge = np.sqrt(1e-3) * np.eye(self.k + self.a)
        ridge[0, 0] = 0.0  # no shrinkage of the intercept
        matrix = np.vstack([np.column_stack([self.design, f]), ridge])
        target = np.concatenate([self.ys, np.zeros(self.k + self.a)])
        linear = lsq_linear(matrix, target, bounds=(lo, np.full(self.k + self.a, np.inf))).x
        return np.concatenate([linear[:self.k], np.maximum(linear[self.k:], 1e-4), decay, logh, shape])

    def free_parameters(self, theta: np.ndarray) -> int:
        """Parameters not held at a bound: what the residuals' degrees-of-freedom correction counts."""
        lo, hi = self.bounds()
        return int(np.sum(~(np.isclose(theta, lo) | np.isclose(theta, hi))))


# --- the public fit --------------------------------------------------------------------------------


def _dates(periods) -> list[dt.date]:
    return [pd.Timestamp(p).date() for p in periods]


def spend_reasons(spend: np.ndarray) -> list[str]:
    """Why each channel's spend history cannot identify it ("" when it can, as far as spend goes)."""
    reasons = []
    for column in np.asarray(spend, dtype=float).T:
        mean = float(column.mean())
        if mean <= 0:
            reasons.append("no_spend")
        elif int((column > 0).sum()) < MIN_PERIODS:
            reasons.append("few_periods")
        elif float(column.std()) / mean < MIN_SPEND_CV:
            reasons.append("constant_spend")
        else:
            reasons.append("")
    return reasons


def _block_indices(rng: np.random.Generator, t: int, block: int) -> np.ndarray:
    """Moving-block bootstrap: random starts of ``block`` consecutive positions, cut to ``t``."""
    block = max(1, min(block, t))
    starts = rng.integers(0, t - block + 1, size=math.ceil(t / block))
    return (starts[:, None] + np.arange(block)).ravel()[:t]


def _bootstrap_chunk(task: tuple) -> list[np.ndarray]:
    """Refit the draws ``indices`` (run in a worker or in process)."""
    problem, theta, fitted, residuals, block, seed, indices = task
    with one_thread():  # BLAS threads on these small matrices cost far more than the work
        return [_refit(problem, theta, fitted, residuals, block, seed, i) for i in indices]


def _refit(problem: Problem, theta: np.ndarray, fitted: np.ndarray, residuals: np.ndarray, block: int, seed: int,
           i: int) -> np.ndarray:
    """Draw ``i``: the fitted values plus resampled residual blocks, refitted from the point estimate."""
    rng = np.random.default_rng([seed, i])
    tests = drawn([e for _, _, e in problem.calibration], rng)
    sample = Problem(fitted + residuals[_block_indices(rng, len(fitted), block)], problem.x, problem.design,
                     problem.sigma, problem.max_decay, problem.decay_prior,
                     calibration=tuple((j, w, e) for (j, w, _), e in zip(problem.calibration, tests, strict=True)))
    return sample.solve(theta, max_nfev=100, tol=DRAW_TOL)[0]


def parallel_map(function, tasks: list, jobs: int) -> list:
    """``[function(t) for t in tasks]``, in ``jobs`` forked worker processes when ``jobs`` > 1."""
    if jobs <= 1:
        return [function(task) for task in tasks]
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        return list(pool.map(function, tasks))


def _bootstrap(problem: Problem, theta: np.ndarray, residuals: np.ndarray, block: int, n_boot: int, seed: int,
               n_jobs: int) -> list[np.ndarray]:
    fitted = problem.fitted(theta)
    jobs = max(1, min(n_jobs or os.cpu_count() or 1, n_boot))
    chunks = [list(range(i, n_boot, jobs)) for i in range(jobs)]
    tasks = [(problem, theta, fitted, residuals, block, seed, chunk) for chunk in chunks if chunk]
    results = parallel_map(_bootstrap_chunk, tasks, jobs)
    draws: list[np.ndarray | None] = [None] * n_boot
    for chunk, thetas in zip(chunks, results, strict=False):
        for i, th in zip(chunk, thetas, strict=True):
            draws[i] = th
    return draws


def fit_response(y, spend, periods, channels, controls=None, control_names=(), frequency: str | None = None,
                 n_boot: int = 200, seed: int = 0, n_jobs: int = 1, n_harmonics: int | None = None,
                 experiments: list[Experiment] | None = None) -> ResponseModel:
    """Fit leads ``y`` (T,) to ``spend`` (T x C, EUR) over ``periods`` (period start dates) with bootstrap draws.

    ``controls`` (T x J, raw) are named by ``control_names``; ``frequency`` is inferred from the periods
    when ``None``; ``n_boot`` = 0 skips the bootstrap (no intervals, no "uncertain" flag). ``experiments``:
    lift tests the fit is calibrated on; this model sees only the country (or its scope), so a test's lift is
    compared with ``share`` x the channel's contribution over its days (the caller sets ``share``, the test
    regions' part of the channel's spend).
    """
    with one_thread():
        return _fit(y, spend, periods, channels, controls, control_names, frequency, n_boot, seed, n_jobs,
                    n_harmonics, experiments or [])


def _fit(y, spend, periods, channels, controls, control_names, frequency, n_boot, seed, n_jobs,
         n_harmonics, experiments) -> ResponseModel:
    clock = time.perf_counter()
    periods = _dates(periods)
    y = np.asarray(y, dtype=float).ravel()
    t = len(y)
    channels = list(channels)
    spend = np.asarray(spend, dtype=float).reshape(t, len(channels))
    if len(periods) != t:
        raise ValueError(f"{len(periods)} periods for {t} values of the target")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(spend))):
        raise ValueError("the target and spend must be finite")
    if np.any(spend < 0):
        raise ValueError("spend must not be negative")
    frequency = frequency or infer_frequency(periods)
    n_harmonics = DEFAULT_HARMONICS[frequency] if n_harmonics is None else int(n_harmonics)
    names = list(control_names)
    raw = np.zeros((t, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(t, len(names))
    mean = raw.mean(axis=0)
    scale = raw.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    design = baseline_design(periods, periods[0], n_harmonics, (raw - mean) / scale)

    reasons = spend_reasons(spend)
    active = np.array([r != "no_spend" for r in reasons])
    mean_spend = spend.mean(axis=0)
    y_scale = float(np.mean(np.abs(y))) or 1.0
    ys = y / y_scale
    x = spend[:, active] / mean_spend[active]
    mu_d = per_period_decay(DECAY_PRIOR[0], frequency)
    sd_d = DECAY_PRIOR[1] * (1.0 if frequency == "month" else 0.7)
    # a first noise level from a linear fit (spend as is), then the MAP fit's own
    linear = np.column_stack([design, x])
    coef, *_ = np.linalg.lstsq(linear, ys, rcond=None)
    sigma0 = max(float(np.sqrt(np.sum((ys - linear @ coef) ** 2) / max(t - linear.shape[1], 1))), 1e-3)
    columns = [c for c, on in zip(channels, active, strict=True) if on]
    calibration = tuple((columns.index(e.channel), y_scale * e.share * period_weights(e, periods, frequency), e)
                        for e in experiments if e.channel in columns)
    calibration = tuple(term for term in calibration if term[1].any())
    problem = Problem(ys, x, design, sigma0, MAX_DECAY[frequency], (mu_d, sd_d), calibration=calibration)
    starts = []
    for decay in START_DECAYS:
        starts.append(problem.solve(problem.start(decay, frequency)))
    theta, _ = min(starts, key=lambda s: s[1])
    # the noise level, corrected for the parameters the fit used (a conservative count: the
    # priors make the effective number smaller, but the curves' non-linearity makes the
    # residuals smaller still; with the hat-matrix trace the bootstrap under-covers)
    residuals = ys - problem.fitted(theta)
    problem.sigma = max(float(np.sqrt(np.sum(residuals ** 2) / max(t - problem.free_parameters(theta), 1))), 1e-4)
    theta, _ = problem.solve(theta)
    residuals = ys - problem.fitted(theta)
    dof = max(t - problem.free_parameters(theta), 1)
    point_s = time.perf_counter() - clock

    def to_params(th: np.ndarray) -> Params:
        b, m, decay, logh, shape = problem.split(th)
        full = {"decay": np.zeros(len(channels)), "half": np.ones(len(channels)), "shape": np.ones(len(channels)),
                "beta": np.zeros(len(channels))}
        h = np.exp(logh)
        m = np.where(m < ZERO_EFFECT, 0.0, m)  # numerically nothing: no effect (an infinite cost, not a huge one)
        full["decay"][active] = decay
        full["half"][active] = h * mean_spend[active] / (1.0 - decay)
        full["shape"][active] = shape
        full["beta"][active] = m * (1.0 + h ** shape) * y_scale
        return Params(base=b * y_scale, **full)

    block = max(1, round(BLOCK_MONTHS * DAYS_PER_MONTH / period_days(frequency)))
    centred = (residuals - residuals.mean()) * math.sqrt(t / dof)
    clock_boot = time.perf_counter()
    thetas = _bootstrap(problem, theta, centred, block, n_boot, seed, n_jobs) if n_boot > 0 else []
    boot_s = time.perf_counter() - clock_boot

    model = ResponseModel(
        channels=channels, controls=names, periods=periods, frequency=frequency, n_harmonics=n_harmonics,
        params=to_params(theta), y=y, spend=spend, control_values=raw, control_mean=mean, control_scale=scale,
        residual_sd=float(np.sqrt(np.sum(residuals ** 2) / dof)) * y_scale,
        draws=[to_params(th) for th in thetas], reasons=list(reasons))
    if thetas:
        lo, hi = model.interval(model.average_cost, 0.8)
        for c in range(len(channels)):
            if not model.reasons[c] and not (np.isfinite(hi[c]) and lo[c] > 0 and hi[c] / lo[c] <= MAX_COST_RATIO):
                model.reasons[c] = "uncertain"
    model.identified = [not r for r in model.reasons]
    fit = model.fitted().total
    model.stats = {
        "r2": r2_score(y, fit), "mape": mape(y, fit), "n_obs": t, "n_boot": len(thetas), "seed": seed,
        "parameters": t - dof, "block": block,
        "interval": "moving-block residual bootstrap (residuals rescaled by sqrt(n / (n - parameters))), percentile",
        "start_costs": [float(c) for _, c in starts], "seconds_point": point_s, "seconds_bootstrap": boot_s,
        "seconds": time.perf_counter() - clock,
        "experiments_left_aside": [e.label or e.channel for e in experiments
                                   if all(e is not used for _, _, used in calibration)],
    }
    return model


# --- accuracy ----------------------------------------------------------------------------------------


def mape(actual, predicted) -> float:
    """Mean absolute percentage error (%), over the periods with a non-zero actual."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    keep = actual != 0
    return float(np.mean(np.abs((actual[keep] - predicted[keep]) / actual[keep])) * 100) if keep.any() else math.nan


def r2_score(actual, predicted) -> float:
    """Share of the variance explained (NaN for a constant actual)."""
    from sklearn.metrics import r2_score as sklearn_r2

    actual = np.asarray(actual, dtype=float)
    return float(sklearn_r2(actual, predicted)) if np.ptp(actual) > 0 and len(actual) > 1 else math.nan


@dataclass
class Holdout:
    """Accuracy on the last periods of a history, the model fitted on the ones before."""

    mape: float
    r2: float
    n_train: int
    n_test: int
    actual: np.ndarray
    predicted: np.ndarray
    model: ResponseModel


def holdout_evaluation(y, spend, periods, channels, controls=None, control_names=(), frequency: str | None = None,
                       holdout: float = 0.2, n_boot: int = 0, seed: int = 0, n_jobs: int = 1,
                       n_harmonics: int | None = None) -> Holdout:
    """Fit on the first ``1 - holdout`` of the history, predict the rest given its actual spend and controls."""
    y = np.asarray(y, dtype=float).ravel()
    t = len(y)
    n_test = int(round(t * holdout)) if holdout < 1 else int(holdout)
    if not 1 <= n_test <= t - 12:
        raise ValueError(f"holdout of {n_test} periods out of {t}: keep at least 12 to fit and 1 to test")
    cut = t - n_test
    spend = np.asarray(spend, dtype=float).reshape(t, len(channels))
    periods = _dates(periods)
    raw = None if controls is None else np.asarray(controls, dtype=float).reshape(t, len(control_names))
    model = fit_response(y[:cut], spend[:cut], periods[:cut], channels, None if raw is None else raw[:cut],
                         control_names, frequency, n_boot, seed, n_jobs, n_harmonics)
    predicted = model.predict(spend[cut:], periods[cut:], None if raw is None else raw[cut:],
                              carry_in=model.carry_out()).total
    return Holdout(mape(y[cut:], predicted), r2_score(y[cut:], predicted), cut, n_test, y[cut:], predicted, model)

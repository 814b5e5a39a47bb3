"""Rolling-origin backtest: forecasts from many origins, errors per origin and horizon.

An origin ``t`` is a training length: the model sees ``y[:t]`` and forecasts ``y[t:t+H]``.
:func:`plan_origins` places them:

- the first origin ``t0`` leaves ``K`` complete ``H``-step windows, where ``K`` is as many as
  fit after a first training window of ``target_train`` points (default ``3m``), but at least
  ``min_origins`` (6) and at most ``max_origins`` (24);
- if that makes ``t0 < 2m`` and the series has ``2m + min_origins`` points, ``t0`` is raised to
  ``2m`` so that seasonal models stay possible (the longest horizons then have fewer origins);
- every later point up to ``n - 1`` is also an origin: its window is cut at the end of the data
  (those cells are ``nan``). Horizon ``h`` thus has ``n - t0 - h + 1`` origins.

Each candidate is fitted once, on ``y[:t0]``; later origins update its states with the data but
keep its parameters (see :mod:`forecasting.candidates.base`), which keeps the backtest honest (no
parameter has seen a test window) and cheap (one fit per candidate and series).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from forecasting.candidates.base import Fitted
from forecasting.metrics import naive_scales_by_origin, smape_terms

MIN_ORIGINS = 6
MAX_ORIGINS = 24
MIN_FIRST_TRAIN = 4


def plan_origins(
    n: int,
    horizon: int,
    season_length: int = 12,
    min_origins: int = MIN_ORIGINS,
    max_origins: int = MAX_ORIGINS,
    target_train: int | None = None,
) -> np.ndarray:
    """The backtest origins (training lengths) for a series of ``n`` points; empty if too short."""
    m = max(season_length, 1)
    target = 3 * m if target_train is None else target_train
    k = int(np.clip(n - horizon + 1 - target, min_origins, max_origins))
    t0 = n - horizon - k + 1
    if t0 < 2 * m and m > 1 and n >= 2 * m + min_origins:
        t0 = 2 * m
    if t0 < MIN_FIRST_TRAIN:
        t0 = max(MIN_FIRST_TRAIN, n - min_origins)
    if t0 >= n:
        return np.empty(0, dtype=int)
    return np.arange(t0, n)


@dataclass
class Backtest:
    """Forecasts and actuals (origins x horizons); ``nan`` where the window passes the data's end."""

    origins: np.ndarray
    forecasts: np.ndarray
    actuals: np.ndarray
    scales: np.ndarray

    @property
    def horizon(self) -> int:
        return self.forecasts.shape[1]

    @property
    def errors(self) -> np.ndarray:
        """actual - forecast."""
        return self.actuals - self.forecasts

    @property
    def n_origins(self) -> np.ndarray:
        """Number of origins with an error, per horizon."""
        return np.sum(~np.isnan(self.errors), axis=0)

    def mase_by_horizon(self) -> np.ndarray:
        return _nanmean(np.abs(self.errors) / self.scales[:, None], axis=0)

    def smape_by_horizon(self) -> np.ndarray:
        return _nanmean(smape_terms(self.actuals, self.forecasts), axis=0)

    def mase(self) -> float:
        """Mean over horizons of the mean scaled error over origins (each horizon weighs the same)."""
        return float(_nanmean(self.mase_by_horizon()))

    def smape(self) -> float:
        return float(_nanmean(self.smape_by_horizon()))

    @property
    def complete(self) -> bool:
        """True when every cell with an actual has a finite forecast."""
        return bool(np.all(np.isfinite(self.forecasts) | np.isnan(self.actuals)))

    def with_forecasts(self, forecasts: np.ndarray) -> Backtest:
        return Backtest(self.origins, forecasts, self.actuals, self.scales)


def _nanmean(a: np.ndarray, axis: int | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


def actuals_matrix(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """``y[t + h]`` for each origin ``t`` and step ``h`` (``nan`` past the end)."""
    y = np.asarray(y, dtype=float)
    idx = origins[:, None] + np.arange(horizon)[None, :]
    padded = np.concatenate([y, np.full(horizon, np.nan)])
    return padded[idx]


def make_backtest(y: np.ndarray, origins: np.ndarray, forecasts: np.ndarray, season_length: int = 12) -> Backtest:
    """Assemble a backtest from forecasts already computed for ``origins``."""
    y = np.asarray(y, dtype=float)
    horizon = forecasts.shape[1]
    actuals = actuals_matrix(y, origins, horizon)
    scales = naive_scales_by_origin(y, origins, season_length)
    bad = ~np.isfinite(scales) | (scales <= 0)
    if bad.any():
        fallback = np.nanmean(np.abs(np.diff(y))) if len(y) > 1 else 1.0
        scales = np.where(bad, fallback if fallback > 0 else 1.0, scales)
    forecasts = np.where(np.isnan(actuals), np.nan, np.where(np.isfinite(forecasts), forecasts, np.inf))
    return Backtest(origins, forecasts, actuals, scales)


def backtest(
    candidate,
    y: np.ndarray,
    horizon: int,
    season_length: int = 12,
    x: np.ndarray | None = None,
    origins: np.ndarray | None = None,
    fit_season_length: int | None = None,
) -> tuple[Backtest, Fitted]:
    """Fit ``candidate`` (a module or name) on ``y[:origins[0]]`` and forecast from every origin.

    ``season_length`` scales the errors (MASE); ``fit_season_length`` (default: the same) is what
    the model is fitted with (1 fits no season).
    """
    if isinstance(candidate, str):
        from forecasting.candidates import get

        candidate = get(candidate)
    y = np.asarray(y, dtype=float)
    if origins is None:
        origins = plan_origins(len(y), horizon, season_length)
    origins = np.asarray(origins, dtype=int)
    if len(origins) == 0:
        raise ValueError(f"series of {len(y)} points is too short for a backtest")
    t0 = int(origins[0])
    x_fit = None if x is None else np.asarray(x, dtype=float)[:t0]
    m_fit = season_length if fit_season_length is None else fit_season_length
    fitted = candidate.fit(y[:t0], m_fit, x_fit)
    with np.errstate(all="ignore"):
        forecasts = fitted.rolling(y, origins, horizon, x)
    return make_backtest(y, origins, forecasts, season_length), fitted

"""What drives a forecast: ``yhat = trend + season + media + other``, month by month.

Kept simple, and exact by construction:

- **media**: the chosen model's regressor coefficients times the media regressor's values for the
  forecast month (adstocked planned spend), i.e. the leads the model attributes to media compared
  with no spend. Regression (ridge) and SARIMAX give their coefficient directly (the ridge's is its
  direct effect, not the one its lags carry on); a combination weighs its members' coefficients by
  the combination weights (members without regressors count 0). A negative attribution (noise in
  a small series) is set to 0 and goes to *other*. Models without regressors (ETS, Theta, seasonal
  naive) attribute nothing to media.
- **season**: the additive seasonal index of the forecast's calendar month, from a classical
  decomposition of the history less its media part (a centred 2x12 moving average as the trend,
  the mean deviation from it per calendar month, centred on zero). No season for a history shorter
  than two years.
- **trend**: a least-squares line through the last 24 months of the history less media and season,
  extended over the forecast months.
- **other**: the rest, ``yhat - trend - season - media``: covid and calendar effects, what the model
  sees that a line and a seasonal profile do not, and the reconciliation's adjustment.

These are each stored series' own parts. What the app shows is the forecast of record's drivers
(:mod:`forecasting.record`): one decomposition per scope, from the media response model where the
scope has one, these parts otherwise; :func:`regressor_effects` gives it the web sessions' part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from forecasting.regressors import MEDIA

TREND_WINDOW = 24
SEASON_LENGTH = 12


@dataclass
class Decomposition:
    trend: np.ndarray
    season: np.ndarray
    media: np.ndarray
    other: np.ndarray

    def total(self) -> np.ndarray:
        return self.trend + self.season + self.media + self.other


def regressor_coefficients(params: dict, weights: dict[str, float], n_x: int) -> np.ndarray:
    """Coefficients (y per unit of each regressor) of a fitted method from its stored parameters.

    ``params`` is :attr:`forecasting.selection.SeriesForecast.params` (one entry per member);
    ``weights`` the combination weights per member (a single method weighs 1).
    """
    out = np.zeros(n_x)
    if n_x == 0:
        return out
    for name, weight in weights.items():
        p = params.get(name, {})
        if name == "regression" and "coef" in p:
            coef = np.asarray(p["coef"], dtype=float)[-n_x:]
            scale = np.asarray(p["scale"], dtype=float)[-n_x:]
            out += weight * coef / scale
        elif name == "sarimax" and "beta" in p:
            beta = np.asarray(p["beta"], dtype=float)
            beta = beta[:-1] if p.get("drift") else beta
            if len(beta) == n_x:
                out += weight * beta
    return out


def seasonal_index(z: np.ndarray, months: list[dt.date], m: int = SEASON_LENGTH) -> np.ndarray:
    """Additive seasonal index per calendar month (index 0 = January), centred on zero."""
    n = len(z)
    if n < 2 * m:
        return np.zeros(12)
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    trend = np.convolve(z, weights, mode="valid")  # centred: trend[i] is at time i + m // 2
    detrended = z[m // 2:m // 2 + len(trend)] - trend
    calendar = np.array([d.month - 1 for d in months[m // 2:m // 2 + len(trend)]])
    index = np.array([detrended[calendar == k].mean() if np.any(calendar == k) else 0.0 for k in range(12)])
    return index - index.mean()


def decompose(y: np.ndarray, months: list[dt.date], yhat: np.ndarray, future_months: list[dt.date],
              media_past: np.ndarray, media_future: np.ndarray) -> Decomposition:
    """Split ``yhat`` into trend, season, media and other (they sum to ``yhat`` exactly)."""
    y = np.asarray(y, dtype=float)
    yhat = np.asarray(yhat, dtype=float)
    media = np.maximum(np.asarray(media_future, dtype=float), 0.0)
    z = y - np.maximum(np.asarray(media_past, dtype=float), 0.0)
    index = seasonal_index(z, months)
    season_past = index[[d.month - 1 for d in months]]
    season = index[[d.month - 1 for d in future_months]]
    base = z - season_past
    window = min(len(base), TREND_WINDOW)
    t = np.arange(len(base) - window, len(base), dtype=float)
    if window >= 2:
        slope, intercept = np.polyfit(t, base[-window:], 1)
    else:
        slope, intercept = 0.0, float(base[-1]) if len(base) else 0.0
    trend = intercept + slope * np.arange(len(base), len(base) + len(yhat), dtype=float)
    other = yhat - trend - season - media
    return Decomposition(trend, season, media, other)


def media_contributions(params: dict, method: str, members: tuple[str, ...], weights: tuple[float, ...],
                        names: list[str], x_past: np.ndarray | None, x_future: np.ndarray | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(past, future) leads attributed to the media columns of ``names`` by the chosen method."""
    n_past = 0 if x_past is None else x_past.shape[0]
    n_future = 0 if x_future is None else x_future.shape[0]
    media_cols = [i for i, name in enumerate(names) if name.startswith(MEDIA)]
    if not media_cols or x_past is None:
        return np.zeros(n_past), np.zeros(n_future)
    member_weights = dict(zip(members, weights, strict=True)) if members else {method: 1.0}
    coef = regressor_coefficients(params, member_weights, len(names))
    return x_past[:, media_cols] @ coef[media_cols], x_future[:, media_cols] @ coef[media_cols]


def regressor_effects(params: dict, method: str, members: tuple[str, ...], weights: tuple[float, ...],
                      names: list[str], x_past: np.ndarray | None, x_future: np.ndarray | None
                      ) -> dict[str, np.ndarray]:
    """Leads the chosen method attributes to each regressor in the forecast months: a media column against no
    spend, any other (sessions, covid, working days) against its mean over the history. Empty for methods
    without regressors (ETS, Theta, seasonal naive)."""
    if x_past is None or x_future is None or not names:
        return {}
    member_weights = dict(zip(members, weights, strict=True)) if members else {method: 1.0}
    coef = regressor_coefficients(params, member_weights, len(names))
    out = {}
    for j, name in enumerate(names):
        reference = 0.0 if name.startswith(MEDIA) else float(np.mean(x_past[:, j]))
        out[name] = coef[j] * (np.asarray(x_future[:, j], dtype=float) - reference)
    return out

"""Regularised linear regression on lags, season, trend and regressors (scikit-learn ``RidgeCV``).

Features for month ``t``: lags 1-3 of y (and lag ``m`` when ``n >= 3m``), Fourier terms of the
month (``FOURIER_K`` harmonics, when ``n >= 2m``), a linear trend and the regressors' values at
``t``. Features are standardised and the ridge penalty is chosen by efficient leave-one-out
cross-validation over a fixed grid, so the fit is deterministic. Multi-step forecasts are
recursive: a forecast feeds the lags of the next step.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import RidgeCV

from forecasting.candidates.base import Fitted, as_matrix, check_y, make_fit_predict

NAME = "regression"
MIN_OBS = 12
FOURIER_K = 3
ALPHAS = np.logspace(-3, 4, 22)


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= MIN_OBS else f"needs at least {MIN_OBS} observations"


def _design(lag_values: np.ndarray, t: np.ndarray, x_t: np.ndarray | None, p: dict) -> np.ndarray:
    """Feature rows: lag_values (rows, n_lags), t (rows,) time index, x_t (rows, k)."""
    cols = [lag_values]
    m, k = p["m"], p["fourier_k"]
    if k:
        ang = 2 * np.pi * (t[:, None] % m) * np.arange(1, k + 1)[None, :] / m
        four = np.hstack([np.cos(ang), np.sin(ang)])
        if m % 2 == 0 and k == m // 2:
            four = four[:, :-1]  # sin(pi t) is zero
        cols.append(four)
    cols.append(t[:, None].astype(float))
    if x_t is not None:
        cols.append(x_t)
    return np.hstack(cols)


class Regression(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        p = self.params
        lags = np.asarray(p["lags"], dtype=int)
        mx = int(lags.max())
        coef, intercept = np.asarray(p["coef"]), p["intercept"]
        mean, scale = np.asarray(p["mean"]), np.asarray(p["scale"])
        ext = np.empty((len(origins), mx + horizon))
        ext[:, :mx] = y[origins[:, None] - mx + np.arange(mx)[None, :]]
        for i in range(horizon):
            pos = mx + i
            lag_values = ext[:, pos - lags]
            t = origins + i
            x_t = x[t] if x is not None else None
            feats = (_design(lag_values, t, x_t, p) - mean) / scale
            ext[:, pos] = feats @ coef + intercept
        return ext[:, mx:]


def fit(
    y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like: Regression | None = None
) -> Regression:
    """Fit the ridge; ``like`` (an earlier fit) fixes the lags and Fourier terms."""
    y = check_y(y)
    n = len(y)
    m = season_length
    xm = as_matrix(x, n) if x is not None else None
    lags = [1, 2, 3] + ([m] if m > 3 and n >= 3 * m else [])
    k = min(FOURIER_K, m // 2) if m > 1 and n >= 2 * m else 0
    if like is not None:
        lags, k = list(like.params["lags"]), like.params["fourier_k"]
    mx = max(lags)
    rows = np.arange(mx, n)
    p = {"m": m, "fourier_k": k, "lags": lags}
    lag_values = y[rows[:, None] - np.asarray(lags)[None, :]]
    X = _design(lag_values, rows, xm[rows] if xm is not None else None, p)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = RidgeCV(alphas=ALPHAS).fit(Z, y[rows])
    p.update(coef=model.coef_.tolist(), intercept=float(model.intercept_), mean=mean.tolist(),
             scale=scale.tolist(), alpha=float(model.alpha_))
    label = f"ridge on lags {lags}" + (f", {k} Fourier pairs" if k else "") + ", trend"
    if xm is not None:
        label += f", {xm.shape[1]} regressor(s)"
    return Regression(NAME, label, n, m, p, y, xm)


def coefficients(fitted: Regression) -> np.ndarray:
    """The regressors' coefficients in y units per unit of x."""
    if fitted.x is None:
        return np.empty(0)
    k = fitted.x.shape[1]
    coef = np.asarray(fitted.params["coef"])[-k:]
    return coef / np.asarray(fitted.params["scale"])[-k:]


fit_predict = make_fit_predict(fit)

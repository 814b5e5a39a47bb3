"""ARIMA for the median combination: the airline model by conditional least squares, in numpy.

The orders depend on the length only (as for :mod:`forecasting.candidates.sarimax`, which keeps
the regressors and exact maximum likelihood for the per-series selection):

- ``n >= 3m``: the airline model ARIMA(0,1,1)(0,1,1)m;
- ``2m <= n < 3m``: ARIMA(0,1,1)(0,1,0)m;
- ``8 <= n < 2m``: ARIMA(0,1,1) with drift (the mean of the differences).

The MA coefficients minimise the sum of squared one-step errors of the differenced series with
pre-sample errors at zero (conditional sum of squares), over a grid of invertible values evaluated
at once (vectorised over the grid), then two finer grids around the best: no optimiser, about
2 ms per fit. Forecasts from any origin use the errors up to that origin, then are integrated back.
Regressors are not used (``x`` is accepted and ignored).
"""

from __future__ import annotations

import numpy as np

from forecasting.candidates.base import Fitted, check_y, make_fit_predict
from forecasting.candidates.differencing import diff_poly, difference, spec

NAME = "arima"
MIN_OBS = 8
BOUND = 0.98  # MA coefficients stay in (-BOUND, BOUND): invertible


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= MIN_OBS else f"needs at least {MIN_OBS} observations"


def _errors(w: np.ndarray, theta: np.ndarray, seas: np.ndarray, m: int) -> np.ndarray:
    """One-step errors (len(w), P) of w_t = e_t + theta e_{t-1} + seas e_{t-m} + theta seas e_{t-m-1}."""
    n, P = len(w), len(theta)
    e = np.zeros((n, P))
    both = theta * seas
    seasonal = bool(np.any(seas != 0))
    for t, wt in enumerate(w.tolist()):
        v = wt - theta * e[t - 1] if t >= 1 else np.full(P, wt)
        if seasonal and t >= m:
            v = v - seas * e[t - m]
            if t >= m + 1:
                v = v - both * e[t - m - 1]
        e[t] = v
    return e


def _search(w: np.ndarray, m: int, seasonal: bool) -> tuple[float, float]:
    """(theta, Theta) minimising the conditional sum of squares."""
    grid = np.linspace(-0.9, 0.9, 13)
    step = grid[1] - grid[0]
    center = (0.0, 0.0)
    for round_ in range(3):
        if round_ == 0:
            t_vals, s_vals = grid, (grid if seasonal else np.zeros(1))
        else:
            t_vals = np.clip(center[0] + step * np.linspace(-1, 1, 7), -BOUND, BOUND)
            s_vals = np.clip(center[1] + step * np.linspace(-1, 1, 7), -BOUND, BOUND) if seasonal else np.zeros(1)
        tt, ss = (a.ravel() for a in np.meshgrid(t_vals, s_vals, indexing="ij"))
        with np.errstate(all="ignore"):
            sse = np.sum(_errors(w, tt, ss, m) ** 2, axis=0)
        sse = np.where(np.isfinite(sse), sse, np.inf)
        i = int(np.argmin(sse))
        center = (float(tt[i]), float(ss[i]))
        step /= 3.0
    return center


class Arima(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        p = self.params
        m = self.season_length
        poly = np.asarray(p["poly"])
        r = len(poly) - 1
        theta, seas, mu = p["theta"], p["seas"], p["mu"]
        t_max = int(origins.max())
        w = difference(np.asarray(y[:t_max], dtype=float), poly) - mu
        e = _errors(w, np.array([theta]), np.array([seas]), m)[:, 0] if len(w) else np.zeros(0)
        ma = {1: theta}
        if seas:
            ma[m] = seas
            ma[m + 1] = theta * seas
        wf = np.full((len(origins), horizon), mu)
        last = origins - r - 1  # index in w of the last observed difference
        for h in range(horizon):
            j = last + 1 + h  # index in w being forecast
            for lag, c in ma.items():
                k = j - lag
                known = (k <= last) & (k >= 0)
                if known.any():
                    wf[known, h] += c * e[k[known]]
        ext = np.empty((len(origins), r + horizon))
        ext[:, :r] = np.asarray(y, dtype=float)[origins[:, None] - r + np.arange(r)[None, :]]
        for h in range(horizon):
            acc = wf[:, h].copy()
            for j in range(1, r + 1):
                if poly[j] != 0.0:
                    acc -= poly[j] * ext[:, r + h - j]
            ext[:, r + h] = acc
        return ext[:, r:]


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like: Arima | None = None) -> Arima:
    """Fit the order the length supports (``like`` is accepted for the common interface)."""
    y = check_y(y)
    n, m = len(y), season_length
    d, D, Q, drift = spec(n, m)
    poly = diff_poly(d, D, m)
    w = difference(y, poly)
    mu = float(np.mean(w)) if drift and len(w) else 0.0
    theta, seas = _search(w - mu, m, bool(Q)) if len(w) > 2 else (0.0, 0.0)
    label = f"ARIMA(0,{d},1)" + (f"(0,{D},{Q}){m}" if D else "") + (" with drift" if drift else "") + ", CSS"
    params = {"d": d, "D": D, "Q": Q, "drift": drift, "poly": poly.tolist(), "theta": theta, "seas": seas, "mu": mu}
    return Arima(NAME, label, n, m, params, y)


fit_predict = make_fit_predict(fit)

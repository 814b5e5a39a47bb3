"""Theta method (theta = 2: simple exponential smoothing with half the linear-trend slope), as the
M4 competition's benchmark.

The series is deseasonalised by classical decomposition (multiplicative when positive, else
additive) when it has three full seasons and the lag-``m`` autocorrelation is significant at 90%
(the M4 test). The fit gives the trend slope ``b0`` (least squares on the adjusted series), the
SES parameter ``alpha`` (initial level the first value; squared one-step errors minimised on
vectorised grids, no optimiser) and the seasonal indices; forecasts from any origin use the same
formula as statsmodels' ``ThetaModelResults.forecast``. About 1 ms per fit.
Regressors are not used (``x`` is accepted and ignored).
"""

from __future__ import annotations

import numpy as np

from forecasting.candidates.base import Fitted, check_y, make_fit_predict

NAME = "theta"
MIN_OBS = 4
SEASONAL_Z = 1.645  # 90% two-sided


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= MIN_OBS else f"needs at least {MIN_OBS} observations"


class Theta(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        p = self.params
        m = self.season_length
        alpha, b0 = p["alpha"], p["b0"]
        t_max = int(origins.max())
        seas = np.asarray(p["seasonal"]) if p["seasonal"] else None
        pos = np.arange(t_max + horizon)
        if seas is not None:
            s_all = seas[pos % m]
            yd = y[:t_max] / s_all[:t_max] if p["method"] == "mul" else y[:t_max] - s_all[:t_max]
        else:
            yd = y[:t_max]
        # SES with known initial level yd[0]: one-step forecast after t observations
        one_step = np.empty(t_max + 1)
        lv = yd[0]
        one_step[0] = lv
        a1 = 1.0 - alpha
        for t, v in enumerate(yd.tolist()):
            lv = alpha * v + a1 * lv
            one_step[t + 1] = lv
        steps = np.arange(horizon, dtype=float)
        nobs = origins.astype(float)[:, None]
        h = steps[None, :] + (1.0 / alpha - a1 ** nobs / alpha if alpha > 0 else 0.0)
        out = 0.5 * b0 * h + one_step[origins][:, None]
        if seas is not None:
            s = s_all[origins[:, None] + steps.astype(int)[None, :]]
            out = out * s if p["method"] == "mul" else out + s
        return out


def seasonal_test(y: np.ndarray, m: int, z: float = SEASONAL_Z) -> bool:
    """The M4 competition's seasonality test: the lag-``m`` autocorrelation is significant at 90%
    (Bartlett's standard error from the lags below ``m``). Needs three seasons."""
    n = len(y)
    if m <= 1 or n < 3 * m:
        return False
    x = y - y.mean()
    den = float(np.dot(x, x))
    if den <= 0:
        return False
    acf = np.array([np.dot(x[k:], x[:n - k]) / den for k in range(1, m + 1)])
    limit = z * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(y: np.ndarray, m: int, multiplicative: bool) -> np.ndarray:
    """Classical decomposition (centred 2 x m moving average): index of each position ``t % m``."""
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    trend = np.convolve(y, w, mode="valid")
    idx = np.arange(m // 2, m // 2 + len(trend))
    detrended = y[idx] / trend if multiplicative else y[idx] - trend
    si = np.array([np.mean(detrended[idx % m == j]) for j in range(m)])
    return si / si.mean() if multiplicative else si - si.mean()


def ses_alpha(x: np.ndarray) -> float:
    """SES smoothing parameter (initial level ``x[0]``) minimising the one-step squared errors:
    a grid of 49 values evaluated at once, then two finer grids around the best."""
    grid = np.linspace(0.02, 0.98, 49)
    best = grid[0]
    for _ in range(3):
        level = np.full(len(grid), x[0])
        sse = np.zeros(len(grid))
        for v in x[1:].tolist():
            e = v - level
            sse += e * e
            level += grid * e
        i = int(np.argmin(sse))
        best = float(grid[i])
        step = grid[1] - grid[0]
        grid = np.clip(np.linspace(best - step, best + step, 21), 1e-3, 0.999)
    return best


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like=None) -> Theta:
    y = check_y(y)
    m = season_length
    n = len(y)
    multiplicative = bool(np.min(y) > 0)
    seasonal: list[float] = []
    yd = y
    if seasonal_test(y, m):
        si = seasonal_indices(y, m, multiplicative)
        if np.all(np.isfinite(si)) and (not multiplicative or np.all(si > 0)):
            seasonal = si.tolist()
            pos = np.arange(n) % m
            yd = y / si[pos] if multiplicative else y - si[pos]
    b0 = float(np.polyfit(np.arange(n, dtype=float), yd, 1)[0]) if n > 1 else 0.0
    alpha = ses_alpha(yd) if n > 1 else 0.5
    method = "mul" if multiplicative else "add"
    params = {"alpha": alpha, "b0": b0, "method": method, "seasonal": seasonal}
    kind = "multiplicative" if multiplicative else "additive"
    variant = f"Theta ({'seasonally adjusted, ' + kind if seasonal else 'no season'})"
    return Theta(NAME, variant, n, m, params, y)


fit_predict = make_fit_predict(fit)

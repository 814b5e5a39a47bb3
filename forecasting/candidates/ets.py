"""Exponential smoothing (Holt-Winters, statsmodels ``ExponentialSmoothing``).

Configurations, by length ``n`` (and season length ``m``):

- ``n >= 2m``: additive damped trend with an additive season, and, for a strictly positive
  series, also with a multiplicative season; the lower AICc wins (two cheap fits).
- ``10 <= n < 2m``: additive damped trend, no season (a short series cannot support one).
- ``n < 10``: simple exponential smoothing.

A refit ``like`` an earlier fit keeps that fit's configuration (one fit instead of two).
Initial states use statsmodels' heuristic initialisation for speed (``INIT``); the smoothing
parameters are estimated by L-BFGS-B without the brute-force start search. Forecasts from any
origin come from the same recursions as statsmodels (checked in the tests).
Regressors are not used (``x`` is accepted and ignored).
"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from forecasting.candidates.base import Fitted, check_y, make_fit_predict

NAME = "ets"
INIT = "heuristic"
MIN_OBS = 3


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= MIN_OBS else f"needs at least {MIN_OBS} observations"


def _configs(y: np.ndarray, m: int) -> list[tuple[str | None, bool, str | None]]:
    n = len(y)
    if m > 1 and n >= 2 * m:
        out = [("add", True, "add")]
        if np.min(y) > 0:
            out.append(("add", True, "mul"))
        return out
    if n >= 10:
        return [("add", True, None)]
    return [(None, False, None)]


def _label(trend, damped, seasonal) -> str:
    t = "N" if trend is None else ("Ad" if damped else "A")
    s = {None: "N", "add": "A", "mul": "M"}[seasonal]
    return f"ETS(A,{t},{s})"


class ETS(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        p = self.params
        m = self.season_length if p["seasonal"] else 0
        alpha, beta, gamma, phi = p["alpha"], p["beta"], p["gamma"], p["phi"]
        has_trend = p["trend"] is not None
        mul = p["seasonal"] == "mul"
        t_max = int(origins.max())
        level = np.empty(t_max + 1)
        trend = np.zeros(t_max + 1)
        season = np.empty(m + t_max) if m else np.empty(0)
        lv, tr = p["l0"], (p["b0"] if has_trend else 0.0)
        level[0], trend[0] = lv, tr
        if m:
            season[:m] = p["s0"]
        ys = y[:t_max].tolist()
        for t in range(t_max):
            yt = ys[t]
            base = lv + phi * tr
            if m:
                st = season[t]
                if mul:
                    new_l = alpha * (yt / st) + (1 - alpha) * base
                    season[t + m] = gamma * (yt / base) + (1 - gamma) * st
                else:
                    new_l = alpha * (yt - st) + (1 - alpha) * base
                    season[t + m] = gamma * (yt - base) + (1 - gamma) * st
            else:
                new_l = alpha * yt + (1 - alpha) * base
            if has_trend:
                tr = beta * (new_l - lv) + (1 - beta) * phi * tr
            lv = new_l
            level[t + 1], trend[t + 1] = lv, tr
        steps = np.arange(1, horizon + 1)
        damp = np.cumsum(phi ** steps) if has_trend else np.zeros(horizon)
        out = level[origins][:, None] + damp[None, :] * trend[origins][:, None]
        if m:
            s = season[origins[:, None] + (steps[None, :] - 1) % m]
            out = out * s if mul else out + s
        return out


def _fit_one(y, m, trend, damped, seasonal):
    n = len(y)
    init = INIT if (n >= 10 and (seasonal is None or n >= 2 * m)) else "estimated"
    model = ExponentialSmoothing(
        y, trend=trend, damped_trend=damped, seasonal=seasonal,
        seasonal_periods=m if seasonal else None, initialization_method=init,
    )
    return model.fit(use_brute=False)


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like: ETS | None = None) -> ETS:
    """Fit the configurations the length supports and keep the one with the lowest AICc.

    With ``like`` (an earlier fit, e.g. the backtest's), only its configuration is refitted.
    """
    y = check_y(y)
    m = season_length
    configs = _configs(y, m)
    if like is not None:
        config = (like.params["trend"], like.params["damped"], like.params["seasonal"])
        if config in configs:
            configs = [config]
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            for trend, damped, seasonal in configs:
                try:
                    res = _fit_one(y, m, trend, damped, seasonal)
                except (ValueError, np.linalg.LinAlgError):
                    continue
                score = res.aicc if np.isfinite(res.aicc) else res.sse
                if best is None or score < best[0]:
                    best = (score, res, (trend, damped, seasonal))
            if best is None:
                res = ExponentialSmoothing(y, initialization_method="estimated").fit(use_brute=False)
                best = (0.0, res, (None, False, None))
    _, res, (trend, damped, seasonal) = best
    rp = res.params
    params = {
        "trend": trend, "damped": damped, "seasonal": seasonal,
        "alpha": float(rp["smoothing_level"]),
        "beta": float(rp["smoothing_trend"]) if trend else 0.0,
        "gamma": float(rp["smoothing_seasonal"]) if seasonal else 0.0,
        "phi": float(rp["damping_trend"]) if damped else 1.0,
        "l0": float(rp["initial_level"]),
        "b0": float(rp["initial_trend"]) if trend else 0.0,
        "s0": [float(v) for v in rp["initial_seasons"]] if seasonal else [],
    }
    return ETS(NAME, _label(trend, damped, seasonal), len(y), m, params, y)


fit_predict = make_fit_predict(fit)

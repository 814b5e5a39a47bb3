"""Theta method (statsmodels ``ThetaModel``, theta = 2: SES with half the linear-trend slope).

The series is deseasonalised by classical decomposition when it has at least two full seasons
and statsmodels' seasonality test says so (multiplicative when positive, else additive). The
fit gives the trend slope ``b0``, the SES parameter ``alpha`` and the seasonal indices; forecasts
from other origins reuse them with the same formula as ``ThetaModelResults.forecast``.
Regressors are not used (``x`` is accepted and ignored).
"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.forecasting.theta import ThetaModel

from forecasting.candidates.base import Fitted, check_y, make_fit_predict

NAME = "theta"
MIN_OBS = 4


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


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like=None) -> Theta:
    y = check_y(y)
    m = season_length
    deseason = m > 1 and len(y) >= 2 * m
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            model = ThetaModel(y, period=m if deseason else 1, deseasonalize=deseason)
            res = model.fit()
            seasonal = []
            if deseason and model._has_seasonality:
                comp = res.forecast_components(m)
                by_pos = np.empty(m)
                by_pos[(len(y) + np.arange(m)) % m] = np.asarray(comp["seasonal"])
                seasonal = by_pos.tolist()
    params = {"alpha": float(res.params["alpha"]), "b0": float(res.params["b0"]),
              "method": model.method, "seasonal": seasonal}
    variant = f"Theta ({'seasonally adjusted, ' + model.method if seasonal else 'no season'})"
    return Theta(NAME, variant, len(y), m, params, y)


fit_predict = make_fit_predict(fit)

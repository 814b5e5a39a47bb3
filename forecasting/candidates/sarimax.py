"""(S)ARIMAX: regression on the regressors with (seasonal) ARIMA errors (statsmodels ``SARIMAX``).

Fixed orders chosen by length (no order search, for speed):

- ``n >= 3m``: the airline model ARIMA(0,1,1)(0,1,1)m;
- ``2m <= n < 3m``: ARIMA(0,1,1)(0,1,0)m;
- ``8 <= n < 2m``: ARIMA(0,1,1) with drift.

The series and the regressors are differenced here (as statsmodels' ``simple_differencing``
would), the ARMA part and the regression coefficients are estimated by exact maximum likelihood
on the differenced data (scale concentrated out), and forecasts are integrated back. A regressor
coefficient ``beta`` therefore means "y moves by beta per unit of x". Forecasts from other origins
reuse the estimated parameters and the Kalman filter's predicted states.
"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecasting.candidates.base import Fitted, as_matrix, check_y, make_fit_predict, one_thread
from forecasting.candidates.differencing import diff_poly, difference, spec

NAME = "sarimax"
MIN_OBS = 8
MAXITER = 50


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= MIN_OBS else f"needs at least {MIN_OBS} observations"


def _exog_w(x: np.ndarray | None, poly: np.ndarray, drift: bool, rows: int) -> np.ndarray | None:
    cols = []
    if x is not None:
        cols.append(difference(x, poly)[:rows])
    if drift:
        cols.append(np.ones((rows, 1)))
    return np.hstack(cols) if cols else None


def _model(w, xw, m, Q):
    return SARIMAX(w, exog=xw, order=(0, 0, 1), seasonal_order=(0, 0, Q, m if Q else 0),
                   trend="n", concentrate_scale=True)


class Sarimax(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        p = self.params
        m = self.season_length
        Q, drift = p["Q"], p["drift"]
        poly = np.asarray(p["poly"])
        r = len(poly) - 1
        t_max = int(origins.max())
        w = difference(y[:t_max], poly)
        n_w = len(w)
        rows = n_w + horizon
        xw_all = _exog_w(x, poly, drift, rows) if (x is not None or drift) else None
        params = np.asarray(p["arma"] if xw_all is None else p["beta"] + p["arma"])
        with warnings.catch_warnings(), one_thread():
            warnings.simplefilter("ignore")
            mod = _model(w, None if xw_all is None else xw_all[:n_w], m, Q)
            res = mod.filter(params, return_ssm=True)
        design = np.asarray(mod.ssm["design"]).reshape(mod.k_endog, mod.k_states, -1)[0, :, 0]
        trans = np.asarray(mod.ssm["transition"]).reshape(mod.k_states, mod.k_states, -1)[:, :, 0]
        js = origins - r
        state = res.predicted_state[:, js]
        if xw_all is not None:
            intercept = xw_all @ np.asarray(p["beta"])
        else:
            intercept = np.zeros(rows)
        wf = np.empty((len(origins), horizon))
        for i in range(horizon):
            wf[:, i] = design @ state + intercept[js + i]
            state = trans @ state
        # integrate: y_t = w_t - sum_{j>=1} poly_j y_{t-j}
        ext = np.empty((len(origins), r + horizon))
        ext[:, :r] = y[origins[:, None] - r + np.arange(r)[None, :]]
        for i in range(horizon):
            acc = wf[:, i].copy()
            for j in range(1, r + 1):
                if poly[j] != 0.0:
                    acc -= poly[j] * ext[:, r + i - j]
            ext[:, r + i] = acc
        return ext[:, r:]


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like: Sarimax | None = None) -> Sarimax:
    """Fit the order the length supports; ``like`` (an earlier fit) fixes the order and warm-starts."""
    y = check_y(y)
    n = len(y)
    m = season_length
    xm = as_matrix(x, n) if x is not None else None
    d, D, Q, drift = spec(n, m)
    start = None
    if like is not None and n >= len(like.params["poly"]) + 3:
        d, D, Q, drift = (like.params[k] for k in ("d", "D", "Q", "drift"))
        start = np.asarray(like.params["beta"] + like.params["arma"], dtype=float)
    poly = diff_poly(d, D, m)
    w = difference(y, poly)
    xw = _exog_w(xm, poly, drift, len(w))
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            mod = _model(w, xw, m, Q)
            if start is not None and len(start) != len(mod.start_params):
                start = None
            params = np.asarray(mod.fit(start_params=start, disp=False, maxiter=MAXITER, return_params=True),
                                dtype=float)
    if not np.all(np.isfinite(params)):
        params = np.zeros_like(params)
    k = 0 if xw is None else xw.shape[1]
    label = f"ARIMA(0,{d},1)" + (f"(0,{D},{Q}){m}" if D else "") + (" with drift" if drift else "")
    if xm is not None:
        label += f" + {xm.shape[1]} regressor(s)"
    out = {"d": d, "D": D, "Q": Q, "drift": drift, "poly": poly.tolist(),
           "beta": params[:k].tolist(), "arma": params[k:].tolist()}
    return Sarimax(NAME, label, n, m, out, y, xm)


def coefficients(fitted: Sarimax) -> np.ndarray:
    """The regressors' coefficients (effect on y per unit), drift excluded."""
    beta = np.asarray(fitted.params["beta"])
    return beta[:-1] if fitted.params["drift"] else beta


fit_predict = make_fit_predict(fit)

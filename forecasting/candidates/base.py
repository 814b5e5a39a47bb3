"""What every candidate shares: the fitted-model interface and input helpers.

A candidate module exposes ``NAME``, ``supports(n, season_length, has_x)`` (``None`` when it can
fit a series of ``n`` points, otherwise the reason why not), ``fit(y, season_length, x)`` returning
a :class:`Fitted` (``fit(..., like=fitted)`` refits with an earlier fit's configuration and, where
the optimiser allows, warm-starts from its parameters), and
``fit_predict(y, horizon, season_length=12, x_past=None, x_future=None)``.

``Fitted.rolling(y, origins, horizon, x)`` forecasts from many origins with the parameters
estimated once by ``fit`` (on a prefix of ``y``): the states are updated through ``y[:t]`` for
each origin ``t`` but the parameters are not re-estimated. This is the rolling-origin scheme
"with updating, without recalibration" (Tashman 2000); it makes a backtest cost one fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController


@dataclass
class Fitted:
    """A model fitted on ``y[:n]``; subclasses implement ``_forecast_origins``."""

    name: str
    variant: str
    n: int
    season_length: int
    params: dict = field(default_factory=dict)
    y: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    x: np.ndarray | None = field(default=None, repr=False)

    def forecast(self, horizon: int, x_future: np.ndarray | None = None) -> np.ndarray:
        """Forecast ``horizon`` steps after the end of the fitted data."""
        x_all = None
        if self.x is not None:
            xf = as_matrix(x_future, horizon, self.x.shape[1], "x_future")
            x_all = np.vstack([self.x, xf])
        return self._forecast_origins(self.y, np.array([self.n]), horizon, x_all)[0]

    def rolling(self, y: np.ndarray, origins: np.ndarray, horizon: int, x: np.ndarray | None = None) -> np.ndarray:
        """Forecasts (len(origins), horizon) from each origin ``t`` (training data ``y[:t]``)."""
        y = np.asarray(y, dtype=float)
        origins = np.asarray(origins, dtype=int)
        x_all = None
        if self.x is not None:
            x_all = pad_rows(as_matrix(x, len(y), self.x.shape[1], "x"), int(origins.max()) + horizon)
        return self._forecast_origins(y, origins, horizon, x_all)

    def _forecast_origins(self, y: np.ndarray, origins: np.ndarray, horizon: int, x: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError


def as_matrix(x: np.ndarray | None, rows: int, cols: int | None = None, what: str = "x") -> np.ndarray:
    """``x`` as a float (rows, k) matrix; a 1-d array is one regressor."""
    if x is None:
        raise ValueError(f"{what} is required: the model was fitted with regressors")
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.shape[0] != rows:
        raise ValueError(f"{what} has {a.shape[0]} rows, expected {rows}")
    if cols is not None and a.shape[1] != cols:
        raise ValueError(f"{what} has {a.shape[1]} columns, expected {cols}")
    return a


def pad_rows(x: np.ndarray, rows: int) -> np.ndarray:
    """Extend ``x`` with rows of ``nan`` up to ``rows`` rows (unknown future regressors)."""
    if x.shape[0] >= rows:
        return x
    return np.vstack([x, np.full((rows - x.shape[0], x.shape[1]), np.nan)])


def check_y(y: np.ndarray) -> np.ndarray:
    a = np.asarray(y, dtype=float).ravel()
    if not np.all(np.isfinite(a)):
        raise ValueError("y has missing or infinite values")
    return a


def make_fit_predict(fit):
    """Build the uniform ``fit_predict`` of a module from its ``fit``."""

    def fit_predict(
        y: np.ndarray,
        horizon: int,
        season_length: int = 12,
        x_past: np.ndarray | None = None,
        x_future: np.ndarray | None = None,
    ) -> np.ndarray:
        return fit(y, season_length, x_past).forecast(horizon, x_future)

    fit_predict.__doc__ = "Fit on ``y`` (and ``x_past``) and forecast ``horizon`` steps (given ``x_future``)."
    return fit_predict


_CONTROLLER: ThreadpoolController | None = None


def one_thread():
    """Context limiting BLAS/OpenMP to one thread: on these tiny matrices threads cost ten times the work."""
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1)

"""Forecasting candidates, cheapest first; each module has the same small interface.

``supports(n, season_length, has_x) -> str | None``, ``fit(y, season_length, x) -> Fitted`` and
``fit_predict(y, horizon, season_length=12, x_past=None, x_future=None) -> np.ndarray``
(see :mod:`forecasting.candidates.base`). The combination of the best is built by the selection
(:mod:`forecasting.candidates.combination`).
"""

from __future__ import annotations

from types import ModuleType

from forecasting.candidates import arima, combination, ets, regression, sarimax, seasonal_naive, theta

CANDIDATES: dict[str, ModuleType] = {
    seasonal_naive.NAME: seasonal_naive,
    ets.NAME: ets,
    theta.NAME: theta,
    regression.NAME: regression,
    sarimax.NAME: sarimax,
    arima.NAME: arima,
}
# What the per-series selection (with regressors, or when candidates are named) backtests by default.
DEFAULT_CANDIDATES: tuple[str, ...] = (seasonal_naive.NAME, ets.NAME, theta.NAME, regression.NAME, sarimax.NAME)


def get(name: str) -> ModuleType:
    """The candidate module called ``name``."""
    if name == combination.NAME:
        return combination
    try:
        return CANDIDATES[name]
    except KeyError:
        raise ValueError(f"unknown candidate {name!r}; known: {', '.join([*CANDIDATES, combination.NAME])}") from None

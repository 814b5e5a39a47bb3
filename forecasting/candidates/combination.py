"""Combination of the best candidates: a weighted mean of their forecasts.

The selection ranks the candidates by backtest MASE, takes the best ``k`` and weighs them
equally (``"mean"``) or by inverse MASE (``"inverse_mase"``); the combination's own backtest
errors come from the same weighted mean of the members' backtest forecasts, so it competes with
the single candidates on equal terms.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NAME = "combination"
DEFAULT_MEMBERS = ("ets", "theta", "sarimax")


def weights(mases: Sequence[float], method: str = "inverse_mase") -> np.ndarray:
    """Combination weights (sum 1) from the members' backtest MASE."""
    mases = np.asarray(mases, dtype=float)
    if method == "mean" or not np.all(np.isfinite(mases)) or np.any(mases <= 0):
        return np.full(len(mases), 1.0 / len(mases))
    if method != "inverse_mase":
        raise ValueError(f"unknown combination method {method!r} (mean, inverse_mase)")
    w = 1.0 / mases
    return w / w.sum()


def combine(forecasts: Sequence[np.ndarray], w: Sequence[float]) -> np.ndarray:
    """Weighted mean of same-shaped forecast arrays."""
    stack = np.stack([np.asarray(f, dtype=float) for f in forecasts])
    w = np.asarray(w, dtype=float).reshape((-1,) + (1,) * (stack.ndim - 1))
    return (stack * w).sum(axis=0)


def fit_predict(
    y: np.ndarray,
    horizon: int,
    season_length: int = 12,
    x_past: np.ndarray | None = None,
    x_future: np.ndarray | None = None,
    members: Sequence[str] = DEFAULT_MEMBERS,
    w: Sequence[float] | None = None,
) -> np.ndarray:
    """Fit each member on ``y`` and return the (weighted) mean of their forecasts."""
    from forecasting.candidates import get

    forecasts = [get(name).fit_predict(y, horizon, season_length, x_past, x_future) for name in members]
    return combine(forecasts, w if w is not None else np.full(len(members), 1.0 / len(members)))

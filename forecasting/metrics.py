"""Accuracy measures: MASE (seasonal period m) and sMAPE (percent).

MASE divides the mean absolute error of a forecast by the in-sample mean absolute error of
the seasonal naive forecast (``y[t] - y[t - m]``) on the training part. When the training
part is too short for one seasonal difference (fewer than ``m + 1`` points) the lag-1 naive
forecast is the scale instead. A scale of zero (a constant training part) gives ``nan``.

sMAPE is ``100 * mean(2 |y - f| / (|y| + |f|))``; a point where both are zero counts as 0.
"""

from __future__ import annotations

import numpy as np


def naive_scale(y_train: np.ndarray, m: int = 12) -> float:
    """In-sample MAE of the seasonal naive forecast (lag ``m``), or of lag 1 when ``len < m + 1``."""
    y = np.asarray(y_train, dtype=float)
    lag = m if len(y) >= m + 1 else 1
    if len(y) < lag + 1:
        return float("nan")
    return float(np.mean(np.abs(y[lag:] - y[:-lag])))


def naive_scales_by_origin(y: np.ndarray, origins: np.ndarray, m: int = 12) -> np.ndarray:
    """``naive_scale(y[:t], m)`` for each origin ``t``, in one pass (used by the backtest)."""
    y = np.asarray(y, dtype=float)
    origins = np.asarray(origins, dtype=int)
    out = np.full(len(origins), np.nan)
    for lag in {m, 1}:
        if len(y) <= lag:
            continue
        d = np.concatenate([[0.0], np.cumsum(np.abs(y[lag:] - y[:-lag]))])
        count = origins - lag
        use = (count >= 1) & ((origins >= m + 1) if lag == m else (origins < m + 1))
        out[use] = d[count[use]] / count[use]
    return out


def mase(y_true: np.ndarray, y_pred: np.ndarray, y_train: np.ndarray, m: int = 12) -> float:
    """Mean absolute scaled error of ``y_pred`` against ``y_true``, scaled on ``y_train``."""
    scale = naive_scale(y_train, m)
    err = np.mean(np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)))
    if not np.isfinite(scale) or scale == 0:
        return float("nan")
    return float(err / scale)


def smape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0 to 200)."""
    return float(np.mean(smape_terms(y_true, y_pred)))


def smape_terms(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Point-wise sMAPE terms in percent (``nan`` stays ``nan``)."""
    a = np.asarray(y_true, dtype=float)
    f = np.asarray(y_pred, dtype=float)
    den = np.abs(a) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, 200.0 * np.abs(a - f) / np.where(den > 0, den, 1.0), 0.0)
    return np.where(np.isnan(a) | np.isnan(f), np.nan, out)


def coverage(y_true: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of ``y_true`` inside ``[lower, upper]``."""
    a = np.asarray(y_true, dtype=float)
    return float(np.mean((a >= np.asarray(lower)) & (a <= np.asarray(upper))))

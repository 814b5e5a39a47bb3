"""The airline-family specification and its differencing, shared by the ARIMA candidates (``sarimax``
through statsmodels, ``arima`` in numpy): both must difference a series the same way."""

from __future__ import annotations

import numpy as np


def spec(n: int, m: int) -> tuple[int, int, int, bool]:
    """(d, D, Q, drift)."""
    if m > 1 and n >= 3 * m:
        return 1, 1, 1, False
    if m > 1 and n >= 2 * m:
        return 1, 1, 0, False
    return 1, 0, 0, True


def diff_poly(d: int, D: int, m: int) -> np.ndarray:
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    for _ in range(D):
        seas = np.zeros(m + 1)
        seas[0], seas[m] = 1.0, -1.0
        poly = np.convolve(poly, seas)
    return poly


def difference(a: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Apply the differencing polynomial along axis 0 (rows ``r..`` of ``a``)."""
    r = len(poly) - 1
    n = a.shape[0]
    out = poly[0] * a[r:n]
    for j in range(1, r + 1):
        out = out + poly[j] * a[r - j:n - j]
    return out

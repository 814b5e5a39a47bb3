"""Seasonal naive: next year's month is this year's (the baseline); naive (last value) when ``n < m``."""

from __future__ import annotations

import numpy as np

from forecasting.candidates.base import Fitted, check_y, make_fit_predict

NAME = "seasonal_naive"


def supports(n: int, season_length: int = 12, has_x: bool = False) -> str | None:
    return None if n >= 1 else "needs at least 1 observation"


class SeasonalNaive(Fitted):
    def _forecast_origins(self, y, origins, horizon, x):
        m = self.params["lag"]
        steps = np.arange(horizon)
        # y[t - m + (h mod m)] for origin t, step h (0-based)
        idx = origins[:, None] - m + (steps[None, :] % m)
        return y[idx]


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like=None) -> SeasonalNaive:
    y = check_y(y)
    m = season_length if len(y) >= season_length else 1
    variant = f"seasonal naive (m={m})" if m > 1 else "naive (last value: fewer points than one season)"
    return SeasonalNaive(NAME, variant, len(y), season_length, {"lag": m}, y)


fit_predict = make_fit_predict(fit)

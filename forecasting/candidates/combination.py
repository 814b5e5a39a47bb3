"""Combinations of forecasts: the fixed median combination, and the weighted mean of the best.

**The median combination** (:func:`fit`, the default univariate forecaster): the point-wise median
of seven forecasts, with no choice made per series:

- ETS (damped trend, additive or multiplicative season by AICc), Theta and ARIMA (the airline
  model) fitted to the series itself;
- the same three fitted to ``log(y)`` and transformed back (a forecast of the median), when the
  series is strictly positive;
- seasonal naive.

A series with a zero or negative value has four members (no log scale); the median of an even
number is the mean of the middle two. Why this and not a choice per series: measured on three
sets of real monthly series (270 from R packages, the 617 of M1, the 366 of the tourism
competition, each with its official horizon), choosing each series' method by its own short
backtest picked badly on many series, while this median beat statsforecast's AutoETS on each
set (see the README's forecast benchmark). The raw and log members disagree most where one
extrapolates a trend through zero or explodes a multiplicative season, and the median then
follows the others; seasonal naive pulls the median back when the models agree on nothing.

The members are fitted once, on the whole series; :meth:`Median.rolling` forecasts from earlier
origins with those parameters (states updated with the data, as for any candidate), which is what
the conformal intervals are calibrated on.

**The weighted mean of the best** (:func:`weights`, :func:`combine`): the per-series selection
(:mod:`forecasting.selection`, used with regressors) ranks the candidates by backtest MASE and
may combine the best ``k`` equally or by inverse MASE.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from forecasting.candidates.base import Fitted, check_y

NAME = "combination"
DEFAULT_MEMBERS = ("ets", "theta", "sarimax")
MEDIAN_MEMBERS = ("ets", "theta", "arima")  # each on the raw scale and, for a positive series, on the log scale
BASELINE = "seasonal_naive"
LOG_CAP = 30.0  # exp() of a log-scale forecast is capped at e^30 times the series' largest value


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
    members: Sequence[str] | None = None,
    w: Sequence[float] | None = None,
) -> np.ndarray:
    """The median combination's forecast; with ``members``, the (weighted) mean of those candidates."""
    if members is None:
        return fit(y, season_length).forecast(horizon)
    from forecasting.candidates import get

    forecasts = [get(name).fit_predict(y, horizon, season_length, x_past, x_future) for name in members]
    return combine(forecasts, w if w is not None else np.full(len(members), 1.0 / len(members)))


# --- the median combination -------------------------------------------------------------------------


@dataclass
class Logged(Fitted):
    """A candidate fitted to ``log(y)``; forecasts are transformed back with ``exp``."""

    inner: Fitted | None = field(default=None, repr=False)
    cap: float = np.inf

    def _forecast_origins(self, y, origins, horizon, x):
        with np.errstate(all="ignore"):
            logged = np.log(np.asarray(y, dtype=float))
            out = np.exp(np.minimum(self.inner._forecast_origins(logged, origins, horizon, None), self.cap))
        return out


@dataclass
class Median(Fitted):
    """The point-wise median of the members' forecasts (``members``: fitted candidates)."""

    members: list[Fitted] = field(default_factory=list, repr=False)

    def member_forecasts(self, y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        """(members, origins, horizon): every member's forecasts from ``origins``; non-finite ones are ``nan``."""
        with np.errstate(all="ignore"):
            out = np.stack([m._forecast_origins(y, origins, horizon, None) for m in self.members])
        return np.where(np.isfinite(out), out, np.nan)

    def _forecast_origins(self, y, origins, horizon, x):
        return median_of(self.member_forecasts(y, origins, horizon))

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)


def median_of(stack: np.ndarray) -> np.ndarray:
    """Median over the first axis, ignoring members whose forecast is not finite."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(stack, axis=0)


def member_specs(y: np.ndarray) -> list[tuple[str, bool]]:
    """``(candidate, on the log scale)`` for each member the series supports, baseline last."""
    positive = bool(np.min(y) > 0)
    out = [(name, False) for name in MEDIAN_MEMBERS]
    if positive:
        out += [(name, True) for name in MEDIAN_MEMBERS]
    return out + [(BASELINE, False)]


def fit(y: np.ndarray, season_length: int = 12, x: np.ndarray | None = None, like: Median | None = None) -> Median:
    """Fit every member on ``y`` (members that fail or do not support the length are left out).

    ``like`` (an earlier fit, e.g. on the first backtest window) gives each member its earlier
    configuration and starting values (see each candidate's ``fit``).
    """
    from forecasting.candidates import get

    y = check_y(y)
    n, m = len(y), season_length
    previous = {member.name: member for member in like.members} if like is not None else {}
    members: list[Fitted] = []
    labels: list[str] = []
    failed: list[str] = []
    cap = float(np.log(np.max(np.abs(y)))) + LOG_CAP if np.max(np.abs(y)) > 0 else LOG_CAP
    for name, log in member_specs(y):
        module = get(name)
        label = f"{name} (log)" if log else name
        if module.supports(n, m, False):
            continue
        earlier = previous.get(label)
        if isinstance(earlier, Logged):
            earlier = earlier.inner
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    inner = module.fit(np.log(y) if log else y, m, None, like=earlier)
                    fitted = (Logged(label, f"{inner.variant} on log(y)", n, m, {}, y, inner=inner, cap=cap)
                              if log else inner)
                    probe = fitted.forecast(1)
        except Exception:  # a member that cannot be fitted is left out; the median needs no weights
            failed.append(label)
            continue
        if not np.all(np.isfinite(probe)):
            failed.append(label)
            continue
        if not log:
            fitted.name = label
        members.append(fitted)
        labels.append(label)
    params = {"members": labels, "failed": failed}
    variant = f"median of {len(members)}: " + ", ".join(labels)
    return Median(NAME, variant, n, m, params, y, members=members)

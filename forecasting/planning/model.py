"""The media response model: what it is and what it says (fitting is in :mod:`.fit`).

Leads in period ``t``::

    y_t = baseline_t + sum_c beta_c * hill(adstock_c,t; half_c, shape_c) + noise
    baseline_t = intercept + trend * years_t + Fourier(day of year, n_harmonics) + controls_t . gamma

``years_t`` counts years from ``origin`` (the first fitted period), the Fourier terms follow the
day of the year of each period's start, so one model serves monthly and weekly data alike.
Controls (the Covid index, a competitor's sales...) are standardised with the history's mean
and scale. ``beta_c >= 0``: a channel never removes leads; the channel terms are its
contributions, so the decomposition sums to the fitted values by construction.

``params`` is the point estimate, ``draws`` the bootstrap estimates (:mod:`.fit`): every figure
has its spread over the draws, and :meth:`ResponseModel.interval` gives the percentile interval.
A channel that the data cannot identify keeps ``identified = False`` and its ``reason``, a code of
:data:`UNIDENTIFIED_REASONS` that the app and CLI translate; its figures are still computed (the
model needs them) but are shown as "not identified", never as a confident number.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from forecasting.planning.transforms import adstock, hill, hill_derivative, steady_adstock
from forecasting.serialise import json_safe

DAYS_PER_YEAR = 365.25
PARAM_FIELDS = ("decay", "half", "shape", "beta", "base")
# Why a channel is not identified (codes; the app and CLI translate them).
UNIDENTIFIED_REASONS = ("no_spend", "few_periods", "constant_spend", "uncertain")


@dataclass
class Params:
    """One set of model parameters (the point estimate or one bootstrap draw)."""

    decay: np.ndarray  # (C,) carry-over per period, in [0, 1)
    half: np.ndarray  # (C,) adstock (EUR) at half saturation
    shape: np.ndarray  # (C,) Hill exponent
    beta: np.ndarray  # (C,) most leads per period the channel can bring
    base: np.ndarray  # (2 + 2 * n_harmonics + J,) intercept, trend per year, Fourier, controls

    def to_dict(self) -> dict:
        return {k: np.asarray(getattr(self, k), dtype=float).tolist() for k in PARAM_FIELDS}

    @classmethod
    def from_dict(cls, data: dict) -> Params:
        return cls(**{k: np.asarray(data[k], dtype=float) for k in PARAM_FIELDS})


@dataclass
class Prediction:
    """Leads per period: ``total = baseline + contributions.sum(axis=1)``."""

    total: np.ndarray  # (T,)
    baseline: np.ndarray  # (T,)
    contributions: np.ndarray  # (T, C)


def baseline_design(periods: list[dt.date], origin: dt.date, n_harmonics: int,
                    controls: np.ndarray | None = None) -> np.ndarray:
    """Columns: 1, years since ``origin``, ``n_harmonics`` (cos, sin) pairs of the day of year, controls."""
    days = np.array([(p - origin).days for p in periods], dtype=float)
    day_of_year = np.array([p.timetuple().tm_yday - 1 for p in periods], dtype=float)
    columns = [np.ones(len(periods)), days / DAYS_PER_YEAR]
    for k in range(1, n_harmonics + 1):
        angle = 2 * np.pi * k * day_of_year / DAYS_PER_YEAR
        columns += [np.cos(angle), np.sin(angle)]
    design = np.column_stack(columns)
    if controls is not None and controls.size:
        design = np.column_stack([design, controls])
    return design


def percentile_interval(values, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` percentile interval of ``values`` (draws x ...), NaNs ignored."""
    values = np.array(values, dtype=float)
    tail = (1.0 - level) / 2 * 100
    with np.errstate(invalid="ignore"):
        return np.nanpercentile(values, tail, axis=0), np.nanpercentile(values, 100 - tail, axis=0)


@dataclass
class ResponseModel:
    """A fitted response model with its history, bootstrap draws and identification flags."""

    channels: list[str]
    controls: list[str]
    periods: list[dt.date]  # the fitted periods' start dates
    frequency: str  # "month" or "week"
    n_harmonics: int
    params: Params
    y: np.ndarray  # (T,) the fitted target
    spend: np.ndarray  # (T, C) EUR per period and channel
    control_values: np.ndarray  # (T, J) raw controls of the history
    control_mean: np.ndarray  # (J,)
    control_scale: np.ndarray  # (J,)
    residual_sd: float
    draws: list[Params] = field(default_factory=list)
    identified: list[bool] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # fit figures: r2, mape, holdout..., seconds, n_boot

    def __post_init__(self) -> None:
        if not self.identified:
            self.identified = [True] * len(self.channels)
        if not self.reasons:
            self.reasons = [""] * len(self.channels)

    # --- shapes and inputs -------------------------------------------------------------------
    @property
    def origin(self) -> dt.date:
        return self.periods[0]

    def channel_index(self, channel: str) -> int:
        return self.channels.index(channel)

    def standardise(self, controls: np.ndarray | None, n: int) -> np.ndarray:
        """Raw controls (n x J) to the model's scale; ``None`` holds each control at its last value."""
        if not self.controls:
            return np.zeros((n, 0))
        if controls is None:
            controls = np.tile(self.control_values[-1], (n, 1))
        controls = np.asarray(controls, dtype=float).reshape(n, len(self.controls))
        return (controls - self.control_mean) / self.control_scale

    def future_periods(self, count: int, after: dt.date | None = None) -> list[dt.date]:
        """``count`` period starts after ``after`` (default: the last fitted period)."""
        last = after or self.periods[-1]
        if self.frequency == "week":
            return [last + dt.timedelta(days=7 * (i + 1)) for i in range(count)]
        out = []
        for i in range(1, count + 1):
            index = last.month - 1 + i
            out.append(dt.date(last.year + index // 12, index % 12 + 1, 1))
        return out

    # --- predictions --------------------------------------------------------------------------
    def predict(self, spend: np.ndarray, periods: list[dt.date], controls: np.ndarray | None = None,
                carry_in: np.ndarray | None = None, params: Params | None = None) -> Prediction:
        """Leads for ``spend`` (T x C, EUR) in ``periods``; ``carry_in`` is each channel's adstock before them."""
        p = params or self.params
        spend = np.asarray(spend, dtype=float).reshape(len(periods), len(self.channels))
        design = baseline_design(periods, self.origin, self.n_harmonics, self.standardise(controls, len(periods)))
        baseline = design @ p.base
        carry = np.zeros(len(self.channels)) if carry_in is None else np.asarray(carry_in, dtype=float)
        stock = adstock(spend.T, p.decay, carry)  # (C, T)
        contributions = (p.beta[:, None] * hill(stock, p.half[:, None], p.shape[:, None])).T
        return Prediction(baseline + contributions.sum(axis=1), baseline, contributions)

    def fitted(self, params: Params | None = None) -> Prediction:
        return self.predict(self.spend, self.periods, self.control_values, params=params)

    def carry_out(self, params: Params | None = None) -> np.ndarray:
        """Each channel's adstock at the end of the history (what flows into a plan that follows it)."""
        p = params or self.params
        return adstock(self.spend.T, p.decay)[:, -1]

    def all_params(self) -> list[Params]:
        """The draws, or the point estimate alone when there are none."""
        return self.draws or [self.params]

    def experiment_lift(self, experiment, params: Params | None = None) -> float:
        """The model's lift for a lift test (``calibration.Experiment``): ``share`` x its channel's contribution
        over the test's days, in leads; NaN for a channel the model does not have."""
        from forecasting.planning.calibration import period_weights

        if experiment.channel not in self.channels:
            return float("nan")
        days = period_weights(experiment, self.periods, self.frequency)
        contributions = self.fitted(params).contributions[:, self.channel_index(experiment.channel)]
        return float(experiment.share * days @ contributions)

    # --- what the model says, per channel -----------------------------------------------------
    def contribution_shares(self, params: Params | None = None) -> np.ndarray:
        """Each channel's share of all fitted leads over the history (C,)."""
        fitted = self.fitted(params)
        return fitted.contributions.sum(axis=0) / max(float(fitted.total.sum()), 1e-12)

    def average_cost(self, params: Params | None = None) -> np.ndarray:
        """EUR per incremental lead over the history: spend / contribution (inf without contribution)."""
        contributed = self.fitted(params).contributions.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(contributed > 0, self.spend.sum(axis=0) / contributed, math.inf)

    def marginal_leads_per_eur(self, spend_per_period: np.ndarray | None = None,
                               params: Params | None = None) -> np.ndarray:
        """Leads from one more EUR per period, at a steady spend (default: the mean of the last 6 periods)."""
        p = params or self.params
        level = self.marginal_level() if spend_per_period is None else np.asarray(spend_per_period, dtype=float)
        stock = steady_adstock(level, p.decay)
        return p.beta * hill_derivative(stock, p.half, p.shape) / (1.0 - p.decay)

    def marginal_cost(self, spend_per_period: np.ndarray | None = None, params: Params | None = None) -> np.ndarray:
        """EUR per incremental lead for the next EUR (inf where one more EUR brings nothing)."""
        leads = self.marginal_leads_per_eur(spend_per_period, params)
        with np.errstate(divide="ignore"):
            return np.where(leads > 0, 1.0 / leads, math.inf)

    def response_curve(self, channel: str, spend_grid: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Leads per period that a steady spend of each ``spend_grid`` value brings on ``channel``."""
        p = params or self.params
        c = self.channel_index(channel)
        stock = steady_adstock(np.asarray(spend_grid, dtype=float), p.decay[c])
        return p.beta[c] * hill(stock, p.half[c], p.shape[c])

    def marginal_level(self) -> np.ndarray:
        """The spend per period at which the default marginal cost is read: the mean of the last six months
        (26 weeks of a weekly model, not six weeks), or, for a channel without recent spend, its mean
        over the periods it was on air. At no spend a Hill curve of shape above 1 is flat: its marginal
        cost there is infinite in theory and was printed as 7.4e23 EUR for a weekly national TV that had
        been off air for six weeks; a cost at a level the channel never runs at answers no planner.
        """
        window = 26 if self.frequency == "week" else 6
        recent = self.spend[-window:].mean(axis=0)
        on = self.spend > 0
        on_air = np.where(on.any(axis=0), self.spend.sum(axis=0) / np.maximum(on.sum(axis=0), 1), 0.0)
        return np.where(recent > 0, recent, on_air)

    def recent_spend(self, periods: int = 6) -> np.ndarray:
        return self.spend[-periods:].mean(axis=0)

    def spend_range(self) -> tuple[np.ndarray, np.ndarray]:
        """The historical spend per period and channel: (min, max) over the history (EUR)."""
        return self.spend.min(axis=0), self.spend.max(axis=0)

    def interval(self, figure, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval of ``figure(params)`` over the draws (both ends equal without draws)."""
        return percentile_interval([figure(p) for p in self.all_params()], level)

    # --- storage ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-safe (the registry stores it with the run)."""
        return {
            "channels": list(self.channels), "controls": list(self.controls),
            "periods": [p.isoformat() for p in self.periods], "frequency": self.frequency,
            "n_harmonics": self.n_harmonics, "params": self.params.to_dict(),
            "y": self.y.tolist(), "spend": self.spend.tolist(), "control_values": self.control_values.tolist(),
            "control_mean": self.control_mean.tolist(), "control_scale": self.control_scale.tolist(),
            "residual_sd": float(self.residual_sd), "draws": [d.to_dict() for d in self.draws],
            "identified": [bool(v) for v in self.identified], "reasons": list(self.reasons),
            "stats": json_safe(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ResponseModel:
        n_controls = len(data["controls"])
        return cls(
            channels=list(data["channels"]), controls=list(data["controls"]),
            periods=[dt.date.fromisoformat(p) for p in data["periods"]], frequency=data["frequency"],
            n_harmonics=int(data["n_harmonics"]), params=Params.from_dict(data["params"]),
            y=np.asarray(data["y"], dtype=float),
            spend=np.asarray(data["spend"], dtype=float).reshape(len(data["periods"]), len(data["channels"])),
            control_values=np.asarray(data["control_values"], dtype=float).reshape(len(data["periods"]), n_controls),
            control_mean=np.asarray(data["control_mean"], dtype=float),
            control_scale=np.asarray(data["control_scale"], dtype=float),
            residual_sd=float(data["residual_sd"]), draws=[Params.from_dict(d) for d in data.get("draws", [])],
            identified=list(data.get("identified", [])), reasons=list(data.get("reasons", [])),
            stats=dict(data.get("stats", {})),
        )


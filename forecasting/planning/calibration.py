"""Calibration with experiments: lift tests as a prior on the media models' own lift.

An experiment (a geo holdout, an on/off test) measured the incremental leads a channel brought in some
regions over a period, with an 80 % interval. As Robyn's calibration and Meridian's ROI priors do, the fit
compares the model's lift for the same channel, regions and period (its contribution there: the leads
lost had the channel been off) with the measured one, and adds :func:`calibration_penalty`, a Gaussian
prior on the lift whose sd is read from the experiment's interval: a precise test pulls hard, a vague one
barely. The geo model (``geo.py``) and the national model (``fit.py``) both call it.

The model's lift of a period that overlaps the test in part counts in proportion of the days it shares
with it (:func:`period_weights`), so a test of three weeks weighs 3/4.3 of a monthly period.
:func:`agreement` says, per experiment, whether the model's interval and the test's overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

Z80 = 1.2815515655446004  # the 90th percentile of the standard normal: an 80 % interval is mean +- Z80 sd


@dataclass(frozen=True)
class Experiment:
    """One lift test. ``regions`` None is the whole country. ``share`` scales a model that only sees the
    country (the national model) to the test's regions: their share of the channel's spend over the test."""

    channel: str
    regions: tuple[str, ...] | None
    start: dt.date
    end: dt.date
    lift: float
    lo: float
    hi: float
    share: float = 1.0
    label: str = ""

    @property
    def sd(self) -> float:
        """The lift's sd from its 80 % interval (never zero: a test cannot be infinitely precise)."""
        return max((self.hi - self.lo) / (2 * Z80), 1e-6 * max(abs(self.lift), 1.0))


def period_weights(experiment: Experiment, periods: list[dt.date], frequency: str) -> np.ndarray:
    """(T,) share of each period's days that the test covers (periods start on their date)."""
    from forecasting.planning.fit import period_days

    out = np.zeros(len(periods))
    for i, start in enumerate(periods):
        end = periods[i + 1] if i + 1 < len(periods) else start + dt.timedelta(days=round(period_days(frequency)))
        first, last = max(start, experiment.start), min(end - dt.timedelta(days=1), experiment.end)
        if last >= first:
            out[i] = ((last - first).days + 1) / max((end - start).days, 1)
    return out


@dataclass(frozen=True)
class Penalty:
    value: float  # the negative log prior: 0.5 x the sum of the residuals' squares
    gradient: np.ndarray  # (E,) d value / d lift
    residuals: np.ndarray  # (E,) (lift - measured) / sd: the rows a least-squares fit appends
    slope: np.ndarray  # (E,) d residual / d lift = 1 / sd


def calibration_penalty(lift: np.ndarray, experiments: list[Experiment]) -> Penalty:
    """The experiments' Gaussian priors on the model's ``lift`` (E,) in leads, as a negative log (the geo
    model adds it to its objective) and as residual rows (the national model's least squares)."""
    measured = np.array([e.lift for e in experiments], dtype=float)
    slope = 1.0 / np.array([e.sd for e in experiments], dtype=float)
    z = (np.asarray(lift, dtype=float) - measured) * slope
    return Penalty(0.5 * float(z @ z), z * slope, z, slope)


def drawn(experiments: list[Experiment], rng: np.random.Generator) -> list[Experiment]:
    """The experiments with their lift drawn from their own prior: what one bootstrap draw is calibrated on,
    so that the model's interval carries the tests' uncertainty, not only the data's."""
    from dataclasses import replace

    return [replace(e, lift=float(e.lift + e.sd * rng.standard_normal())) for e in experiments]


@dataclass(frozen=True)
class Agreement:
    """One experiment against the model: its lift and 80 % interval beside the measured ones."""

    experiment: Experiment
    model_lift: float
    model_lo: float
    model_hi: float

    @property
    def agrees(self) -> bool:
        return self.model_lo <= self.experiment.hi and self.experiment.lo <= self.model_hi


def agreement(experiment: Experiment, lifts: np.ndarray, point: float, level: float = 0.8) -> Agreement:
    """``lifts``: the model's lift for the experiment in each bootstrap draw (or only ``point``)."""
    lifts = np.asarray(lifts, dtype=float)
    if lifts.size:
        lo, hi = np.quantile(lifts, [(1 - level) / 2, (1 + level) / 2])
    else:
        lo = hi = point
    return Agreement(experiment, float(point), float(lo), float(hi))

"""Scenarios: a spend plan -> predicted leads, cost per lead and their intervals.

A plan is spend per period and channel (T x C, EUR), as a matrix or a frame indexed by period
with channel columns; :func:`plan_from_frame` and :func:`plan_frame` go between that matrix and
the long table (month, channel, spend) that the app grid, uploads and the scenario store use.

The point figures are the model's point estimate (:meth:`ResponseModel.predict`). The intervals
put two sources of doubt together: the parameters (each bootstrap draw of
:meth:`ResponseModel.all_params` predicts the plan with its own carry-over from the history)
and the period's own noise, drawn as **normal** with sd ``residual_sd``, independent across
periods (a fitted residual series is too short to resample by period and month). Simulated leads
are floored at 0. Interval ends are percentiles of the simulated leads, so the interval of the
plan's total is computed on the simulated totals, not by adding per-period ends (that would
overstate the spread: periods do not all fall low together).

**On the forecast of record** (:func:`simulate_on_record`, what the app shows once a lead forecast is
trained): the prediction of a plan is the forecast of record (the champion lead forecast, reconciled)
plus what the response model says the change from the current plan changes,
``record + response(plan) - response(current plan)``; a plan equal to the current plan gives the
forecast of record exactly, its intervals included. The change's doubt is the spread of the same
difference over the bootstrap draws (the period's noise is common to both plans and cancels); it is
combined with the forecast of record's interval side by side, as independent doubts add
(``sqrt(a**2 + b**2)`` for each half-width).

A plan that starts right after the history inherits each draw's carry-over
(:meth:`ResponseModel.carry_out`); one that starts later sees that adstock decay over the gap
with no spend, unless the caller gives the gap's spend (``gap_spend``) or the adstock itself
(``carry_in``); one that starts inside the history (a "what if we had spent..." question) takes
the adstock of the history before it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from forecasting.planning.model import ResponseModel, baseline_design
from forecasting.planning.transforms import adstock, hill
from forecasting.serialise import json_safe

DEFAULT_LEVELS = (0.8, 0.95)
# Simulated paths: about this many in all (draws x noise replicates), enough for steady 95% ends.
TARGET_SAMPLES = 4000
PERIOD_COLUMN = "month"


class OutOfRange(NamedTuple):
    """A planned spend outside what the model has seen on that channel (its response there is a guess)."""

    period: dt.date
    channel: str
    spend: float
    hist_min: float
    hist_max: float


@dataclass
class ScenarioResult:
    """What a plan is expected to bring. Intervals are ``{level: (low, high)}``."""

    periods: list[dt.date]
    channels: list[str]
    spend: np.ndarray  # (T, C) EUR
    leads: np.ndarray  # (T,) point
    baseline: np.ndarray  # (T,) point, leads without media
    contributions: np.ndarray  # (T, C) point; baseline + contributions.sum(axis=1) == leads
    intervals: dict[float, tuple[np.ndarray, np.ndarray]]  # per period
    total_leads: float
    total_intervals: dict[float, tuple[float, float]]  # of the plan's total
    total_spend: float
    cost_per_lead: float  # total_spend / total_leads
    cost_per_lead_intervals: dict[float, tuple[float, float]]
    media_leads: float  # total contributions (leads the plan's spend brings)
    cost_per_media_lead: float  # total_spend / media_leads (inf without media leads)
    out_of_range: list[OutOfRange]
    total_samples: np.ndarray = field(repr=False)  # simulated plan totals (for P(total >= target))
    noise: str = "normal"

    @property
    def levels(self) -> list[float]:
        return sorted(self.intervals)

    def probability_at_least(self, target: float) -> float:
        """Share of simulated totals that reach ``target`` leads."""
        return float(np.mean(self.total_samples >= target))

    def frame(self) -> pd.DataFrame:
        """One row per period: spend, leads and their intervals, each channel's contribution."""
        out = pd.DataFrame({PERIOD_COLUMN: self.periods, "spend": self.spend.sum(axis=1), "leads": self.leads,
                            "baseline": self.baseline})
        for level in self.levels:
            low, high = self.intervals[level]
            out[f"low_{_pct(level)}"], out[f"high_{_pct(level)}"] = low, high
        for c, channel in enumerate(self.channels):
            out[f"contribution_{channel}"] = self.contributions[:, c]
        return out

    def to_dict(self) -> dict:
        """JSON-safe (for the app's stores and exports); the simulated totals are left out."""
        return json_safe({
            "periods": [p.isoformat() for p in self.periods], "channels": self.channels, "spend": self.spend,
            "leads": self.leads, "baseline": self.baseline, "contributions": self.contributions,
            "intervals": {str(k): [lo, hi] for k, (lo, hi) in self.intervals.items()},
            "total_leads": self.total_leads,
            "total_intervals": {str(k): list(v) for k, v in self.total_intervals.items()},
            "total_spend": self.total_spend, "cost_per_lead": self.cost_per_lead,
            "cost_per_lead_intervals": {str(k): list(v) for k, v in self.cost_per_lead_intervals.items()},
            "media_leads": self.media_leads, "cost_per_media_lead": self.cost_per_media_lead,
            "out_of_range": [[o.period.isoformat(), o.channel, o.spend, o.hist_min, o.hist_max]
                             for o in self.out_of_range],
            "noise": self.noise,
        })


# --- periods and carry-over -------------------------------------------------------------------
def as_date(value) -> dt.date:
    """A period start from a date, datetime, Timestamp or ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def period_steps(model: ResponseModel, start: dt.date, end: dt.date) -> int:
    """How many periods from ``start`` to ``end`` on the model's calendar (negative when ``end`` is before)."""
    if model.frequency == "week":
        return round((end - start).days / 7)
    return (end.year - start.year) * 12 + end.month - start.month


def check_periods(model: ResponseModel, periods) -> list[dt.date]:
    """Dates of consecutive periods (adstock runs period after period, so a plan cannot skip one)."""
    periods = [as_date(p) for p in periods]
    if not periods:
        raise ValueError("a plan needs at least one period")
    for a, b in zip(periods, periods[1:], strict=False):
        if period_steps(model, a, b) != 1:
            raise ValueError(f"plan periods must be consecutive {model.frequency}s: {a} then {b}")
    return periods


def carry_matrix(model: ResponseModel, start: dt.date, params_list, carry_in=None,
                 gap_spend=None) -> np.ndarray:
    """Each parameter set's adstock before ``start`` (len(params_list) x C); see the module docstring."""
    n, n_channels = len(params_list), len(model.channels)
    if carry_in is not None:
        carry = np.asarray(carry_in, dtype=float)
        if carry.shape != (n_channels,):
            raise ValueError(f"carry_in needs one adstock per channel ({n_channels})")
        return np.tile(carry, (n, 1))
    decay = np.stack([p.decay for p in params_list])  # (D, C)
    index = period_steps(model, model.origin, start)  # position of ``start`` in the history's calendar
    history = model.spend[: max(min(index, len(model.periods)), 0)]
    if not len(history):
        carried = np.zeros((n, n_channels))
    else:
        carried = adstock(np.broadcast_to(history.T, (n, *history.T.shape)), decay)[..., -1]
    gap = index - len(model.periods)
    if gap <= 0:
        if gap_spend is not None and len(np.atleast_1d(gap_spend)):
            raise ValueError("gap_spend is only for a plan that starts after the period following the history")
        return carried
    if gap_spend is None:
        return carried * decay**gap
    gap_spend = np.asarray(gap_spend, dtype=float).reshape(-1, n_channels)
    if len(gap_spend) != gap:
        raise ValueError(f"gap_spend needs the spend of the {gap} period(s) between the history and the plan")
    return adstock(np.broadcast_to(gap_spend.T, (n, *gap_spend.T.shape)), decay, carried)[..., -1]


# --- plans ------------------------------------------------------------------------------------
def plan_matrix(model: ResponseModel, plan, periods=None) -> tuple[np.ndarray, list[dt.date]]:
    """``plan`` (T x C array, or a frame indexed by period with channel columns) -> (T x C matrix, periods).

    A frame's missing channels are 0 and unknown ones an error; without ``periods`` a frame's index
    gives them, and a matrix starts right after the history.
    """
    if isinstance(plan, pd.DataFrame):
        unknown = [str(c) for c in plan.columns if c not in model.channels]
        if unknown:
            raise ValueError(f"unknown channel(s) {', '.join(unknown)}; the model knows {', '.join(model.channels)}")
        frame = plan.copy()
        frame.index = [as_date(p) for p in frame.index]
        if periods is None:
            periods = sorted(frame.index)
        periods = check_periods(model, periods)
        extra = [p for p in frame.index if p not in set(periods)]
        if extra:
            raise ValueError(f"the plan has period(s) outside the ones asked for: {extra[0]}")
        matrix = frame.reindex(index=periods, columns=model.channels).fillna(0.0).to_numpy(dtype=float)
    else:
        matrix = np.atleast_2d(np.asarray(plan, dtype=float))
        if matrix.ndim != 2 or matrix.shape[1] != len(model.channels):
            raise ValueError(f"a plan matrix needs one column per channel ({len(model.channels)}): {matrix.shape}")
        periods = model.future_periods(len(matrix)) if periods is None else check_periods(model, periods)
        if len(periods) != len(matrix):
            raise ValueError(f"the plan has {len(matrix)} rows for {len(periods)} periods")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("spend must be finite numbers")
    if np.any(matrix < 0):
        raise ValueError("spend cannot be negative")
    return matrix, periods


def plan_from_frame(model: ResponseModel, frame: pd.DataFrame, periods=None,
                    period_column: str = PERIOD_COLUMN) -> tuple[np.ndarray, list[dt.date]]:
    """Long table (``month``, ``channel``, ``spend``) -> (T x C matrix, periods).

    Several rows for one month and channel add up (an upload may list campaigns); a blank spend
    is 0; months between the first and the last that have no row are planned at 0. ``periods``
    fixes the months (rows outside them are an error).
    """
    missing = {period_column, "channel", "spend"} - set(frame.columns)
    if missing:
        raise ValueError(f"the plan table needs the column(s) {', '.join(sorted(missing))}")
    months = [as_date(p) for p in frame[period_column]]
    if model.frequency == "month":
        months = [m.replace(day=1) for m in months]
    spend = pd.to_numeric(frame["spend"], errors="coerce")
    bad = spend.isna() & frame["spend"].notna() & (frame["spend"].astype(str).str.strip() != "")
    if bad.any():
        raise ValueError(f"spend is not a number: {frame['spend'][bad].iloc[0]!r}")
    long = pd.DataFrame({"period": months, "channel": frame["channel"].astype(str), "spend": spend.fillna(0.0)})
    wide = long.pivot_table(index="period", columns="channel", values="spend", aggfunc="sum", fill_value=0.0)
    if periods is None:
        if wide.empty:
            raise ValueError("the plan table has no rows")
        first, last = min(wide.index), max(wide.index)
        periods = [first] + model.future_periods(period_steps(model, first, last), after=first)
    return plan_matrix(model, wide, periods)


def plan_frame(model: ResponseModel, plan, periods=None, period_column: str = PERIOD_COLUMN) -> pd.DataFrame:
    """Matrix (or period x channel frame) -> long table with every (month, channel), zeros included."""
    matrix, periods = plan_matrix(model, plan, periods)
    return pd.DataFrame({
        period_column: np.repeat(np.array(periods, dtype=object), len(model.channels)),
        "channel": np.tile(np.array(model.channels, dtype=object), len(periods)),
        "spend": matrix.ravel(),
    })


def out_of_range(model: ResponseModel, spend: np.ndarray, periods: list[dt.date]) -> list[OutOfRange]:
    """Cells whose spend lies outside the channel's historical min..max per period."""
    low, high = model.spend_range()
    rows, cols = np.nonzero((spend < low - 1e-9) | (spend > high + 1e-9))
    return [OutOfRange(periods[t], model.channels[c], float(spend[t, c]), float(low[c]), float(high[c]))
            for t, c in zip(rows, cols, strict=True)]


# --- simulation -------------------------------------------------------------------------------
def draw_totals(model: ResponseModel, spend: np.ndarray, periods: list[dt.date], controls=None,
                carry_in=None, gap_spend=None, params_list=None) -> np.ndarray:
    """Leads per period under each parameter set (D x T), all draws at once."""
    params_list = params_list or model.all_params()
    n_periods, n_channels = spend.shape
    design = baseline_design(periods, model.origin, model.n_harmonics, model.standardise(controls, n_periods))
    baseline = np.stack([p.base for p in params_list]) @ design.T  # (D, T)
    carry = carry_matrix(model, periods[0], params_list, carry_in, gap_spend)
    stacked = {k: np.stack([getattr(p, k) for p in params_list])[:, :, None] for k in ("decay", "half", "shape",
                                                                                       "beta")}
    stock = adstock(np.broadcast_to(spend.T, (len(params_list), n_channels, n_periods)), stacked["decay"][..., 0],
                    carry)
    return baseline + (stacked["beta"] * hill(stock, stacked["half"], stacked["shape"])).sum(axis=1)


def simulate(model: ResponseModel, plan, periods=None, controls=None, carry_in=None,
             levels=DEFAULT_LEVELS, seed: int = 0, gap_spend=None) -> ScenarioResult:
    """Leads, cost per lead and intervals for ``plan`` (see the module docstring for the method).

    ``controls``: raw control values per period (T x J; ``None`` holds the last known ones).
    ``carry_in``: each channel's adstock before the plan, for every draw (overrides the history).
    ``gap_spend``: the spend of the periods between the history and a later plan. Same seed, same figures.
    """
    spend, periods = plan_matrix(model, plan, periods)
    point_carry = carry_matrix(model, periods[0], [model.params], carry_in, gap_spend)[0]
    point = model.predict(spend, periods, controls, carry_in=point_carry)
    per_draw = draw_totals(model, spend, periods, controls, carry_in, gap_spend)  # (D, T)

    rng = np.random.default_rng(seed)
    replicates = max(1, math.ceil(TARGET_SAMPLES / len(per_draw)))
    noise = rng.normal(0.0, float(model.residual_sd), size=(len(per_draw), replicates, len(periods)))
    samples = np.maximum(per_draw[:, None, :] + noise, 0.0).reshape(-1, len(periods))
    totals = samples.sum(axis=1)

    total_spend = float(spend.sum())
    total_leads = float(point.total.sum())
    media = float(point.contributions.sum())
    intervals, total_intervals, cpl_intervals = {}, {}, {}
    for level in levels:
        tail = (1.0 - level) / 2 * 100
        low, high = np.percentile(samples, [tail, 100 - tail], axis=0)
        intervals[level] = (low, high)
        total_low, total_high = np.percentile(totals, [tail, 100 - tail])
        total_intervals[level] = (float(total_low), float(total_high))
        cpl_intervals[level] = (_ratio(total_spend, total_high), _ratio(total_spend, total_low))
    return ScenarioResult(
        periods=periods, channels=list(model.channels), spend=spend, leads=point.total, baseline=point.baseline,
        contributions=point.contributions, intervals=intervals, total_leads=total_leads,
        total_intervals=total_intervals, total_spend=total_spend, cost_per_lead=_ratio(total_spend, total_leads),
        cost_per_lead_intervals=cpl_intervals, media_leads=media, cost_per_media_lead=_ratio(total_spend, media),
        out_of_range=out_of_range(model, spend, periods), total_samples=totals,
    )


@dataclass
class RecordPath:
    """The forecast of record of a scope over a plan's periods: leads per period with their intervals
    (``{level: (low, high)}``, per period) and the interval of their total over the periods."""

    leads: np.ndarray  # (T,)
    bands: dict[float, tuple[np.ndarray, np.ndarray]]
    total_bands: dict[float, tuple[float, float]]

    def __post_init__(self) -> None:
        self.leads = np.asarray(self.leads, dtype=float)
        self.bands = {float(k): (np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
                      for k, (lo, hi) in self.bands.items()}
        self.total_bands = {float(k): (float(lo), float(hi)) for k, (lo, hi) in self.total_bands.items()}


def _combined(center: np.ndarray, record: np.ndarray, band: tuple[np.ndarray, np.ndarray], change: np.ndarray,
              spread: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``center``'s interval from the record's band and the change's spread (half-widths added in quadrature)."""
    below = np.hypot(np.maximum(record - band[0], 0.0), np.maximum(change - spread[0], 0.0))
    above = np.hypot(np.maximum(band[1] - record, 0.0), np.maximum(spread[1] - change, 0.0))
    low = np.maximum(center - below, 0.0)
    return np.minimum(low, np.maximum(center, 0.0)), np.maximum(center + above, low)


def simulate_on_record(model: ResponseModel, plan, reference, record: RecordPath, periods=None, controls=None,
                       carry_in=None, levels=DEFAULT_LEVELS, seed: int = 0, gap_spend=None) -> ScenarioResult:
    """``plan``'s leads as the forecast of record moved by the response model's change from ``reference``
    (the current plan, on the same periods): see the module docstring. ``record`` holds the forecast of
    record of ``periods`` and must have their number of periods and every level asked for.

    ``contributions`` stay the response model's (the leads the plan's spend brings); ``baseline`` is the
    rest, so that ``baseline + contributions`` is the prediction. ``total_samples`` are drawn from the
    combined interval of the total (a two-sided normal on its 80% interval), for
    :meth:`ScenarioResult.probability_at_least`."""
    spend, periods = plan_matrix(model, plan, periods)
    base, _ = plan_matrix(model, reference, periods)
    if len(record.leads) != len(periods):
        raise ValueError(f"the forecast of record has {len(record.leads)} periods, the plan {len(periods)}")
    missing = [level for level in levels if level not in record.bands or level not in record.total_bands]
    if missing:
        raise ValueError(f"the forecast of record has no {missing[0]:.0%} interval")
    point_carry = carry_matrix(model, periods[0], [model.params], carry_in, gap_spend)[0]
    point = model.predict(spend, periods, controls, carry_in=point_carry)
    same = bool(np.array_equal(spend, base))
    if same:  # the current plan itself: the forecast of record, exactly
        change, draws = np.zeros(len(periods)), np.zeros((1, len(periods)))
    else:
        change = point.total - model.predict(base, periods, controls, carry_in=point_carry).total
        draws = (draw_totals(model, spend, periods, controls, carry_in, gap_spend)
                 - draw_totals(model, base, periods, controls, carry_in, gap_spend))  # (D, T)
    leads = np.maximum(record.leads + change, 0.0) if not same else record.leads.copy()
    totals_change = draws.sum(axis=1)
    total_change = float(change.sum())
    total_leads = float(leads.sum())
    record_total = float(record.leads.sum())
    intervals, total_intervals = {}, {}
    for level in levels:
        if same:
            intervals[level] = (record.bands[level][0].copy(), record.bands[level][1].copy())
            total_intervals[level] = record.total_bands[level]
            continue
        tail = (1.0 - level) / 2 * 100
        spread = np.percentile(draws, [tail, 100 - tail], axis=0)
        intervals[level] = _combined(leads, record.leads, record.bands[level], change, (spread[0], spread[1]))
        total_spread = np.percentile(totals_change, [tail, 100 - tail])
        low, high = _combined(np.array([total_leads]), np.array([record_total]),
                              (np.array([record.total_bands[level][0]]), np.array([record.total_bands[level][1]])),
                              np.array([total_change]), (np.array([total_spread[0]]), np.array([total_spread[1]])))
        total_intervals[level] = (float(low[0]), float(high[0]))
    rng = np.random.default_rng(seed)
    reference_level = min(total_intervals, key=lambda level: abs(level - 0.8))
    z_score = math.sqrt(2.0) * _erfinv(reference_level)
    low, high = total_intervals[reference_level]
    normal = rng.normal(size=TARGET_SAMPLES)
    samples = total_leads + np.where(normal < 0, (total_leads - low), (high - total_leads)) * normal / z_score
    total_spend = float(spend.sum())
    media = float(point.contributions.sum())
    cpl_intervals = {level: (_ratio(total_spend, hi), _ratio(total_spend, lo))
                     for level, (lo, hi) in total_intervals.items()}
    return ScenarioResult(
        periods=periods, channels=list(model.channels), spend=spend, leads=leads,
        baseline=leads - point.contributions.sum(axis=1), contributions=point.contributions, intervals=intervals,
        total_leads=total_leads, total_intervals=total_intervals, total_spend=total_spend,
        cost_per_lead=_ratio(total_spend, total_leads), cost_per_lead_intervals=cpl_intervals, media_leads=media,
        cost_per_media_lead=_ratio(total_spend, media), out_of_range=out_of_range(model, spend, periods),
        total_samples=np.maximum(samples, 0.0), noise="record",
    )


def _erfinv(level: float) -> float:
    """``erfinv(level)`` by Newton's method (the standard normal quantile of ``(1 + level) / 2`` over sqrt 2),
    so that scipy is not needed here."""
    x = 0.0
    for _ in range(50):
        step = (math.erf(x) - level) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
        x -= step
        if abs(step) < 1e-12:
            break
    return x


def compare(results: dict[str, ScenarioResult], target: float | None = None) -> pd.DataFrame:
    """Scenarios side by side, one row each: total leads and intervals, spend, cost per lead, vs ``target``.

    ``target`` is a total of leads over the plan: ``vs_target`` is leads - target, ``vs_target_pct`` the
    same in % of the target, ``p_target`` the share of simulated totals that reach it.
    """
    rows = []
    for name, result in results.items():
        row = {"scenario": name, "leads": result.total_leads}
        for level in result.levels:
            row[f"leads_low_{_pct(level)}"], row[f"leads_high_{_pct(level)}"] = result.total_intervals[level]
        row["media_leads"] = result.media_leads
        row["spend"] = result.total_spend
        row["cost_per_lead"] = result.cost_per_lead
        for level in result.levels:
            low, high = result.cost_per_lead_intervals[level]
            row[f"cost_per_lead_low_{_pct(level)}"], row[f"cost_per_lead_high_{_pct(level)}"] = low, high
        row["cost_per_media_lead"] = result.cost_per_media_lead
        row["out_of_range"] = len(result.out_of_range)
        if target is not None:
            row["vs_target"] = result.total_leads - target
            row["vs_target_pct"] = 100.0 * (result.total_leads - target) / target if target else math.nan
            row["p_target"] = result.probability_at_least(target)
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def _ratio(spend: float, leads: float) -> float:
    return spend / leads if leads > 0 else math.inf


def _pct(level: float) -> str:
    return f"{round(level * 100):d}"

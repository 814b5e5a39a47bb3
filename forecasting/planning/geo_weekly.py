"""The geo model fitted on weeks from the store's daily facts, read by the app as monthly response models.

**Why weekly.** A month sums four weeks of flights: the carry-over and the saturation of a channel that
ran two weeks out of four are much harder to tell apart from the season in months. On the demo company
the same national model identifies 6 of 6 channels on its weekly series and 2 of 6 on its monthly one.
The planner's grid, scenarios and optimiser stay monthly: the weekly model is converted (below).

**The weekly panel** (:func:`weekly_panel`): 7-day bins from the first day of the monthly panel's first
month to the last day of its cut-off month, from ``mart_daily``: qualified leads and spend per top region
and bin. Spend booked on the country (a national campaign the platform does not split) is spread over the
regions with the constant share that :func:`.data.scope_spend` used for the months (recovered from the
monthly panel), so a region's weekly spend sums to its monthly spend. The controls: the Covid index's mean
over the bin's days, the working days in the bin. A last bin that the cut-off cuts short is predicted
(its spend taken at the same daily rate over 7 days) but not fitted.

**Weeks to months.** A week's leads are spread evenly over its 7 days and each day counts in its month
(:attr:`WeeklyPanel.month_weights`). A region's weekly response to channel ``c`` at a steady weekly spend
``e`` is ``s_r m_rc hill(e / (s_r xbar_c); h_c, k_c) / hill(1)``. A month of ``q = 365.25 / 12 / 7`` weeks
at that spend brings ``q`` times as much for ``E = q e`` EUR, so the monthly model has the carry-over
``D_c`` per month (:func:`monthly_decay`: the share of a month's effect that spills into later months),
the half point ``q h_c s_r xbar_c / (1 - D_c)`` on the monthly EUR adstock and ``beta = q s_r m_rc /
hill(1)``. That is exact for a steady spend spread evenly over the months; a channel
flighted within months (two weeks on, two off) brings more or less than its monthly total spread evenly
would, so each region's ``beta`` is multiplied by the ratio of the weekly model's contributions of the
history to the converted model's (the history's flighting taken as the plan's). The baseline (level,
trend, season, controls) is the monthly design's least-squares fit of the weekly model's monthly sums
minus the converted channels' contributions. On a plan equal to the history the converted models then
give each channel's contribution of the history and the total exactly, and the months closely (2.5 % on
average on the demo company: a monthly model cannot carry the months' lengths nor flights within a month;
``tests/test_planning_geo_weekly.py``). Every bootstrap draw is converted the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from forecasting.planning.fit import DAYS_PER_MONTH
from forecasting.planning.geo import GeoModel, GeoParams, fit_geo
from forecasting.planning.model import Params
from forecasting.planning.transforms import adstock, hill
from forecasting.regressors import COVID_SERIES
from forecasting.series import region_parents, top_region
from pilotage.dates import add_months, french_holidays
from pilotage.store.models import ExternalSeries, MartDaily

WEEKS_PER_MONTH = DAYS_PER_MONTH / 7.0


@dataclass
class WeeklyPanel:
    """The regions' weekly panel (same regions, channels and controls as the monthly one)."""

    regions: list[str]
    channels: list[str]
    weeks: list[dt.date]  # bin starts
    days: np.ndarray  # (W,) days of data in each bin (7, fewer for the last one)
    y: np.ndarray  # (R, W) leads of the bin's days
    spend: np.ndarray  # (R, W, C) EUR per bin, a short last bin taken over 7 days at its daily rate
    control_names: list[str]
    controls: np.ndarray  # (R, W, J)
    months: list[dt.date]
    month_weights: np.ndarray  # (W, M) share of each bin's 7 days in each month

    @property
    def full(self) -> int:
        """Number of bins with 7 days of data (what the fit sees)."""
        return int((self.days == 7).sum())

    def to_months(self, weekly: np.ndarray) -> np.ndarray:
        """(..., W) per bin to (..., M) per month."""
        return np.asarray(weekly, dtype=float) @ self.month_weights


def week_bins(first: dt.date, last: dt.date) -> tuple[list[dt.date], np.ndarray]:
    """7-day bin starts from ``first`` covering ``last``, and the days of data in each."""
    count = (last - first).days // 7 + 1
    starts = [first + dt.timedelta(days=7 * i) for i in range(count)]
    days = np.array([min(7, (last - s).days + 1) for s in starts], dtype=float)
    return starts, days


def month_weights(weeks: list[dt.date], months: list[dt.date]) -> np.ndarray:
    index = {m: i for i, m in enumerate(months)}
    out = np.zeros((len(weeks), len(months)))
    for w, start in enumerate(weeks):
        for d in range(7):
            day = start + dt.timedelta(days=d)
            m = index.get(day.replace(day=1))
            if m is not None:
                out[w, m] += 1.0 / 7.0
    return out


def _daily(engine: Engine, first: dt.date, last: dt.date) -> pd.DataFrame:
    statement = (select(MartDaily.date, MartDaily.channel_code, MartDaily.region_code,
                        func.sum(MartDaily.spend), func.sum(MartDaily.qualified_leads))
                 .where(MartDaily.date.between(first, last))
                 .group_by(MartDaily.date, MartDaily.channel_code, MartDaily.region_code))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(statement).all(), columns=["date", "channel", "region", "spend", "leads"])
    frame["spend"] = frame["spend"].astype(float)
    frame["leads"] = frame["leads"].astype(float)
    return frame


def _weekly_controls(engine: Engine, names: list[str], weeks: list[dt.date]) -> np.ndarray:
    out = np.zeros((len(weeks), len(names)))
    if "covid_stringency" in names:
        statement = (select(ExternalSeries.date, func.avg(ExternalSeries.value))
                     .where(ExternalSeries.series == COVID_SERIES,
                            ExternalSeries.date.between(weeks[0], weeks[-1] + dt.timedelta(days=6)))
                     .group_by(ExternalSeries.date))
        with engine.connect() as conn:
            values = {d: float(v) for d, v in conn.execute(statement).all() if v is not None}
        j = names.index("covid_stringency")
        for w, start in enumerate(weeks):
            known = [values[d] for d in (start + dt.timedelta(days=i) for i in range(7)) if d in values]
            out[w, j] = float(np.mean(known)) if known else 0.0
    if "working_days" in names:
        j = names.index("working_days")
        holidays = set()
        for year in range(weeks[0].year, weeks[-1].year + 2):
            holidays |= set(french_holidays(year))
        for w, start in enumerate(weeks):
            out[w, j] = sum(1 for i in range(7) if (d := start + dt.timedelta(days=i)).weekday() < 5
                            and d not in holidays)
    return out


def weekly_panel(engine: Engine, panel) -> WeeklyPanel:
    """The weekly panel of a monthly :class:`.geo_run.GeoPanel` (see the module's docstring)."""
    first, last = panel.periods[0], add_months(panel.periods[-1], 1) - dt.timedelta(days=1)
    weeks, days = week_bins(first, last)
    frame = _daily(engine, first, last)
    parents = region_parents(engine)
    frame["region"] = [top_region(c, parents) for c in frame["region"]]
    frame["bin"] = [(d - first).days // 7 for d in frame["date"]]
    regions, channels = list(panel.regions), list(panel.channels)
    rindex = {r: i for i, r in enumerate(regions)}
    cindex = {c: j for j, c in enumerate(channels)}
    y = np.zeros((len(regions), len(weeks)))
    spend = np.zeros((len(regions), len(weeks), len(channels)))
    leads = frame[frame["region"].isin(rindex)].groupby(["region", "bin"])["leads"].sum()
    for (region, b), value in leads.items():
        y[rindex[region], b] += value
    paid = frame[(frame["spend"] > 0) & frame["channel"].isin(cindex)]
    by_cell = paid.groupby(["channel", "region", "bin"])["spend"].sum()
    country: dict[str, np.ndarray] = {}
    for (channel, region, b), value in by_cell.items():
        if region in rindex:
            spend[rindex[region], b, cindex[channel]] += value
        elif parents.get(region, "") is None:  # booked on a country: spread below
            country.setdefault(channel, np.zeros(len(weeks)))[b] += value
    for channel, values in country.items():
        j = cindex[channel]
        total = values.sum()
        for r in range(len(regions)):
            share = max(float(panel.spend[r, :, j].sum() - spend[r, :, j].sum()), 0.0) / total if total > 0 else 0
            spend[r, :, j] += share * values
    spend = spend * (7.0 / days)[None, :, None]
    controls = _weekly_controls(engine, list(panel.control_names), weeks)
    return WeeklyPanel(regions, channels, weeks, days, y, spend, list(panel.control_names),
                       np.repeat(controls[None], len(regions), axis=0), list(panel.periods),
                       month_weights(weeks, list(panel.periods)))


def fit_weekly(wp: WeeklyPanel, n_boot: int, seed: int, n_jobs: int, end: int | None = None) -> GeoModel:
    """The geo model on the first ``end`` bins (default: every full bin)."""
    part = slice(None, wp.full if end is None else end)
    return fit_geo(wp.y[:, part], wp.spend[:, part], wp.weeks[part], wp.channels, wp.regions,
                   wp.controls[:, part] if wp.control_names else None, wp.control_names, "week",
                   n_boot=n_boot, seed=seed, n_jobs=n_jobs)


def predict_months(geo: GeoModel, wp: WeeklyPanel, params: GeoParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(total (R, M), contributions (R, M, C)) in leads: the weekly model over every bin, summed to months."""
    total, contributions = geo.predict(wp.spend, wp.weeks, wp.controls if wp.control_names else None, params)
    return wp.to_months(total), np.einsum("rwc,wm->rmc", contributions, wp.month_weights)


# --- the monthly response models ------------------------------------------------------------------


@dataclass
class MonthlyConversion:
    """Monthly parameters per region for one weekly parameter set (point or draw); national is their sum."""

    regions: list[Params]
    national_half: np.ndarray


def monthly_decay(weekly: np.ndarray, q: float = WEEKS_PER_MONTH) -> np.ndarray:
    """The monthly carry-over of a weekly one: the share of a month's effect that spills into the months after
    it, for spend spread evenly over the month (``d (1 - d^q) / (q (1 - d))``), not ``d^q``. A geometric
    monthly carry-over cannot match every month after; matching the spill (where nearly all of the carried
    effect lands when ``d^q`` is small) keeps each month's share of the effect, and ``d^q`` had put a late
    flight's carry-over almost entirely in its own month."""
    d = np.asarray(weekly, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        spill = np.where(d > 0, d * (1.0 - d ** q) / (q * np.maximum(1.0 - d, 1e-12)), 0.0)
    return np.clip(spill, 0.0, 0.99)


def monthly_curve(geo: GeoModel, p: GeoParams, size: float, effects: np.ndarray) -> tuple[np.ndarray, ...]:
    """(decay, half, beta) per month of a scope of ``size`` (mean weekly leads) for spend spread evenly over
    the month: its steady monthly leads at ``q e`` EUR a month are ``q`` times the weekly model's at ``e`` a
    week (see the module's docstring)."""
    q = WEEKS_PER_MONTH
    decay = monthly_decay(p.decay)
    h = np.exp(p.logh)
    half = q * h * size * geo.unit_spend / (1.0 - decay)
    beta = q * size * np.asarray(effects, dtype=float) / (1.0 / (1.0 + h ** p.shape))
    return decay, half, beta


def convert(geo: GeoModel, wp: WeeklyPanel, monthly_spend: np.ndarray, monthly_design: np.ndarray,
            params: GeoParams | None = None) -> MonthlyConversion:
    """Monthly :class:`Params` per region for the weekly ``params`` (see the module's docstring).

    ``monthly_spend`` (R, M, C) EUR of the months, ``monthly_design`` (M, K) their baseline design."""
    p = params or geo.params
    total_w, contributions_w = predict_months(geo, wp, p)
    out = []
    for r in range(len(geo.regions)):
        decay, half, beta = monthly_curve(geo, p, geo.size[r], p.effects[r])
        stock = adstock(monthly_spend[r].T, decay, np.zeros(len(decay)))  # (C, M)
        curves = hill(stock, half[:, None], p.shape[:, None]).T  # (M, C)
        monthly = curves.sum(axis=0) * beta
        weekly = contributions_w[r].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.abs(monthly) > 1e-12, weekly / monthly, 1.0)
        beta = beta * ratio
        rest = total_w[r] - curves @ beta
        base = np.linalg.lstsq(monthly_design, rest, rcond=None)[0]
        out.append(Params(decay.copy(), half, p.shape.copy(), beta, base))
    return MonthlyConversion(out, monthly_curve(geo, p, float(geo.size.sum()), p.b)[1])


def national_params(conversion: MonthlyConversion, offset: float) -> Params:
    """The national model: the regions' betas and baselines summed, one half point for a plan split by size."""
    first = conversion.regions[0]
    base = np.sum([p.base for p in conversion.regions], axis=0)
    base[0] += offset
    return Params(first.decay.copy(), conversion.national_half.copy(), first.shape.copy(),
                  np.sum([p.beta for p in conversion.regions], axis=0), base)

"""Regressors of the lead series, for the past months and the forecast months ("given this plan").

Read from the marts and open data only (``mart_monthly``, ``fact_media_plan``,
``fact_external_series``, ``dim_calendar``), per month, channel and top region:

- **media**: spend (EUR) with geometric carry-over, ``adstock_t = spend_t + decay * adstock_{t-1}``
  (monthly ``decay``; no saturation here: the response model of the media planner has it). The
  past months use the actual spend of ``mart_monthly``, the forecast months the media plan:
  regional rows go to their top region; national rows (planned on a country) are spread over its
  regions by the channel's share of actual spend per region over the last 12 months (how national
  campaigns show up in the actuals). A forecast month that the plan does not cover at all takes
  the same month's actual spend a year earlier, and the run says so. The carry-over of the last
  actual months flows into the forecast months.
- **decay** per paid channel, chosen on the data: the value of ``DECAY_GRID`` whose adstock best
  explains the channel's monthly leads in a least-squares fit with a level, a trend and one
  yearly harmonic (at least ``MIN_MONTHS_FOR_DECAY`` months with spend, else ``DEFAULT_DECAY``).
- **covid**: the monthly mean of the daily ``covid_stringency`` index (0-100; the mean over its
  geographies), 0 in months without data, the forecast months included (the index is no longer
  published: no data means no restrictions).
- **working days** per month from ``dim_calendar`` (months it lacks, such as forecast months past
  the last load, by the same rule as the ETL: weekdays that are not French public holidays).
- **sessions**: web sessions are *not* known for the forecast months and move with the leads of
  the same month (they would leak the target into the backtest). They enter lagged by the horizon
  (``sessions_lag`` months, default the horizon), so every forecast month's value is already
  observed; ``sessions_lag=None`` leaves them out.

:meth:`Regressors.for_series` gives one series' design: its media column (the adstock of its own
channel and / or region, summed over paid channels for the total and region series; none for an
unpaid channel), then covid, working days and sessions. Columns that are constant over the past
months are dropped (nothing to learn from them). Spend and sessions are in thousands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, case, func, select

from forecasting.series import SeriesKey, SeriesSet, month_start, monthly_cells, root_region
from pilotage.dates import add_months, french_holidays
from pilotage.store.models import Calendar, ExternalSeries, MediaPlan

DECAY_GRID = tuple(round(0.1 * i, 1) for i in range(10))  # 0.0 ... 0.9 per month
DEFAULT_DECAY = 0.3
MIN_MONTHS_FOR_DECAY = 12
COVID_SERIES = "covid_stringency"
THOUSAND = 1000.0
MEDIA = "media"  # prefix of the media columns' names


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Geometric carry-over along the last axis: ``a_t = x_t + decay * a_{t-1}``."""
    spend = np.asarray(spend, dtype=float)
    out = np.empty_like(spend)
    carried = np.zeros(spend.shape[:-1])
    for t in range(spend.shape[-1]):
        carried = spend[..., t] + decay * carried
        out[..., t] = carried
    return out


def choose_decay(y: np.ndarray, spend: np.ndarray, months: list[dt.date],
                 grid: tuple[float, ...] = DECAY_GRID) -> tuple[float, str]:
    """The decay of ``grid`` whose adstock of ``spend`` best fits ``y`` (with level, trend, a yearly harmonic).

    Returns ``(decay, "data")``, or ``(DEFAULT_DECAY, "default")`` when there are fewer than
    ``MIN_MONTHS_FOR_DECAY`` months with spend or the fit cannot tell.
    """
    y = np.asarray(y, dtype=float)
    spend = np.asarray(spend, dtype=float)
    if np.count_nonzero(spend > 0) < MIN_MONTHS_FOR_DECAY or len(y) < MIN_MONTHS_FOR_DECAY:
        return DEFAULT_DECAY, "default"
    t = np.arange(len(y), dtype=float)
    angle = 2 * np.pi * np.array([m.month for m in months], dtype=float) / 12
    base = np.column_stack([np.ones(len(y)), t, np.cos(angle), np.sin(angle)])
    sse = []
    for decay in grid:
        X = np.column_stack([base, adstock(spend, decay)])
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        sse.append(float(np.sum((y - X @ coef) ** 2)))
    sse = np.array(sse)
    if not np.all(np.isfinite(sse)) or np.ptp(sse) <= 1e-12 * max(float(sse.max()), 1.0):
        return DEFAULT_DECAY, "default"
    return float(grid[int(np.argmin(sse))]), "data"


@dataclass
class Regressors:
    """Monthly regressors over the past months then the forecast months."""

    months: list[dt.date]  # past then future
    n_past: int
    spend: dict[tuple[str, str], np.ndarray]  # (channel, top region) -> EUR per month
    decays: dict[str, float]
    decay_sources: dict[str, str]
    covid: np.ndarray
    working_days: np.ndarray
    sessions: dict[tuple[str, str], np.ndarray]  # (channel, top region) -> sessions per month (past only)
    sessions_lag: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def future_months(self) -> list[dt.date]:
        return self.months[self.n_past:]

    def adstock_of(self, channel: str | None, region: str | None) -> np.ndarray | None:
        """Adstocked spend (EUR) of a channel and / or region, summed over paid channels; None if unpaid."""
        cells = [(c, r) for (c, r) in self.spend
                 if (channel is None or c == channel) and (region is None or r == region)]
        if not cells:
            return None
        return np.sum([adstock(self.spend[cell], self.decays[cell[0]]) for cell in cells], axis=0)

    def spend_of(self, channel: str | None, region: str | None) -> np.ndarray:
        cells = [cell for cell in self.spend
                 if (channel is None or cell[0] == channel) and (region is None or cell[1] == region)]
        return np.sum([self.spend[c] for c in cells], axis=0) if cells else np.zeros(len(self.months))

    def sessions_of(self, channel: str | None, region: str | None) -> np.ndarray:
        cells = [cell for cell in self.sessions
                 if (channel is None or cell[0] == channel) and (region is None or cell[1] == region)]
        return np.sum([self.sessions[c] for c in cells], axis=0) if cells else np.zeros(self.n_past)

    def for_series(self, key: SeriesKey) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
        """``(x_past, x_future, names)`` for one series; ``(None, None, [])`` when nothing varies."""
        columns, names = [], []
        media = self.adstock_of(key.channel_code, key.region_code)
        if media is not None:
            columns.append(media / THOUSAND)
            names.append(f"{MEDIA}:{key.channel_code or 'all'}")
        columns.append(self.covid)
        names.append("covid_stringency")
        columns.append(self.working_days)
        names.append("working_days")
        if self.sessions_lag:
            lagged = np.concatenate([np.full(self.sessions_lag, np.nan),
                                     self.sessions_of(key.channel_code, key.region_code) / THOUSAND])
            lagged = lagged[:len(self.months)]
            lagged[:self.sessions_lag] = lagged[self.sessions_lag] if len(lagged) > self.sessions_lag else 0.0
            columns.append(lagged)
            names.append(f"sessions_lag{self.sessions_lag}")
        x = np.column_stack(columns)
        past = x[:self.n_past]
        keep = np.all(np.isfinite(x), axis=0) & (np.ptp(past, axis=0) > 1e-9)
        if not keep.any():
            return None, None, []
        x = x[:, keep]
        return x[:self.n_past], x[self.n_past:], [n for n, k in zip(names, keep, strict=True) if k]


def build_regressors(engine: Engine, series: SeriesSet, horizon: int, sessions_lag: int | None = -1) -> Regressors:
    """Regressors for ``series``'s months and the ``horizon`` months after its cut-off.

    ``sessions_lag``: -1 (default) lags sessions by ``horizon``; ``None`` or 0 leaves them out.
    """
    if sessions_lag == -1:
        sessions_lag = horizon
    past = series.months
    future = [add_months(series.cutoff, i) for i in range(1, horizon + 1)]
    months = past + future
    notes: list[str] = []
    cells = monthly_cells(engine, ("spend", "sessions"), past[0], past[-1], series.region_map)
    spend_past = _by_cell(cells, "spend", past)
    sessions = _by_cell(cells, "sessions", past) if sessions_lag else {}
    spend_future = _planned_spend(engine, future, series.region_map, series.parents, spend_past, past, notes)
    spend: dict[tuple[str, str], np.ndarray] = {}
    for cell in sorted(set(spend_past) | set(spend_future)):
        values = np.concatenate([spend_past.get(cell, np.zeros(len(past))),
                                 spend_future.get(cell, np.zeros(len(future)))])
        if np.any(values > 0):
            spend[cell] = values
    decays, sources = {}, {}
    for channel in sorted({c for c, _ in spend}):
        channel_spend = np.sum([v[:len(past)] for (c, _), v in spend.items() if c == channel], axis=0)
        key = SeriesKey("channel", channel, None).key
        y = series.y(key) if key in {k.key for k in series.keys} else np.zeros(len(past))
        decays[channel], sources[channel] = choose_decay(y, channel_spend, past)
    return Regressors(months, len(past), spend, decays, sources, _covid(engine, months),
                      _working_days(engine, months), sessions, sessions_lag or None, notes)


def _by_cell(cells: pd.DataFrame, measure: str, months: list[dt.date]) -> dict[tuple[str, str], np.ndarray]:
    if cells.empty:
        return {}
    table = cells.pivot_table(index=["channel_code", "region_code"], columns="month", values=measure,
                              aggfunc="sum", fill_value=0.0).reindex(columns=months, fill_value=0.0)
    return {tuple(ix): row.to_numpy(dtype=float) for ix, row in table.iterrows() if row.to_numpy().any()}


def _planned_spend(engine: Engine, future: list[dt.date], region_map: dict[str, str],
                   parents: dict[str, str | None], spend_past: dict[tuple[str, str], np.ndarray], past: list[dt.date],
                   notes: list[str]) -> dict[tuple[str, str], np.ndarray]:
    """Planned spend per (channel, top region) for the forecast months."""
    out: dict[tuple[str, str], np.ndarray] = {}
    if not future:
        return out
    statement = (select(MediaPlan.month, MediaPlan.channel_code, MediaPlan.region_code,
                        func.sum(MediaPlan.planned_spend))
                 .where(MediaPlan.month.between(future[0], future[-1]))
                 .group_by(MediaPlan.month, MediaPlan.channel_code, MediaPlan.region_code))
    with engine.connect() as conn:
        plan = conn.execute(statement).all()
    # national rows are spread by each channel's regional share of the last 12 months' actual spend
    recent = slice(max(0, len(past) - 12), len(past))
    shares: dict[str, dict[str, float]] = {}
    for (channel, region), values in spend_past.items():
        shares.setdefault(channel, {})[region] = float(values[recent].sum())
    all_regions: dict[str, float] = {}
    for per_region in shares.values():
        for region, value in per_region.items():
            all_regions[region] = all_regions.get(region, 0.0) + value
    position = {m: i for i, m in enumerate(future)}
    covered: set[dt.date] = set()
    for month, channel, region, amount in plan:
        month = month_start(month)
        if month not in position or not amount:
            continue
        covered.add(month)
        top = region_map.get(region, region)
        if parents.get(region, "") is None:  # planned on a country: spread over its regions
            weights = {r: v for r, v in (shares.get(channel) or all_regions).items()
                       if root_region(r, parents) == region and r != region}
            total = sum(weights.values())
            targets = {r: v / total for r, v in weights.items()} if total > 0 else {region: 1.0}
        else:
            targets = {top: 1.0}
        for target, share in targets.items():
            out.setdefault((channel, target), np.zeros(len(future)))[position[month]] += float(amount) * share
    missing = [m for m in future if m not in covered]
    if missing:
        notes.append("no media plan for " + ", ".join(f"{m:%Y-%m}" for m in missing)
                     + ": the same months' actual spend a year earlier is assumed")
        past_index = {m: i for i, m in enumerate(past)}
        for month in missing:
            source = past_index.get(add_months(month, -12))
            for cell, values in spend_past.items():
                if source is not None and values[source] > 0:
                    out.setdefault(cell, np.zeros(len(future)))[position[month]] = values[source]
    return out


def _covid(engine: Engine, months: list[dt.date]) -> np.ndarray:
    statement = (select(ExternalSeries.date, func.avg(ExternalSeries.value))
                 .where(ExternalSeries.series == COVID_SERIES,
                        ExternalSeries.date.between(months[0], add_months(months[-1], 1) - dt.timedelta(days=1)))
                 .group_by(ExternalSeries.date))
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    out = np.zeros(len(months))
    if not rows:
        return out
    frame = pd.DataFrame(rows, columns=["date", "value"])
    frame["month"] = [month_start(d) for d in frame["date"]]
    means = frame.groupby("month")["value"].mean()
    for i, m in enumerate(months):
        if m in means.index and np.isfinite(means[m]):
            out[i] = float(means[m])
    return out


def _working_days(engine: Engine, months: list[dt.date]) -> np.ndarray:
    statement = (select(Calendar.month_start, func.count(Calendar.date),
                        func.sum(case((Calendar.is_working_day, 1), else_=0)))
                 .where(Calendar.month_start.between(months[0], months[-1]))
                 .group_by(Calendar.month_start))
    with engine.connect() as conn:
        known = {month_start(m): (days, int(working or 0)) for m, days, working in conn.execute(statement).all()}
    out = np.zeros(len(months))
    for i, m in enumerate(months):
        next_month = add_months(m, 1)
        if m in known and known[m][0] == (next_month - m).days:
            out[i] = known[m][1]
        else:
            out[i] = _count_working_days(m)
    return out


def _count_working_days(month: dt.date) -> int:
    """Weekdays that are not French public holidays (the ETL's rule, :mod:`etl.calendar`)."""
    holidays = french_holidays(month.year)
    count, day = 0, month
    while day.month == month.month:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        day += dt.timedelta(days=1)
    return count

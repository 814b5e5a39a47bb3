"""The monthly series the forecaster learns, read from ``mart_monthly`` (the marts only).

Target: qualified leads (``measure``), summed per month over four levels that form one
grouped hierarchy:

- ``total``: everything;
- ``channel``: per channel;
- ``region``: per *top region*, the region level directly under a country in ``dim_region``
  (the regions users are scoped on); a mart row on a sub-area counts in its top region, and one on
  a country itself (or on ``XX``, unassigned) stays on that code;
- ``channel_region``: per channel x top region, the bottom level. Bottom cells with no lead in
  the whole history are left out (their forecast would be 0 and they would only add noise to
  the reconciliation).

The months run from the first *complete* month of data (a history starting on the 15th drops its
first month) to the cut-off month, with 0 for a month without a row. The cut-off defaults to the
last complete month: the month of ``mart_daily``'s last date if that date is the month's last day,
else the month before. :attr:`SeriesSet.hierarchy` is the summing matrix for
:func:`forecasting.reconcile.reconcile`, rows in the order of :attr:`SeriesSet.keys`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from forecasting.reconcile import Hierarchy, build_hierarchy
from pilotage.dates import add_months, months_between
from pilotage.store.models import MartDaily, MartMonthly, Region

MEASURE = "qualified_leads"
LEVELS = ("total", "channel", "region", "channel_region")


class DataError(ValueError):
    """The store does not hold what a training needs (no data, a bad cut-off...)."""


@dataclass(frozen=True)
class SeriesKey:
    """One series: its level and the channel and / or top region it is about."""

    level: str
    channel_code: str | None = None
    region_code: str | None = None

    @property
    def key(self) -> str:
        """Stable text id: ``total``, ``channel:<c>``, ``region:<r>``, ``channel_region:<c>:<r>``."""
        return series_key(self.channel_code, self.region_code)

    @property
    def node(self) -> tuple:
        return (self.channel_code, self.region_code)


def series_key(channel_code: str | None = None, region_code: str | None = None) -> str:
    """The ``series_key`` stored in the registry for a channel and / or a top region."""
    if channel_code is None and region_code is None:
        return "total"
    if region_code is None:
        return f"channel:{channel_code}"
    if channel_code is None:
        return f"region:{region_code}"
    return f"channel_region:{channel_code}:{region_code}"


def month_start(value: dt.date | str | pd.Timestamp) -> dt.date:
    """First day of the month of a date, or of ``YYYY-MM``."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(-\d{1,2})?", value.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise DataError(f"{value!r} is not a month (YYYY-MM)")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    return dt.date(value.year, value.month, 1)


def region_parents(engine: Engine) -> dict[str, str | None]:
    """``dim_region``'s ``code -> parent_code``."""
    with engine.connect() as conn:
        return dict(conn.execute(select(Region.code, Region.parent_code)).all())


def top_region(code: str, parents: dict[str, str | None]) -> str:
    """The ancestor of ``code`` directly under a root (a country); a root, or an unknown code, is itself."""
    seen = set()
    while parents.get(code) is not None and parents.get(parents[code]) is not None and code not in seen:
        seen.add(code)
        code = parents[code]
    return code


def root_region(code: str, parents: dict[str, str | None]) -> str:
    """The root (country) above ``code``."""
    seen = set()
    while parents.get(code) is not None and code not in seen:
        seen.add(code)
        code = parents[code]
    return code


def data_months(engine: Engine) -> tuple[dt.date, dt.date]:
    """(first complete month, last complete month) of the activity marts."""
    with engine.connect() as conn:
        first_day, last_day = conn.execute(select(func.min(MartDaily.date), func.max(MartDaily.date))).one()
        first_month, last_month = conn.execute(select(func.min(MartMonthly.month), func.max(MartMonthly.month))).one()
    if first_month is None:
        raise DataError("the store has no monthly data (mart_monthly is empty): load exports or run `pilotage demo`")
    first, last = month_start(first_month), month_start(last_month)
    if first_day is not None:
        if first_day.day != 1:
            first = add_months(month_start(first_day), 1)
        end_month = month_start(last_day)
        last = end_month if (last_day + dt.timedelta(days=1)).day == 1 else add_months(end_month, -1)
    if last < first:
        raise DataError(f"no complete month of data (data from {first_day} to {last_day})")
    return first, last


@dataclass
class SeriesSet:
    """Every series of a training, on the same months, with the hierarchy that sums them."""

    months: list[dt.date]
    keys: list[SeriesKey]
    values: np.ndarray  # (n_series, n_months), rows in the order of ``keys``
    hierarchy: Hierarchy
    region_map: dict[str, str]
    parents: dict[str, str | None] = field(default_factory=dict)
    measure: str = MEASURE
    dropped: tuple[tuple[str, str], ...] = ()  # bottom cells without any lead

    @property
    def cutoff(self) -> dt.date:
        return self.months[-1]

    def index(self, key: str) -> int:
        return [k.key for k in self.keys].index(key)

    def y(self, key: str) -> np.ndarray:
        return self.values[self.index(key)]

    def frame(self) -> pd.DataFrame:
        """Long frame ``series_key, level, channel_code, region_code, month, value`` (the actuals)."""
        rows = {
            "series_key": np.repeat([k.key for k in self.keys], len(self.months)),
            "level": np.repeat([k.level for k in self.keys], len(self.months)),
            "channel_code": np.repeat([k.channel_code for k in self.keys], len(self.months)),
            "region_code": np.repeat([k.region_code for k in self.keys], len(self.months)),
            "month": np.tile(np.array(self.months, dtype=object), len(self.keys)),
            "value": self.values.ravel(),
        }
        return pd.DataFrame(rows)


def _level(node: tuple) -> str:
    channel, region = node
    if channel is None and region is None:
        return "total"
    if region is None:
        return "channel"
    if channel is None:
        return "region"
    return "channel_region"


def monthly_cells(engine: Engine, measures: tuple[str, ...], first: dt.date, last: dt.date,
                  region_map: dict[str, str]) -> pd.DataFrame:
    """``month, channel_code, region_code`` (top region) and the summed ``measures`` from ``mart_monthly``."""
    columns = [func.sum(getattr(MartMonthly, m)).label(m) for m in measures]
    statement = (select(MartMonthly.month, MartMonthly.channel_code, MartMonthly.region_code, *columns)
                 .where(MartMonthly.month.between(first, last))
                 .group_by(MartMonthly.month, MartMonthly.channel_code, MartMonthly.region_code))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(statement).all(), columns=["month", "channel_code", "region_code",
                                                                     *measures])
    if frame.empty:
        return frame
    frame["month"] = [month_start(m) for m in frame["month"]]
    frame["region_code"] = frame["region_code"].map(lambda c: region_map.get(c, c))
    for m in measures:
        frame[m] = frame[m].astype(float)
    return frame.groupby(["month", "channel_code", "region_code"], as_index=False)[list(measures)].sum()


def build_series(engine: Engine, cutoff: dt.date | str | None = None, measure: str = MEASURE) -> SeriesSet:
    """The series up to the ``cutoff`` month (default: the last complete month)."""
    first, last = data_months(engine)
    if cutoff is not None:
        cutoff = month_start(cutoff)
        if cutoff > last:
            raise DataError(f"cut-off {cutoff:%Y-%m} is after the last complete month of data ({last:%Y-%m})")
        if cutoff < first:
            raise DataError(f"cut-off {cutoff:%Y-%m} is before the first complete month of data ({first:%Y-%m})")
        last = cutoff
    months = months_between(first, last)
    parents = region_parents(engine)
    region_map = {code: top_region(code, parents) for code in parents}
    cells = monthly_cells(engine, (measure,), first, last, region_map)
    if cells.empty or cells[measure].sum() <= 0:
        raise DataError(f"no {measure.replace('_', ' ')} in the data up to {last:%Y-%m}")
    table = cells.pivot_table(index=["channel_code", "region_code"], columns="month", values=measure,
                              aggfunc="sum", fill_value=0.0).reindex(columns=months, fill_value=0.0)
    table = table.sort_index()
    keep = table.sum(axis=1) > 0
    dropped = tuple(tuple(ix) for ix in table.index[~keep])
    table = table[keep]
    bottom = [tuple(ix) for ix in table.index]
    hierarchy = build_hierarchy(bottom, levels=[(), (0,), (1,)])
    values = hierarchy.S @ table.to_numpy(dtype=float)
    keys = [SeriesKey(_level(node), node[0], node[1]) for node in hierarchy.nodes]
    return SeriesSet(months, keys, values, hierarchy, region_map, parents, measure, dropped)

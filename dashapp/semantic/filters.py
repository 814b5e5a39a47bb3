"""Filters as the views send them, validated before any query sees them.

Everything here comes from the browser (URL, dropdowns, a forged POST): dates are parsed or
replaced by the default period, the grain must be a known one, and region, channel,
campaign and source codes are kept only if they exist. Regions are then narrowed to the
user's scope by the query layer, never widened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from dateutil.relativedelta import relativedelta

from pilotage.dates import month_end

GRAINS = ("day", "week", "month")
PERIODS = ("last_month", "month_to_date", "week_to_date", "quarter_to_date", "last_quarter", "last_12_months",
           "year_to_date", "custom")
BREAKDOWNS = ("channel", "campaign", "region", "source")
MAX_CODES = 200
# Dates outside these are refused whatever the data: a period is shifted a year back (last year) or a
# month on (month ends), and 9999-12-31 + 1 month is an OverflowError.
SAFE_DATES = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    grain: str = "month"
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    period: str = "custom"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def shifted(self, *, years: int = 0, months: int = 0, days: int = 0) -> Filters:
        """The same filters over another period of the same length (previous period, last year)."""
        delta = relativedelta(years=years, months=months, days=days)
        start, end = self.start + delta, self.end + delta
        if months or years:  # keep whole months whole (28 Feb -> 31 Mar, not 28 Mar)
            if self.end == month_end(self.end):
                end = month_end(end)
        return replace(self, start=start, end=end, period="custom")

    def previous(self) -> Filters:
        if self.start.day == 1 and self.end == month_end(self.end):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return self.shifted(months=-months)
        return self.shifted(days=-((self.end - self.start).days + 1))

    def last_year(self) -> Filters:
        return self.shifted(years=-1)


def period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The named periods of the filter bar; ``today`` is the last day with data + 1.

    "To date" periods are the week, month, quarter or year holding the last day with data
    (``yesterday``): with data up to Sunday, the week to date on Monday is the week just ended,
    not an empty range."""
    yesterday = today - dt.timedelta(days=1)
    month_start = today.replace(day=1)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if period == "month_to_date":
        return yesterday.replace(day=1), yesterday
    if period == "week_to_date":
        return yesterday - dt.timedelta(days=yesterday.weekday()), yesterday  # ISO weeks start on Monday
    if period == "quarter_to_date":
        return dt.date(yesterday.year, 3 * ((yesterday.month - 1) // 3) + 1, 1), yesterday
    if period == "last_quarter":
        start = quarter_start - relativedelta(months=3)
        return start, quarter_start - dt.timedelta(days=1)
    if period == "last_12_months":
        return month_start - relativedelta(months=12), month_start - dt.timedelta(days=1)
    if period == "year_to_date":
        return dt.date(yesterday.year, 1, 1), yesterday
    # default: the last complete month
    return month_start - relativedelta(months=1), month_start - dt.timedelta(days=1)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def _codes(value, known: set[str] | frozenset[str]) -> tuple[str, ...]:
    if value in (None, "", [], ()):
        return ()
    values = value.split(",") if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)):
        return ()
    return tuple(sorted({str(v) for v in values[:MAX_CODES] if isinstance(v, (str, int)) and str(v) in known}))


def _clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return min(max(day, low), high)


def parse_filters(raw: Mapping | None, *, today: dt.date, known: Mapping[str, set[str]],
                  data_range: tuple[dt.date, dt.date] | None = None) -> Filters:
    """Untrusted input -> :class:`Filters`. Unknown keys are ignored, bad values dropped.

    ``known`` maps ``regions``, ``channels``, ``campaigns`` and ``sources`` to their valid codes;
    a custom period is clamped to ``data_range`` (first and last day with data) when there is data.
    """
    raw = raw if isinstance(raw, Mapping) else {}
    period = raw.get("period") if raw.get("period") in PERIODS else "last_month"
    start, end = _date(raw.get("start")), _date(raw.get("end"))
    if period != "custom" or not start or not end:
        if period == "custom":
            period = "last_month"
        start, end = period_range(period, today)
    if end < start:
        start, end = end, start
    low, high = SAFE_DATES
    if data_range and period == "custom":
        low, high = max(low, data_range[0]), min(high, data_range[1])
    start, end = _clamp(start, low, high), _clamp(end, low, high)
    if (end - start).days > 366 * 10:  # ten years at most: a forged range cannot scan forever
        start = end - dt.timedelta(days=366 * 10)
    grain = raw.get("grain") if raw.get("grain") in GRAINS else ("day" if (end - start).days <= 31 else "month")
    return Filters(
        start=start, end=end, grain=grain, period=period,
        regions=_codes(raw.get("regions") or raw.get("region"), known.get("regions", set())),
        channels=_codes(raw.get("channels") or raw.get("channel"), known.get("channels", set())),
        campaigns=_codes(raw.get("campaigns") or raw.get("campaign"), known.get("campaigns", set())),
        sources=_codes(raw.get("sources") or raw.get("source"), known.get("sources", set())),
    )

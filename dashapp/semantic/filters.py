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

from .periods import GRAINS, PERIOD_UNITS, PERIODS, Window, period_range

__all__ = ("BREAKDOWNS", "GRAINS", "PERIODS", "Filters", "parse_filters", "period_range")
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

    def over(self, window: Window) -> Filters:
        """The same filters over another window (a comparison window of :func:`periods.compare`)."""
        return replace(self, start=window.start, end=window.end, period="custom")

    @property
    def unit(self) -> str | None:
        """The calendar unit of a named period (None for a custom one: read by its shape)."""
        return PERIOD_UNITS.get(self.period)


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

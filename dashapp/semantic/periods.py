"""Named periods and what a period is compared with: the one place for the app's period arithmetic.

A window ``[start, end]`` (both included) is read in a calendar *unit*: an ISO week, a month, a
quarter, a year, or several whole weeks or months, or plain days. The unit comes from the named
period (``week_to_date`` is a week) or, for dates picked by hand, from the window's shape (see
:func:`unit_of`).

A window that stops before its unit's end is *partial* (a week to date, a month to date). It is
compared like for like, never with a whole period nor with the days just before it:

- a week with the same ISO weekdays of the previous week, and of the same ISO week last year
  (week 53 maps onto week 52 in a 52-week year: :func:`pilotage.dates.same_iso_week`);
- a month, a quarter or a year with the same days counted from the start of the previous one and of
  the same one last year: the same day of the same month of the period (quarter to date 1 July to
  3 September: 1 April to 3 June, and 1 July to 3 September last year). A day the shorter month does
  not have is clamped to its end (1 to 30 March: 1 to 28 February).

A complete unit is compared with the whole previous unit and the whole same unit last year. Several
whole weeks or months compare with as many just before and with the same ones last year; other
windows with as many days just before and the same dates last year.

Charts cut a window into buckets (days, ISO weeks, months); :func:`buckets` says which ones the
window covers only in part, so that they are drawn as partial and never compared as if complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from pilotage.dates import (
    add_months,
    days_inclusive,
    month_end,
    month_start,
    quarter_end,
    quarter_start,
    same_iso_week,
    week_end,
    week_start,
    year_end,
    year_start,
)

PERIODS = ("last_month", "last_week", "month_to_date", "week_to_date", "quarter_to_date", "last_quarter",
           "last_12_months", "year_to_date", "custom")
UNITS = ("week", "month", "quarter", "year", "weeks", "months", "days")
# The unit each named period is read in ("custom" windows are read by their shape).
PERIOD_UNITS = {"last_week": "week", "week_to_date": "week", "last_month": "month", "month_to_date": "month",
                "last_quarter": "quarter", "quarter_to_date": "quarter", "year_to_date": "year",
                "last_12_months": "months"}
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # included

    @property
    def days(self) -> int:
        return days_inclusive(self.start, self.end)


@dataclass(frozen=True)
class Comparison:
    """A window as it is read, and the two windows it is compared with."""

    unit: str  # one of UNITS
    window: Window  # the window read: its end never after the data's last day
    unit_end: dt.date  # the last day of the window's unit (the window's own end when it is complete)
    previous: Window  # the previous unit, like for like
    last_year: Window  # the same unit last year, like for like

    @property
    def partial(self) -> bool:
        """The window stops before its unit's end: its comparisons hold the same days only."""
        return self.window.end < self.unit_end

    @property
    def unit_days(self) -> int:
        return days_inclusive(self.window.start, self.unit_end)


def period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The named periods of the filter bars; ``today`` is the last day with data + 1.

    "To date" periods are the week, month, quarter or year holding the last day with data
    (``yesterday``): with data up to Sunday, the week to date on Monday is the week just ended,
    not an empty range. "Last" periods are the last complete ones before ``today``."""
    yesterday = today - dt.timedelta(days=1)
    if period == "month_to_date":
        return month_start(yesterday), yesterday
    if period == "week_to_date":
        return week_start(yesterday), yesterday
    if period == "last_week":
        monday = week_start(today) - dt.timedelta(days=7)
        return monday, monday + dt.timedelta(days=6)
    if period == "quarter_to_date":
        return quarter_start(yesterday), yesterday
    if period == "last_quarter":
        start = add_months(quarter_start(today), -3)
        return start, quarter_end(start)
    if period == "last_12_months":
        return add_months(month_start(today), -12), month_start(today) - dt.timedelta(days=1)
    if period == "year_to_date":
        return year_start(yesterday), yesterday
    # default: the last complete month
    start = add_months(month_start(today), -1)
    return start, month_end(start)


# --- the unit of a window ---------------------------------------------------------------------------

def _whole_months(start: dt.date, end: dt.date) -> int:
    """How many whole months ``[start, end]`` is, 0 when it is not whole months."""
    if start.day != 1 or end != month_end(end) or end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _fits(unit: str, start: dt.date, end: dt.date) -> bool:
    """Whether ``[start, end]`` can be read in ``unit`` (a named period clamped to the data may not)."""
    if end < start:
        return False
    if unit == "week":
        return start.weekday() == 0 and end <= start + dt.timedelta(days=6)
    if unit == "weeks":
        return start.weekday() == 0 and end.weekday() == 6
    if unit == "month":
        return start.day == 1 and end <= month_end(start)
    if unit == "quarter":
        return start == quarter_start(start) and end <= quarter_end(start)
    if unit == "year":
        return start == year_start(start) and end <= year_end(start)
    if unit == "months":
        return _whole_months(start, end) > 0
    return unit == "days"


def unit_of(start: dt.date, end: dt.date) -> str:
    """The unit of a window picked by hand, from its shape, the first that fits of:

    whole ISO weeks (``week``, or ``weeks``); whole months (``month``, ``quarter`` or ``year`` when
    aligned on one, else ``months``); a start on a month's first day within that month (``month`` to
    date), on a quarter's within the quarter (``quarter`` to date), on 1 January within the year
    (``year`` to date); a start on a Monday within its week (``week`` to date); else ``days``."""
    if start.weekday() == 0 and end.weekday() == 6 and end >= start:
        return "week" if end == start + dt.timedelta(days=6) else "weeks"
    months = _whole_months(start, end)
    if months:
        if months == 1:
            return "month"
        if months == 3 and start == quarter_start(start):
            return "quarter"
        if months == 12 and start == year_start(start):
            return "year"
        return "months"
    for unit in ("month", "quarter", "year", "week"):
        if _fits(unit, start, end):
            return unit
    return "days"


# --- comparison windows ---------------------------------------------------------------------------------

def _unit_end(unit: str, start: dt.date, end: dt.date) -> dt.date:
    if unit == "week":
        return week_end(start)
    if unit == "month":
        return month_end(start)
    if unit == "quarter":
        return quarter_end(start)
    if unit == "year":
        return year_end(start)
    return end  # several whole weeks or months, or days: the window is its own unit


def _shift_months(start: dt.date, end: dt.date, months: int, unit_end, complete: bool) -> Window:
    """A month, quarter or year ``months`` away: whole when the window is, else the same day of the
    same month of the period (clamped to that month's end)."""
    first = add_months(start, months)
    return Window(first, unit_end(first) if complete else add_months(end, months))


def compare(start: dt.date, end: dt.date, data_end: dt.date | None = None, unit: str | None = None) -> Comparison:
    """The window ``[start, end]`` (its end clipped to ``data_end``, the last day with data), the unit
    it is read in (``unit`` when it fits, else its shape's), whether it is partial, and the previous
    and last-year windows it is compared with (see the module's docstring)."""
    if data_end is not None and start <= data_end < end:
        end = data_end
    if unit is None or not _fits(unit, start, end):
        unit = unit_of(start, end)
    unit_end = _unit_end(unit, start, end)
    complete = end >= unit_end
    days = days_inclusive(start, end)
    if unit == "week":
        previous = Window(start - dt.timedelta(days=7), end - dt.timedelta(days=7))
        first = same_iso_week(start, -1)
        last_year = Window(first, first + (end - start))
    elif unit == "weeks":
        previous = Window(start - dt.timedelta(days=days), end - dt.timedelta(days=days))
        first = same_iso_week(start, -1)
        last_year = Window(first, first + (end - start))
    elif unit == "month":
        previous = _shift_months(start, end, -1, month_end, complete)
        last_year = _shift_months(start, end, -12, month_end, complete)
    elif unit == "quarter":
        previous = _shift_months(start, end, -3, quarter_end, complete)
        last_year = _shift_months(start, end, -12, quarter_end, complete)
    elif unit == "year":
        previous = last_year = _shift_months(start, end, -12, year_end, complete)
    elif unit == "months":
        months = _whole_months(start, end)
        previous = Window(add_months(start, -months), month_end(add_months(month_start(end), -months)))
        last_year = Window(add_months(start, -12), month_end(add_months(month_start(end), -12)))
    else:
        previous = Window(start - dt.timedelta(days=days), end - dt.timedelta(days=days))
        last_year = Window(start + relativedelta(years=-1), end + relativedelta(years=-1))
    return Comparison(unit, Window(start, end), unit_end, previous, last_year)


def compare_day(day: dt.date) -> Comparison:
    """One day compared like for like: with the same weekday of the previous week and of the same ISO week
    last year (a Monday with a Monday: a day's activity follows its weekday more than its date)."""
    before, last_year = day - dt.timedelta(days=7), same_iso_week(day, -1)
    return Comparison("days", Window(day, day), day, Window(before, before), Window(last_year, last_year))


# --- chart buckets ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    key: dt.date  # the bucket's first day as charts name it (the day, the ISO week's Monday, the month's 1st)
    start: dt.date  # the first day of the bucket inside the window
    end: dt.date  # its last day inside the window
    grain: str = "day"

    @property
    def partial(self) -> bool:
        """The window (or the data) covers only part of the bucket."""
        return self.start != self.key or self.end != bucket_end(self.key, self.grain)


def bucket_key(day: dt.date, grain: str) -> dt.date:
    """The bucket a day falls in (ISO weeks start on Monday)."""
    if grain == "week":
        return week_start(day)
    if grain == "month":
        return month_start(day)
    return day


def bucket_end(key: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return week_end(key)
    if grain == "month":
        return month_end(key)
    return key


def buckets(start: dt.date, end: dt.date, grain: str) -> list[Bucket]:
    """The buckets of ``[start, end]`` at ``grain``, each with the days of it the window covers."""
    result, key = [], bucket_key(start, grain)
    while key <= end:
        last = bucket_end(key, grain)
        result.append(Bucket(key, max(key, start), min(last, end), grain))
        key = last + dt.timedelta(days=1)
    return result


def partial_buckets(start: dt.date, end: dt.date, grain: str) -> dict[dt.date, Bucket]:
    """The buckets of ``[start, end]`` the window covers in part, by key (a week to date's last week)."""
    return {b.key: b for b in buckets(start, end, grain) if b.partial}

"""Month, quarter and ISO-week arithmetic shared by every layer, and the French public holidays.

One copy of each rule: a month is named by its first day, a week starts on Monday (ISO 8601:
week 1 holds the year's first Thursday, so an ISO year has 52 or 53 weeks and its first days
may lie in December), and a period's end is its last day, included.
"""

from __future__ import annotations

import calendar
import datetime as dt

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """Last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the target month's last day (31 Jan + 1 -> 28/29 Feb)."""
    return day + relativedelta(months=months)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start``'s to ``end``'s, both included."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def days_inclusive(start: dt.date, end: dt.date) -> int:
    """Days from ``start`` to ``end``, both included (1 for a single day)."""
    return (end - start).days + 1


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    return month_end(add_months(quarter_start(day), 2))


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def year_end(day: dt.date) -> dt.date:
    return dt.date(day.year, 12, 31)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_end(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s ISO week."""
    return week_start(day) + dt.timedelta(days=6)


def iso_weeks_in_year(iso_year: int) -> int:
    """52 or 53: 28 December always lies in its year's last ISO week."""
    return dt.date(iso_year, 12, 28).isocalendar()[1]


def same_iso_week(day: dt.date, years: int = -1) -> dt.date:
    """The same ISO weekday of the same ISO week number ``years`` ISO years away.

    Week 53 has no match in a 52-week year: it maps onto that year's week 52, so that a
    weekly comparison is always with a whole week of the same weekdays (2026-W53, 28 Dec 2026
    to 3 Jan 2027, compares with 2025-W52, 22 to 28 Dec 2025)."""
    iso_year, week, weekday = day.isocalendar()
    target = iso_year + years
    return dt.date.fromisocalendar(target, min(week, iso_weeks_in_year(target)), weekday)


def french_holidays(year: int) -> set[dt.date]:
    """Public holidays in metropolitan France: fixed days, Easter Monday, Ascension, Whit Monday."""
    easter_sunday = easter(year)
    movable = {easter_sunday + dt.timedelta(days=n) for n in (1, 39, 50)}
    return {dt.date(year, m, d) for m, d in FIXED_HOLIDAYS} | movable

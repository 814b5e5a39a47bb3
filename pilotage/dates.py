"""Month and week arithmetic shared by every layer, and the French public holidays.

One copy of each rule: a month is named by its first day, a week starts on Monday (ISO),
and a period's end is its last day, included.
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


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def french_holidays(year: int) -> set[dt.date]:
    """Public holidays in metropolitan France: fixed days, Easter Monday, Ascension, Whit Monday."""
    easter_sunday = easter(year)
    movable = {easter_sunday + dt.timedelta(days=n) for n in (1, 39, 50)}
    return {dt.date(year, m, d) for m, d in FIXED_HOLIDAYS} | movable

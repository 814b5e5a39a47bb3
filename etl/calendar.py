"""The calendar dimension: ISO weeks starting on Monday, months, quarters, working days.

Working days exclude weekends and French public holidays, the default market; the
forecaster uses them as a calendar regressor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dateutil.easter import easter
from sqlalchemy import Connection, select

from etl.models import Calendar

FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def french_holidays(year: int) -> set[dt.date]:
    easter_sunday = easter(year)
    movable = {easter_sunday + dt.timedelta(days=n) for n in (1, 39, 50)}  # Monday, Ascension, Whit Monday
    return {dt.date(year, m, d) for m, d in FIXED_HOLIDAYS} | movable


def calendar_row(day: dt.date, holidays: set[dt.date]) -> dict:
    iso = day.isocalendar()
    quarter = (day.month - 1) // 3 + 1
    return dict(
        date=day, year=day.year, quarter=quarter, month=day.month,
        iso_year=iso.year, iso_week=iso.week, iso_weekday=iso.weekday,
        week_start=day - dt.timedelta(days=iso.weekday - 1),
        month_start=day.replace(day=1),
        quarter_start=dt.date(day.year, 3 * quarter - 2, 1),
        is_working_day=iso.weekday <= 5 and day not in holidays,
    )


def ensure_calendar(conn: Connection, days: Iterable[dt.date]) -> None:
    """Make sure every month holding one of ``days`` is in the calendar, whole."""
    days = set(days)
    if not days:
        return
    first = min(days).replace(day=1)
    last_month = max(days).replace(day=1)
    last = (last_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    existing = set(conn.execute(
        select(Calendar.date).where(Calendar.date.between(first, last))).scalars())
    holidays: dict[int, set[dt.date]] = {}
    rows = []
    day = first
    while day <= last:
        if day not in existing:
            if day.year not in holidays:
                holidays[day.year] = french_holidays(day.year)
            rows.append(calendar_row(day, holidays[day.year]))
        day += dt.timedelta(days=1)
    if rows:
        conn.execute(Calendar.__table__.insert(), rows)

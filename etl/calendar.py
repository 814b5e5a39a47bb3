"""The calendar dimension: ISO weeks starting on Monday, months, quarters, working days.

Working days exclude weekends and French public holidays, the default market; the
forecaster uses them as a calendar regressor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, select

from pilotage.dates import french_holidays, month_end, week_start
from pilotage.store.models import Calendar


def calendar_row(day: dt.date, holidays: set[dt.date]) -> dict:
    iso = day.isocalendar()
    quarter = (day.month - 1) // 3 + 1
    return dict(
        date=day, year=day.year, quarter=quarter, month=day.month,
        iso_year=iso.year, iso_week=iso.week, iso_weekday=iso.weekday,
        week_start=week_start(day),
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
    last = month_end(last_month)
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

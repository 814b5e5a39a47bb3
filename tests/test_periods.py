"""Period arithmetic on hand-made calendars: named periods, the unit a window is read in, whether it is
partial, and the like-for-like windows it is compared with (ISO week 53, year boundaries, leap years,
quarters to date), and the buckets a chart draws as partial. Every expected date is worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from dashapp.semantic.periods import Window, buckets, compare, partial_buckets, period_range, unit_of
from pilotage.dates import iso_weeks_in_year, quarter_end, quarter_start, same_iso_week, week_end


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def w(start: str, end: str) -> Window:
    return Window(d(start), d(end))


# --- calendar helpers (pilotage.dates) ------------------------------------------------------------------

@pytest.mark.parametrize(("year", "weeks"), [(2015, 53), (2020, 53), (2021, 52), (2025, 52), (2026, 53), (2027, 52),
                                             (2032, 53)])
def test_iso_years_have_52_or_53_weeks(year, weeks):
    assert iso_weeks_in_year(year) == weeks


def test_iso_week_53_of_2026_straddles_the_new_year():
    assert d("2026-12-28").isocalendar()[:2] == (2026, 53) and d("2027-01-03").isocalendar()[:2] == (2026, 53)
    assert week_end(d("2026-12-31")) == d("2027-01-03")
    assert d("2027-01-04").isocalendar()[:2] == (2027, 1)


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-12-28", "2025-12-22"),  # 2026-W53 Mon -> 2025-W52 Mon (2025 has 52 weeks)
    ("2027-01-03", "2025-12-28"),  # 2026-W53 Sun -> 2025-W52 Sun
    ("2027-01-04", "2025-12-29"),  # 2027-W01 Mon -> 2026-W01 Mon, itself in December
    ("2026-01-01", "2025-01-02"),  # 2026-W01 Thu -> 2025-W01 Thu
    ("2021-01-03", "2019-12-29"),  # 2020-W53 Sun -> 2019-W52 Sun
    ("2024-02-29", "2023-03-02"),  # 2024-W09 Thu -> 2023-W09 Thu
])
def test_same_iso_week_last_year(day, expected):
    shifted = same_iso_week(d(day), -1)
    assert shifted == d(expected)
    assert shifted.weekday() == d(day).weekday()


def test_quarters():
    assert (quarter_start(d("2026-09-03")), quarter_end(d("2026-09-03"))) == (d("2026-07-01"), d("2026-09-30"))
    assert (quarter_start(d("2027-02-28")), quarter_end(d("2027-02-28"))) == (d("2027-01-01"), d("2027-03-31"))


# --- named periods ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "last_day", "expected"), [
    # Data up to Thursday 3 September 2026.
    ("week_to_date", "2026-09-03", ("2026-08-31", "2026-09-03")),
    ("last_week", "2026-09-03", ("2026-08-24", "2026-08-30")),
    ("month_to_date", "2026-09-03", ("2026-09-01", "2026-09-03")),
    ("last_month", "2026-09-03", ("2026-08-01", "2026-08-31")),
    ("quarter_to_date", "2026-09-03", ("2026-07-01", "2026-09-03")),
    ("last_quarter", "2026-09-03", ("2026-04-01", "2026-06-30")),
    ("year_to_date", "2026-09-03", ("2026-01-01", "2026-09-03")),
    ("last_12_months", "2026-09-03", ("2025-09-01", "2026-08-31")),
    # Data up to Sunday 30 August 2026: the week is complete, it is both the week to date and the last week.
    ("week_to_date", "2026-08-30", ("2026-08-24", "2026-08-30")),
    ("last_week", "2026-08-30", ("2026-08-24", "2026-08-30")),
    # Data up to Friday 1 January 2027: the week to date is in 2026-W53.
    ("week_to_date", "2027-01-01", ("2026-12-28", "2027-01-01")),
    ("last_week", "2027-01-01", ("2026-12-21", "2026-12-27")),
    ("last_month", "2027-01-01", ("2026-12-01", "2026-12-31")),
    ("quarter_to_date", "2027-01-01", ("2027-01-01", "2027-01-01")),
    ("last_quarter", "2027-01-01", ("2026-10-01", "2026-12-31")),
])
def test_named_periods(period, last_day, expected):
    today = d(last_day) + dt.timedelta(days=1)
    assert period_range(period, today) == (d(expected[0]), d(expected[1]))


# --- the unit of a window picked by hand -------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "unit"), [
    ("2026-08-24", "2026-08-30", "week"),      # Monday to Sunday
    ("2026-08-24", "2026-09-06", "weeks"),     # two whole ISO weeks
    ("2026-08-31", "2026-09-03", "week"),      # Monday to Thursday: a week to date
    ("2026-09-01", "2026-09-30", "month"),
    ("2026-09-01", "2026-09-03", "month"),     # a month to date
    ("2026-07-01", "2026-09-30", "quarter"),
    ("2026-07-01", "2026-09-03", "quarter"),   # a quarter to date
    ("2026-01-01", "2026-12-31", "year"),
    ("2026-01-01", "2026-09-03", "year"),      # a year to date
    ("2026-02-01", "2026-05-31", "months"),    # four whole months
    ("2026-08-03", "2026-08-12", "days"),      # Monday + 9 days
    ("2026-09-02", "2026-09-03", "days"),
    ("2026-06-01", "2026-06-07", "week"),      # 1 June 2026 is a Monday: a whole ISO week first
    ("2026-06-01", "2026-06-04", "month"),     # ... but Monday 1 to Thursday 4 is the month to date
])
def test_unit_of_a_custom_window(start, end, unit):
    assert unit_of(d(start), d(end)) == unit


# --- comparisons, like for like ------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "data_end", "unit", "partial", "previous", "last_year"), [
    # Issue 14: a week to date (Mon-Thu) is compared with Mon-Thu, not Thu-Sun of the days before.
    ("2026-08-31", "2026-09-03", "2026-09-03", "week", True,
     ("2026-08-24", "2026-08-27"), ("2025-09-01", "2025-09-04")),
    # Issue 14: quarter to date 1 Jul - 3 Sep: 1 Apr - 3 Jun, and 1 Jul - 3 Sep last year.
    ("2026-07-01", "2026-09-03", "2026-09-03", "quarter", True,
     ("2026-04-01", "2026-06-03"), ("2025-07-01", "2025-09-03")),
    # Issue 14: quarter to date to 3 Dec: 1 Jul - 3 Sep (not 29 Jul - 30 Sep).
    ("2026-10-01", "2026-12-03", "2026-12-03", "quarter", True,
     ("2026-07-01", "2026-09-03"), ("2025-10-01", "2025-12-03")),
    # ISO week 53 to date, across the new year: the same weekdays of 2026-W52 and of 2025-W52.
    ("2026-12-28", "2027-01-01", "2027-01-01", "week", True,
     ("2026-12-21", "2026-12-25"), ("2025-12-22", "2025-12-26")),
    # The whole of 2026-W53.
    ("2026-12-28", "2027-01-03", "2027-01-10", "week", False,
     ("2026-12-21", "2026-12-27"), ("2025-12-22", "2025-12-28")),
    # 2027-W01: its last-year week starts in December 2025.
    ("2027-01-04", "2027-01-06", "2027-01-06", "week", True,
     ("2026-12-28", "2026-12-30"), ("2025-12-29", "2025-12-31")),
    # Month to date across the year boundary.
    ("2027-01-01", "2027-01-15", "2027-01-15", "month", True,
     ("2026-12-01", "2026-12-15"), ("2026-01-01", "2026-01-15")),
    # Quarter to date across the year boundary.
    ("2027-01-01", "2027-02-15", "2027-02-15", "quarter", True,
     ("2026-10-01", "2026-11-15"), ("2026-01-01", "2026-02-15")),
    # Day 30 of March: February has no day 30, so the same days end on its last day.
    ("2027-03-01", "2027-03-30", "2027-03-30", "month", True,
     ("2027-02-01", "2027-02-28"), ("2026-03-01", "2026-03-30")),
    ("2028-03-01", "2028-03-30", "2028-03-30", "month", True,  # leap year
     ("2028-02-01", "2028-02-29"), ("2027-03-01", "2027-03-30")),
    # A leap February to date, day 28 of 29: the same 28 days last year (all of February 2027).
    ("2028-02-01", "2028-02-28", "2028-02-28", "month", True,
     ("2028-01-01", "2028-01-28"), ("2027-02-01", "2027-02-28")),
    # The whole leap February: the whole previous month and the whole February last year.
    ("2028-02-01", "2028-02-29", "2028-03-05", "month", False,
     ("2028-01-01", "2028-01-31"), ("2027-02-01", "2027-02-28")),
    # A whole month after a shorter one: all of the previous one (30 April -> 31 March, not 30 March).
    ("2026-04-01", "2026-04-30", "2026-05-03", "month", False,
     ("2026-03-01", "2026-03-31"), ("2025-04-01", "2025-04-30")),
    # A quarter to date ending on a month's last day: still the same days of the previous quarter.
    ("2026-04-01", "2026-05-31", "2026-05-31", "quarter", True,
     ("2026-01-01", "2026-02-28"), ("2025-04-01", "2025-05-31")),
    # Complete quarter and year.
    ("2026-07-01", "2026-09-30", "2026-10-04", "quarter", False,
     ("2026-04-01", "2026-06-30"), ("2025-07-01", "2025-09-30")),
    ("2028-01-01", "2028-02-29", "2028-02-29", "year", True,  # leap year to date
     ("2027-01-01", "2027-02-28"), ("2027-01-01", "2027-02-28")),
    ("2026-01-01", "2026-12-31", "2027-01-03", "year", False,
     ("2025-01-01", "2025-12-31"), ("2025-01-01", "2025-12-31")),
    # Several whole months, several whole weeks, days.
    ("2025-11-01", "2026-10-31", "2026-10-31", "months", False,
     ("2024-11-01", "2025-10-31"), ("2024-11-01", "2025-10-31")),
    ("2026-02-01", "2026-04-30", "2026-05-03", "months", False,
     ("2025-11-01", "2026-01-31"), ("2025-02-01", "2025-04-30")),
    ("2026-12-21", "2027-01-03", "2027-01-03", "weeks", False,  # W52 and W53 of 2026
     ("2026-12-07", "2026-12-20"), ("2025-12-22", "2026-01-04")),
    ("2026-08-05", "2026-08-14", "2026-09-03", "days", False,
     ("2026-07-26", "2026-08-04"), ("2025-08-05", "2025-08-14")),
    ("2028-02-20", "2028-02-29", "2028-03-31", "days", False,  # 29 February last year is 28 February
     ("2028-02-10", "2028-02-19"), ("2027-02-20", "2027-02-28")),
])
def test_comparison_windows(start, end, data_end, unit, partial, previous, last_year):
    """Each window in the unit of the named period it would come from (as the pages pass it)."""
    comparison = compare(d(start), d(end), d(data_end), unit=unit)
    assert comparison.unit == unit
    assert comparison.partial is partial
    assert comparison.previous == w(*previous)
    assert comparison.last_year == w(*last_year)
    if unit in ("week", "weeks"):  # same ISO weekdays, as many days
        assert comparison.previous.start.weekday() == comparison.last_year.start.weekday() == d(start).weekday()
        assert comparison.last_year.end.weekday() == d(end).weekday()
        assert comparison.previous.days == comparison.last_year.days == comparison.window.days
    if partial and unit == "month":  # the same days from the 1st: never more days than the window
        assert comparison.previous.days <= comparison.window.days
        assert comparison.last_year.days <= comparison.window.days
    if partial and unit == "quarter":  # the same day of the same month of the quarter
        months = (d(end).year - d(start).year) * 12 + d(end).month - d(start).month
        assert comparison.previous.end.month == (comparison.previous.start.month + months - 1) % 12 + 1


@pytest.mark.parametrize(("start", "end", "data_end"), [
    ("2026-08-31", "2026-09-03", "2026-09-03"), ("2026-07-01", "2026-09-03", "2026-09-03"),
    ("2026-12-28", "2027-01-01", "2027-01-01"), ("2027-03-01", "2027-03-30", "2027-03-30"),
    ("2025-11-01", "2026-10-31", "2026-10-31"), ("2026-08-05", "2026-08-14", "2026-09-03"),
])
def test_a_custom_window_is_read_by_its_shape(start, end, data_end):
    """Dates picked by hand get the same comparisons as the named period of that shape."""
    inferred = compare(d(start), d(end), d(data_end))
    assert inferred == compare(d(start), d(end), d(data_end), unit=inferred.unit)
    assert inferred.unit == unit_of(d(start), d(end))


def test_a_named_period_keeps_its_unit():
    # Monday 1 June 2026 to Thursday 4 June: a week to date is compared with Monday-Thursday...
    week = compare(d("2026-06-01"), d("2026-06-04"), d("2026-06-04"), unit="week")
    assert (week.unit, week.previous, week.last_year) == ("week", w("2026-05-25", "2026-05-28"),
                                                          w("2025-06-02", "2025-06-05"))
    # ... a month to date with 1-4 May.
    month = compare(d("2026-06-01"), d("2026-06-04"), d("2026-06-04"), unit="month")
    assert (month.unit, month.previous) == ("month", w("2026-05-01", "2026-05-04"))
    # A unit the window does not fit (a week that does not start on Monday) is not used.
    assert compare(d("2026-06-02"), d("2026-06-04"), unit="week").unit == "days"


def test_the_window_stops_at_the_data_end():
    comparison = compare(d("2026-10-01"), d("2026-10-31"), d("2026-10-28"), unit="month")
    assert comparison.window == w("2026-10-01", "2026-10-28") and comparison.partial
    assert comparison.previous == w("2026-09-01", "2026-09-28")
    assert (comparison.unit_days, comparison.window.days) == (31, 28)


# --- chart buckets -----------------------------------------------------------------------------------------

def test_partial_buckets_of_a_quarter_to_date_by_week():
    # 1 July 2026 is a Wednesday and 3 September a Thursday: the first and the last weeks are partial.
    weekly = buckets(d("2026-07-01"), d("2026-09-03"), "week")
    assert weekly[0].key == d("2026-06-29") and weekly[-1].key == d("2026-08-31")
    partial = partial_buckets(d("2026-07-01"), d("2026-09-03"), "week")
    assert list(partial) == [d("2026-06-29"), d("2026-08-31")]
    assert (partial[d("2026-08-31")].start, partial[d("2026-08-31")].end) == (d("2026-08-31"), d("2026-09-03"))
    assert list(partial_buckets(d("2026-07-01"), d("2026-09-03"), "month")) == [d("2026-09-01")]
    assert partial_buckets(d("2026-07-01"), d("2026-09-03"), "day") == {}
    assert partial_buckets(d("2026-07-01"), d("2026-09-30"), "month") == {}


def test_buckets_of_week_53():
    weekly = buckets(d("2026-12-21"), d("2027-01-10"), "week")
    assert [b.key for b in weekly] == [d("2026-12-21"), d("2026-12-28"), d("2027-01-04")]
    assert not any(b.partial for b in weekly)

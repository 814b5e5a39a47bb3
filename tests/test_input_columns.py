"""The column-wise rules of pilotage.input.columns: which values decide a column, which leave it
ambiguous, and what a refusal names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pilotage.input.columns import Conventions, date_order, decimal_mark, iso_dates, parse_dates, parse_numbers
from pilotage.input.errors import InputError


def cells(*values: str) -> pd.Series:
    return pd.Series(values, dtype=str)


@pytest.mark.parametrize(("values", "order"), [
    (("2/1/2018", "10/20/2017"), "mdy"),  # 20 can only be a day
    (("31-12-2017", "10-07-2017"), "dmy"),
    (("14.06.2018 14:30", "01.02.2018 10:00"), "dmy"),
    (("2024-03-04", "45358", "2024/03/05", "31Mar2024"), None),  # nothing to decide
])
def test_one_value_decides_the_order_of_the_whole_column(values, order):
    assert date_order(cells(*values)) == order


def test_the_decided_order_reads_every_cell_alike():
    us = parse_dates(cells("2/1/2018", "10/20/2017", "12/11/2017 09:30"))
    assert us.tolist() == [pd.Timestamp(2018, 2, 1), pd.Timestamp(2017, 10, 20), pd.Timestamp(2017, 12, 11, 9, 30)]
    french = parse_dates(cells("02/01/2018", "20/10/2017"))
    assert french.dt.date.tolist() == [dt.date(2018, 1, 2), dt.date(2017, 10, 20)]


ISO_CELLS = ("2023-11-01 00:25:33", "2023-11-01 00:25", "2023-11-01T00:25:33", "2023-11-01 00:25:33.25",
             "2023-11-01T00:25:33.123456", "2023-11-01", "2024-02-29 23:59:59", "0001-01-01", "9999-12-31 23:59:59")


@pytest.mark.parametrize("cell", ISO_CELLS)
def test_pyarrow_reads_an_iso_column_to_the_values_pandas_gives(cell):
    column = cells(f"  {cell} ", "", "2023-11-02 10:00:00")
    read = parse_dates(column)
    assert iso_dates(column.str.strip()) is not None  # the fast path took the whole column
    pandas = pd.to_datetime(cells(cell, "2023-11-02 10:00:00"), format="ISO8601").astype("datetime64[us]")
    assert read.dtype == "datetime64[us]"
    assert read.tolist() == [pandas[0], pd.NaT, pandas[1]]


@pytest.mark.parametrize(("cell", "expected"), [
    ("2023-02-30", pd.NaT), ("2023-02-29 10:00:00", pd.NaT), ("2023-11-01 24:00:00", pd.NaT),
    ("2023-11-01 23:59:60", pd.NaT), ("2023-11-01 10:00:00,5", pd.NaT), ("20231101", pd.NaT),
    ("2023-11-01 10:00:00.1234567", pd.Timestamp("2023-11-01 10:00:00.123456")),  # pandas truncates
    ("2023-1-5", pd.Timestamp(2023, 1, 5)), ("2023-11", pd.Timestamp(2023, 11, 1)),
])
def test_a_cell_pyarrow_refuses_leaves_the_column_to_the_pandas_rules(cell, expected):
    column = cells("2023-11-02 10:00:00", cell)
    assert iso_dates(column) is None
    assert parse_dates(column).tolist() == [pd.Timestamp(2023, 11, 2, 10), expected]


def test_ambiguous_dates_are_refused_with_the_column_and_two_examples():
    with pytest.raises(InputError) as refused:
        parse_dates(cells("2/1/2018", "", "3/4/2018", "2/1/2018"), file="leads.csv", column="first_contact_date")
    error = refused.value
    assert (error.file, error.column, error.code) == ("leads.csv", "first_contact_date", "input.date_order_ambiguous")
    assert error.params["examples"] == ["2/1/2018", "3/4/2018"]
    assert str(error).startswith("leads.csv, column first_contact_date: ")


def test_a_given_order_wins_and_cells_that_do_not_fit_it_are_nat():
    parsed = parse_dates(cells("2/1/2018", "2/25/2018"), "dmy")
    assert parsed.iloc[0] == pd.Timestamp(2018, 1, 2) and pd.isna(parsed.iloc[1])


@pytest.mark.parametrize(("values", "mark", "numbers"), [
    (("1,234", "1,5"), "comma", [1.234, 1.5]),
    (("1,234", "12,345,678"), "point", [1234, 12345678]),
    (("1,234", "1.234,5"), "comma", [1.234, 1234.5]),
    (("1,234", "2.5"), "point", [1234, 2.5]),
    (("0,125",), "comma", [0.125]),  # a lone zero groups no thousands
    (("1234,567",), "comma", [1234.567]),  # nor do four digits
    (("1 234,56", "€12"), "comma", [1234.56, 12]),
    (("1\u202f234.5", "7"), "point", [1234.5, 7]),
    (("12", "-3", ""), "point", [12, -3, None]),
])
def test_one_value_decides_the_decimal_mark_of_the_whole_column(values, mark, numbers):
    assert decimal_mark(cells(*values)) == mark
    parsed = parse_numbers(cells(*values))
    assert [None if pd.isna(v) else pytest.approx(v) for v in parsed] == numbers


@pytest.mark.parametrize(("values", "code"), [
    (("1,234",), "input.decimal_ambiguous"),
    (("1.234", "2.500"), "input.decimal_ambiguous"),
    (("1,5", "2.5"), "input.decimal_mixed"),
])
def test_undecidable_numbers_are_refused(values, code):
    with pytest.raises(InputError) as refused:
        parse_numbers(cells(*values), file="ads.csv", column="spend")
    assert (refused.value.code, refused.value.column) == (code, "spend")


def test_a_thousands_mark_must_group_by_three():
    parsed = parse_numbers(cells("1,23,4", "1.5", "1,234,567.5"))
    assert pd.isna(parsed.iloc[0]) and parsed.iloc[1:].tolist() == [1.5, 1234567.5]


@pytest.mark.parametrize(("values", "numbers"), [
    (("1,5", "", "1,5", " 2.000,25", "x", "1,5", "-3"), [1.5, None, 1.5, 2000.25, None, 1.5, -3.0]),
    (("12.5", "1,234.5", "", "12.5", "1,234.5", "€ 7"), [12.5, 1234.5, None, 12.5, 1234.5, 7.0]),
])
def test_numbers_read_from_the_distinct_values_land_on_every_cell(values, numbers):
    parsed = parse_numbers(pd.Series(values, index=range(10, 10 + len(values)), dtype=str))
    assert parsed.index.tolist() == list(range(10, 10 + len(values)))
    assert [None if pd.isna(v) else v for v in parsed] == numbers


def test_a_refusal_names_the_first_values_in_the_order_of_the_file():
    with pytest.raises(InputError) as refused:
        parse_numbers(cells("3", "2.5", "1,5", "2.5", "7,25"), file="ads.csv", column="spend")
    assert refused.value.params["examples"] == ["2.5", "1,5"]


def test_conventions_per_column_win_over_the_file_and_are_checked():
    conventions = Conventions(date_order="dmy", decimal="comma", date_orders={"won_at": "mdy"})
    assert (conventions.order_for("won_at"), conventions.order_for("created_at")) == ("mdy", "dmy")
    assert conventions.decimal_for("amount") == "comma"
    with pytest.raises(ValueError, match="expected one of dmy, mdy, ymd"):
        Conventions(date_order="dm")

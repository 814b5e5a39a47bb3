"""The column-wise rules of pilotage.input.columns: which values decide a column, which leave it
ambiguous, and what a refusal names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pilotage.input.columns import Conventions, date_order, decimal_mark, parse_dates, parse_numbers
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


def test_conventions_per_column_win_over_the_file_and_are_checked():
    conventions = Conventions(date_order="dmy", decimal="comma", date_orders={"won_at": "mdy"})
    assert (conventions.order_for("won_at"), conventions.order_for("created_at")) == ("mdy", "dmy")
    assert conventions.decimal_for("amount") == "comma"
    with pytest.raises(ValueError, match="expected one of dmy, mdy, ymd"):
        Conventions(date_order="dm")

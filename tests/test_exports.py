"""The bytes of an export and its file name: the user's locale (French Excel splits on ";" and reads "1,5" as
a number; the BOM makes it read UTF-8), and names that carry the page, the visual, the period and the filters."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from dashapp import exports

FRAME = pd.DataFrame({"Région": ["Île-de-France", "Provence-Alpes-Côte d'Azur"], "Leads": [1200, 35],
                      "Coût par lead": [12.5, 1234.75], "Taux": [0.1234, None]})


def _rows(content: bytes, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=separator))


def test_french_csv_has_semicolons_decimal_commas_and_a_bom():
    content = exports.to_csv(FRAME, "fr")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = _rows(content, ";")
    assert rows[0] == list(FRAME.columns)
    assert rows[1] == ["Île-de-France", "1200", "12,5", "0,1234"]
    assert rows[2] == ["Provence-Alpes-Côte d'Azur", "35", "1234,75", ""]
    # Read back as a French spreadsheet would: every number is the frame's.
    back = pd.read_csv(io.BytesIO(content), sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, FRAME, check_dtype=False)


def test_english_csv_has_commas_and_decimal_points():
    content = exports.to_csv(FRAME, "en")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = _rows(content, ",")
    assert rows[1] == ["Île-de-France", "1200", "12.5", "0.1234"]
    back = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, FRAME, check_dtype=False)


def test_an_unknown_language_writes_english_and_formulas_stay_defused():
    content = exports.to_csv(pd.DataFrame({"name": ["=1+1", "ok"], "x": [1.5, 2.0]}), "de")
    assert _rows(content, ",")[1:] == [["'=1+1", "1.5"], ["ok", "2.0"]]
    french = exports.to_csv(pd.DataFrame({"name": ["-2+3"], "x": [1.5]}), "fr")
    assert _rows(french, ";")[1] == ["'-2+3", "1,5"]


def test_xlsx_keeps_numbers_whatever_the_language_and_a_safe_sheet_name():
    content = exports.write(FRAME, "xlsx", "Win rate: won ÷ closed [all]?", "fr")
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["Win rate  won ÷ closed  all"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][2] == 12.5 and rows[2][2] == 1234.75


@pytest.mark.parametrize(("parts", "expected"), [
    (("explore", "series-leads", ("2026-11-01", "2026-11-30"), ["Île-de-France"], "csv"),
     "explore_series-leads_2026-11-01_2026-11-30_ile-de-france.csv"),
    (("explore", "heatmap", ("2026-01-01", "2026-03-31"), ["Provence-Alpes-Côte d'Azur", "Search - générique",
                                                            "google / cpc"], "xlsx"),
     "explore_heatmap_2026-01-01_2026-03-31_provence-alpes-cote-d-azur_search-generique_google-cpc.xlsx"),
    (("planning", "scenario", (), ["National"], "csv"), "planning_scenario_national.csv"),
    (("forecast", "forecast-total", ("2026-11-01", "2027-04-01"), ["all regions", ""], ""),
     "forecast_forecast-total_2026-11-01_2027-04-01_all-regions"),
])
def test_file_names_carry_page_visual_period_and_filters(parts, expected):
    page, visual, period, filters, extension = parts
    assert exports.filename(page, visual, period, filters, extension) == expected


def test_file_names_stay_short_and_safe():
    name = exports.filename("explore", "grid", ("2026-01-01", "2026-12-31"), ["../../etc/passwd", "<script>"] * 40,
                            "csv")
    stem = name.removesuffix(".csv")
    assert len(stem) <= exports.MAX_NAME and set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    assert exports.filename("", "", (), ["***"], "csv") == "export.csv"

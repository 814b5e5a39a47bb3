"""The one input layer: encodings, separators, line numbers, caps, XLSX and the error's fields."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from etl.errors import EtlError, FileRefused
from pilotage.input import FILES, LINE, InputError, Limits, peek_columns, read_table
from tests import hostile_xlsx as hostile

TEXT = "mois;canal;dépense\n2026-01;radio;1 000,5\n2026-02;télé;2€\n"


def cells(raw) -> list[dict]:
    return raw.frame.to_dict("records")


@pytest.mark.parametrize("encoded", [
    TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("utf-16"), TEXT.encode("cp1252"),
])
def test_every_encoding_gives_the_same_cells(encoded):
    raw = read_table(encoded, name="plan.csv")
    assert raw.columns == ["mois", "canal", "dépense"]
    assert cells(raw) == [{LINE: 2, "mois": "2026-01", "canal": "radio", "dépense": "1 000,5"},
                          {LINE: 3, "mois": "2026-02", "canal": "télé", "dépense": "2€"}]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_the_separator_is_the_one_that_splits_the_header_most(sep):
    raw = read_table(sep.join(["month", "channel", "spend"]).encode() + f"\n2026-01{sep}radio{sep}15\n".encode(),
                     name="plan.csv")
    assert raw.columns == ["month", "channel", "spend"]
    assert cells(raw)[0]["channel"] == "radio"


def test_line_numbers_are_the_source_lines_and_ragged_rows_are_kept_aside(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text('id,note\n1,a\n\n2,"two\nlines"\n3,x,extra\n4,d\n')
    raw = read_table(path)
    assert [(r[LINE], r["id"]) for r in cells(raw)] == [(2, "1"), (4, "2"), (7, "4")]
    assert raw.rejects == [{"line": 6, "column": "*", "value": "3,x,extra",
                            "expected": "2 fields separated by ',', found 3", "code": "reject.fields",
                            "params": {"fields": 2, "separator": ",", "found": 3}}]
    with pytest.raises(InputError) as caught:
        raw.refuse_rejects()
    assert (caught.value.line, caught.value.code, caught.value.params) == (6, "input.ragged", {"columns": 2})


def test_caps_on_bytes_rows_and_columns_are_errors_with_their_limit():
    small = Limits(max_bytes=1_000, max_rows=2, max_columns=3, max_unpacked_bytes=10_000)
    for data, code, params in (
        (b"a\n" + b"1\n" * 600, "input.too_large", {"limit_mb": 1}),
        (b"a,b\n1,2\n3,4\n5,6\n", "input.too_many_rows", {"limit": 2}),
        (b"a,b,c,d\n1,2,3,4\n", "input.too_many_columns", {"limit": 3}),
    ):
        with pytest.raises(InputError) as caught:
            read_table(data, name="f.csv", limits=small)
        assert (caught.value.code, caught.value.params) == (code, params)


def test_header_problems_name_line_1_and_the_column():
    with pytest.raises(InputError) as caught:
        read_table(b"a,,c\n1,2,3\n", name="f.csv")
    assert (caught.value.line, caught.value.column, caught.value.code) == (1, "2", "input.header_blank")
    with pytest.raises(InputError, match="column 'a' appears twice"):
        read_table(b"a;a\n1;2\n", name="f.csv")


def test_xlsx_cells_read_as_the_csv_would_give_them(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["month", "spend", "note"])
    sheet.append([dt.datetime(2026, 1, 1), 1000.0, " x "])
    sheet.append([])
    sheet.append([dt.date(2026, 2, 1), 12.5, None])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    raw = read_table(path)
    assert cells(raw) == [{LINE: 2, "month": "2026-01-01", "spend": "1000", "note": "x"},
                          {LINE: 4, "month": "2026-02-01", "spend": "12.5", "note": ""}]
    assert raw.column_ref("note") == "note (column C)"
    assert read_table(path.read_bytes(), name="plan.xlsx").frame.equals(raw.frame)
    assert peek_columns(path) == ["month", "spend", "note"]
    with pytest.raises(InputError) as caught:
        read_table(path, sheet="Budget")
    assert caught.value.code == "input.no_sheet"


def test_refusals_carry_file_code_and_fields():
    for data, name, code in ((b"", "empty.csv", "input.empty"), (b"x", "plan.pdf", "input.format"),
                             (b"\xff\xff", "plan.xlsx", "input.unreadable")):
        with pytest.raises(InputError) as caught:
            read_table(data, name=name)
        assert (caught.value.file, caught.value.code) == (name, code) and str(caught.value).startswith(name)
    with pytest.raises(InputError) as missing:
        read_table("/no/such/file.csv")
    assert missing.value.code == "input.no_file"
    assert peek_columns("/no/such/file.csv") == []
    assert read_table(hostile.workbook(hostile.header_row("month")), name="p.xlsx", limits=FILES).frame.empty


def test_the_etl_refusal_is_the_input_error():
    refused = FileRefused.of(InputError("leads.csv", "empty column name in the header", line=1, column="2",
                                        code="input.header_blank"))
    assert isinstance(refused, InputError) and isinstance(refused, EtlError)
    assert (refused.line, refused.column, refused.code) == (1, "2", "input.header_blank")
    assert str(refused) == "leads.csv: refused: line 1, column 2: empty column name in the header"


def test_the_cli_prints_an_input_error_in_one_line_with_exit_code_1(monkeypatch, capsys):
    import pilotage.cli

    def fail():
        raise InputError("media.csv", "'x' is not a number", line=3, column="spend")

    monkeypatch.setattr(pilotage.cli, "app", fail)
    with pytest.raises(SystemExit) as exited:
        pilotage.cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "media.csv, line 3, column spend: 'x' is not a number" in err and "Traceback" not in err

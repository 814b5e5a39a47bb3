"""XLSX: the first sheet (or a named one); the first non-empty row is the header.

Cells are turned into the same text the CSV reader would give, so validation is shared:
dates become ISO strings, whole numbers lose their ``.0``.

A hostile workbook costs what it unpacks to, not what it weighs, so before anything is parsed the
archive's declared sizes and ratios are checked (Python's zipfile stops every part at its declared
size, so the declaration is binding), and while the sheet streams the declared dimension and every
cell reference are checked against the caps: a cell in column XFD is refused when it is met, not
after openpyxl has padded 5,000 rows to 16,384 cells each. XML goes through defusedxml (entities,
external references and DTD tricks are refused).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from pilotage.input.errors import InputError
from pilotage.input.limits import RATIO_FLOOR, Limits

ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_archive(source: Path | bytes, file_name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts would unpack past the caps, before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(file_name, "not a readable XLSX workbook (not a zip archive)",
                         code="input.unreadable") from None
    unpacked, cap = sum(part.file_size for part in parts), limits.max_unpacked_bytes // 1_000_000
    if unpacked > limits.max_unpacked_bytes:
        raise InputError(file_name, f"unpacks to {unpacked / 1e6:,.0f} MB, more than the {cap:,} MB allowed",
                         code="input.unpacked_too_large", params={"limit_mb": limits.max_megabytes, "unpacked_mb": cap})
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(file_name, f"part {part.filename!r} uses a compression Excel does not write",
                             code="input.unreadable")
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise InputError(file_name, f"part {part.filename!r} unpacks to {ratio:,} times its packed size "
                             f"(a zip bomb?), more than {limits.max_ratio}x",
                             code="input.zip_ratio", params={"limit": limits.max_ratio})


def read(source: Path | bytes, file_name: str, limits: Limits, sheet: str | None = None,
         header_only: bool = False) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the rows (each the header's width) and their line numbers (Excel row numbers)."""
    check_archive(source, file_name, limits)
    try:
        workbook = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source,
                                 read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken archive, and wraps defusedxml's
        if (defused := _defused(error)) is not None:
            raise _forbidden(file_name, defused) from None
        raise InputError(file_name, f"not a readable XLSX workbook ({error})", code="input.unreadable") from None
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise InputError(file_name, f"no sheet named {sheet!r}; sheets: {', '.join(workbook.sheetnames)}",
                             code="input.no_sheet", params={"sheet": sheet})
        if not workbook.worksheets:
            raise InputError(file_name, "the workbook has no sheet", code="input.empty")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        if (worksheet.max_column or 0) > limits.max_columns:  # the sheet's <dimension ref="A1:XFD5000"/>
            raise InputError(file_name, f"the sheet declares {worksheet.max_column:,} columns, more than "
                             f"{limits.max_columns}", code="input.too_many_columns",
                             params={"limit": limits.max_columns})
        return _table(worksheet, file_name, limits, header_only)
    except DefusedXmlException as error:
        raise _forbidden(file_name, error) from None
    except (SyntaxError, ValueError, KeyError, IndexError) as error:  # ParseError is a SyntaxError
        if isinstance(error, InputError):
            raise
        raise InputError(file_name, f"not a readable XLSX sheet ({error})", code="input.unreadable") from None
    finally:
        workbook.close()


def _defused(error: BaseException | None) -> DefusedXmlException | None:
    """defusedxml's refusal anywhere in the chain of causes (openpyxl re-raises it as its own error)."""
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return error
        error = error.__cause__ or error.__context__
    return None


def _forbidden(file_name: str, error: Exception) -> InputError:
    return InputError(file_name, "the workbook's XML declares entities or external references, which are refused "
                      f"({type(error).__name__})", code="input.xml_forbidden")


def _table(worksheet, file_name: str, limits: Limits,
           header_only: bool) -> tuple[list[str], list[list[str]], list[int]]:
    header: list[str] | None = None
    rows, lines = [], []
    for line, cells in _rows(worksheet, file_name, limits):
        values = [""] * (max((c["column"] for c in cells), default=0))
        for cell in cells:
            values[cell["column"] - 1] = _cell_text(cell["value"])
        if not any(values):
            continue
        if header is None:
            while values and not values[-1]:
                values.pop()
            header = values
            if header_only:
                break
            continue
        if len(rows) >= limits.max_rows:
            raise InputError(file_name, f"more than {limits.max_rows:,} rows", line=line, code="input.too_many_rows",
                             params={"limit": limits.max_rows})
        rows.append((values + [""] * len(header))[: len(header)])
        lines.append(line)
    if header is None:
        raise InputError(file_name, "the sheet is empty: expected a header row and rows", code="input.empty")
    return header, rows, lines


def _rows(worksheet, file_name: str, limits: Limits):
    """(Excel row number, openpyxl's cell dicts) per ``<row>``, checking each cell reference as its
    element starts, before the row is built. openpyxl's own row parser types the cells (shared
    strings, dates by style, booleans); only the streaming loop is ours."""
    workbook = worksheet.parent
    with worksheet._get_source() as source:  # read-only sheets open their part on demand (openpyxl 3.1)
        parser = WorkSheetParser(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        row, position = 0, 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == ROW_TAG:
                    row, position = _row_number(element.get("r"), row), 0
                elif element.tag == CELL_TAG:
                    position = _column_of(element.get("r"), position, row, file_name, limits)
                continue
            if element.tag == ROW_TAG:
                number, cells = parser.parse_row(element)
                element.clear()
                yield number, cells


def _row_number(reference: str | None, previous: int) -> int:
    try:
        return int(float(reference)) if reference else previous + 1
    except ValueError:
        return previous + 1


def _column_of(reference: str | None, previous: int, row: int, file_name: str, limits: Limits) -> int:
    if reference:
        try:
            column = column_index_from_string(coordinate_from_string(reference)[0])
        except ValueError:
            raise InputError(file_name, "a cell reference that is not one", line=row, value=reference[:20],
                             code="input.unreadable") from None
    else:
        column = previous + 1
    if column > limits.max_columns:
        letter = get_column_letter(min(column, 18_278))
        raise InputError(file_name, f"a cell beyond the last column allowed ({get_column_letter(limits.max_columns)})",
                         line=row, column=letter, code="input.too_many_columns", params={"limit": limits.max_columns})
    return column

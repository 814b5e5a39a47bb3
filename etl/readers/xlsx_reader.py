"""XLSX: the first sheet (or a named one); the first non-empty row is the header.

Cells are turned into the same text the CSV reader would give, so validation is shared:
dates become ISO strings, whole numbers lose their ``.0``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from etl.errors import FileRefused

from . import LINE, RawTable, file_sha256
from .csv_reader import _refuse_bad_header


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


def read(path: Path, sheet: str | None = None) -> RawTable:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken archive
        raise FileRefused(path.name, f"not a readable XLSX workbook ({error})") from None
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise FileRefused(path.name, f"no sheet named {sheet!r}; sheets: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        header: list[str] | None = None
        rows, lines = [], []
        for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            if header is None:
                while cells and not cells[-1]:
                    cells.pop()
                header = cells
                continue
            cells = (cells + [""] * len(header))[: len(header)]
            rows.append(cells)
            lines.append(line)
    finally:
        workbook.close()
    if header is None:
        raise FileRefused(path.name, "the sheet is empty: expected a header row and rows")
    _refuse_bad_header(header, path.name)
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame.insert(0, LINE, lines)
    return RawTable(
        path=path, frame=frame, sha256=file_sha256(path), columns=header, rejects=[],
        describe_column=lambda name: f"{name} (column {get_column_letter(header.index(name) + 1)})"
        if name in header else name,
    )

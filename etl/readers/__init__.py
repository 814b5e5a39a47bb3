"""Readers turn a file into a table of text cells with their line numbers, one module per
file format. Typing and validation happen later, the same way for every format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.errors import FileRefused

LINE = "_line"  # the column holding each row's line number in the source file


@dataclass
class RawTable:
    """A file read as text: ``frame`` has one str column per header, plus ``_line``."""

    path: Path
    frame: pd.DataFrame
    sha256: str
    columns: list[str]
    rejects: list[dict]  # rows the reader itself could not split into cells
    describe_column: callable = None  # column name -> how to point at it (index, letter)

    @property
    def file_name(self) -> str:
        return self.path.name

    def column_ref(self, name: str) -> str:
        if self.describe_column:
            return self.describe_column(name)
        return name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read any supported file by its extension."""
    from . import csv_reader, xlsx_reader

    suffix = path.suffix.lower()
    if not path.exists():
        raise FileRefused(str(path), "no such file")
    if suffix in (".csv", ".txt", ".tsv"):
        return csv_reader.read(path)
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_reader.read(path, sheet=sheet)
    raise FileRefused(path.name, f"unknown file format {suffix!r}: expected .csv, .tsv, .txt or .xlsx")


def peek_columns(path: Path) -> list[str]:
    """The header of a file, read cheaply (for ordering files before loading them)."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                for row in workbook.worksheets[0].iter_rows(values_only=True, max_row=20):
                    if any(v is not None for v in row):
                        return [str(v).strip() for v in row if v is not None]
            finally:
                workbook.close()
            return []
        from .csv_reader import decode, sniff_separator

        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
        text, _ = decode(head)
        first = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
        import csv

        return [c.strip() for c in next(csv.reader([first], delimiter=sniff_separator(first)))]
    except Exception:
        return []

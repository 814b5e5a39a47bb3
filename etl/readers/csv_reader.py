"""CSV: any of ``,`` ``;`` and tab separators, UTF-8 with or without BOM, or Latin-1."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from etl.errors import FileRefused

from . import LINE, RawTable, file_sha256

SEPARATORS = (",", ";", "\t")


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was in. Latin-1 is the fallback because it
    accepts any byte, so we try strict UTF-8 first."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # cp1252 is what Excel on Windows writes under the name "Latin-1"; fall back to
        # ISO-8859-1 for the few bytes cp1252 leaves undefined.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def sniff_separator(header: str) -> str:
    """The separator is the one that splits the header line into the most fields."""
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 1 else ","


def read(path: Path) -> RawTable:
    data = path.read_bytes()
    text, _encoding = decode(data)
    if not text.strip():
        raise FileRefused(path.name, "the file is empty: expected a header line and rows")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    sep = sniff_separator(first_line)
    frame = _read_fast(text, sep)
    rejects: list[dict] = []
    if frame is None:
        frame, rejects = _read_row_by_row(text, sep, path.name)
    columns = [str(c).strip() for c in frame.columns if c != LINE]
    frame.columns = [LINE, *columns]
    _refuse_bad_header(columns, path.name)
    return RawTable(path=path, frame=frame, sha256=file_sha256(path), columns=columns, rejects=rejects,
                    describe_column=lambda name: f"{name} (column {columns.index(name) + 1})"
                    if name in columns else name)


def _read_fast(text: str, sep: str) -> pd.DataFrame | None:
    """Multithreaded parse with pyarrow, every cell as text. Returns None when a row has
    the wrong number of fields, or when records and physical lines do not match one to one
    (blank lines, quoted line breaks): the row-by-row path then gives exact line numbers."""
    header = next(csv.reader([text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")], delimiter=sep))
    if len(set(header)) != len(header):
        return None  # duplicate names: let the slow path read it and the header check refuse it
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    physical_lines = text.rstrip("\r\n").count("\n") + 1
    if table.num_rows + 1 != physical_lines:
        return None
    frame = table.to_pandas()
    frame.insert(0, LINE, range(2, len(frame) + 2))
    return frame


def _refuse_bad_header(columns: list[str], file_name: str) -> None:
    seen = set()
    for position, name in enumerate(columns, start=1):
        if not name or name.startswith("Unnamed:"):
            raise FileRefused(file_name, f"line 1, column {position}: empty column name in the header")
        if name in seen:
            raise FileRefused(file_name, f"line 1, column {position}: column {name!r} appears twice")
        seen.add(name)


def _read_row_by_row(text: str, sep: str, file_name: str) -> tuple[pd.DataFrame, list[dict]]:
    """Slow path for files with ragged rows: keep the good rows, quarantine the others
    with their physical line number."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows, lines, rejects = [], [], []
    for record in reader:
        line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            header = record
            continue
        if len(record) != len(header):
            rejects.append({
                "line": line, "column": "*", "value": sep.join(record),
                "expected": f"{len(header)} fields separated by {sep!r}, found {len(record)}",
            })
            continue
        rows.append(record)
        lines.append(line)
    if header is None:
        raise FileRefused(file_name, "no header line found")
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame.insert(0, LINE, lines)
    return frame, rejects

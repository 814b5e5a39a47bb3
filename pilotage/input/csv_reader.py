"""CSV: separators ``,`` ``;`` tab and ``|``; UTF-8 with or without BOM, UTF-16 with BOM, cp1252/Latin-1."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from pilotage.input.errors import InputError
from pilotage.input.limits import Limits
from pilotage.input.table import LINE, check_header, frame_of

if TYPE_CHECKING:
    import pandas as pd

SEPARATORS = (",", ";", "\t", "|")


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


def first_line(text: str) -> str:
    return _first_line(text, "\r\n", "\n")


def _first_line(text, breaks, newline):
    """The first non-empty line of ``text`` (str or bytes), without copying the rest of it."""
    start = 0
    while text[start:start + 1] and text[start:start + 1] in breaks:
        start += 1
    end = text.find(newline, start)
    return text[start:end if end >= 0 else len(text)].rstrip(breaks[:1])


def _physical_lines(text) -> int:
    """Lines of ``text`` (str or bytes), trailing line breaks aside, without copying it."""
    breaks = b"\r\n" if isinstance(text, bytes) else "\r\n"
    end = len(text)
    while end and text[end - 1:end] in (breaks[:1], breaks[1:]):
        end -= 1
    return text.count(breaks[1:], 0, end) + 1


def sniff_separator(header: str) -> str:
    """The one rule for every file: the separator is the one that splits the header line into the
    most fields (ties go to the earlier of ``, ; tab |``); a one-column file is read with ``,``."""
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 1 else ","


def _text_and_header(data: bytes, file_name: str, limits: Limits) -> tuple[str, str, str, list[str]]:
    text, encoding = decode(data)
    if not text.strip():
        raise InputError(file_name, "the file is empty: expected a header line and rows", code="input.empty")
    sep = sniff_separator(first_line(text))
    header = [c.strip() for c in next(csv.reader([first_line(text)], delimiter=sep))]
    check_header(header, file_name, limits.max_columns)  # before parsing: the cost grows with the width
    return text, encoding, sep, header


def read(data: bytes, file_name: str, limits: Limits) -> tuple[pd.DataFrame, list[str], list[dict]]:
    """The frame (``_line`` first), the header and the rows the reader could not split."""
    frame, header, tried = _read_utf8(data, file_name, limits), None, False
    if frame is not None:
        frame, header = frame
    rejects: list[dict] = []
    if frame is None:
        tried = not data.startswith(BOMS)  # pyarrow has read these bytes as UTF-8 already
        text, encoding, sep, header = _text_and_header(data, file_name, limits)
        if encoding != "utf-8" or not tried:
            frame = _read_fast(data if encoding == "utf-8" else text.encode("utf-8"), first_line(text), sep, text)
        if frame is None:
            frame, rejects = _read_row_by_row(text, sep, file_name, limits)
    if len(frame) > limits.max_rows:
        raise InputError(file_name, f"more than {limits.max_rows:,} rows", code="input.too_many_rows",
                         params={"limit": limits.max_rows})
    frame.columns = [LINE, *header]
    return frame, header, rejects


BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _read_utf8(data: bytes, file_name: str, limits: Limits) -> tuple[pd.DataFrame, list[str]] | None:
    """The usual file, plain UTF-8, read by pyarrow from its bytes: only the header line is decoded
    in Python (decoding a 100 MB file to find its lines costs a second). None for any other file,
    and for one that is not UTF-8 after all, or whose rows pyarrow cannot take one to one."""
    if data.startswith(BOMS):
        return None
    try:
        line = _first_line(data, b"\r\n", b"\n").decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not line.strip():
        return None
    sep = sniff_separator(line)
    header = [c.strip() for c in next(csv.reader([line], delimiter=sep))]
    check_header(header, file_name, limits.max_columns)  # before parsing: the cost grows with the width
    frame = _read_fast(data, line, sep, data)
    return None if frame is None else (frame, header)


def _read_fast(data: bytes, header_line: str, sep: str, source: str | bytes) -> pd.DataFrame | None:
    """Multithreaded parse with pyarrow, every cell as text. Returns None when a row has
    the wrong number of fields, or when records and physical lines (of ``source``, the file as
    read) do not match one to one (blank lines, quoted line breaks): the row-by-row path then
    gives exact line numbers. Also None for bytes that are not UTF-8 (pyarrow checks them)."""
    names = next(csv.reader([header_line], delimiter=sep))
    if len(set(names)) != len(names):
        return None
    # The lines are counted while pyarrow parses (it lets go of the GIL).
    with ThreadPoolExecutor(1, thread_name_prefix="pilotage-lines") as pool:
        physical_lines = pool.submit(_physical_lines, source)
        table = _parse(data, names, sep)
    if table is None or table.num_rows + 1 != physical_lines.result():
        return None
    frame = table.to_pandas()
    frame.insert(0, LINE, range(2, len(frame) + 2))
    return frame


def _parse(data: bytes, names: list[str], sep: str):
    """pyarrow's table of the cells, all text; None when it cannot split the rows."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        return pa_csv.read_csv(
            io.BytesIO(data),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.large_string() for name in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None


def cells(data: bytes, file_name: str, limits: Limits) -> tuple[list[str], list[list[str]], list[int], list[dict]]:
    """Header, rows, line numbers and rejects with the standard library only (the upload sandbox's child)."""
    text, _encoding, sep, header = _text_and_header(data, file_name, limits)
    _names, rows, lines, rejects = _split(text, sep, file_name, limits)
    return header, rows, lines, rejects


def _read_row_by_row(text: str, sep: str, file_name: str, limits: Limits) -> tuple[pd.DataFrame, list[dict]]:
    header, rows, lines, rejects = _split(text, sep, file_name, limits)
    return frame_of(header, rows, lines), rejects


def _split(text: str, sep: str, file_name: str, limits: Limits) -> tuple[list[str], list, list[int], list[dict]]:
    """Slow path for files with ragged rows: keep the good rows, quarantine the others
    with their physical line number."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows, lines, rejects = [], [], []
    end = 0
    for record in reader:
        line, end = end + 1, reader.line_num  # where the record starts: a quoted line break spans lines
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            header = record
            continue
        if len(rows) + len(rejects) >= limits.max_rows:
            raise InputError(file_name, f"more than {limits.max_rows:,} rows", line=line, code="input.too_many_rows",
                             params={"limit": limits.max_rows})
        if len(record) != len(header):
            rejects.append({
                "line": line, "column": "*", "value": sep.join(record)[:2000],
                "expected": f"{len(header)} fields separated by {sep!r}, found {len(record)}",
                "code": "reject.fields", "params": {"fields": len(header), "separator": sep, "found": len(record)},
            })
            continue
        rows.append(record)
        lines.append(line)
    if header is None:
        raise InputError(file_name, "no header line found", code="input.empty")
    return header, rows, lines, rejects

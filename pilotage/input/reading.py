"""Reading any supported file, from a path or from bytes, into a :class:`RawTable`.

The entry points (ETL loads, planning uploads, ``plan evaluate``, ``forecast evaluate``, bounds
files) all call :func:`read_table`; each passes its :class:`Limits` (files on disk get
:data:`FILES`, uploads :data:`UPLOADS`) and gets an :class:`InputError` for a file it cannot use.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pilotage.input import csv_reader, xlsx_reader
from pilotage.input.errors import InputError
from pilotage.input.limits import FILES, Limits
from pilotage.input.table import RawTable, check_header, column_ref, file_sha256, frame_of, sha256_of

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    raise InputError(file_name, f"unknown file format {suffix!r}: expected .csv, .tsv, .txt or .xlsx",
                     code="input.format", params={"suffix": suffix})


def _check_size(size: int, file_name: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise InputError(file_name, f"larger than {limits.max_megabytes:,} MB", code="input.too_large",
                         params={"limit_mb": limits.max_megabytes})


def read_table(source: Path | str | bytes, name: str | None = None, sheet: str | None = None,
               limits: Limits = FILES) -> RawTable:
    """Read a CSV or XLSX file (by its name's extension) given as a path or as its bytes (``name``
    then says what it is called)."""
    if isinstance(source, bytes):
        path = Path(name or "upload")
        data: bytes | None = source
        _check_size(len(data), path.name, limits)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(str(path), "no such file", code="input.no_file")
        _check_size(path.stat().st_size, path.name, limits)
        data = None
    kind = _format(name or path.name)
    if kind == "csv":
        data = data if data is not None else path.read_bytes()
        # hashlib lets go of the GIL: the file's digest is computed while its cells are parsed.
        with ThreadPoolExecutor(1, thread_name_prefix="pilotage-sha256") as pool:
            sha256 = pool.submit(sha256_of, data)
            frame, columns, rejects = csv_reader.read(data, path.name, limits)
        return RawTable(path=path, frame=frame, sha256=sha256.result(), columns=columns, rejects=rejects,
                        describe_column=lambda n: column_ref(n, columns.index(n) + 1) if n in columns else n)
    header, rows, lines = xlsx_reader.read(data if data is not None else path, path.name, limits, sheet=sheet)
    check_header(header, path.name, limits.max_columns, ref=xlsx_reader.get_column_letter)
    return RawTable(path=path, frame=frame_of(header, rows, lines),
                    sha256=sha256_of(data) if data is not None else file_sha256(path), columns=header, rejects=[],
                    describe_column=lambda n: column_ref(n, xlsx_reader.get_column_letter(header.index(n) + 1))
                    if n in header else n)


def peek_columns(path: Path, limits: Limits = FILES) -> list[str]:
    """The header of a file, read cheaply (for ordering files before loading them); [] if unreadable."""
    path = Path(path)
    try:
        if _format(path.name) == "xlsx":
            return xlsx_reader.read(path, path.name, limits, header_only=True)[0]
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
        line = csv_reader.first_line(csv_reader.decode(head)[0])
        import csv

        return [c.strip() for c in next(csv.reader([line], delimiter=csv_reader.sniff_separator(line)))]
    except (InputError, OSError, StopIteration):
        return []


def read_cells(data: bytes, name: str, limits: Limits,
               sheet: str | None = None) -> tuple[list[str], list[list[str]], list[int], list[dict]]:
    """Header, rows, line numbers and rejects of a file's bytes, without pandas (the upload sandbox's child)."""
    _check_size(len(data), name, limits)
    if _format(name) == "csv":
        return csv_reader.cells(data, Path(name).name, limits)
    header, rows, lines = xlsx_reader.read(data, Path(name).name, limits, sheet=sheet)
    check_header(header, Path(name).name, limits.max_columns, ref=xlsx_reader.get_column_letter)
    return header, rows, lines, []

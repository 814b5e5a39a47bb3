"""A file read as text: one str column per header cell plus each row's line in the source file.

Every reader (CSV, XLSX) gives this same shape, so typing and validation happen later, the same
way for every format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is built: the upload sandbox's child never needs it
    import pandas as pd

LINE = "_line"  # the column holding each row's line number in the source file


@dataclass
class RawTable:
    """``frame`` has ``_line`` first, then one str column per header cell, in the file's order."""

    path: Path
    frame: pd.DataFrame
    sha256: str
    columns: list[str]
    rejects: list[dict]  # rows the reader itself could not split into cells (line, column, value, expected)
    describe_column: Callable[[str], str] | None = None  # column name -> how to point at it (column_ref)

    @property
    def file_name(self) -> str:
        return self.path.name

    def column_ref(self, name: str) -> str:
        if self.describe_column:
            return self.describe_column(name)
        return name

    def refuse_rejects(self) -> None:
        """For readers that take a file whole or not at all (the ETL keeps good rows and logs the others):
        the first row that could not be split is an :class:`InputError`."""
        from pilotage.input.errors import InputError

        if self.rejects:
            first = self.rejects[0]
            raise InputError(self.file_name, first["expected"], line=first["line"], code="input.ragged",
                             params={"columns": len(self.columns)})


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_of(header: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    """The table's frame from rows of cells already the header's width."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame.insert(0, LINE, lines)
    return frame


def check_header(columns: list[str], file_name: str, max_columns: int, ref=lambda position: str(position)) -> None:
    """Refuse a header wider than the cap, with an empty name or a name given twice (``ref`` turns a
    1-based position into how the format points at a column: a number, or a letter in XLSX)."""
    from pilotage.input.errors import InputError

    if len(columns) > max_columns:
        raise InputError(file_name, f"more than {max_columns} columns", line=1, code="input.too_many_columns",
                         params={"limit": max_columns})
    seen = set()
    for position, name in enumerate(columns, start=1):
        if not name or name.startswith("Unnamed:"):
            raise InputError(file_name, "empty column name in the header", line=1, column=ref(position),
                             code="input.header_blank", params={"column": ref(position)})
        if name in seen:
            raise InputError(file_name, f"column {name!r} appears twice", line=1, column=ref(position),
                             code="input.header_twice", params={"name": name})
        seen.add(name)


COLUMN_REF = re.compile(r"^(?P<name>.*) \(column (?P<at>[0-9]+|[A-Z]+)\)$")


def column_ref(name: str, at: int | str) -> str:
    """How a file's column is pointed at in a reject or an error: ``spend (column 3)`` (CSV, its
    position) or ``spend (column C)`` (XLSX, its letter)."""
    return f"{name} (column {at})"


def split_column_ref(text: str) -> tuple[str, str] | None:
    """:func:`column_ref` read back: (name, position or letter), or None for a plain column name; the
    app says "column" in the user's language."""
    match = COLUMN_REF.match(text or "")
    return (match["name"], match["at"]) if match else None

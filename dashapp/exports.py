"""CSV and XLSX files of a DataFrame, as the user downloads them.

The frame given here is already scoped and shaped like the grid the user sees; this module
only writes bytes. Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@`` first) are prefixed with a quote: a campaign name must not become code on a laptop.
Full-width and small forms (``＝``, ``﹢``...) and leading spaces count too: spreadsheets with an
East Asian input method read ``＝1+1`` as ``=1+1``.
"""

from __future__ import annotations

import io
import unicodedata

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMATS = tuple(MIME)


def _defuse(value):
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES) or unicodedata.normalize("NFKC", value).lstrip().startswith(
            FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers cannot be evaluated as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_defuse)
    out.columns = [_defuse(str(c)) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents right; dot decimals."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def write(frame: pd.DataFrame, fmt: str, sheet: str = "Data") -> bytes:
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "xlsx":
        return to_xlsx(frame, sheet)
    raise ValueError(f"unknown export format {fmt!r}")

"""CSV and XLSX files of a DataFrame, as the user downloads them, their names, and the audited download.

The frame given here is already scoped and shaped like the visual the user sees (each page recomputes
it on the server from the semantic layer: never from figure data the browser sends); this module
writes bytes in the user's locale, names the file after the page, the visual, the period and the
filters, and audits the export. Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@`` first) are prefixed with a quote: a campaign name must not become code on a laptop.
Full-width and small forms (``＝``, ``﹢``...) and leading spaces count too: spreadsheets with an
East Asian input method read ``＝1+1`` as ``=1+1``.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

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


# Separator and decimal mark per language: a French Excel splits on ";" and reads "1,5" as a number.
CSV_LOCALE = {"fr": (";", ","), "en": (",", ".")}
MAX_NAME = 150  # characters of a file name before its extension (file systems stop at 255 bytes)


def to_csv(frame: pd.DataFrame, language: str = "en") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents right; separator and decimal mark
    of the user's language (:data:`CSV_LOCALE`)."""
    separator, decimal = CSV_LOCALE.get(language, CSV_LOCALE["en"])
    return safe_frame(frame).to_csv(index=False, sep=separator, decimal=decimal).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        # Excel refuses a sheet name longer than 31 characters or holding []:*?/\
        safe_frame(frame).to_excel(writer, index=False, sheet_name=re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31].strip()
                                   or "Data")
    return buffer.getvalue()


def write(frame: pd.DataFrame, fmt: str, sheet: str = "Data", language: str = "en") -> bytes:
    if fmt == "csv":
        return to_csv(frame, language)
    if fmt == "xlsx":
        return to_xlsx(frame, sheet)
    raise ValueError(f"unknown export format {fmt!r}")


def slug(text) -> str:
    """``Île-de-France`` -> ``ile-de-france``: ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def filename(page: str, visual: str, period: Iterable = (), filters: Iterable = (), extension: str = "") -> str:
    """``<page>_<visual>_<period...>_<filters...>[.ext]``, each part slugified, empty parts left out:
    ``explore_series-leads_2026-11-01_2026-11-30_ile-de-france.csv``. Without an extension it is the stem
    Plotly's "download image" button completes with ``.png``."""
    parts = [slug(part) for part in (page, visual, *period, *filters)]
    stem = "_".join(part for part in parts if part)[:MAX_NAME].rstrip("-_") or "export"
    return f"{stem}.{extension}" if extension else stem


def download(frame: pd.DataFrame, fmt: str, language: str, name: str, sheet: str, detail: dict):
    """The ``dcc.Download`` data of ``frame`` as ``name.<fmt>``, the export written to the audit log first
    (what was exported, by whom, with which filters and how many rows)."""
    from dash import dcc
    from flask_login import current_user

    from .auth import audit

    if fmt not in MIME:
        raise ValueError(f"unknown export format {fmt!r}")
    content = write(frame, fmt, sheet, language)
    audit.record("export", getattr(current_user, "email", "-"), {**detail, "format": fmt, "rows": len(frame),
                                                                  "file": f"{name}.{fmt}"})
    return dcc.send_bytes(content, f"{name}.{fmt}", type=MIME[fmt])

"""Uploaded plans (CSV or XLSX, long or wide): read by the input layer in a bounded child process, matched
to the plan months and the model's channels, each problem reported with its line and column; nothing is
kept when there is one.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from pilotage.input import LINE, UPLOADS, InputError, RawTable
from pilotage.input.columns import decimal_mark
from pilotage.input.sandbox import read_upload

from ...auth.permissions import require_role
from .access import WRITE_ROLES, PlanningError, channel_names, model_for
from .plan import plan_months
from .rows import EUR_MARK, amount_of

MAX_FILE_BYTES = UPLOADS.max_bytes  # the input layer's upload caps: 2 MB, 5,000 rows, 200 columns
MAX_ISSUES = 20  # errors listed for one file (the rest are counted)


@dataclass(frozen=True)
class FileIssue:
    """One problem of an uploaded plan: ``code`` names the translated message; ``line`` is the file's line
    (the header is line 1), ``column`` the column's name as written in the file."""

    code: str
    line: int | None = None
    column: str | None = None
    value: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)  # an ``input.*`` code's values


MONTH_NAMES = ("month", "mois", "period", "période", "periode", "date")
CHANNEL_NAMES = ("channel", "canal", "channel_code", "media", "média")
SPEND_NAMES = ("spend", "budget", "dépense", "depense", "dépenses", "depenses", "amount", "montant",
               "planned_spend", "eur")


def _fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _column_decimal(cells: pd.Series, filename: str, column: str) -> tuple[str | None, FileIssue | None]:
    """The decimal mark of a file's column of amounts, decided once from all its text cells (``1,234``
    means the same on every line, and the same as in the ETL), or the problem when they cannot decide."""
    texts = pd.Series([EUR_MARK.sub("", v) for v in cells if isinstance(v, str)], dtype=str)
    try:
        return decimal_mark(texts, file=filename, column=column), None
    except InputError as error:
        code = error.code.removeprefix("input.")
        return None, FileIssue(code, 1, column, " / ".join(error.params.get("examples", []))[:80])


def _read_table(contents: str, filename: str) -> RawTable:
    """The file's cells as text with their line numbers; raises :class:`PlanningError` for a request that
    is not a file and :class:`InputError` for a file that cannot be read. The file is parsed by the input
    layer in a child process bounded in time and memory (a hostile workbook must not hold a worker)."""
    if not isinstance(contents, str) or "," not in contents or not isinstance(filename, str):
        raise PlanningError("unreadable")
    if len(contents) > MAX_FILE_BYTES * 4 // 3 + 1_000:  # base64: checked before decoding it
        raise PlanningError("file_too_large", limit=MAX_FILE_BYTES // 1_000_000)
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (ValueError, TypeError):
        raise PlanningError("unreadable") from None
    return read_upload(data, filename[:200], limits=UPLOADS)


def _parse_month(value) -> dt.date | None:
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().replace(day=1) if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip() if value is not None else ""
    for pattern, fmt in ((r"\d{4}-\d{1,2}", "%Y-%m"), (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
                         (r"\d{4}-\d{1,2}-\d{1,2}[ T]00:00:00", "%Y-%m-%d %H:%M:%S"), (r"\d{1,2}/\d{4}", "%m/%Y"),
                         (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y"), (r"\d{4}/\d{1,2}", "%Y/%m")):
        if re.fullmatch(pattern, text):
            try:
                return dt.datetime.strptime(text.replace("T", " "), fmt).date().replace(day=1)
            except ValueError:
                return None
    return None


def _channel_lookup(channels: list[str]) -> dict[str, str]:
    """Folded codes and names (both languages) of the model's channels -> code."""
    lookup = {_fold(c): c for c in channels}
    for language in ("en", "fr"):
        for code, name in channel_names(language).items():
            if code in channels and name:
                lookup.setdefault(_fold(name), code)
    return lookup


def parse_plan_file(scope, contents: str, filename: str) -> tuple[dict[tuple[dt.date, str], float], list[FileIssue]]:
    """The cells of an uploaded plan (CSV or XLSX, long ``month, channel, spend`` or wide ``month`` plus one
    column per channel): ``{(month, channel): EUR}`` and the problems found, each with its line and column.
    Months must be plan months; channels the model's, by code or by name. Nothing is kept when there is
    a problem (the caller shows them all and changes nothing)."""
    require_role(*WRITE_ROLES)
    _run, model = model_for(scope)
    months = set(plan_months(scope))
    try:
        raw = _read_table(contents, filename)
        raw.refuse_rejects()
    except PlanningError as error:
        return {}, [FileIssue(error.code, value=str(error.values.get("name", error.values.get("limit", ""))))]
    except InputError as error:  # translated from its code and params (the ``input.*`` catalogue)
        return {}, [FileIssue(error.code, error.line, error.column, params=error.params)]
    if raw.frame.empty:
        return {}, [FileIssue("empty")]
    frame = raw.frame
    folded = {_fold(c): c for c in raw.columns}
    month_column = next((folded[n] for n in map(_fold, MONTH_NAMES) if n in folded), None)
    if month_column is None:
        return {}, [FileIssue("no_month", line=1)]
    channel_column = next((folded[n] for n in map(_fold, CHANNEL_NAMES) if n in folded), None)
    spend_column = next((folded[n] for n in map(_fold, SPEND_NAMES) if n in folded), None)
    lookup = _channel_lookup(list(model.channels))
    issues: list[FileIssue] = []
    cells: dict[tuple[dt.date, str], float] = {}
    lines: dict[tuple[dt.date, str], int] = {}

    amount_columns = [spend_column] if channel_column is not None and spend_column is not None else [
        c for c in frame.columns if c != month_column and c != channel_column and lookup.get(_fold(c))]
    decimals = {}
    for column in amount_columns:
        decimals[column], issue = _column_decimal(frame[column], filename, column)
        if issue:
            issues.append(issue)
    if issues:
        return {}, issues

    def add(line: int, month: dt.date, channel: str, raw, column: str) -> None:
        try:
            value = amount_of(None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else raw, column,
                              decimals.get(column))
        except PlanningError as error:
            issues.append(FileIssue(error.code, line, column, str(raw)[:40]))
            return
        if (month, channel) in cells:
            issues.append(FileIssue("duplicate", line, column, f"{month:%Y-%m} · {channel}"))
            return
        cells[(month, channel)] = value
        lines[(month, channel)] = line

    def month_of(line: int, raw) -> dt.date | None:
        month = _parse_month(raw)
        if month is None:
            issues.append(FileIssue("month", line, month_column, str(raw)[:40]))
        elif month not in months:
            issues.append(FileIssue("month_outside", line, month_column, f"{month:%Y-%m}"))
            return None
        return month

    if channel_column is not None:  # long: one row per month and channel
        if spend_column is None:
            return {}, [FileIssue("no_spend", line=1)]
        for record in frame.to_dict("records"):
            line = record[LINE]
            month = month_of(line, record[month_column])
            channel = lookup.get(_fold(record[channel_column]))
            if channel is None:
                issues.append(FileIssue("channel", line, channel_column, str(record[channel_column])[:40]))
            if month is not None and channel is not None:
                add(line, month, channel, record[spend_column], spend_column)
    else:  # wide: one row per month, one column per channel
        columns = {}
        for column in raw.columns:
            if column == month_column:
                continue
            channel = lookup.get(_fold(column))
            if channel is None:
                issues.append(FileIssue("channel", 1, column, column[:40]))
            else:
                columns[column] = channel
        if not columns and not issues:
            return {}, [FileIssue("no_channel", line=1)]
        for record in frame.to_dict("records"):
            line = record[LINE]
            month = month_of(line, record[month_column])
            if month is None:
                continue
            for column, channel in columns.items():
                add(line, month, channel, record[column], column)
    if issues:
        return {}, issues
    return cells, []


def apply_cells(plan: pd.DataFrame, cells: dict[tuple[dt.date, str], float]) -> pd.DataFrame:
    """``plan`` with the file's cells put in (the cells it does not hold keep their value)."""
    plan = plan.copy()
    for (month, channel), value in cells.items():
        plan.loc[month, channel] = value
    return plan

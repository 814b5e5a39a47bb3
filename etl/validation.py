"""Typed parsing of text cells, column by column, with a reason for every refusal.

A :class:`Field` says what a canonical column holds. :func:`validate` turns a table of text
into typed columns and returns, for every bad row, the line, the column, the value and what
was expected. Parsing is vectorised (pandas), so a million rows take seconds, not minutes.

Dates and numbers are typed by :mod:`pilotage.input.columns`: the date order (day/month or
month/day) and the decimal mark are decided once per column from all its values, or from the
file's :class:`~pilotage.input.columns.Conventions` (``--date-order``, ``--decimal``, the
mapping file); a column they cannot decide refuses the file (:class:`InputError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pilotage.input import LINE
from pilotage.input.columns import Conventions, date_expected, date_order, iso_dates, parse_dates, parse_numbers

KINDS = ("text", "code", "integer", "decimal", "date", "datetime", "boolean", "choice")

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "oui", "o", "vrai", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "non", "faux", ""})

EXPECTED = {
    "date": date_expected(None),
    "datetime": date_expected(None, with_time=True),
    "integer": "a whole number",
    "decimal": "a number (decimal point or comma)",
    "boolean": "yes/no (1/0, true/false, oui/non)",
}


@dataclass(frozen=True)
class Field:
    """A canonical column: its name, type and the rules a value must follow."""

    name: str
    kind: str = "text"
    required: bool = True  # the column must be in the file
    nullable: bool = False  # a cell may be empty
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    default: object = None  # value used when an optional column is absent or a cell is empty
    description: str = ""
    aliases: tuple[str, ...] = ()

    def reason(self, date_order: str | None = None) -> tuple[str, dict]:
        """:meth:`expected` as a code and its parameters, which the app translates (``reject.*`` keys)."""
        if self.kind == "choice":
            return "reject.choice", {"choices": ", ".join(self.choices)}
        if self.kind in ("date", "datetime"):
            return f"reject.{self.kind}" + (f"_{date_order}" if date_order in ("dmy", "mdy") else ""), {}
        if self.kind in ("integer", "decimal", "boolean"):
            if self.minimum is not None and self.kind != "boolean":
                return f"reject.{self.kind}_min", {"minimum": f"{self.minimum:g}"}
            return f"reject.{self.kind}", {}
        return "reject.value", {}

    def expected(self, date_order: str | None = None) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind in ("date", "datetime"):
            return date_expected(date_order, with_time=self.kind == "datetime")
        text = EXPECTED.get(self.kind, "a value")
        if self.minimum is not None:
            text += f" >= {self.minimum:g}"
        return text


@dataclass
class Validated:
    """Typed columns for the good rows (indexed like the input) and the rejected rows."""

    frame: pd.DataFrame
    rejects: list[dict] = field(default_factory=list)


def _parse_column(spec: Field, text: pd.Series, stripped: pd.Series, empty: pd.Series, conventions: Conventions,
                  file: str, column: str) -> tuple[pd.Series, pd.Series, str | None]:
    """Return (typed values, mask of cells that are present but invalid, the column's date order);
    ``stripped`` is ``text`` without its surrounding spaces, ``empty`` where that is ''."""
    order = None
    if spec.kind in ("date", "datetime"):
        # The usual column, all ISO: no cell needs the date order (date_order would return the given one).
        order = conventions.order_for(spec.name)
        values = iso_dates(stripped)
        if values is None:
            order = date_order(stripped[~empty], order, file=file, column=column)
            values = parse_dates(stripped, order or "ymd", file=file, column=column)
        if spec.kind == "date":
            values = values.dt.normalize()
        bad = values.isna() & ~empty
    elif spec.kind in ("integer", "decimal"):
        values = parse_numbers(text, conventions.decimal_for(spec.name), file=file, column=column)
        bad = values.isna() & ~empty
        if spec.kind == "integer":
            fractional = values.notna() & (values != values.round())
            bad |= fractional
            values = values.round().astype("Int64")
        if spec.minimum is not None:
            bad |= values.notna() & (values < spec.minimum)
    elif spec.kind == "boolean":
        lowered = stripped.str.lower()
        values = lowered.isin(TRUE_WORDS)
        bad = ~(values | lowered.isin(FALSE_WORDS))
    elif spec.kind == "choice":
        values = stripped.str.lower()
        bad = ~values.isin(spec.choices) & ~empty
    else:
        values = stripped
        bad = pd.Series(False, index=text.index)
    return values, bad, order


def _fill_empty(values: pd.Series, stripped: pd.Series, empty: pd.Series, default) -> pd.Series:
    """``default`` in the empty cells; a text column's empty cells already hold ``''`` (no copy of it)."""
    if values is stripped and default == "":
        return values
    return values.where(~empty, default)


def validate(table: pd.DataFrame, fields: list[Field], column_ref=lambda name: name,
             conventions: Conventions | None = None, file: str = "") -> Validated:
    """Type every field of ``table`` (text cells, with a ``_line`` column).

    Columns listed in ``fields`` but absent from ``table`` take their default; a missing
    required column must have been refused before (see :func:`missing_columns`). Raises
    :class:`~pilotage.input.errors.InputError` (``file``, the column as ``column_ref`` names it)
    when a column's date order or decimal mark cannot be decided.
    """
    conventions = conventions or Conventions()
    typed = pd.DataFrame(index=table.index)
    problems: dict[int, list[tuple[str, str, str, tuple[str, dict]]]] = {}
    for spec in fields:
        if spec.name not in table.columns:
            typed[spec.name] = spec.default
            continue
        text = table[spec.name].astype(str)
        stripped = text.str.strip()
        empty = stripped == ""
        values, bad, order = _parse_column(spec, text, stripped, empty, conventions, file, column_ref(spec.name))
        if not spec.nullable:
            if spec.default is not None:
                values = _fill_empty(values, stripped, empty, spec.default)
            else:
                bad = bad | empty
        elif spec.default is not None:
            values = _fill_empty(values, stripped, empty, spec.default)
        for index in np.flatnonzero(bad.to_numpy()):
            row = table.index[index]
            value = text.iloc[index]
            if value.strip():
                expected, reason = spec.expected(order), spec.reason(order)
            else:
                expected, reason = "a value (the cell is empty)", ("reject.empty", {})
            problems.setdefault(row, []).append((spec.name, value, expected, reason))
        typed[spec.name] = values
    rejects = []
    for row, row_problems in problems.items():
        column, value, expected, (code, params) = row_problems[0]
        if len(row_problems) > 1:
            code, params = "reject.several", {"problems": [
                {"column": column_ref(c), "code": r[0], "params": r[1]} for c, _v, _e, r in row_problems]}
        rejects.append({
            "line": int(table.at[row, LINE]),
            "column": column_ref(column),
            "value": value,
            "expected": "; ".join(f"{column_ref(c)}: expected {e}" for c, _v, e, _r in row_problems)
            if len(row_problems) > 1 else f"expected {expected}",
            "raw": _raw_row(table, row),
            "code": code, "params": params,
        })
    good = typed.drop(index=list(problems)) if problems else typed
    good[LINE] = table[LINE] if not problems else table.loc[good.index, LINE]
    return Validated(frame=good, rejects=rejects)


def _raw_row(table: pd.DataFrame, row) -> str:
    import json

    values = {k: v for k, v in table.loc[row].items() if k != LINE}
    return json.dumps(values, ensure_ascii=False, default=str)


def reject_rows(table: pd.DataFrame, mask: pd.Series, column: str, expected: str,
                column_ref=lambda name: name, *, code: str | None = None,
                params: dict | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Split off the rows where ``mask`` holds, with one reason for all of them (``expected`` in
    English for the command line, ``code`` and ``params`` for the app to translate)."""
    if not mask.any():  # the usual case: no copy of the table
        return table, []
    bad = table[mask]
    rejects = [
        {"line": int(line), "column": column_ref(column),
         "value": None if column not in bad.columns else str(value),
         "expected": expected, "raw": None, "code": code, "params": params}
        for line, value in zip(bad[LINE], bad[column] if column in bad.columns else [None] * len(bad),
                               strict=True)
    ]
    return table[~mask], rejects


def missing_columns(columns: list[str], fields: list[Field]) -> list[str]:
    present = set(columns)
    return [spec.name for spec in fields if spec.required and spec.name not in present]


def apply_aliases(frame: pd.DataFrame, fields: list[Field]) -> pd.DataFrame:
    """Rename known alternative headers (case-insensitive) to their canonical names."""
    renames = {}
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    for spec in fields:
        if spec.name in frame.columns:
            continue
        for alias in (spec.name, *spec.aliases):
            if alias.lower() in lowered:
                renames[lowered[alias.lower()]] = spec.name
                break
    return frame.rename(columns=renames)

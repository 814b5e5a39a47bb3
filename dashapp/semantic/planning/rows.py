"""Plans from the browser, validated: the editor grid's rows, the optimiser's bounds and monthly budgets, and
amounts as people type them in either locale. Everything untrusted becomes a plan frame (months x channels,
EUR) or a :class:`~.access.PlanningError` naming the cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from forecasting import api as forecasting_api
from pilotage.input.columns import parse_numbers

from .access import PlanningError, model_for
from .plan import plan_months

MAX_CELL_EUR = 1e9  # more than any media budget: a larger figure is a typing error


EUR_MARK = re.compile(r"eur", re.IGNORECASE)


def number_text(value: str) -> float | None:
    """A number written by a person in either locale: ``1 234,50``, ``1,234.50``, ``1.234``, ``€120``. A
    single separator followed by exactly three digits groups thousands (euros have two decimals)."""
    text = re.sub(r"[\s\u00a0\u202f€]|eur", "", value.strip(), flags=re.IGNORECASE)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        head, _, tail = text.rpartition(mark)
        text = text.replace(mark, "") if text.count(mark) > 1 or len(tail) == 3 else f"{head}.{tail}"
    return float(text) if re.fullmatch(r"-?\d+(\.\d*)?", text) else None


def _decided_number(value: str, decimal: str) -> float | None:
    number = float(parse_numbers(pd.Series([EUR_MARK.sub("", value)], dtype=str), decimal).iloc[0])
    return None if math.isnan(number) else number


def amount_of(value, column: str, decimal: str | None = None) -> float:
    """A spend in EUR from an untrusted cell (blank is 0); :class:`PlanningError` names the column otherwise.
    A number, or text (``1 234,50``, ``1,234.50``, ``€``) read with its column's ``decimal`` mark when
    a file decided it (see :func:`_column_decimal`), else as one person typed it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    if isinstance(value, bool):
        raise PlanningError("spend", column=column, value=str(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str):
        number = number_text(value) if decimal is None else _decided_number(value, decimal)
        if number is None:
            raise PlanningError("spend", column=column, value=value[:40])
    else:
        raise PlanningError("spend", column=column, value=str(value)[:40])
    if not math.isfinite(number):
        raise PlanningError("spend", column=column, value=str(value)[:40])
    if number < 0:
        raise PlanningError("negative", column=column, value=str(value)[:40])
    if number > MAX_CELL_EUR:
        raise PlanningError("too_large", column=column, value=str(value)[:40])
    return number


def _row_month(row, months) -> dt.date:
    """The plan month of one untrusted grid row (``{"month": "2026-11-01", ...}``); ``rows`` error otherwise."""
    if not isinstance(row, dict) or not isinstance(row.get("month"), str):
        raise PlanningError("rows")
    try:
        month = dt.date.fromisoformat(row["month"][:10])
    except ValueError:
        raise PlanningError("rows") from None
    if month not in months:
        raise PlanningError("rows")
    return month


def plan_from_rows(scope, rows) -> pd.DataFrame:
    """The editor grid's rows (``[{"month": "2026-11-01", "<channel>": spend, ...}]``, untrusted) as a plan
    of the scope's plan months and model channels; blank cells are 0. Raises :class:`PlanningError`."""
    _run, model = model_for(scope)
    months = plan_months(scope)
    channels = list(model.channels)
    if not isinstance(rows, list) or len(rows) != len(months):
        raise PlanningError("rows")
    by_month = {}
    for row in rows:
        month = _row_month(row, months)
        if month in by_month:
            raise PlanningError("rows")
        by_month[month] = [amount_of(row.get(c), c) for c in channels]
    return pd.DataFrame([by_month[m] for m in months], index=months, columns=channels)


def plan_rows(plan: pd.DataFrame) -> list[dict]:
    """A plan as the editor grid's rows."""
    return [{"month": m.isoformat(), **{c: round(float(v), 2) for c, v in row.items()}}
            for m, row in plan.iterrows()]


def _grid_rows(rows) -> list:
    """An optional grid's untrusted rows: none is an empty grid, anything but a list is refused."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise PlanningError("rows")
    return rows


def bounds_from_rows(scope, rows) -> dict[str, dict]:
    """The optimiser's per-channel grid (``[{"channel", "widen", "widen_min", "locked"}]``, untrusted) as
    ``{channel: {"widen": factor or None, "widen_min": factor or None, "locked": bool}}``. ``widen`` (1 to
    5) multiplies the channel's historical monthly maxima, ``widen_min`` (0 to 1) its minima: blank is the
    history itself. Unknown channels and factors out of range are refused."""
    _run, model = model_for(scope)
    out = {}
    for row in _grid_rows(rows):
        if not isinstance(row, dict) or row.get("channel") not in model.channels:
            raise PlanningError("rows")
        channel = row["channel"]
        out[channel] = {"widen": _factor(row.get("widen"), channel, 1.0, forecasting_api.MAX_WIDEN),
                        "widen_min": _factor(row.get("widen_min"), channel, 0.0, 1.0),
                        "locked": row.get("locked") is True}
    return out


def _factor(value, column: str, low: float, high: float) -> float | None:
    """A widening factor from an untrusted cell (blank: None, the history's own bound)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise PlanningError("bounds_factor", column=column)
    try:
        number = float(value.replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise PlanningError("bounds_factor", column=column) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise PlanningError("bounds_factor", column=column)
    return number


def budgets_from_rows(scope, rows) -> dict[dt.date, float]:
    """The optimiser's per-month budget grid (``[{"month", "budget"}]``, untrusted): ``{month: EUR}`` for the
    plan months that have one."""
    months = set(plan_months(scope))
    out = {}
    for row in _grid_rows(rows):
        month = _row_month(row, months)
        if row.get("budget") not in (None, ""):
            out[month] = amount_of(row["budget"], f"{month:%Y-%m}")
    return out

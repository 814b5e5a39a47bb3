"""How a period and its comparisons read on the pages: one sentence from :class:`periods.Comparison`.

Pure layout: the windows come computed by :func:`dashapp.semantic.periods.compare` (through
:func:`queries.comparison`); this only says them, in the user's language, with the weekdays for
weeks, "in progress" for a partial window, and which days it is compared with.
"""

from __future__ import annotations

import datetime as dt

from .. import i18n
from ..semantic.periods import Comparison, Window

WEEK_UNITS = ("week", "weeks")
CALENDAR_UNITS = ("week", "month", "quarter", "year")


def window_text(window: Window, unit: str, language: str) -> str:
    return i18n.date_range(window.start, window.end, language, weekdays=unit in WEEK_UNITS)


def progress_text(comparison: Comparison, language: str) -> str:
    """``week 2026-W44 in progress: 6 of its 7 days`` for a partial window, else empty."""
    if not comparison.partial:
        return ""
    year, week, _ = comparison.window.start.isocalendar()
    return i18n.t(f"compare.in_progress.{comparison.unit}", language, days=comparison.window.days,
                  total=comparison.unit_days, week=f"{year}-W{week:02d}")


def comparison_text(comparison: Comparison, language: str) -> str:
    """``compared with the same weekdays of the previous week (...) and of the same ISO week last year (...)``."""
    unit = comparison.unit
    state = "partial" if comparison.partial and unit in CALENDAR_UNITS else "complete"
    count = {"weeks": comparison.window.days // 7, "days": comparison.window.days}.get(unit, 0)
    if unit == "months":
        start, end = comparison.window.start, comparison.window.end
        count = (end.year - start.year) * 12 + end.month - start.month + 1
    return i18n.t(f"compare.{unit}.{state}", language, count=count,
                  previous=window_text(comparison.previous, unit, language),
                  last_year=window_text(comparison.last_year, unit, language))


def period_sentence(comparison: Comparison, data_end: dt.date | None, language: str) -> str:
    """The whole subtitle: the window, whether it is in progress, what it is compared with, the data's end."""
    progress = progress_text(comparison, language)
    return i18n.t("compare.sentence", language, window=window_text(comparison.window, comparison.unit, language),
                  progress=f" ({progress})" if progress else "", comparison=comparison_text(comparison, language),
                  data_end=i18n.date(data_end, "d MMM y", language))

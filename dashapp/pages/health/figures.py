"""What the data-health page and the home page's health line show, built from what
:mod:`dashapp.semantic.health` returned (no data access here): the sources grid's rows, the cards' numbers, the
rejects chart, the detail grid's title, columns and rows, and the home page's one line."""

from __future__ import annotations

import plotly.graph_objects as go

from ... import i18n
from ...layout import charts

FIGURE_CLASS = "w-100 h-100 text-start border"
SOURCE_COLUMNS = ("feed", "source_system", "last_load", "last_date", "cadence", "state")
DETAIL_COLUMNS = {
    "late": SOURCE_COLUMNS,
    "gaps": ("measure", "region_code", "date"),
    "duplicates": ("kind", "date", "region_code", "what", "copies"),
    "outliers": ("date", "table_name", "column", "series_key", "region_code", "value", "expected_low",
                 "expected_high", "severity", "file_name", "line"),
    "rejects": ("run_id", "file_name", "line", "column", "value", "expected"),
}


def column(field: str, **extra) -> dict:
    return {"field": field, "headerName": i18n.t(f"health.col.{field}"), **extra}


def number_text(value, language: str) -> str:
    """A card's number ("—" where the user does not see that figure)."""
    return "—" if value is None else i18n.number(value, language=language)


def card_class(hidden: bool) -> str:
    return FIGURE_CLASS + (" d-none" if hidden else "")


def _state(row: dict, language: str) -> str:
    if row["late_days"] > 0:
        return i18n.t("health.state.late", language, days=i18n.number(row["late_days"], language=language))
    return i18n.t("health.state.ok", language)


def source_rows(sources: list[dict], language: str) -> list[dict]:
    return [{"feed": i18n.t(f"health.feed.{row['feed']}", language), "source_system": row["source_system"],
             "last_load": i18n.date(row["last_load"].date(), language=language) if row["last_load"] else "—",
             "last_date": i18n.date(row["last_date"], language=language) if row["last_date"] else "—",
             "cadence": i18n.t("health.cadence", language, days=row["cadence_days"]),
             "state": _state(row, language)} for row in sources]


def rejects_figure(days: list[dict] | None, language: str) -> go.Figure:
    if not days:
        return charts.empty(i18n.t("health.rejects.none", language), height=220)
    fig = go.Figure(go.Bar(x=[d["date"].isoformat() for d in days], y=[d["rejected"] for d in days],
                           marker_color=charts.COLORS["actual"], name=i18n.t("health.card.rejects", language)))
    fig.update_layout(title=i18n.t("health.rejects.title", language))
    return charts.framed(fig, language, height=220)


def _dates(rows: list[dict]) -> list[dict]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]


def detail_table(kind: str, rows: list[dict] | None, language: str) -> tuple[str, list[dict], list[dict]]:
    """The title, columns and rows of the grid behind one figure; ``rows`` None: nothing to show (no figure
    clicked, or one the user does not see)."""
    if rows is None or kind not in DETAIL_COLUMNS:
        return i18n.t("health.detail.none", language), [], []
    if kind == "late":
        rows = source_rows(rows, language)
    elif kind == "gaps":
        rows = [{**r, "measure": i18n.t(f"kpi.{r['measure']}", language)} for r in _dates(rows)]
    elif kind == "rejects":
        rows = [{"run_id": r["run_id"], "file_name": r["file_name"], "line": r["line"],
                 "column": i18n.file_column(r["column"], language), "value": r["value"],
                 "expected": i18n.reject_reason(r["code"], r["params"], r["expected"], language)} for r in rows]
    else:
        rows = _dates(rows)
    title = i18n.t(f"health.detail.{kind}", language, count=i18n.number(len(rows), language=language))
    return title, [column(c) for c in DETAIL_COLUMNS[kind]], rows

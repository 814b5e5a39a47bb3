"""The data-health page's callbacks: the sources grid, the five figures and the rejects chart from the region
filter; and the rows behind a figure when it is clicked (or a day of the rejects chart).

Inputs are untrusted: the region filter is intersected with the user's scope by the query layer (a forged code
narrows to nothing, never widens), the clicked figure is one of five names, a chart day is parsed as a date.
"""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, ctx, dcc, html

from .. import i18n
from ..auth.callbacks import role_checked
from ..layout import charts
from ..semantic import health

FIGURES = ("late", "gaps", "duplicates", "outliers", "rejects")
FIGURE_CLASS = "w-100 h-100 text-start border"


def _text(value, language: str) -> str:
    if value is None:
        return "—"
    return i18n.number(value, language=language)


def _late(row: dict, language: str) -> str:
    if row["late_days"] > 0:
        return i18n.t("health.state.late", language, days=i18n.number(row["late_days"], language=language))
    return i18n.t("health.state.ok", language)


def source_rows(regions, language: str) -> list[dict]:
    return [{"feed": i18n.t(f"health.feed.{row['feed']}", language), "source_system": row["source_system"],
             "last_load": i18n.date(row["last_load"].date(), language=language) if row["last_load"] else "—",
             "last_date": i18n.date(row["last_date"], language=language) if row["last_date"] else "—",
             "cadence": i18n.t("health.cadence", language, days=row["cadence_days"]),
             "state": _late(row, language)} for row in health.sources(regions)]


def rejects_figure(language: str) -> go.Figure:
    days = health.rejects_by_day() if health.sees_files() else []
    if not days:
        return charts.empty(i18n.t("health.rejects.none", language), height=220)
    fig = go.Figure(go.Bar(x=[d["date"].isoformat() for d in days], y=[d["rejected"] for d in days],
                           marker_color=charts.COLORS["actual"], name=i18n.t("health.card.rejects", language)))
    fig.update_layout(title=i18n.t("health.rejects.title", language))
    return charts.framed(fig, language, height=220)


def update_health(regions):
    language = i18n.current_language()
    figures = health.summary(regions)
    values = [len(figures["late"]), figures["gaps"], figures["duplicates"], figures["outliers"], figures["rejects"]]
    return (source_rows(regions, language), *(_text(v, language) for v in values), rejects_figure(language),
            FIGURE_CLASS + (" d-none" if figures["rejects"] is None else ""))


def health_line(language: str):
    """The home page's one line: late sources by name, then gaps, duplicates and outliers, in the user's scope;
    None for roles without the health page."""
    from flask_login import current_user

    if getattr(current_user, "role", None) not in health.HEALTH_ROLES:
        return None
    figures = health.summary()
    late = figures["late"]
    state, numbers = i18n.health_line(figures, language)
    return html.P([html.Strong(i18n.t("health.line.label", language)), f" {state}; {numbers} · ",
                   dcc.Link(i18n.t("health.line.open", language), href="/health")],
                  className="small mb-2" + (" text-danger" if late else " text-muted"), id="home-health-line")


def _column(field: str, **extra) -> dict:
    return {"field": field, "headerName": i18n.t(f"health.col.{field}"), **extra}


def _dates(rows: list[dict]) -> list[dict]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]


def detail_rows(kind: str, regions, day=None) -> tuple[str, list[dict], list[dict]]:
    """The title, columns and rows behind one figure (the query layer applies the scope)."""
    language = i18n.current_language()
    if kind == "late":
        rows = [r for r in source_rows(regions, language) if r["state"] != i18n.t("health.state.ok", language)]
        columns = [_column(c) for c in ("feed", "source_system", "last_load", "last_date", "cadence", "state")]
    elif kind == "gaps":
        rows = [{**r, "measure": i18n.t(f"kpi.{r['measure']}", language)} for r in _dates(health.gaps(regions))]
        columns = [_column(c) for c in ("measure", "region_code", "date")]
    elif kind == "duplicates":
        rows = _dates(health.duplicates(regions))
        columns = [_column(c) for c in ("kind", "date", "region_code", "what", "copies")]
    elif kind == "outliers":
        rows = _dates(health.outliers(regions))
        columns = [_column(c) for c in ("date", "table_name", "column", "series_key", "region_code", "value",
                                        "expected_low", "expected_high", "severity", "file_name", "line")]
    elif kind == "rejects" and health.sees_files():
        rows = [{"run_id": r["run_id"], "file_name": r["file_name"], "line": r["line"],
                 "column": i18n.file_column(r["column"], language), "value": r["value"],
                 "expected": i18n.reject_reason(r["code"], r["params"], r["expected"], language)}
                for r in health.rejected_rows(day)]
        columns = [_column(c) for c in ("run_id", "file_name", "line", "column", "value", "expected")]
    else:
        return i18n.t("health.detail.none", language), [], []
    title = i18n.t(f"health.detail.{kind}", language, count=i18n.number(len(rows), language=language))
    return title, columns, rows


def show_detail(*args):
    *_clicks, chart_click, regions = args
    trigger = ctx.triggered_id
    if trigger == "health-rejects-chart":
        points = (chart_click or {}).get("points") if isinstance(chart_click, dict) else None
        day = points[0].get("x") if isinstance(points, list) and points and isinstance(points[0], dict) else None
        return detail_rows("rejects", regions, day)
    kind = trigger.removeprefix("health-open-") if isinstance(trigger, str) else None
    return detail_rows(kind if kind in FIGURES else "", regions)


def register_callbacks(app) -> None:
    from ..pages.health import PATH

    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(
        Output("health-sources", "rowData"), *(Output(f"health-figure-{k}", "children") for k in FIGURES),
        Output("health-rejects-chart", "figure"), Output("health-open-rejects", "className"),
        Input("health-region", "value"),
    )(update_health)
    app.callback(
        Output("health-detail-title", "children"), Output("health-detail", "columnDefs"),
        Output("health-detail", "rowData"),
        *(Input(f"health-open-{k}", "n_clicks") for k in FIGURES), Input("health-rejects-chart", "clickData"),
        Input("health-region", "value"), prevent_initial_call=True,
    )(show_detail)

"""The data-health page's callbacks: the sources grid, the five figures and the rejects chart from the region
filter; and the rows behind a figure when it is clicked (or a day of the rejects chart).

Inputs are untrusted: the region filter is intersected with the user's scope by the query layer (a forged code
narrows to nothing, never widens), the clicked figure is one of five names, a chart day is parsed as a date by
:func:`dashapp.semantic.health.rejected_rows`, which also decides who sees rejected rows.
"""

from __future__ import annotations

from dash import Input, Output, ctx

from ... import i18n
from ...auth.callbacks import role_checked
from ...semantic import health
from . import PATH, figures, ids

DETAIL_ROWS = {"late": health.late_sources, "gaps": health.gaps, "duplicates": health.duplicates,
               "outliers": health.outliers}


def update_health(regions):
    language = i18n.current_language()
    found = health.summary(regions)
    values = [len(found["late"]), found["gaps"], found["duplicates"], found["outliers"], found["rejects"]]
    return (figures.source_rows(health.sources(regions), language),
            *(figures.number_text(v, language) for v in values),
            figures.rejects_figure(health.rejects_by_day(), language), figures.card_class(found["rejects"] is None))


def _chart_day(click):
    """The day of a clicked bar of the rejects chart (clickData comes from the browser: anything)."""
    points = click.get("points") if isinstance(click, dict) else None
    return points[0].get("x") if isinstance(points, list) and points and isinstance(points[0], dict) else None


def show_detail(*args):
    *_clicks, chart_click, regions = args
    language = i18n.current_language()
    if ctx.triggered_id == ids.REJECTS_CHART:
        return figures.detail_table("rejects", health.rejected_rows(_chart_day(chart_click)), language)
    kind = ids.kind_of(ctx.triggered_id)
    if kind == "rejects":
        return figures.detail_table(kind, health.rejected_rows(), language)
    return figures.detail_table(kind, DETAIL_ROWS[kind](regions) if kind else None, language)


def register_callbacks(app) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(
        Output(ids.SOURCES, "rowData"), *(Output(ids.figure(k), "children") for k in ids.FIGURES),
        Output(ids.REJECTS_CHART, "figure"), Output(ids.open_button("rejects"), "className"),
        Input(ids.REGION, "value"),
    )(update_health)
    app.callback(
        Output(ids.DETAIL_TITLE, "children"), Output(ids.DETAIL, "columnDefs"), Output(ids.DETAIL, "rowData"),
        *(Input(ids.open_button(k), "n_clicks") for k in ids.FIGURES), Input(ids.REJECTS_CHART, "clickData"),
        Input(ids.REGION, "value"), prevent_initial_call=True,
    )(show_detail)

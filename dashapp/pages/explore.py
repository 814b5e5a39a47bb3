"""The drill-down page (/explore): "in three clicks, why".

The layout is built per request from the URL's query (Dash Pages passes it in), so a shared
link reopens the same view; the callbacks in :mod:`dashapp.callbacks.explore` fill every
figure and table and keep the URL in step with the filter bar. This module holds the layout
and the small table renderers; it reads no figure itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..layout import filters as bar
from ..layout.controls import export_buttons
from . import guarded

PATH = "/explore"
# Element ids outside the filter bar (see dashapp.layout.filters for the bar's own).
HEADLINE = "explore-headline"
SERIES = "explore-series"
SERIES_NOTE = "explore-series-note"
SERIES_TITLE = "explore-series-title"
FUNNEL = "explore-funnel"
FUNNEL_TABLE = "explore-funnel-table"
LEADERBOARD = "explore-leaderboard"
GRID = "explore-grid"
EXPORT_CSV = "explore-export-csv"
EXPORT_XLSX = "explore-export-xlsx"
DOWNLOAD = "explore-download"
HEATMAP = "explore-heatmap"
CONVENTION = "explore-convention"
COHORT = "explore-cohort"
ACTIVITY = "explore-activity"


def _card(title: str, body, card_id: str | None = None, note: str | None = None) -> dbc.Card:
    children = [html.H5(title, className="card-title")]
    if note:
        children.append(html.Small(note, className="text-muted d-block mb-2"))
    children += body if isinstance(body, list) else [body]
    return dbc.Card(dbc.CardBody(children), className="mb-3", **({"id": card_id} if card_id else {}))


def layout(**query):
    """The page for the view the URL names (defaults for anything missing or invalid)."""
    language = i18n.current_language()
    t = i18n.t
    filters, kpi, by = bar.state_from_query(query)
    values = bar.control_values(filters, kpi, by)
    grid = dag.AgGrid(
        id=GRID, rowData=[], columnDefs=[],
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "minWidth": 110},
        dashGridOptions={"animateRows": False, "domLayout": "autoHeight"},
        columnSize="autoSize", style={"width": "100%"},
    )
    return html.Div([
        dcc.Location(id=bar.URL, refresh=False),
        html.H2(t("explore.title", language)),
        html.P(t("explore.intro", language), className="text-muted"),
        bar.filter_bar(values, language),
        dbc.Alert(id=HEADLINE, color="light", className="py-2"),
        dbc.Card(dbc.CardBody([
            html.H5(id=SERIES_TITLE, className="card-title"),
            dcc.Graph(id=SERIES, config={"displaylogo": False}),
            html.Small(id=SERIES_NOTE, className="text-muted"),
        ]), className="mb-3", id="explore-series-card"),
        dbc.Row([
            dbc.Col(_card(t("explore.funnel.title", language), [
                dcc.Graph(id=FUNNEL, config={"displaylogo": False}), html.Div(id=FUNNEL_TABLE)],
                note=t("explore.funnel.note", language)), lg=5),
            dbc.Col(_card(t("explore.leaderboard.title", language), html.Div(id=LEADERBOARD),
                          note=t("explore.leaderboard.note", language)), lg=7),
        ]),
        _card(t("explore.grid.title", language), [
            dbc.Row([
                dbc.Col([dbc.Label(t("explore.grid.by", language), html_for=bar.BY, className="me-2 small"),
                         dbc.RadioItems(id=bar.BY, value=values["by"], inline=True, options=[
                             {"label": t(f"explore.by.{b}", language), "value": b} for b in bar.GRID_BREAKDOWNS])],
                        className="d-flex align-items-center"),
                dbc.Col(export_buttons("explore", t("explore.export.csv", language), t("explore.export.xlsx", language),
                                       gap="me-2"), width="auto"),
            ], className="mb-2"),
            grid,
            dcc.Download(id=DOWNLOAD),
        ], card_id="explore-grid-card", note=t("explore.grid.note", language)),
        _card(t("explore.heatmap.title", language), dcc.Graph(id=HEATMAP, config={"displaylogo": False}),
              note=t("explore.heatmap.note", language)),
        dbc.Card(dbc.CardBody([
            dbc.Alert(t("explore.cohort.convention", language), id=CONVENTION, color="info", className="small"),
            dbc.Row([
                dbc.Col([html.H5(t("explore.cohort.title", language)), html.Div(id=COHORT)], lg=6),
                dbc.Col([html.H5(t("explore.activity.title", language)), html.Div(id=ACTIVITY)], lg=6),
            ]),
        ]), className="mb-3", id="explore-cohorts-card"),
    ], id="explore-page")


# --- table renderers (values come formatted) ------------------------------------------------------

def table(headers: Sequence, rows: Sequence[Sequence], footer: Sequence | None = None,
          table_id: str | None = None, separator_before: int | None = None) -> dbc.Table:
    """A compact table, numbers right-aligned (every column but the first); ``separator_before`` draws a
    rule above that row (what follows is beside the rows above, not after them)."""
    def cells(values, tag):
        return [tag(v, className="text-end" if i else None) for i, v in enumerate(values)]

    body = [html.Tr(cells(r, html.Td), className="border-top border-2 border-secondary"
                    if separator_before is not None and i == separator_before else None)
            for i, r in enumerate(rows)]
    parts = [html.Thead(html.Tr(cells(headers, html.Th))), html.Tbody(body)]
    if footer is not None:
        parts.append(html.Tfoot(html.Tr(cells(footer, html.Th))))
    return dbc.Table(parts, size="sm", striped=True, hover=True, responsive=True, className="mb-0 small",
                     **({"id": table_id} if table_id else {}))


def no_data(language: str | None = None) -> html.P:
    return html.P(i18n.t("common.no_data", language), className="text-muted")


def register(app):
    dash.register_page(__name__, path=PATH, name="Drill-down", title=lambda **_: "Pilotage · " + i18n.t(
        "explore.title"), layout=guarded(PATH, layout))
    from ..callbacks import explore

    explore.register_callbacks(app)

"""The data-health page (``/health``: the data team, and directors in their scope): per source its last load,
last date covered and cadence; gaps, duplicates, outliers recorded at load and rejected rows over time. Each
figure is a button that opens the rows behind it in the grid below. The layout holds no data: the callbacks of
:mod:`dashapp.callbacks.health` fill it from :mod:`dashapp.semantic.health`."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..callbacks.health import FIGURE_CLASS, FIGURES
from ..layout.controls import dropdown
from ..layout.grids import read_only_grid
from ..semantic.scope import allowed_regions, region_tree
from . import guarded

PATH = "/health"


def figure_card(kind: str) -> dbc.Col:
    return dbc.Col(dbc.Button([
        html.Div(i18n.t(f"health.card.{kind}"), className="small text-muted"),
        html.Div("…", id=f"health-figure-{kind}", className="fs-3 fw-semibold"),
    ], id=f"health-open-{kind}", color="light", className=FIGURE_CLASS, n_clicks=0), md=True)


def layout(**_query) -> html.Div:
    tree = region_tree()
    regions = [{"label": i18n.region_name(code, tree.names.get(code)), "value": code}
               for code in sorted(allowed_regions())]
    return html.Div([
        html.Div([
            html.H1(i18n.t("health.title"), className="h3 mb-0"),
            dropdown(id="health-region", options=regions, multi=True, placeholder=i18n.t("health.all_regions"),
                     style={"minWidth": "280px"}),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        html.P(i18n.t("health.intro"), className="text-muted small"),
        html.H2(i18n.t("health.sources.title"), className="h5"),
        read_only_grid("health-sources", [
            {"field": "feed", "headerName": i18n.t("health.col.feed"), "minWidth": 160},
            {"field": "source_system", "headerName": i18n.t("health.col.source_system")},
            {"field": "last_load", "headerName": i18n.t("health.col.last_load"), "minWidth": 160},
            {"field": "last_date", "headerName": i18n.t("health.col.last_date")},
            {"field": "cadence", "headerName": i18n.t("health.col.cadence")},
            {"field": "state", "headerName": i18n.t("health.col.state")},
        ], height=260),
        dbc.Row([figure_card(kind) for kind in FIGURES], className="g-2 my-3"),
        dcc.Graph(id="health-rejects-chart", config={"displayModeBar": False}, style={"height": "220px"}),
        html.H2(i18n.t("health.detail.none"), id="health-detail-title", className="h5 mt-3"),
        read_only_grid("health-detail", [], height=360),
    ], id="health-page")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name=i18n.t("health.title", "en"),
                       title=lambda **_: "Pilotage · " + i18n.t("health.title"), layout=guarded(PATH, layout))
    from ..callbacks import health

    health.register_callbacks(app)

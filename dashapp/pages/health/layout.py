"""The data-health page's layout: the region filter, the sources grid, five cards, the rejects chart and the
detail grid, all empty until :mod:`.callbacks` fills them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from ...layout.controls import dropdown
from ...layout.grids import read_only_grid
from ...semantic.scope import allowed_regions, region_tree
from . import ids
from .figures import FIGURE_CLASS, SOURCE_COLUMNS, column


def figure_card(kind: str) -> dbc.Col:
    return dbc.Col(dbc.Button([
        html.Div(i18n.t(f"health.card.{kind}"), className="small text-muted"),
        html.Div("…", id=ids.figure(kind), className="fs-3 fw-semibold"),
    ], id=ids.open_button(kind), color="light", className=FIGURE_CLASS, n_clicks=0), md=True)


def layout(**_query) -> html.Div:
    tree = region_tree()
    regions = [{"label": i18n.region_name(code, tree.names.get(code)), "value": code}
               for code in sorted(allowed_regions())]
    return html.Div([
        html.Div([
            html.H1(i18n.t("health.title"), className="h3 mb-0"),
            dropdown(id=ids.REGION, options=regions, multi=True, placeholder=i18n.t("health.all_regions"),
                     style={"minWidth": "280px"}),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        html.P(i18n.t("health.intro"), className="text-muted small"),
        html.H2(i18n.t("health.sources.title"), className="h5"),
        read_only_grid(ids.SOURCES, [column(c, minWidth=160) if c in ("feed", "last_load") else column(c)
                                     for c in SOURCE_COLUMNS], height=260),
        dbc.Row([figure_card(kind) for kind in ids.FIGURES], className="g-2 my-3"),
        dcc.Graph(id=ids.REJECTS_CHART, config={"displayModeBar": False}, style={"height": "220px"}),
        html.H2(i18n.t("health.detail.none"), id=ids.DETAIL_TITLE, className="h5 mt-3"),
        read_only_grid(ids.DETAIL, [], height=360),
    ], id=ids.PAGE)

"""The saved views page's layout: the user's views (read when the page opens), a picker and the buttons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from ...semantic import views
from . import ids
from .figures import view_options, views_table


def layout(**_query) -> html.Div:
    language = i18n.current_language()
    listing = views.list_views()
    t = i18n.t
    return html.Div([
        html.H1(t("views.title", language), className="h3"),
        html.P(t("views.help", language), className="text-muted small"),
        html.Div(views_table(listing, language), id=ids.LIST, className="mb-3"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.PICK, options=view_options(listing), clearable=True,
                                 placeholder=t("views.pick", language)), md=5),
            dbc.Col([dbc.Button(t("views.set_home", language), id=ids.SET_HOME, color="primary", size="sm",
                                className="me-2"),
                     dbc.Button(t("views.clear_home", language), id=ids.CLEAR_HOME, color="secondary",
                                outline=True, size="sm", className="me-2"),
                     dbc.Button(t("views.delete", language), id=ids.DELETE, color="danger", outline=True,
                                size="sm")], md=7),
        ], className="g-2 mb-2"),
        dbc.Alert(id=ids.FEEDBACK, is_open=False, dismissable=True, className="small"),
    ], id=ids.PAGE)

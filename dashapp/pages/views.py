"""The user's saved views (``/views``, every role): each with its page and a link that opens it, which one is
their home (where they land after login and on ``/``), and buttons to change the home or delete a view.

Views are saved from any dashboard with the navbar's "Save view" button (:func:`dashapp.layout.shell.save_view_dialog`);
:mod:`dashapp.callbacks.views` holds both callbacks, :mod:`dashapp.semantic.views` the rules.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..semantic import views
from . import guarded

PATH = "/views"
PAGE_LABELS = {"/": "nav.home", "/explore": "nav.explore", "/forecast": "nav.forecast", "/planning": "nav.planning"}


def views_table(listing: list[dict], language: str):
    if not listing:
        return html.P(i18n.t("views.none", language), className="text-muted", id="views-none")
    header = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in ("views.name", "views.page", "views.home")]))
    body = [html.Tr([
        html.Td(dcc.Link(v["name"], href=v["url"], id=f"views-open-{v['id']}")),
        html.Td(i18n.t(PAGE_LABELS.get(v["path"], "nav.home"), language)),
        html.Td(dbc.Badge(i18n.t("views.is_home", language), color="primary") if v["is_home"] else ""),
    ], **{"data-view": str(v["id"])}) for v in listing]
    return dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, id="views-table")


def view_options(listing: list[dict]) -> list[dict]:
    return [{"label": v["name"], "value": v["id"]} for v in listing]


def layout(**_query) -> html.Div:
    language = i18n.current_language()
    listing = views.list_views()
    t = i18n.t
    return html.Div([
        html.H1(t("views.title", language), className="h3"),
        html.P(t("views.help", language), className="text-muted small"),
        html.Div(views_table(listing, language), id="views-list", className="mb-3"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="views-pick", options=view_options(listing), clearable=True,
                                 placeholder=t("views.pick", language)), md=5),
            dbc.Col([dbc.Button(t("views.set_home", language), id="views-set-home", color="primary", size="sm",
                                className="me-2"),
                     dbc.Button(t("views.clear_home", language), id="views-clear-home", color="secondary",
                                outline=True, size="sm", className="me-2"),
                     dbc.Button(t("views.delete", language), id="views-delete", color="danger", outline=True,
                                size="sm")], md=7),
        ], className="g-2 mb-2"),
        dbc.Alert(id="views-feedback", is_open=False, dismissable=True, className="small"),
    ], id="views-page")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="Views", title=lambda **_: "Pilotage · " + i18n.t("nav.views"),
                       layout=guarded(PATH, layout))
    from ..callbacks import views as callbacks

    callbacks.register_callbacks(app)

"""The saved views as a table and as the choices of the picker, from :func:`views.list_views` rows."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from . import ids

PAGE_LABELS = {"/": "nav.home", "/explore": "nav.explore", "/forecast": "nav.forecast", "/planning": "nav.planning"}


def views_table(listing: list[dict], language: str):
    if not listing:
        return html.P(i18n.t("views.none", language), className="text-muted", id=ids.NONE)
    header = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in ("views.name", "views.page", "views.home")]))
    body = [html.Tr([
        html.Td(dcc.Link(v["name"], href=v["url"], id=ids.open_link(v["id"]))),
        html.Td(i18n.t(PAGE_LABELS.get(v["path"], "nav.home"), language)),
        html.Td(dbc.Badge(i18n.t("views.is_home", language), color="primary") if v["is_home"] else ""),
    ], **{"data-view": str(v["id"])}) for v in listing]
    return dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, id=ids.TABLE)


def view_options(listing: list[dict]) -> list[dict]:
    return [{"label": v["name"], "value": v["id"]} for v in listing]

"""The frame around every page: navbar (pages the role may open), scope, language, logout,
and the one place where callback errors are shown."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import i18n
from ..auth.permissions import can_view
from ..semantic.scope import region_tree

NAV = (("/", "nav.home"), ("/explore", "nav.explore"), ("/forecast", "nav.forecast"),
       ("/planning", "nav.planning"), ("/admin", "nav.admin"))


def scope_label(user) -> str:
    if "*" in user.scope:
        return i18n.t("scope.all")
    if not user.scope:
        return i18n.t("scope.none")
    names = region_tree().names
    return ", ".join(names.get(code, code) for code in user.scope)


def navbar() -> dbc.Navbar:
    registered = {page["path"] for page in dash.page_registry.values()}
    links = [dbc.NavItem(dbc.NavLink(i18n.t(key), href=path, active="exact", id=f"nav-{key.split('.')[1]}"))
             for path, key in NAV if path in registered and can_view(path)]
    other = "fr" if i18n.current_language() == "en" else "en"
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand("Pilotage", href="/"),
        dbc.Nav(links, navbar=True, className="me-auto"),
        html.Span([html.Strong(current_user.name), " · ", i18n.t(f"role.{current_user.role}"), " · ",
                   i18n.t("nav.scope", scope=scope_label(current_user))],
                  className="navbar-text small me-3", id="nav-user"),
        # Plain forms: the language switch and logout are Flask routes, not callbacks, and POSTs with the
        # CSRF token: another site cannot switch or log the user out with a link. The switch returns to
        # the page it was clicked on (its Referer): this layout cannot know that URL.
        _post_form(f"/language/{other}", i18n.t("nav.language"), "nav-language", "btn btn-sm btn-outline-light me-2"),
        _post_form("/logout", i18n.t("nav.logout"), "nav-logout", "btn btn-sm btn-light"),
    ], fluid=True), color="dark", dark=True, className="mb-3")


def _post_form(action: str, label: str, button_id: str, button_class: str) -> html.Form:
    return html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
        html.Button(label, type="submit", id=button_id, className=button_class),
    ], method="POST", action=action, className="d-inline m-0")


def shell():
    """The app's layout, built per request (user, role and language are per request)."""
    if not current_user.is_authenticated:  # the guard answers 401 first; this is the second lock
        return html.Div()
    return html.Div([
        navbar(),
        dbc.Container([
            dbc.Alert(id="global-error", is_open=False, dismissable=True, color="danger"),
            dash.page_container,
        ], fluid=True),
        dcc.Store(id="language", data=i18n.current_language()),
    ], lang=i18n.current_language())

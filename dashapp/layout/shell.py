"""The frame around every page: navbar (pages the role may open), scope, language, logout,
and the one place where callback errors are shown.

On a narrow screen (a phone, below Bootstrap's ``lg`` breakpoint) the navbar shows the brand and
a menu button only; the button opens the links, the user line and the buttons (a clientside
callback, :data:`TOGGLE_JS`: no round trip), and moving to another page closes them again."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import i18n
from ..auth.permissions import can_view
from ..semantic.scope import region_tree

NAV = (("/", "nav.home"), ("/explore", "nav.explore"), ("/forecast", "nav.forecast"),
       ("/planning", "nav.planning"), ("/admin", "nav.admin"), ("/health", "nav.health"),
       ("/glossary", "nav.glossary"), ("/views", "nav.views"), ("/profile", "nav.profile"))
TOGGLER = "nav-toggler"
COLLAPSE = "nav-collapse"
# The menu button opens or closes the menu; a move to another page (Dash Pages' location) closes it.
TOGGLE_JS = """
function(clicks, pathname, isOpen) {
    const triggered = window.dash_clientside.callback_context.triggered;
    const byButton = triggered.some(t => t.prop_id.startsWith("nav-toggler."));
    return byButton ? !isOpen : false;
}
"""


def scope_label(user) -> str:
    if "*" in user.scope:
        return i18n.t("scope.all")
    if not user.scope:
        return i18n.t("scope.none")
    names = region_tree().names
    return ", ".join(i18n.region_name(code, names.get(code)) for code in user.scope)


def navbar() -> dbc.Navbar:
    registered = {page["path"] for page in dash.page_registry.values()}
    links = [dbc.NavItem(dbc.NavLink(i18n.t(key), href=path, active="exact", id=f"nav-{key.split('.')[1]}"))
             for path, key in NAV if path in registered and can_view(path)]
    other = "fr" if i18n.current_language() == "en" else "en"
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand("Pilotage", href="/"),
        dbc.NavbarToggler([html.Span(className="navbar-toggler-icon"),
                           html.Span(i18n.t("nav.toggle"), className="visually-hidden")], id=TOGGLER, n_clicks=0),
        dbc.Collapse([
            dbc.Nav(links, navbar=True, className="me-auto"),
            bell(),
            html.Span([html.Strong(current_user.name), " · ", i18n.t(f"role.{current_user.role}"), " · ",
                       i18n.t("nav.scope", scope=scope_label(current_user))],
                      className="navbar-text small me-lg-3", id="nav-user"),
            # Plain forms: the language switch and logout are Flask routes, not callbacks, and POSTs with the
            # CSRF token: another site cannot switch or log the user out with a link. The switch returns to
            # the page it was clicked on (its Referer): this layout cannot know that URL.
            html.Div([
                html.Button(i18n.t("views.save_button"), id=SAVE_VIEW, type="button", n_clicks=0,
                            className="btn btn-sm btn-outline-light me-2"),
                _post_form(f"/language/{other}", i18n.t("nav.language"), "nav-language",
                           "btn btn-sm btn-outline-light me-2"),
                _post_form("/logout", i18n.t("nav.logout"), "nav-logout", "btn btn-sm btn-light"),
            ], className="d-flex py-2 py-lg-0"),
        ], id=COLLAPSE, is_open=False, navbar=True),
    ], fluid=True), color="dark", dark=True, expand="lg", className="mb-3")


# A bell drawn in SVG (no icon font is vendored; the CSP allows data: images).
BELL_SVG = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='18' height='18' "
            "viewBox='0 0 16 16' fill='white'><path d='M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm.995-14.901a1 1 0 1 "
            "0-1.99 0A5.002 5.002 0 0 0 3 6c0 1.098-.5 6-2 7h14c-1.5-1-2-5.902-2-7 0-2.42-1.72-4.44-4.005-4.901z'/>"
            "</svg>")


def bell() -> html.A:
    """The notifications bell and its unread count (kept current by :func:`dashapp.pages.alerts.callbacks.bell`)."""
    from ..alerts.events import unread_count
    from ..alerts.texts import bell_label

    count, title = bell_label(unread_count(current_user.id))
    return html.A([html.Img(src=BELL_SVG, alt=i18n.t("nav.alerts"), height=18, className="align-middle"),
                   dbc.Badge(count, id="nav-bell-count", color="danger", pill=True, className="ms-1 align-middle")],
                  href="/alerts", id="nav-bell", title=title, className="navbar-text me-lg-3 text-decoration-none")


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
        save_view_dialog(),
    ], lang=i18n.current_language())


SAVE_VIEW = "nav-save-view"
# The address the user is looking at when they open the dialog: the pages keep their filters in the URL
# (some without telling Dash, by replaceState), so it is read from the browser, not from a Location component.
OPEN_SAVE_JS = """
function(clicks) {
    return [true, {path: window.location.pathname, search: window.location.search}];
}
"""


def save_view_dialog() -> dbc.Modal:
    """Save the page as it is (page, filters, period preset) under a name, optionally as the user's home."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(i18n.t("views.save_title"))),
        dbc.ModalBody([
            html.P(i18n.t("views.save_help"), className="small text-muted"),
            dbc.Label(i18n.t("views.name"), html_for="view-name", className="small"),
            dbc.Input(id="view-name", type="text", maxLength=120, placeholder=i18n.t("views.name_hint")),
            dbc.Checkbox(id="view-home", value=False, label=i18n.t("views.as_home"), className="mt-2"),
            dbc.Alert(id="view-feedback", is_open=False, className="small mt-2 mb-0"),
        ]),
        dbc.ModalFooter(dbc.Button(i18n.t("views.save"), id="view-save", color="primary", n_clicks=0)),
        dcc.Store(id="view-location", data=None),
    ], id="view-dialog", is_open=False)


def register_callbacks(app) -> None:
    """The menu button of the narrow navbar: a clientside callback (it runs in the browser, so there is
    no server endpoint to guard; its script is allowed by hash like Dash's own)."""
    app.clientside_callback(OPEN_SAVE_JS, Output("view-dialog", "is_open"), Output("view-location", "data"),
                            Input(SAVE_VIEW, "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(TOGGLE_JS, Output(COLLAPSE, "is_open"), Input(TOGGLER, "n_clicks"),
                            Input("_pages_location", "pathname"), State(COLLAPSE, "is_open"),
                            prevent_initial_call=True)

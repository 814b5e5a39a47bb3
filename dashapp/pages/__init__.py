"""The pages, one package each (``layout``, ``figures``, ``callbacks``, ``ids``). Each has ``register(app)``:
it registers its page with Dash Pages (a layout function that checks the role again, for client-side
navigation) and its callbacks, through the one access decorator :func:`dashapp.auth.callbacks.role_checked`."""

from __future__ import annotations

import importlib

import dash
from dash import html
from flask_login import current_user

from .. import i18n
from ..auth import audit
from ..auth.permissions import can_view

PAGE_MODULES = ("home", "explore", "forecast", "planning", "admin", "health", "glossary", "alerts", "views",
                "profile")


def guarded(path: str, build):
    """A page layout that renders only for roles allowed on ``path`` (direct URLs get a 403
    from the guard before Dash; this covers navigation inside the app)."""

    def layout(**query):
        if not can_view(path):
            audit.record("forbidden", getattr(current_user, "email", "-"), {"path": path})
            return forbidden()
        return build(**query)

    return layout


def forbidden() -> html.Div:
    return html.Div([html.H2(i18n.t("error.forbidden.title")), html.P(i18n.t("error.forbidden.text"))],
                    id="forbidden", className="alert alert-warning")


def register_pages(app: dash.Dash) -> None:
    for name in PAGE_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app)
    dash.register_page("not_found_404", path="/404", layout=lambda **_: html.P(i18n.t("error.notfound")))

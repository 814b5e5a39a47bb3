"""The profile page (``/profile``, every role): who the user is, and their personal access tokens of the read
API (create one, shown once; revoke one). The callbacks are in :mod:`dashapp.callbacks.profile`."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from .. import i18n
from ..auth import tokens
from . import guarded

PATH = "/profile"


def layout(**_query) -> html.Div:
    from ..callbacks.profile import token_table

    language = i18n.current_language()
    t = i18n.t
    return html.Div([
        html.H1(t("profile.title", language), className="h3 mb-2"),
        html.P(t("profile.user", language, name=current_user.name, email=current_user.email,
                 role=t(f"role.{current_user.role}", language)), className="text-muted", id="profile-user"),
        html.H2(t("profile.tokens.title", language), className="h5 mt-4"),
        html.P(t("profile.tokens.intro", language), className="small"),
        dbc.Row([
            dbc.Col([dbc.Label(t("profile.tokens.name", language), html_for="profile-token-name"),
                     dbc.Input(id="profile-token-name", maxLength=tokens.MAX_NAME, type="text")], md=5),
            dbc.Col([dbc.Label(t("profile.tokens.expiry", language), html_for="profile-token-days"),
                     dbc.Select(id="profile-token-days", value=str(tokens.DEFAULT_EXPIRY_DAYS), options=[
                         {"label": t("profile.tokens.days", language, days=d), "value": str(d)}
                         for d in tokens.EXPIRY_DAYS])], md=3),
            dbc.Col(dbc.Button(t("profile.tokens.create", language), id="profile-token-create", color="primary"),
                    md=4, className="d-flex align-items-end"),
        ], className="g-2 mb-3"),
        dbc.Alert(id="profile-token-feedback", is_open=False, dismissable=True),
        html.Div(token_table(language), id="profile-tokens"),
        html.P(t("profile.tokens.docs", language), className="text-muted small mt-3"),
    ], id="profile-page")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="Profile", title=lambda **_: "Pilotage · " + i18n.t("nav.profile"),
                       layout=guarded(PATH, layout))
    from ..callbacks import profile

    profile.register_callbacks(app)

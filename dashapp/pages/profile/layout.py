"""The profile page's layout: the user line, the token form and the user's tokens (read when the page opens)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from ... import i18n
from ...auth import tokens
from . import ids
from .figures import token_table


def layout(**_query) -> html.Div:
    language = i18n.current_language()
    t = i18n.t
    return html.Div([
        html.H1(t("profile.title", language), className="h3 mb-2"),
        html.P(t("profile.user", language, name=current_user.name, email=current_user.email,
                 role=t(f"role.{current_user.role}", language)), className="text-muted", id=ids.USER),
        html.H2(t("profile.tokens.title", language), className="h5 mt-4"),
        html.P(t("profile.tokens.intro", language), className="small"),
        dbc.Row([
            dbc.Col([dbc.Label(t("profile.tokens.name", language), html_for=ids.TOKEN_NAME),
                     dbc.Input(id=ids.TOKEN_NAME, maxLength=tokens.MAX_NAME, type="text")], md=5),
            dbc.Col([dbc.Label(t("profile.tokens.expiry", language), html_for=ids.TOKEN_DAYS),
                     dbc.Select(id=ids.TOKEN_DAYS, value=str(tokens.DEFAULT_EXPIRY_DAYS), options=[
                         {"label": t("profile.tokens.days", language, days=d), "value": str(d)}
                         for d in tokens.EXPIRY_DAYS])], md=3),
            dbc.Col(dbc.Button(t("profile.tokens.create", language), id=ids.CREATE, color="primary"),
                    md=4, className="d-flex align-items-end"),
        ], className="g-2 mb-3"),
        dbc.Alert(id=ids.FEEDBACK, is_open=False, dismissable=True),
        html.Div(token_table(tokens.listed(current_user.id), language), id=ids.TOKENS),
        html.P(t("profile.tokens.docs", language), className="text-muted small mt-3"),
    ], id=ids.PAGE)

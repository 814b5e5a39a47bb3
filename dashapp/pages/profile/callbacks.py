"""The profile page's callback: create a personal access token (its clear text is sent back once, in the answer to
this callback, and never again) or revoke one, then redraw the list. Registered through :func:`role_checked`
(every role); :mod:`dashapp.auth.tokens` acts on the logged-in user's own tokens only and audits both."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx, html
from flask_login import current_user

from ... import i18n
from ...auth import tokens
from ...auth.callbacks import role_checked
from . import PATH, ids
from .figures import token_table


def change_tokens(_create, _revoke, name, days):
    """Create or revoke, then redraw the list; a refusal is said in the alert, in the user's language."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    try:
        if trigger == ids.CREATE:
            row, clear = tokens.create(current_user, name, days)
            message = [html.P(i18n.t("profile.tokens.created", language, name=row["name"]), className="mb-1"),
                       html.Pre(clear, id=ids.TOKEN_VALUE, className="mb-0 user-select-all")]
            color = "success"
        elif isinstance(trigger, dict) and trigger.get("type") == ids.REVOKE and ctx.triggered[0]["value"]:
            row = tokens.revoke(current_user, trigger.get("index"))
            message, color = i18n.t("profile.tokens.revoked", language, name=row["name"]), "info"
        else:
            return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    except tokens.TokenError as error:
        return (i18n.t(f"profile.error.{error.code}", language, **error.values), "danger", True,
                dash.no_update)
    return message, color, True, token_table(tokens.listed(current_user.id), language)


def register_callbacks(app) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(Output(ids.FEEDBACK, "children"), Output(ids.FEEDBACK, "color"), Output(ids.FEEDBACK, "is_open"),
                 Output(ids.TOKENS, "children"), Input(ids.CREATE, "n_clicks"), Input(ids.revoke(ALL), "n_clicks"),
                 State(ids.TOKEN_NAME, "value"), State(ids.TOKEN_DAYS, "value"),
                 prevent_initial_call=True)(change_tokens)

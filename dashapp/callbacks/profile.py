"""The profile page's callbacks: create a personal access token (its clear text is sent back once, in the
answer to this callback, and never again) and revoke one. Both act on the logged-in user's own tokens only
(:mod:`dashapp.auth.tokens` takes the user, never an id from the browser, and audits both)."""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html
from flask_login import current_user

from .. import i18n
from ..auth import tokens
from ..auth.callbacks import role_checked

REVOKE = "profile-token-revoke"


def _when(value: dt.datetime | None, language: str) -> str:
    if value is None:
        return i18n.t("profile.tokens.never", language)
    return f"{i18n.date(value, 'medium', language)} {value:%H:%M} UTC"


def _state(row: dict) -> str:
    if row["revoked_at"] is not None:
        return "revoked"
    return "expired" if row["expires_at"] <= dt.datetime.now(dt.UTC).replace(tzinfo=None) else "active"


def token_table(language: str):
    rows = tokens.listed(current_user.id)
    if not rows:
        return html.P(i18n.t("profile.tokens.none", language), className="text-muted", id="profile-no-token")
    t = i18n.t
    head = html.Thead(html.Tr([html.Th(t(f"profile.tokens.column.{c}", language), scope="col") for c in (
        "name", "prefix", "created", "expires", "used", "state")] + [html.Th("")]))
    body = []
    for row in rows:
        state = _state(row)
        body.append(html.Tr([
            html.Td(row["name"]), html.Td(html.Code(f"{tokens.SCHEME}_{row['prefix']}_…")),
            html.Td(_when(row["created_at"], language)), html.Td(_when(row["expires_at"], language)),
            html.Td(_when(row["last_used_at"], language)),
            html.Td(t(f"profile.tokens.state.{state}", language), id=f"profile-token-state-{row['id']}"),
            html.Td(dbc.Button(t("profile.tokens.revoke", language), id={"type": REVOKE, "index": row["id"]},
                               size="sm", color="danger", outline=True) if state == "active" else ""),
        ]))
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, responsive=True, className="small",
                     id="profile-token-table")


def change_tokens(_create, _revoke, name, days):
    """Create or revoke, then redraw the list; a refusal is said in the alert, in the user's language."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    try:
        if trigger == "profile-token-create":
            row, clear = tokens.create(current_user, name, days)
            message = [html.P(i18n.t("profile.tokens.created", language, name=row["name"]), className="mb-1"),
                       html.Pre(clear, id="profile-token-value", className="mb-0 user-select-all")]
            color = "success"
        elif isinstance(trigger, dict) and trigger.get("type") == REVOKE and ctx.triggered[0]["value"]:
            row = tokens.revoke(current_user, trigger.get("index"))
            message, color = i18n.t("profile.tokens.revoked", language, name=row["name"]), "info"
        else:
            return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    except tokens.TokenError as error:
        return (i18n.t(f"profile.error.{error.code}", language, **error.values), "danger", True,
                dash.no_update)
    return message, color, True, token_table(language)


def register_callbacks(app) -> None:
    from ..pages.profile import PATH

    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(Output("profile-token-feedback", "children"), Output("profile-token-feedback", "color"),
                 Output("profile-token-feedback", "is_open"), Output("profile-tokens", "children"),
                 Input("profile-token-create", "n_clicks"), Input({"type": REVOKE, "index": ALL}, "n_clicks"),
                 State("profile-token-name", "value"), State("profile-token-days", "value"),
                 prevent_initial_call=True)(change_tokens)

"""The user's tokens as a table (from :func:`tokens.listed` rows; never a secret, only its prefix)."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import html

from ... import i18n
from ...auth import tokens
from . import ids


def _when(value: dt.datetime | None, language: str) -> str:
    if value is None:
        return i18n.t("profile.tokens.never", language)
    return f"{i18n.date(value, 'medium', language)} {value:%H:%M} UTC"


def token_table(rows: list[dict], language: str):
    if not rows:
        return html.P(i18n.t("profile.tokens.none", language), className="text-muted", id=ids.NO_TOKEN)
    t = i18n.t
    head = html.Thead(html.Tr([html.Th(t(f"profile.tokens.column.{c}", language), scope="col") for c in (
        "name", "prefix", "created", "expires", "used", "state")] + [html.Th("")]))
    body = []
    for row in rows:
        state = tokens.state(row)
        body.append(html.Tr([
            html.Td(row["name"]), html.Td(html.Code(f"{tokens.SCHEME}_{row['prefix']}_…")),
            html.Td(_when(row["created_at"], language)), html.Td(_when(row["expires_at"], language)),
            html.Td(_when(row["last_used_at"], language)),
            html.Td(t(f"profile.tokens.state.{state}", language), id=ids.token_state(row["id"])),
            html.Td(dbc.Button(t("profile.tokens.revoke", language), id=ids.revoke(row["id"]),
                               size="sm", color="danger", outline=True) if state == "active" else ""),
        ]))
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, responsive=True, className="small",
                     id=ids.TABLE)

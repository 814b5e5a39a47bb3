"""What the alerts page draws from what :mod:`dashapp.alerts` returned (no data access): the notifications,
the rules table (with edit and delete buttons where the user may use them) and the digest's tables."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from ...alerts import rules, texts
from . import ids

SEVERITY_COLORS = {"critical": "danger", "warning": "warning", "info": "info"}


def _when(value: dt.datetime | None, language: str) -> str:
    return f"{i18n.date(value.date(), language=language)} {value:%H:%M}" if value else "–"


def _item(row: dict, language: str) -> dbc.ListGroupItem:
    notice = texts.of_event(row, language)
    unread = row["read_at"] is None
    state = i18n.t(f"alerts.state.{row['state']}", language)
    if row["state"] == "resolved":
        state = f"{state} ({i18n.t('alerts.resolved_at', language, when=_when(row['resolved_at'], language))})"
    header = [html.Strong(notice.title), " ",
              dbc.Badge(state, color="light", text_color="dark", className="ms-1")]
    if unread:
        header.append(dbc.Badge(i18n.t("alerts.unread", language),
                                color=SEVERITY_COLORS.get(row["severity"], "secondary"), className="ms-1"))
    actions = []
    if notice.link:
        actions.append(dcc.Link(notice.link_label, href=notice.link, className="me-3 alerts-link"))
    if unread:
        actions.append(dbc.Button(i18n.t("alerts.mark_read", language), id=ids.button(ids.READ, row["id"]),
                                  size="sm", color="link", className="p-0"))
    return dbc.ListGroupItem([
        html.Div(header),
        html.P(notice.what, className="mb-1 alerts-what"),
        html.Small([notice.where, " · ", notice.when, " · ",
                    i18n.t("alerts.fired", language, when=_when(row["fired_at"], language))],
                   className="text-muted d-block mb-1"),
        html.Div(actions),
    ], className="alerts-item" + (" alerts-unread" if unread else ""), color=None if not unread else "light")


def notifications(rows: list[dict], language: str):
    if not rows:
        return html.P(i18n.t("alerts.none", language), className="text-muted", id="alerts-empty")
    return dbc.ListGroup([_item(row, language) for row in rows])


def _describe_rule(rule: rules.Rule, language: str, names: dict[int, str]) -> list:
    t = i18n.t
    what = t(f"alerts.kind.{rule.kind}", language)
    if rule.kpi:
        what += f" · {t(f'kpi.{rule.kpi}', language)}"
    if rule.kind in ("target", "change"):
        what += f" · {t(f'alerts.grain.{rule.grain}', language)}"
    if rule.basis:
        what += f" · {t(f'alerts.basis.{rule.basis}', language)}"
    if rule.source:
        what += f" · {rule.source}"
    subscribers = [names.get(u, str(u)) for u in rule.users] + [t(f"role.{r}", language) for r in rule.roles]
    return [rule.name, what, texts.threshold_text(rule.kind, rule.threshold, language),
            t(f"alerts.severity.{rule.severity}", language), ", ".join(subscribers)]


def rules_table(visible: list[tuple[rules.Rule, bool]], names: dict[int, str], language: str):
    """The rules the user sees, each with its edit and delete buttons when ``editable`` (the second item)."""
    if not visible:
        return html.P(i18n.t("alerts.rules.none", language), className="text-muted")
    head = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in (
        "alerts.field.name", "alerts.field.kind", "alerts.field.threshold", "alerts.field.severity",
        "alerts.field.subscribers")] + [html.Th("")]))
    body = []
    for rule, editable in visible:
        buttons = [dbc.Button(i18n.t("alerts.rules.edit", language), id=ids.button(ids.EDIT, rule.id), size="sm",
                              color="link", className="p-0 me-2"),
                   dbc.Button(i18n.t("alerts.rules.delete", language), id=ids.button(ids.DELETE, rule.id),
                              size="sm", color="link", className="p-0 text-danger")] if editable else []
        body.append(html.Tr([html.Td(cell) for cell in _describe_rule(rule, language, names)] + [html.Td(buttons)]))
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, responsive=True, className="small")


def form_values(rule: rules.Rule) -> list:
    """The rule form's values (in the order of :data:`.ids.FORM_FIELDS`) for editing ``rule``."""
    return [rule.name, rule.kind, rule.kpi, rule.grain, rule.basis or None, rule.threshold, rule.severity,
            list(rule.filters.get("regions", [])), list(rule.filters.get("channels", [])), rule.source or None,
            list(rule.users), list(rule.roles)]


def digest(sections) -> html.Div:
    """The digest's sections as the e-mail has them: a title and a table each (the charts stay in the mail)."""
    blocks = []
    for title, head, body, _chart in sections:
        blocks += [html.H3(title, className="h6 mt-3"), dbc.Table(
            ([html.Thead(html.Tr([html.Th(c) for c in head]))] if head else [])
            + [html.Tbody([html.Tr([html.Td(c) for c in row]) for row in body])],
            size="sm", striped=True, responsive=True, className="small mb-1")]
    return html.Div(blocks, id=ids.DIGEST_BODY)

"""The alerts page's layout: the notifications and rules sections (filled by :mod:`.callbacks`), the rule form
with the choices the user's role allows, the digest section and the preferences."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from pilotage.store.models import ALERT_GRAINS, ALERT_SEVERITIES, EMAIL_CHOICES, ROLES

from ... import i18n
from ...alerts.events import email_kinds
from ...alerts.rules import BASES, CREATORS, rule_choices
from ...auth.users import LANGUAGES
from ...layout.controls import dropdown
from ...semantic import metrics
from . import ids

BASIS_VALUES = tuple(dict.fromkeys(b for bases in BASES.values() for b in bases if b))


def _options(prefix: str, values) -> list[dict]:
    return [{"label": i18n.t(f"{prefix}.{v}"), "value": v} for v in values]


def _field(label_key: str, control, width: int = 4) -> dbc.Col:
    return dbc.Col([dbc.Label(i18n.t(label_key), html_for=control.id, className="small mb-0"), control], md=width)


def rule_form() -> dbc.Card:
    """The form of a new rule (or the one being edited); every value is checked again on saving."""
    kinds, whom = CREATORS.get(current_user.role, ((), "none"))
    if not kinds:
        return dbc.Alert(i18n.t("alerts.rules.cannot_create"), color="light", id=ids.RULE_FORM)
    choices = rule_choices(i18n.current_language())
    fields = [
        _field("alerts.field.name", dbc.Input(id=ids.field("name"), type="text", maxlength=200)),
        _field("alerts.field.kind", dropdown(id=ids.field("kind"), options=_options("alerts.kind", kinds),
                                             value=kinds[0], clearable=False)),
        _field("alerts.field.kpi", dropdown(id=ids.field("kpi"), value="leads", options=[
            {"label": i18n.t(f"kpi.{k.name}"), "value": k.name} for k in metrics.glossary()])),
        _field("alerts.field.grain", dropdown(id=ids.field("grain"), value="month", clearable=False,
                                              options=_options("alerts.grain", ALERT_GRAINS)), 2),
        _field("alerts.field.basis", dropdown(id=ids.field("basis"), options=_options("alerts.basis", BASIS_VALUES))),
        _field("alerts.field.threshold", dbc.Input(id=ids.field("threshold"), type="number", min=0, step="any"), 2),
        _field("alerts.field.severity", dropdown(id=ids.field("severity"), value="warning", clearable=False,
                                                 options=_options("alerts.severity", ALERT_SEVERITIES)), 2),
        _field("alerts.field.regions", dropdown(id=ids.field("regions"), multi=True, options=choices["regions"])),
        _field("alerts.field.channels", dropdown(id=ids.field("channels"), multi=True,
                                                 options=choices["channels"])),
        _field("alerts.field.source", dropdown(id=ids.field("source"), options=choices["loads"])),
    ]
    # Subscribers: admins choose them; others subscribe themselves (the controls stay, hidden, so that the save
    # callback has the same inputs for everyone; the server ignores them but for admins).
    hidden = {} if whom == "anyone" else {"display": "none"}
    fields += [dbc.Col(dbc.Row([
        _field("alerts.field.users", dropdown(id=ids.field("users"), multi=True, options=choices["users"]), 6),
        _field("alerts.field.roles", dropdown(id=ids.field("roles"), multi=True, options=_options("role", ROLES)),
               6)], className="g-2"), md=12, style=hidden)]
    return dbc.Card(dbc.CardBody([
        html.H3(i18n.t("alerts.rules.new"), className="h6", id=ids.RULE_FORM_TITLE),
        dbc.Row(fields, className="g-2 mb-1"),
        html.Small(i18n.t("alerts.field.threshold.help"), className="text-muted d-block mb-2"),
        dbc.Button(i18n.t("alerts.rules.save"), id=ids.RULE_SAVE, size="sm", color="primary"),
        dbc.Alert(id=ids.RULE_FEEDBACK, is_open=False, className="mt-2 mb-0 py-2"),
        dcc.Store(id=ids.RULE_EDITING, data=None),
    ]), id=ids.RULE_FORM)


def preferences() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H2(i18n.t("alerts.preferences"), className="h5"),
        dbc.Label(i18n.t("alerts.preferences.email"), html_for=ids.PREF_KINDS, className="small mb-0"),
        dbc.Checklist(id=ids.PREF_KINDS, options=_options("alerts.kind", EMAIL_CHOICES), className="mb-2",
                      value=list(email_kinds(current_user.id))),
        dbc.Label(i18n.t("alerts.preferences.language"), html_for=ids.PREF_LANGUAGE, className="small mb-0"),
        dbc.RadioItems(id=ids.PREF_LANGUAGE, options=_options("language", LANGUAGES), inline=True,
                       value=i18n.current_language(), className="mb-2"),
        dbc.Button(i18n.t("alerts.preferences.save"), id=ids.PREF_SAVE, size="sm", color="secondary"),
        dbc.Alert(id=ids.PREF_FEEDBACK, is_open=False, className="mt-2 mb-0 py-2"),
        dcc.Location(id=ids.RELOAD, refresh=True),
    ]), className="mb-4")


def _section(section_id: str, title_key: str, button_id: str, button_key: str, body_id: str) -> html.Section:
    """A titled section with one button on its right and a body its callback fills."""
    return html.Section([
        html.Div([html.H2(i18n.t(title_key), className="h5 mb-0"),
                  dbc.Button(i18n.t(button_key), id=button_id, size="sm", color="secondary", outline=True,
                             className="flex-shrink-0 text-nowrap")],
                 className="d-flex justify-content-between align-items-center mb-2"),
        dcc.Loading(html.Div(id=body_id), type="dot", delay_show=300),
    ], className="mb-4", id=section_id)


def layout(**_query) -> html.Div:
    return html.Div([
        html.H1(i18n.t("alerts.title"), className="h3 mb-3"),
        _section("alerts-notifications", "alerts.notifications", ids.MARK_ALL, "alerts.mark_all", ids.LIST),
        html.Section([
            html.H2(i18n.t("alerts.rules"), className="h5"),
            html.Div(id=ids.RULES, className="mb-2"),
            rule_form(),
        ], className="mb-4", id="alerts-rules-section"),
        _section("alerts-digest-section", "digest.title", ids.DIGEST_SHOW, "digest.show", ids.DIGEST),
        preferences(),
        dcc.Store(id=ids.VERSION, data=0),
        *(dcc.Store(id=store) for store in ids.CLICKED.values()),
    ], id=ids.PAGE)


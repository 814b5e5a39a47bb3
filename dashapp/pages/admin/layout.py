"""The admin page's layout: four sections (runs and their rejects, users and their actions, outbox, audit),
every grid empty until :mod:`.callbacks` fills it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pilotage.store.models import ALL_REGIONS, ROLES

from ... import i18n
from ...auth import audit
from ...auth.users import LANGUAGES
from ...layout.controls import dropdown
from ...layout.grids import number_formatter as _number_formatter
from ...layout.grids import read_only_grid as _grid
from ...semantic import admin as admin_data
from . import ids

RUN_NUMBERS = ("rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_deleted", "rows_rejected")


def _column(field: str, prefix: str, **extra) -> dict:
    return {"field": field, "headerName": i18n.t(f"{prefix}.{field}"), **extra}


def _refresh(button_id: str) -> dbc.Button:
    return dbc.Button(i18n.t("admin.refresh"), id=button_id, size="sm", color="secondary", outline=True)


def _header(title: str, control, margin: str = "mb-1") -> html.Div:
    """A section's title with its controls on the right."""
    return html.Div([html.H2(title, className="h5 mb-0"), control],
                    className=f"d-flex justify-content-between align-items-center {margin}")


def runs_section() -> html.Section:
    columns = [_column("id", "admin.runs", width=100, type="rightAligned", valueFormatter=_number_formatter()),
               _column("started_at", "admin.runs", width=180), _column("file_name", "admin.runs", width=240),
               _column("source_type", "admin.runs", width=160), _column("status", "admin.runs", width=110)]
    columns += [_column(name, "admin.runs", width=125, type="rightAligned", valueFormatter=_number_formatter())
                for name in RUN_NUMBERS]
    columns += [_column("duration_s", "admin.runs", width=125, type="rightAligned",
                        valueFormatter=_number_formatter(1)),
                _column("message", "admin.runs", width=320, tooltipField="message"),
                _column("run_by", "admin.runs", width=140)]
    rejects = [_column("line", "admin.rejects", maxWidth=110, type="rightAligned",
                       valueFormatter=_number_formatter()),
               _column("column", "admin.rejects"), _column("value", "admin.rejects"),
               _column("expected", "admin.rejects", minWidth=260, tooltipField="expected")]
    return html.Section([
        _header(i18n.t("admin.runs.title"), _refresh(ids.RUNS_REFRESH)),
        html.P(i18n.t("admin.runs.help"), className="text-muted small mb-1"),
        _grid(ids.RUNS_GRID, columns, row_id="params.data.key", selectable=True, fit=False),
        html.H3(i18n.t("admin.rejects.none_selected"), id=ids.REJECTS_TITLE, className="h6 mt-3"),
        _grid(ids.REJECTS_GRID, rejects, height=240),
    ], id="admin-runs", className="mb-4")


def _role_options() -> list[dict]:
    return [{"label": i18n.t(f"role.{role}"), "value": role} for role in ROLES]


def _scope_options() -> list[dict]:
    return ([{"label": i18n.t("admin.users.scope_all"), "value": ALL_REGIONS}]
            + [{"label": f"{i18n.region_name(code, name)} ({code})", "value": code}
               for code, name in admin_data.regions()])


def _user_actions() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.P(i18n.t("admin.users.none_selected"), id=ids.USER_SELECTED, className="fw-semibold mb-2"),
        dbc.Row([
            dbc.Col(dropdown(id=ids.USER_ROLE, options=_role_options(), clearable=False,
                             placeholder=i18n.t("admin.users.role")), md=3),
            dbc.Col(dbc.Button(i18n.t("admin.users.save_role"), id=ids.SAVE_ROLE, size="sm"), md="auto"),
            dbc.Col(dropdown(id=ids.USER_SCOPE, options=_scope_options(), multi=True,
                             placeholder=i18n.t("admin.users.scope_placeholder")), md=4),
            dbc.Col(dbc.Button(i18n.t("admin.users.save_scope"), id=ids.SAVE_SCOPE, size="sm"), md="auto"),
        ], className="g-2 align-items-center mb-2"),
        html.Div([
            dbc.Button(i18n.t("admin.users.disable"), id=ids.DISABLE, size="sm", color="danger",
                       outline=True, className="me-2"),
            dbc.Button(i18n.t("admin.users.enable"), id=ids.ENABLE, size="sm", color="success",
                       outline=True),
        ]),
        dbc.Alert(id=ids.USER_FEEDBACK, is_open=False, className="mt-2 mb-0 py-2"),
    ]), className="mb-3")


def _new_user_form() -> dbc.Card:
    def field(label_key: str, control) -> dbc.Col:
        return dbc.Col([dbc.Label(i18n.t(label_key), html_for=control.id, className="small mb-0"), control], md=4)

    return dbc.Card(dbc.CardBody([
        html.H3(i18n.t("admin.new.title"), className="h6"),
        dbc.Row([
            field("admin.new.email", dbc.Input(id=ids.new("email"), type="email", autocomplete="off")),
            field("admin.new.name", dbc.Input(id=ids.new("name"), type="text", autocomplete="off")),
            field("admin.new.password", dbc.Input(id=ids.new("password"), type="password",
                                                  autocomplete="new-password")),
            field("admin.new.role", dropdown(id=ids.new("role"), options=_role_options())),
            field("admin.new.scope", dropdown(id=ids.new("scope"), options=_scope_options(), multi=True)),
            field("admin.new.language", dropdown(
                id=ids.new("language"), placeholder=i18n.t("admin.users.browser"),
                options=[{"label": i18n.t(f"language.{code}"), "value": code} for code in LANGUAGES])),
        ], className="g-2 mb-2"),
        dbc.Button(i18n.t("admin.new.submit"), id=ids.NEW_SUBMIT, size="sm", color="primary"),
        dbc.Alert(id=ids.NEW_FEEDBACK, is_open=False, className="mt-2 mb-0 py-2"),
    ]))


def users_section() -> html.Section:
    columns = [_column(name, "admin.users", minWidth=200 if name == "email" else 90)
               for name in ("email", "name", "role", "scope", "active", "language", "locked_until", "last_login_at")]
    return html.Section([
        _header(i18n.t("admin.users.title"), _refresh(ids.USERS_REFRESH)),
        html.P(i18n.t("admin.users.help"), className="text-muted small mb-1"),
        _grid(ids.USERS_GRID, columns, row_id="params.data.email", selectable=True, height=260),
        _user_actions(),
        _new_user_form(),
        dcc.Store(id=ids.USERS_VERSION, data=0),
    ], id="admin-users", className="mb-4")


def audit_section() -> html.Section:
    columns = [_column("at", "admin.audit", minWidth=160), _column("actor", "admin.audit", minWidth=180),
               _column("event", "admin.audit"), _column("detail", "admin.audit", minWidth=300, tooltipField="detail"),
               _column("remote_addr", "admin.audit")]
    events = [{"label": i18n.t(f"audit.event.{event}"), "value": event} for event in audit.EVENTS]
    return html.Section([
        _header(i18n.t("admin.audit.title"), html.Div([
            dropdown(id=ids.AUDIT_EVENT, options=events, placeholder=i18n.t("admin.audit.all_events"),
                     style={"minWidth": "240px"}, className="me-2"),
            _refresh(ids.AUDIT_REFRESH),
        ], className="d-flex align-items-center"), "mb-2"),
        _grid(ids.AUDIT_GRID, columns, height=360),
    ], id="admin-audit", className="mb-4")


def outbox_section() -> html.Section:
    """The e-mails written as ``.eml`` files when no SMTP server is configured (the demo)."""
    columns = [_column(name, "admin.outbox", minWidth=160 if name != "subject" else 320)
               for name in ("date", "to", "subject", "file")]
    return html.Section([
        _header(i18n.t("admin.outbox.title"), _refresh(ids.OUTBOX_REFRESH), "mb-2"),
        _grid(ids.OUTBOX_GRID, columns, height=260),
    ], id="admin-outbox", className="mb-4")


def layout(**_query) -> html.Div:
    return html.Div([
        html.H1(i18n.t("admin.title"), className="h3 mb-3"),
        runs_section(),
        users_section(),
        outbox_section(),
        audit_section(),
    ], id=ids.PAGE)


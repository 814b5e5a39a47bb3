"""The forecast page's layout: the view switch, the slots the callbacks fill (first screen, then what is below
the fold once scrolled near), the planners' override form and the admin's run registry. No figure here:
:mod:`.callbacks` fills the slots through :mod:`dashapp.semantic.forecasts` (scope applied on the server).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from ... import i18n
from ...layout.controls import chart_slot, download_id, dropdown, export_buttons, graph_config
from ...semantic import forecast_panel, forecasts
from ...semantic.forecasts import MAX_REASON, OVERRIDE_ROLES, VIEWS
from . import ids
from .figures import override_month_options

NAME = "forecast"  # in export ids and file names
CHART_HEIGHT = 380  # the forecast chart's height (figures.forecast_figure): its room is held before it is drawn
DRIVERS_HEIGHT = 340


def view_switch() -> dbc.RadioItems:
    return dbc.RadioItems(
        id=ids.VIEW, value="total", inline=True,
        options=[{"label": i18n.t(f"forecast.view.{v}"), "value": v} for v in VIEWS],
        className="btn-group", input_class_name="btn-check",
        label_class_name="btn btn-outline-primary btn-sm", label_checked_class_name="active",
    )



def _card(title: str, body, card_id: str, help_text: str | None = None) -> dbc.Card:
    children = [html.H2(title, className="h6")]
    if help_text:
        children.append(html.P(help_text, className="text-muted small mb-2"))
    children.append(body)
    return dbc.Card(dbc.CardBody(children), id=card_id, className="mb-3")


def admin_section() -> html.Section:
    """The run registry (admin only; its callbacks check the role again)."""
    options = {"clearable": True, "className": "mb-2"}
    return html.Section([
        dcc.Store(id=ids.ADMIN_VERSION, data=0),
        html.H2(i18n.t("forecast.admin.title"), className="h5 mt-4"),
        dbc.Button(i18n.t("forecast.admin.refresh"), id=ids.RUNS_REFRESH, size="sm", color="secondary",
                   className="mb-2"),
        html.Div(id=ids.RUNS),
        dbc.Row([
            dbc.Col([html.Label(i18n.t("forecast.admin.action_run"), htmlFor=ids.ACTION_RUN, className="small"),
                     dropdown(id=ids.ACTION_RUN, **options)], md=4),
            dbc.Col(dbc.Button(i18n.t("forecast.admin.promote"), id=ids.PROMOTE, color="primary", size="sm"),
                    md=2, className="d-flex align-items-end mb-2"),
            # Rollback needs no choice: it restores the champion before the current one (the registry's events).
            dbc.Col([dbc.Button(i18n.t("forecast.admin.rollback"), id=ids.ROLLBACK, color="warning",
                                size="sm", className="me-2"),
                     html.Span(i18n.t("forecast.admin.rollback_help"), className="small text-muted")],
                    md=6, className="d-flex align-items-end mb-2"),
        ]),
        dbc.Alert(id=ids.ADMIN_FEEDBACK, is_open=False, dismissable=True),
        html.H3(i18n.t("forecast.admin.compare"), className="h6 mt-3"),
        dbc.Row([
            dbc.Col([html.Label(i18n.t("forecast.admin.first"), htmlFor=ids.COMPARE_A, className="small"),
                     dropdown(id=ids.COMPARE_A, **options)], md=4),
            dbc.Col([html.Label(i18n.t("forecast.admin.second"), htmlFor=ids.COMPARE_B, className="small"),
                     dropdown(id=ids.COMPARE_B, **options)], md=4),
        ]),
        html.Div(id=ids.COMPARE),
    ], id=ids.ADMIN)


def override_form() -> html.Div:
    """Planners and admins: their figure for a scope and month with its reason (checked again on the server)."""
    language = i18n.current_language()
    scopes = [{"label": forecast_panel.scope_label(code, language), "value": code}
              for code in forecasts.override_scopes()]
    months = override_month_options(forecast_panel.override_months(), language)
    return html.Div([
        html.H3(i18n.t("forecast.override.form"), className="h6 mt-2"),
        dbc.Row([
            dbc.Col([html.Label(i18n.t("forecast.override.scope"), htmlFor=ids.OVERRIDE_SCOPE,
                                className="small"),
                     dropdown(language, id=ids.OVERRIDE_SCOPE, options=scopes, clearable=False,
                              value=scopes[0]["value"] if scopes else None)], md=3),
            dbc.Col([html.Label(i18n.t("forecast.override.month"), htmlFor=ids.OVERRIDE_MONTH,
                                className="small"),
                     dropdown(language, id=ids.OVERRIDE_MONTH, options=months, clearable=False,
                              value=months[0]["value"] if months else None)], md=3),
            dbc.Col([html.Label(i18n.t("forecast.override.value"), htmlFor=ids.OVERRIDE_VALUE,
                                className="small"),
                     dbc.Input(id=ids.OVERRIDE_VALUE, type="text", inputMode="decimal", size="sm")], md=2),
            dbc.Col([html.Label(i18n.t("forecast.override.reason"), htmlFor=ids.OVERRIDE_REASON,
                                className="small"),
                     dbc.Textarea(id=ids.OVERRIDE_REASON, maxLength=MAX_REASON, rows=1, size="sm")], md=4),
        ], className="g-2"),
        html.Div([dbc.Button(i18n.t("forecast.override.save"), id=ids.OVERRIDE_SAVE, size="sm",
                             color="primary", className="me-2"),
                  dbc.Button(i18n.t("forecast.override.remove"), id=ids.OVERRIDE_REMOVE, size="sm",
                             color="secondary", outline=True)], className="mt-2"),
        dbc.Alert(id=ids.OVERRIDE_FEEDBACK, is_open=False, dismissable=True, className="small py-2 mt-2"),
    ], id=ids.OVERRIDE_FORM)


def layout(**_query) -> html.Div:
    is_admin = getattr(current_user, "role", None) == "admin"
    overrides = getattr(current_user, "role", None) in OVERRIDE_ROLES
    return html.Div([
        dcc.Store(id=ids.VERSION, data=0),
        dcc.Store(id=ids.BELOW_SEEN, data=False),
        html.Div([
            html.H1(i18n.t("forecast.title"), className="h3 mb-0"),
            html.Div([html.Span(i18n.t("forecast.view"), className="small text-muted me-2"), view_switch()],
                     className="d-flex align-items-center"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        html.P(id=ids.RUN_INFO, className="text-muted small mb-1"),
        html.Div(id=ids.BADGE, className="mb-2"),
        html.Div(id=ids.NOTICE),
        chart_slot(dcc.Graph(id=ids.CHART, config=graph_config()), CHART_HEIGHT),
        html.Div([
            html.H2(i18n.t("forecast.table.title"), className="h6 mb-0"),
            export_buttons(NAME, "forecast"),
        ], className="d-flex justify-content-between align-items-center mt-2 mb-1"),
        dcc.Download(id=download_id(NAME)),
        html.Div(id=ids.TABLE, className="mb-3"),
        _card(i18n.t("forecast.override.title"),
              html.Div([html.Div(id=ids.OVERRIDES), override_form() if overrides else html.Div()]),
              ids.OVERRIDES_CARD, i18n.t("forecast.override.help")),
        dbc.Row([
            dbc.Col(_card(i18n.t("forecast.accuracy.title"), html.Div(id=ids.ACCURACY),
                          ids.ACCURACY_CARD, i18n.t("forecast.accuracy.help")), lg=5),
            # The drivers' chart is put in its slot once the slot is scrolled near (callbacks.update_below).
            dbc.Col(_card(i18n.t("forecast.drivers.title"),
                          html.Div(id=ids.DRIVERS_SLOT, style={"minHeight": f"{DRIVERS_HEIGHT}px"}),
                          ids.DRIVERS_CARD, i18n.t("forecast.drivers.help")), lg=7),
        ]),
        # The backtest of each line (channel and region views) has many columns: full width, scrolling if need be.
        html.Div(id=ids.ACCURACY_LINES),
        _card(i18n.t("forecast.media.title"), html.Div(id=ids.MEDIA_PLAN), ids.MEDIA_CARD),
        admin_section() if is_admin else html.Div(),
    ], id=ids.PAGE)

"""The home page (macro level, ``/``): how it is going in the user's scope, readable with no
filter touched. The cards and the funnel summary are filled by
:mod:`dashapp.callbacks.home` from the period switch; ``?period=`` preselects it."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..layout.controls import download_id, export_buttons
from . import guarded

PATH = "/"
NAME = "home"  # in export ids and file names


def period_switch(period: str) -> dbc.RadioItems:
    from ..callbacks.home import HOME_PERIODS

    return dbc.RadioItems(
        id="home-period", value=period, inline=True,
        options=[{"label": i18n.t(f"period.{p}"), "value": p} for p in HOME_PERIODS],
        input_class_name="btn-check",
        label_class_name="btn btn-outline-primary btn-sm", label_checked_class_name="active",
    )


def layout(period=None, **_query) -> html.Div:
    from ..callbacks.home import clean_period

    return html.Div([
        html.Div([
            html.H1(i18n.t("home.title"), className="h3 mb-0"),
            html.Div([html.Span(i18n.t("home.period_switch"), className="small text-muted me-2"),
                      period_switch(clean_period(period)),
                      dbc.Button(i18n.t("pdf.button"), id="home-pdf", color="secondary", outline=True, size="sm",
                                 className="ms-2")], className="d-flex flex-wrap align-items-center"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        html.Div([html.P(id="home-period-info", className="text-muted small mb-0"), export_buttons(NAME, "cards")],
                 className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3"),
        dcc.Download(id=download_id(NAME)),
        dbc.Alert(id="home-pdf-feedback", is_open=False, dismissable=True, color="warning", className="small"),
        dcc.Download(id="home-pdf-download"),
        html.Div(id="home-health", className="mb-2"),
        html.Div(id="home-cards", style={"minHeight": "200px"}),
        html.Div([html.H2(i18n.t("home.funnel.title"), className="h5 mb-0"), export_buttons(NAME, "funnel")],
                 className="d-flex justify-content-between align-items-center gap-2 mt-4 mb-2"),
        html.Div(id="home-funnel"),
        html.P(i18n.t("home.conventions"), id="home-conventions", className="text-muted small mt-3"),
    ], id="home-page")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="Overview", title=lambda **_: "Pilotage · " + i18n.t("nav.home"),
                       layout=guarded(PATH, layout))
    from ..callbacks import home

    home.register_callbacks(app)

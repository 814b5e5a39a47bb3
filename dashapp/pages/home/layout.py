"""The home page's layout, first screen included: the cards, the AARRR summary, the period line and the
data-health line are drawn here on the server (``?period=`` preselects the period), so the browser paints them
with the page instead of asking callbacks for them afterwards; the period switch redraws them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from ...layout.controls import download_id, export_buttons
from ...semantic import health, overview
from . import NAME, figures, ids
from .views import show  # the period switch's own (cached) answer: the first screen and the switch agree


def period_switch(period: str) -> dbc.RadioItems:
    return dbc.RadioItems(
        id=ids.PERIOD, value=period, inline=True,
        options=[{"label": i18n.t(f"period.{p}"), "value": p} for p in overview.HOME_PERIODS],
        input_class_name="btn-check",
        label_class_name="btn btn-outline-primary btn-sm", label_checked_class_name="active",
    )


def layout(period=None, **_query) -> html.Div:
    period = overview.clean_period(period)
    language = i18n.current_language()
    cards, funnel, info = show(period)
    return html.Div([
        html.Div([
            html.H1(i18n.t("home.title"), className="h3 mb-0"),
            html.Div([html.Span(i18n.t("home.period_switch"), className="small text-muted me-2"),
                      period_switch(period),
                      dbc.Button(i18n.t("pdf.button"), id=ids.PDF, color="secondary", outline=True, size="sm",
                                 className="ms-2")], className="d-flex flex-wrap align-items-center"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        html.Div([html.P(info, id=ids.PERIOD_INFO, className="text-muted small mb-0"), export_buttons(NAME, "cards")],
                 className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3"),
        dcc.Download(id=download_id(NAME)),
        dbc.Alert(id=ids.PDF_FEEDBACK, is_open=False, dismissable=True, color="warning", className="small"),
        dcc.Download(id=ids.PDF_DOWNLOAD),
        html.Div(figures.health_line(health.visible_summary(), language), id=ids.HEALTH, className="mb-2"),
        html.Div(cards, id=ids.CARDS, style={"minHeight": "200px"}),
        html.Div([html.H2(i18n.t("home.funnel.title"), className="h5 mb-0"), export_buttons(NAME, "funnel")],
                 className="d-flex justify-content-between align-items-center gap-2 mt-4 mb-2"),
        html.Div(funnel, id=ids.FUNNEL),
        html.P(i18n.t("home.conventions"), id=ids.CONVENTIONS, className="text-muted small mt-3"),
    ], id=ids.PAGE)

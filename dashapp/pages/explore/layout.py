"""The drill-down page's layout, built per request from the URL's query (Dash Pages passes it in), so a shared
link reopens the same view. It opens drawn: the figures and tables of the first screen come in the layout
(:mod:`.views`), the callbacks redraw them when the filters change; what is below the fold waits until
scrolled to. The events card (directors, planners, admins) marks annotations, which the series of every page
shade (:mod:`dashapp.semantic.annotations`).
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from ... import i18n
from ...layout import filters as bar
from ...layout.controls import chart_slot, export_buttons
from ...semantic import annotations, queries
from ...semantic.scope import allowed_regions, region_tree
from . import figures, ids, views


def _title(title, visual: str | None, language: str, tag=html.H5, **props):
    """A visual's title, with its CSV and Excel buttons on the right."""
    if visual is None:
        return tag(title, className="card-title", **props)
    return html.Div([tag(title, className="card-title mb-0", **props), export_buttons(ids.NAME, visual, language)],
                    className="d-flex justify-content-between align-items-start gap-2 mb-2")



def _card(title: str, body, card_id: str | None = None, note: str | None = None, visual: str | None = None,
          language: str | None = None) -> dbc.Card:
    children = [_title(title, visual, language)]
    if note:
        children.append(html.Small(note, className="text-muted d-block mb-2"))
    children += body if isinstance(body, list) else [body]
    return dbc.Card(dbc.CardBody(children), className="mb-3", **({"id": card_id} if card_id else {}))


def layout(**query):
    """The page for the view the URL names (defaults for anything missing or invalid), drawn; regions of the
    URL outside the user's access are named in a notice, not silently dropped."""
    language = i18n.current_language()
    t = i18n.t
    filters, kpi, by = bar.state_from_query(query)
    values = bar.control_values(filters, kpi, by)
    notice, outside = views.scope_notice(bar.requested_regions(query), language)
    drawn = dict(zip(views.VIEW_OUTPUTS, views.view_outputs(filters, kpi, by, language), strict=True))
    grid = dag.AgGrid(
        id=ids.GRID, rowData=drawn[ids.GRID, "rowData"], columnDefs=drawn[ids.GRID, "columnDefs"],
        getRowId="params.data.key",
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "minWidth": 110},
        dashGridOptions=drawn[ids.GRID, "dashGridOptions"], style={"width": "100%"},
    )
    return html.Div([
        dcc.Location(id=bar.URL, refresh=False),
        dcc.Store(id=ids.QUERY, data=drawn[ids.QUERY, "data"]),
        html.H2(t("explore.title", language)),
        html.P(t("explore.intro", language), className="text-muted"),
        bar.filter_bar(values, language),
        dbc.Alert(notice, id=ids.SCOPE_NOTICE, is_open=outside, color="warning", className="py-2"),
        dbc.Alert(drawn[ids.HEADLINE, "children"], id=ids.HEADLINE, color=drawn[ids.HEADLINE, "color"],
                  className="py-2"),
        dbc.Card(dbc.CardBody([
            _title(drawn[ids.SERIES_TITLE, "children"], "series", language, id=ids.SERIES_TITLE),
            chart_slot(dcc.Graph(id=ids.SERIES, figure=drawn[ids.SERIES, "figure"],
                            config=drawn[ids.SERIES, "config"]), 320),
            html.Small(drawn[ids.SERIES_NOTE, "children"], id=ids.SERIES_NOTE, className="text-muted"),
        ]), className="mb-3", id=ids.SERIES_CARD),
        dbc.Row([
            dbc.Col(_card(t("explore.funnel.title", language), [
                chart_slot(dcc.Graph(id=ids.FUNNEL, figure=drawn[ids.FUNNEL, "figure"],
                                config=drawn[ids.FUNNEL, "config"]), 380),
                html.Div(drawn[ids.FUNNEL_TABLE, "children"], id=ids.FUNNEL_TABLE)],
                note=t("explore.funnel.note", language), visual="funnel", language=language), lg=5),
            dbc.Col(_card(t("explore.leaderboard.title", language),
                          html.Div(drawn[ids.LEADERBOARD, "children"], id=ids.LEADERBOARD),
                          note=t("explore.leaderboard.note", language), visual="leaderboard", language=language),
                    lg=7),
        ]),
        _card(t("explore.grid.title", language), [
            dbc.Row([
                dbc.Col([dbc.Label(t("explore.grid.by", language), html_for=bar.BY, className="me-2 small"),
                         dbc.RadioItems(id=bar.BY, value=values["by"], inline=True, options=[
                             {"label": t(f"explore.by.{b}", language), "value": b} for b in bar.GRID_BREAKDOWNS])],
                        className="d-flex align-items-center"),
                dbc.Col(export_buttons(ids.NAME, "grid", language, gap="me-2"), width="auto"),
            ], className="mb-2"),
            grid,
            dcc.Download(id=ids.DOWNLOAD),
        ], card_id=ids.GRID_CARD, note=t("explore.grid.note", language)),
        dcc.Store(id=ids.BELOW_SEEN, data=False),
        _card(t("explore.heatmap.title", language),
              dcc.Graph(id=ids.HEATMAP, figure=figures.PLACEHOLDER, config=drawn[ids.HEATMAP, "config"]),
              card_id=ids.HEATMAP_CARD, note=t("explore.heatmap.note", language), visual="heatmap",
              language=language),
        dbc.Card(dbc.CardBody([
            dbc.Alert(t("explore.cohort.convention", language), id=ids.CONVENTION, color="info", className="small"),
            dbc.Row([
                dbc.Col([_title(t("explore.cohort.title", language), "cohort", language),
                         html.Div(id=ids.COHORT)], lg=6),
                dbc.Col([_title(t("explore.activity.title", language), "activity", language),
                         html.Div(id=ids.ACTIVITY)], lg=6),
            ]),
        ]), className="mb-3", id=ids.COHORTS_CARD),
        events_slot(),
    ], id=ids.PAGE)


def events_slot() -> html.Div:
    """Where the events card goes once scrolled near, for the roles that annotate (nothing for the others)."""
    if getattr(current_user, "role", None) not in annotations.ANNOTATE_ROLES:
        return html.Div()
    return html.Div(id=ids.EVENTS_SLOT)


def events_card(language: str):
    """Mark an event on a date range and regions (optionally a channel); list, change and delete them. For the
    roles that annotate; everyone sees the events drawn on the series."""
    if getattr(current_user, "role", None) not in annotations.ANNOTATE_ROLES:
        return html.Div()
    marks = annotations.visible()
    listing = html.Div(views.events_table(marks, language), id=ids.EVENTS_LIST, className="mb-2")
    options = queries.filter_options(language)
    regions = list(options["regions"])
    if allowed_regions() == frozenset(region_tree().parent):
        regions.insert(0, {"label": i18n.t("annotation.national", language), "value": "*"})
    t = i18n.t
    return _card(t("annotation.title", language), [
        dbc.Row([
            dbc.Col([dbc.Label(t("annotation.label", language), html_for=ids.EVENT_LABEL, className="small"),
                     dbc.Input(id=ids.EVENT_LABEL, type="text", maxLength=annotations.MAX_LABEL, size="sm",
                               placeholder=t("annotation.label_hint", language))], md=4),
            dbc.Col([dbc.Label(t("annotation.dates", language), html_for=ids.EVENT_DATES, className="small"),
                     dcc.DatePickerRange(id=ids.EVENT_DATES, first_day_of_week=1, minimum_nights=0,
                                         display_format="DD/MM/YYYY" if language == "fr" else "D MMM YYYY")], md=4),
            dbc.Col([dbc.Label(t("annotation.regions", language), html_for=ids.EVENT_REGIONS, className="small"),
                     dcc.Dropdown(id=ids.EVENT_REGIONS, options=regions, multi=True,
                                  placeholder=t("annotation.regions_hint", language))], md=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(t("annotation.channel", language), html_for=ids.EVENT_CHANNEL, className="small"),
                     dcc.Dropdown(id=ids.EVENT_CHANNEL, options=options["channels"], clearable=True,
                                  placeholder=t("annotation.channel_hint", language))], md=4),
            dbc.Col(dbc.Button(t("annotation.save", language), id=ids.EVENT_SAVE, color="primary", size="sm",
                               className="w-100"), md=2, className="d-flex align-items-end"),
            dbc.Col(dcc.Dropdown(id=ids.EVENT_PICK, options=figures.event_options(marks), clearable=True,
                                 placeholder=t("annotation.pick", language)), md=3,
                    className="d-flex align-items-end"),
            dbc.Col([dbc.Button(t("annotation.edit", language), id=ids.EVENT_EDIT, color="secondary",
                                size="sm", className="me-2"),
                     dbc.Button(t("annotation.delete", language), id=ids.EVENT_DELETE, color="danger",
                                outline=True, size="sm")], md=3, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        dbc.Alert(id=ids.EVENT_FEEDBACK, is_open=False, dismissable=True, className="small"),
        dcc.Store(id=ids.EVENT_EDITING, data=None),
        listing,
    ], card_id=ids.EVENTS_CARD, note=t("annotation.help", language))

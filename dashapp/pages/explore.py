"""The drill-down page (/explore): "in three clicks, why".

The layout is built per request from the URL's query (Dash Pages passes it in), so a shared
link reopens the same view; the callbacks in :mod:`dashapp.callbacks.explore` fill every
figure and table and keep the URL in step with the filter bar. This module holds the layout
and the small table renderers; it reads no figure itself. The events card (directors, planners,
admins) marks annotations, which the series of every page shade (:mod:`dashapp.semantic.annotations`).
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from .. import i18n
from ..layout import filters as bar
from ..layout.controls import download_id, export_buttons, graph_config
from ..semantic import annotations, queries
from ..semantic.scope import allowed_regions, region_tree
from . import guarded

PATH = "/explore"
NAME = "explore"  # in export ids and file names
# Element ids outside the filter bar (see dashapp.layout.filters for the bar's own).
HEADLINE = "explore-headline"
SERIES = "explore-series"
SERIES_NOTE = "explore-series-note"
SERIES_TITLE = "explore-series-title"
FUNNEL = "explore-funnel"
FUNNEL_TABLE = "explore-funnel-table"
LEADERBOARD = "explore-leaderboard"
GRID = "explore-grid"
DOWNLOAD = download_id(NAME)
SCOPE_NOTICE = "explore-scope-notice"
HEATMAP = "explore-heatmap"
CONVENTION = "explore-convention"
COHORT = "explore-cohort"
ACTIVITY = "explore-activity"
# Set (true) by the browser once the heatmap's card comes near the viewport: the visuals below the fold
# (heatmap, cohorts) are computed and drawn only then, so the first screen is drawn sooner.
BELOW_SEEN = "explore-below-seen"
HEATMAP_CARD = "explore-heatmap-card"
GRAPHS = {"series": SERIES, "funnel": FUNNEL, "heatmap": HEATMAP}  # visual -> its dcc.Graph


def _title(title, visual: str | None, language: str, tag=html.H5, **props):
    """A visual's title, with its CSV and Excel buttons on the right."""
    if visual is None:
        return tag(title, className="card-title", **props)
    return html.Div([tag(title, className="card-title mb-0", **props), export_buttons(NAME, visual, language)],
                    className="d-flex justify-content-between align-items-start gap-2 mb-2")


def _slot(graph, height: int) -> html.Div:
    """A chart's room held before Plotly's script has loaded (dcc.Graph renders nothing until then): the page
    does not jump, and what is below the fold stays below it until the user scrolls."""
    return html.Div(graph, style={"minHeight": f"{height}px"})


def _card(title: str, body, card_id: str | None = None, note: str | None = None, visual: str | None = None,
          language: str | None = None) -> dbc.Card:
    children = [_title(title, visual, language)]
    if note:
        children.append(html.Small(note, className="text-muted d-block mb-2"))
    children += body if isinstance(body, list) else [body]
    return dbc.Card(dbc.CardBody(children), className="mb-3", **({"id": card_id} if card_id else {}))


def layout(**query):
    """The page for the view the URL names (defaults for anything missing or invalid); regions of the URL
    outside the user's access are named in a notice, not silently dropped."""
    from ..callbacks.explore import scope_notice

    language = i18n.current_language()
    t = i18n.t
    filters, kpi, by = bar.state_from_query(query)
    values = bar.control_values(filters, kpi, by)
    notice, outside = scope_notice(bar.requested_regions(query), language)
    grid = dag.AgGrid(
        id=GRID, rowData=[], columnDefs=[], getRowId="params.data.key",
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "minWidth": 110},
        dashGridOptions={"animateRows": False, "domLayout": "autoHeight"},
        columnSize="autoSize", style={"width": "100%"},
    )
    return html.Div([
        dcc.Location(id=bar.URL, refresh=False),
        html.H2(t("explore.title", language)),
        html.P(t("explore.intro", language), className="text-muted"),
        bar.filter_bar(values, language),
        dbc.Alert(notice, id=SCOPE_NOTICE, is_open=outside, color="warning", className="py-2"),
        dbc.Alert(id=HEADLINE, color="light", className="py-2"),
        dbc.Card(dbc.CardBody([
            _title(None, "series", language, id=SERIES_TITLE),
            _slot(dcc.Graph(id=SERIES, config=graph_config()), 320),
            html.Small(id=SERIES_NOTE, className="text-muted"),
        ]), className="mb-3", id="explore-series-card"),
        dbc.Row([
            dbc.Col(_card(t("explore.funnel.title", language), [
                _slot(dcc.Graph(id=FUNNEL, config=graph_config()), 380), html.Div(id=FUNNEL_TABLE)],
                note=t("explore.funnel.note", language), visual="funnel", language=language), lg=5),
            dbc.Col(_card(t("explore.leaderboard.title", language), html.Div(id=LEADERBOARD),
                          note=t("explore.leaderboard.note", language), visual="leaderboard", language=language),
                    lg=7),
        ]),
        _card(t("explore.grid.title", language), [
            dbc.Row([
                dbc.Col([dbc.Label(t("explore.grid.by", language), html_for=bar.BY, className="me-2 small"),
                         dbc.RadioItems(id=bar.BY, value=values["by"], inline=True, options=[
                             {"label": t(f"explore.by.{b}", language), "value": b} for b in bar.GRID_BREAKDOWNS])],
                        className="d-flex align-items-center"),
                dbc.Col(export_buttons(NAME, "grid", language, gap="me-2"), width="auto"),
            ], className="mb-2"),
            grid,
            dcc.Download(id=DOWNLOAD),
        ], card_id="explore-grid-card", note=t("explore.grid.note", language)),
        dcc.Store(id=BELOW_SEEN, data=False),
        _card(t("explore.heatmap.title", language), dcc.Graph(id=HEATMAP, config=graph_config()),
              card_id=HEATMAP_CARD, note=t("explore.heatmap.note", language), visual="heatmap", language=language),
        dbc.Card(dbc.CardBody([
            dbc.Alert(t("explore.cohort.convention", language), id=CONVENTION, color="info", className="small"),
            dbc.Row([
                dbc.Col([_title(t("explore.cohort.title", language), "cohort", language),
                         html.Div(id=COHORT)], lg=6),
                dbc.Col([_title(t("explore.activity.title", language), "activity", language),
                         html.Div(id=ACTIVITY)], lg=6),
            ]),
        ]), className="mb-3", id="explore-cohorts-card"),
        events_card(language),
    ], id="explore-page")


# --- annotations ------------------------------------------------------------------------------------------

def events_table(marks, language: str):
    """The annotations the user sees, with their range and scope."""
    if not marks:
        return html.P(i18n.t("annotation.none", language), className="text-muted small mb-0", id="explore-events-none")
    names = region_tree().names
    channels = {o["value"]: o["label"] for o in queries.filter_options(language)["channels"]}
    rows = []
    for m in marks:
        scope = (i18n.t("annotation.national", language) if "*" in m.regions
                 else ", ".join(i18n.region_name(c, names.get(c), language) for c in m.regions))
        rows.append([m.label, i18n.date(m.start, "medium", language), i18n.date(m.end, "medium", language), scope,
                     channels.get(m.channel, m.channel) if m.channel else "–", m.author])
    headers = [i18n.t(f"annotation.{k}", language) for k in ("label", "start", "end", "regions", "channel", "author")]
    body = [html.Tr([html.Td(c) for c in r], **{"data-event": str(m.id)}) for r, m in zip(rows, marks, strict=True)]
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)], size="sm",
                     responsive=True, className="small mb-0", id="explore-events-table")


def event_options(marks) -> list[dict]:
    """The annotations the user may change (their own; an admin's, any they see)."""
    return [{"label": f"{m.label} · {m.start.isoformat()}", "value": m.id} for m in marks if m.editable]


def events_card(language: str):
    """Mark an event on a date range and regions (optionally a channel); list, change and delete them. For the
    roles that annotate; everyone sees the events drawn on the series."""
    marks = annotations.visible()
    listing = html.Div(events_table(marks, language), id="explore-events-list", className="mb-2")
    if getattr(current_user, "role", None) not in annotations.ANNOTATE_ROLES:
        return html.Div()
    options = queries.filter_options(language)
    regions = list(options["regions"])
    if allowed_regions() == frozenset(region_tree().parent):
        regions.insert(0, {"label": i18n.t("annotation.national", language), "value": "*"})
    t = i18n.t
    return _card(t("annotation.title", language), [
        dbc.Row([
            dbc.Col([dbc.Label(t("annotation.label", language), html_for="explore-event-label", className="small"),
                     dbc.Input(id="explore-event-label", type="text", maxLength=annotations.MAX_LABEL, size="sm",
                               placeholder=t("annotation.label_hint", language))], md=4),
            dbc.Col([dbc.Label(t("annotation.dates", language), html_for="explore-event-dates", className="small"),
                     dcc.DatePickerRange(id="explore-event-dates", first_day_of_week=1, minimum_nights=0,
                                         display_format="DD/MM/YYYY" if language == "fr" else "D MMM YYYY")], md=4),
            dbc.Col([dbc.Label(t("annotation.regions", language), html_for="explore-event-regions",
                               className="small"),
                     dcc.Dropdown(id="explore-event-regions", options=regions, multi=True,
                                  placeholder=t("annotation.regions_hint", language))], md=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(t("annotation.channel", language), html_for="explore-event-channel",
                               className="small"),
                     dcc.Dropdown(id="explore-event-channel", options=options["channels"], clearable=True,
                                  placeholder=t("annotation.channel_hint", language))], md=4),
            dbc.Col(dbc.Button(t("annotation.save", language), id="explore-event-save", color="primary", size="sm",
                               className="w-100"), md=2, className="d-flex align-items-end"),
            dbc.Col(dcc.Dropdown(id="explore-event-pick", options=event_options(marks), clearable=True,
                                 placeholder=t("annotation.pick", language)), md=3,
                    className="d-flex align-items-end"),
            dbc.Col([dbc.Button(t("annotation.edit", language), id="explore-event-edit", color="secondary",
                                size="sm", className="me-2"),
                     dbc.Button(t("annotation.delete", language), id="explore-event-delete", color="danger",
                                outline=True, size="sm")], md=3, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        dbc.Alert(id="explore-event-feedback", is_open=False, dismissable=True, className="small"),
        dcc.Store(id="explore-event-editing", data=None),
        listing,
    ], card_id="explore-events-card", note=t("annotation.help", language))


# --- table renderers (values come formatted) ------------------------------------------------------

def table(headers: Sequence, rows: Sequence[Sequence], footer: Sequence | None = None,
          table_id: str | None = None, separator_before: int | None = None) -> dbc.Table:
    """A compact table, numbers right-aligned (every column but the first); ``separator_before`` draws a
    rule above that row (what follows is beside the rows above, not after them)."""
    def cells(values, tag):
        return [tag(v, className="text-end" if i else None) for i, v in enumerate(values)]

    body = [html.Tr(cells(r, html.Td), className="border-top border-2 border-secondary"
                    if separator_before is not None and i == separator_before else None)
            for i, r in enumerate(rows)]
    parts = [html.Thead(html.Tr(cells(headers, html.Th))), html.Tbody(body)]
    if footer is not None:
        parts.append(html.Tfoot(html.Tr(cells(footer, html.Th))))
    return dbc.Table(parts, size="sm", striped=True, hover=True, responsive=True, className="mb-0 small",
                     **({"id": table_id} if table_id else {}))


def no_data(language: str | None = None) -> html.P:
    return html.P(i18n.t("common.no_data", language), className="text-muted")


def register(app):
    dash.register_page(__name__, path=PATH, name="Drill-down", title=lambda **_: "Pilotage · " + i18n.t(
        "explore.title"), layout=guarded(PATH, layout))
    from ..callbacks import explore

    explore.register_callbacks(app)

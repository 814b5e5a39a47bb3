"""Callbacks of the drill-down page (/explore).

The page opens drawn: its layout carries the first screen's figures (:mod:`.views`), so opening it costs no
callback round trip. Afterwards one callback (``update_view``) answers a change of the filter bar, the KPI or
the breakdown with everything above the fold that depends on it (and ``no_update`` for the rest): one request
per change, no queue of callbacks behind each other.

Every input is untrusted (anyone logged in can POST ``/_dash-update-component`` with anything): filter values
go through :func:`queries.filters_from` (unknown codes dropped, regions narrowed to the user's scope), KPI
names must be keys of :data:`metrics.KPIS`, breakdowns one of :data:`GRID_BREAKDOWNS`, and a grid sort model
may only name the grid's own columns. Anything else raises :class:`InvalidRequest`, which becomes a message
(never a stack trace).

Callbacks (outputs <- inputs):

- ``sync_period``: period, dates <- period, dates (a named period sets the dates; picking dates makes the
  period "custom")
- ``update_view``: the URL's query, series title, figure, note, headline text and colour, funnel figure and
  table, leaderboard, grid rows, columns and options, each chart's config (PNG file name) <- filter bar, KPI,
  breakdown (not on opening: the layout drew them)
- a clientside callback: the address bar's query <- the view's query (on opening too, without a round trip)
- ``update_below``: heatmap, cohort and activity tables <- the heatmap's card scrolled near, filter bar
- ``show_events`` (directors, planners, admins): the events card <- the heatmap's card scrolled near
- ``export`` (:func:`register_export`): any visual's data as CSV or XLSX <- its buttons (state: filter bar,
  KPI, breakdown, grid sort)
- ``annotate`` (directors, planners, admins): mark, change or delete an event <- save, edit, delete (state:
  the form, filter bar, KPI); it redraws the series figure with the events (``set_props``), and
  :mod:`dashapp.semantic.annotations` checks scope and authorship
- ``apply_click``: region, channel, campaign, source, period, dates <- a heatmap cell or a breakdown row
  clicked (cross-filtering, :mod:`dashapp.semantic.crossfilter`; the URL follows through ``update_view``)
- ``update_scope_notice``: the notice naming regions outside the user's access <- region filter
"""

from __future__ import annotations

import functools
import logging

from dash import Input, Output, State, ctx, no_update, set_props
from dash.exceptions import PreventUpdate

from ... import i18n
from ...auth.callbacks import role_checked
from ...callbacks.export import Export, InvalidExport, UnknownVisual, register_export
from ...callbacks.signals import when_seen_js
from ...layout import filters as bar
from ...semantic import annotations, crossfilter, metrics, queries
from ...semantic.filters import Filters
from . import exports, figures, ids, layout, views

log = logging.getLogger("pilotage.explore")


class InvalidRequest(InvalidExport):
    """A forged or stale input naming no known KPI or breakdown."""


def _refusing_invalid(callback):
    """An :class:`InvalidRequest` becomes a short message in the page and no output: no stack trace
    in the response, one warning line in the log (a forged name is not a bug)."""

    @functools.wraps(callback)
    def wrapper(*values):
        try:
            return callback(*values)
        except InvalidRequest as error:
            log.warning("refused an explore callback: %s", error)
            set_props("global-error", {"children": i18n.t("explore.invalid"), "is_open": True})
            return no_update

    return wrapper


def checked_kpi(name) -> str:
    if not isinstance(name, str) or name not in metrics.KPIS:
        raise InvalidRequest("unknown KPI")
    return name


def checked_by(by) -> str:
    if not isinstance(by, str) or by not in bar.GRID_BREAKDOWNS:
        raise InvalidRequest("unknown breakdown")
    return by


def read_filters(*values) -> Filters:
    """The filter bar's values (in :data:`bar.FILTER_CONTROLS` order) -> validated, scoped filters."""
    return queries.filters_from(bar.raw_filters(*values))


def export_view(visual: str, language: str, *values) -> Export:
    """The data of one visual of the page, recomputed from the filter bar (untrusted, validated and
    scoped by :func:`read_filters`), the KPI, the breakdown and the grid's sort."""
    count = len(bar.FILTER_CONTROLS)
    if visual not in exports.VISUALS:
        raise UnknownVisual(visual)
    filters = read_filters(*values[:count])
    kpi, by = checked_kpi(values[count]), checked_by(values[count + 1])
    frame, sheet = exports.frame_of(visual, filters, language, kpi, by, values[count + 2])
    detail = exports.audit_detail(filters, **({"kpi": kpi} if visual == "series" else {}),
                                  **({"by": by} if visual == "grid" else {}))
    return Export(frame, views.visual_file(visual, filters, language, kpi, by), sheet, detail)


# --- annotations -------------------------------------------------------------------------------------

EVENT_OUTPUTS = ((ids.EVENT_FEEDBACK, "children"), (ids.EVENT_FEEDBACK, "color"), (ids.EVENT_FEEDBACK, "is_open"),
                 (ids.EVENTS_LIST, "children"), (ids.EVENT_PICK, "options"), (ids.EVENT_LABEL, "value"),
                 (ids.EVENT_DATES, "start_date"), (ids.EVENT_DATES, "end_date"), (ids.EVENT_REGIONS, "value"),
                 (ids.EVENT_CHANNEL, "value"), (ids.EVENT_EDITING, "data"))


def annotate(_save, _edit, _delete, label, start, end, regions, channel, editing, pick, *view):
    """Save the form as a new event (or as the one being edited), load one into the form, or delete one; after
    a change, the series of the filters in ``view`` (the bar's values and the KPI) is drawn again with it."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    try:
        if trigger == ids.EVENT_EDIT:
            mark = next((m for m in annotations.visible() if m.id == pick and m.editable), None)
            if mark is None:
                raise annotations.AnnotationError("not_found")
            return ("", "success", False, no_update, no_update, mark.label, mark.start.isoformat(),
                    mark.end.isoformat(), list(mark.regions), mark.channel, mark.id)
        if trigger == ids.EVENT_SAVE:
            annotations.save(label, start, end, regions, channel, editing)
            message = i18n.t("annotation.saved", language)
        elif trigger == ids.EVENT_DELETE:
            if pick in (None, ""):
                raise annotations.AnnotationError("pick")
            message = i18n.t("annotation.deleted", language, label=annotations.remove(pick))
        else:
            raise PreventUpdate
    except annotations.AnnotationError as error:
        return (i18n.t(f"annotation.error.{error.code}", language), "danger", True, *(no_update,) * 8)
    try:
        set_props(ids.SERIES, {"figure": views.series(read_filters(*view[:-1]), checked_kpi(view[-1]))[1]})
    except InvalidRequest:  # a forged KPI: the event is saved, the figure is left as it is
        pass
    marks = annotations.visible()
    return (message, "success", True, views.events_table(marks, language), figures.event_options(marks), "", None,
            None, [], None, None)


# --- registration ------------------------------------------------------------------------------------

# The heatmap's card and what follows load once the card comes within 300 px of the viewport.
BELOW_SEEN_JS = when_seen_js(ids.HEATMAP_CARD, ids.BELOW_SEEN, margin_px=300)
# The address bar follows the view's query (set by the layout on opening, by update_view after).
QUERY_TO_URL_JS = "function(query) { return query || window.dash_clientside.no_update; }"
# Which of update_view's inputs a changed property belongs to.
KPI_PROP, BY_PROP = f"{bar.KPI}.value", f"{bar.BY}.value"


def register_callbacks(app) -> None:
    app = role_checked(app, ids.PATH)  # every callback requires a role that may open the page
    filter_inputs = [Input(component, prop) for component, prop in bar.FILTER_CONTROLS]
    filter_states = [State(component, prop) for component, prop in bar.FILTER_CONTROLS]
    count = len(bar.FILTER_CONTROLS)

    @app.callback(Output(bar.PERIOD, "value"), Output(bar.DATES, "start_date"), Output(bar.DATES, "end_date"),
                  Input(bar.PERIOD, "value"), Input(bar.DATES, "start_date"), Input(bar.DATES, "end_date"),
                  prevent_initial_call=True)
    def sync_period(period, start, end):
        if ctx.triggered_id == bar.DATES:
            if period == "custom":
                return no_update, no_update, no_update
            named = queries.filters_from({"period": period})
            if (start, end) == (named.start.isoformat(), named.end.isoformat()):
                return no_update, no_update, no_update
            return "custom", no_update, no_update
        filters = queries.filters_from({"period": period, "start": start, "end": end})
        new_start, new_end = filters.start.isoformat(), filters.end.isoformat()
        return (filters.period if filters.period != period else no_update,
                new_start if new_start != start else no_update, new_end if new_end != end else no_update)

    app.clientside_callback(QUERY_TO_URL_JS, Output(bar.URL, "search"), Input(ids.QUERY, "data"))

    @app.callback(*(Output(*o) for o in views.VIEW_OUTPUTS), *filter_inputs, Input(bar.KPI, "value"),
                  Input(bar.BY, "value"), prevent_initial_call=True)
    @_refusing_invalid
    def update_view(*values):
        filters = read_filters(*values[:count])
        kpi, by = checked_kpi(values[count]), checked_by(values[count + 1])
        changed = set()
        for prop in ctx.triggered_prop_ids:
            changed.add("kpi" if prop == KPI_PROP else "by" if prop == BY_PROP else "filters")
        return views.view_outputs(filters, kpi, by, i18n.current_language(), changed or None)

    # The browser says when the heatmap's card comes within a screen of the viewport (once per page).
    app.clientside_callback(BELOW_SEEN_JS, Output(ids.BELOW_SEEN, "data"), Input(ids.HEATMAP_CARD, "id"))

    @app.callback(Output(ids.HEATMAP, "figure"), Output(ids.COHORT, "children"),
                  Output(ids.ACTIVITY, "children"), Input(ids.BELOW_SEEN, "data"), *filter_inputs,
                  prevent_initial_call=True)
    def update_below(seen, *values):
        """The visuals below the fold, once scrolled near (then at every filter change, like the rest)."""
        if not seen:
            raise PreventUpdate
        return views.below(read_filters(*values))

    @app.callback(Output(ids.EVENTS_SLOT, "children"), Input(ids.BELOW_SEEN, "data"), prevent_initial_call=True,
                  roles=annotations.ANNOTATE_ROLES)
    def show_events(seen):
        """The events card, once the visuals below the fold are scrolled near (once: not at each filter change,
        which would clear a form being filled in)."""
        if not seen:
            raise PreventUpdate
        return layout.events_card(i18n.current_language())

    register_export(app, ids.NAME, export_view, *filter_states, State(bar.KPI, "value"), State(bar.BY, "value"),
                    State(ids.GRID, "columnState"))

    @app.callback(Output(bar.CHANNEL, "value"), Output(bar.CAMPAIGN, "value"), Output(bar.REGION, "value"),
                  Output(bar.SOURCE, "value"), Output(bar.PERIOD, "value", allow_duplicate=True),
                  Output(bar.DATES, "start_date", allow_duplicate=True),
                  Output(bar.DATES, "end_date", allow_duplicate=True),
                  Input(ids.HEATMAP, "clickData"), Input(ids.GRID, "cellClicked"), State(bar.BY, "value"),
                  prevent_initial_call=True)
    def apply_click(click, cell, by):
        """Cross-filtering: a click on a heatmap cell or a breakdown's row sets the filter bar (and so the
        URL, through ``update_view``, and every visual)."""
        if ctx.triggered_id == ids.HEATMAP:
            chosen = crossfilter.heatmap_click(click)
        elif ctx.triggered_id == ids.GRID:
            chosen = crossfilter.row_click(cell, by, bar.GRID_BREAKDOWNS)
        else:
            chosen = {}
        if not chosen:
            raise PreventUpdate
        return (*(chosen.get(key, no_update) for key in ("channel", "campaign", "region", "source")),
                chosen.get("period", no_update), chosen.get("start", no_update), chosen.get("end", no_update))

    @app.callback(Output(ids.SCOPE_NOTICE, "children"), Output(ids.SCOPE_NOTICE, "is_open"),
                  Input(bar.REGION, "value"), prevent_initial_call=True)
    def update_scope_notice(regions):
        return views.scope_notice(regions, i18n.current_language())

    app.callback(*[Output(*o) for o in EVENT_OUTPUTS], Input(ids.EVENT_SAVE, "n_clicks"),
                 Input(ids.EVENT_EDIT, "n_clicks"), Input(ids.EVENT_DELETE, "n_clicks"),
                 State(ids.EVENT_LABEL, "value"), State(ids.EVENT_DATES, "start_date"),
                 State(ids.EVENT_DATES, "end_date"), State(ids.EVENT_REGIONS, "value"),
                 State(ids.EVENT_CHANNEL, "value"), State(ids.EVENT_EDITING, "data"),
                 State(ids.EVENT_PICK, "value"), *filter_states, State(bar.KPI, "value"),
                 prevent_initial_call=True, roles=annotations.ANNOTATE_ROLES)(annotate)

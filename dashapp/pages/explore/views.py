"""What each part of the drill-down shows for a set of (validated, scoped) filters: the semantic layer's
data passed to :mod:`.figures`. The page's layout draws the first screen with these (no callback round trip
on opening the page) and the callbacks redraw with the same functions when the filters change; each is
cached per inputs, scope, role, language and data version (:func:`rendered`).
"""

from __future__ import annotations

from dash import no_update

from ... import exports, i18n
from ...callbacks.rendered import rendered
from ...layout import filters as bar
from ...layout.controls import graph_config
from ...semantic import annotations, breakdowns, crossfilter, drilldown, periods, queries
from ...semantic.filters import Filters
from ...semantic.scope import region_tree
from . import figures, ids


@rendered
def series(filters: Filters, name: str):
    """(title, figure, note, headline, headline colour) of the KPI ``name``."""
    t = i18n.t
    language = i18n.current_language()
    lines = drilldown.series_lines(filters, name)
    frame, grain = lines[0], lines[1]
    comparison = queries.comparison(filters)
    partial = periods.partial_buckets(comparison.window.start, comparison.window.end, grain)
    marks = ()
    if not frame.empty:
        first = drilldown.as_date(min(frame["period"]))
        marks = annotations.visible(filters.regions, filters.channels, first, filters.end)
    figure = figures.series_figure(name, lines, partial, marks, filters.end, language)
    title = t("explore.series.title", language, kpi=t(f"kpi.{name}", language),
              grain=t(f"explore.grain.{grain}", language))
    head = drilldown.headline(filters, name)
    children = figures.headline(name, head, language)
    return (title, figure, figures.series_note(bool(partial), grain != filters.grain, language), children,
            figures.STATE_COLORS[head["state"]])


@rendered
def overview(filters: Filters):
    """(funnel chart, funnel table, leaderboard)."""
    language = i18n.current_language()
    return (*figures.funnel_views(drilldown.funnel_steps(filters), language),
            figures.leaderboard_table(drilldown.leaderboard_rows(filters), language))


@rendered
def grid(filters: Filters, by: str):
    """(rowData, columnDefs, dashGridOptions) of the breakdown grid."""
    language = i18n.current_language()
    rows, total = breakdowns.grid_data(filters, by, language)
    return rows, figures.grid_columns(by, language, [*rows, total]), figures.grid_options(total, language)


@rendered
def below(filters: Filters):
    """(heatmap, cohort table, activity table): the visuals below the fold."""
    language = i18n.current_language()
    cohort, activity = drilldown.cohort_frames(filters)
    return (figures.heatmap_figure(drilldown.heatmap_cells(filters), breakdowns.channel_names(language), language),
            figures.stage_table(cohort, language, ids.COHORT_TABLE),
            figures.stage_table(activity, language, ids.ACTIVITY_TABLE))


def events_table(marks, language: str):
    """The annotations' table, with the region and channel names it shows."""
    return figures.events_table(marks, region_tree().names, breakdowns.channel_names(language), language)


def filter_labels(filters: Filters, language: str) -> list[str]:
    """The filters as words for a file name: region names, channel and campaign names, sources."""
    tree = region_tree()
    channels = breakdowns.channel_names(language)
    campaigns = breakdowns.campaign_names(language)
    return [*(i18n.region_name(c, tree.names.get(c), language) for c in filters.regions),
            *(channels.get(c, c) for c in filters.channels), *(campaigns.get(c, c) for c in filters.campaigns),
            *filters.sources]


def visual_file(visual: str, filters: Filters, language: str, kpi: str, by: str) -> str:
    """A visual's file name without extension (its data files and its PNG share it)."""
    named = {"series": f"series-{kpi}", "grid": f"breakdown-{by}"}.get(visual, visual)
    return exports.filename(ids.NAME, named, (filters.start.isoformat(), filters.end.isoformat()),
                            filter_labels(filters, language))


def graph_configs(filters: Filters, kpi: str, by: str, language: str) -> tuple[dict, ...]:
    """Each chart's config, in :data:`ids.GRAPHS` order: its "download image" button names the PNG like the
    visual's data files."""
    return tuple(graph_config(visual_file(visual, filters, language, kpi, by)) for visual in ids.GRAPHS)


def scope_notice(requested, language: str) -> tuple[str, bool]:
    """(text, shown) for regions asked for outside the user's access: names their codes, and says what the
    page shows instead (the regions kept from the request, else the user's whole scope)."""
    from flask_login import current_user

    from ...layout.shell import scope_label

    outside, kept = crossfilter.scope_request(requested)
    if not outside:
        return "", False
    tree = region_tree()
    shown = (", ".join(i18n.region_name(c, tree.names.get(c), language) for c in kept) if kept
             else i18n.t("scope.your_scope", language, scope=scope_label(current_user)))
    # The codes as asked for, not the store's names: the page tells nothing about regions outside the scope.
    return i18n.t("scope.outside", language, regions=", ".join(outside), shown=shown), True


VIEW_OUTPUTS = ((ids.QUERY, "data"), (ids.SERIES_TITLE, "children"), (ids.SERIES, "figure"),
                (ids.SERIES_NOTE, "children"), (ids.HEADLINE, "children"), (ids.HEADLINE, "color"),
                (ids.FUNNEL, "figure"), (ids.FUNNEL_TABLE, "children"), (ids.LEADERBOARD, "children"),
                (ids.GRID, "rowData"), (ids.GRID, "columnDefs"), (ids.GRID, "dashGridOptions"),
                *((graph, "config") for graph in ids.GRAPHS.values()))


def view_outputs(filters: Filters, kpi: str, by: str, language: str, changed=None) -> tuple:
    """Every output of :data:`VIEW_OUTPUTS` for the view; with ``changed`` (the inputs that changed:
    "filters", "kpi", "by"), ``no_update`` for the parts that do not depend on them."""
    changed = {"filters", "kpi", "by"} if changed is None else changed
    skip = no_update
    series_part = series(filters, kpi) if changed & {"filters", "kpi"} else (skip,) * 5
    overview_part = overview(filters) if "filters" in changed else (skip,) * 3
    grid_part = grid(filters, by) if changed & {"filters", "by"} else (skip,) * 3
    return (bar.query_string(filters, kpi, by), *series_part, *overview_part, *grid_part,
            *graph_configs(filters, kpi, by, language))

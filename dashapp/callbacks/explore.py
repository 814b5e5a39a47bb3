"""Callbacks of the drill-down page (/explore).

Every input is untrusted (anyone logged in can POST ``/_dash-update-component`` with
anything): filter values go through :func:`queries.filters_from` (unknown codes dropped,
regions narrowed to the user's scope), KPI names must be keys of :data:`metrics.KPIS`,
breakdowns one of :data:`GRID_BREAKDOWNS`, and a grid sort model may only name the grid's
own columns. Anything else raises :class:`InvalidRequest`, which the app's error handler turns
into a message (never a stack trace). Numbers come from the cached query layer and KPIs from
:func:`metrics.value`; a callback computes several outputs from one set of filters so that a
filter change reads each aggregate once.

Callbacks (outputs <- inputs):

- ``sync_period``: period, dates <- period, dates (a named period sets the dates; picking dates
  makes the period "custom")
- ``update_url``: explore-url.search <- filter bar, KPI, breakdown
- ``update_series``: series title, figure, note, headline text and colour <- filter bar, KPI
- ``update_overview``: funnel figure and table, leaderboard, heatmap, cohort and activity views <- filter bar
- ``update_grid``: grid rowData, columnDefs, dashGridOptions (total row) <- filter bar, breakdown
- ``export``: download data <- CSV / XLSX buttons (state: filter bar, breakdown, grid sort)
- ``annotate`` (directors, planners, admins): mark, change or delete an event <- save, edit, delete (state:
  the form, filter bar, KPI); it redraws the series figure with the events (``set_props``), and
  :mod:`dashapp.semantic.annotations` checks scope and authorship
- ``export`` (:func:`register_export`): any visual's data as CSV or XLSX <- its buttons (state: filter bar,
  KPI, breakdown, grid sort); ``graph_configs``: each chart's PNG file name <- filter bar, KPI, breakdown
- ``apply_click``: region, channel, campaign, source, period, dates <- a heatmap cell or a breakdown row
  clicked (cross-filtering; the URL follows through ``update_url``)
- ``update_scope_notice``: the notice naming regions outside the user's access <- region filter
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from dataclasses import replace

import pandas as pd
from dash import Input, Output, State, ctx, html, no_update, set_props
from dash.exceptions import PreventUpdate
from flask_login import current_user

from pilotage.dates import month_end
from pilotage.store.models import ACTIVITY_MEASURES

from .. import exports, i18n
from ..auth.callbacks import role_checked
from ..layout import cards, charts
from ..layout import filters as bar
from ..layout.controls import graph_config
from ..layout.periods import period_sentence
from ..pages import explore as page
from ..semantic import annotations, metrics, periods, queries
from ..semantic.filters import Filters
from ..semantic.scope import outside_scope, region_tree
from .export import Export, InvalidExport, UnknownVisual, register_export
from .rendered import rendered

ACTIVITY_FIELDS = frozenset(ACTIVITY_MEASURES)
# The grid's columns: the funnel's counts in stage order, qualified leads beside them, then costs.
COUNT_COLUMNS = ("leads", "mqls", "sqls", "opportunities", "won", "qualified_leads")
COST_COLUMNS = ("spend", "cost_per_lead", "cost_per_qualified_lead", "cost_per_opportunity", "cac", "leads_per_k_eur")
GRID_COLUMNS = (*COUNT_COLUMNS, *COST_COLUMNS)
# Media spend is recorded per channel and campaign, never per traffic source: by source, costs would all
# sit on the "(none)" row, so the source breakdown shows the funnel only.
COLUMNS_BY = {"source": COUNT_COLUMNS}
SORTABLE = ("label", *GRID_COLUMNS)
COHORT_STAGES = ("leads", "mqls", "sqls", "opportunities", "won", "qualified_leads")
MAX_SORT_KEYS = 20
FUNNEL_CHART_FROM = "leads"
STATE_COLORS = {"green": "success", "amber": "warning", "red": "danger", "none": "light"}
MAX_TICKS = 12
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


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else pd.Timestamp(value).date()


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# --- the KPI over time ----------------------------------------------------------------------------

def target_line(filters: Filters, name: str, grain: str) -> pd.DataFrame:
    """The KPI's target per bucket: monthly targets spread over the days of their month for
    additive KPIs (so a week or a partial month gets its share), the month's target otherwise."""
    monthly = queries.target_series(filters, name)
    targets = {_date(p): _number(v) for p, v in zip(monthly["period"], monthly["target"], strict=True)}
    targets = {m: v for m, v in targets.items() if v is not None}
    if not targets:
        return pd.DataFrame({"period": [], "target": []})
    values: dict[dt.date, float] = {}
    additive = metrics.get(name).additive
    day = filters.start
    while day <= filters.end:
        month = day.replace(day=1)
        if month in targets:
            key = periods.bucket_key(day, grain)
            if additive:
                values[key] = values.get(key, 0.0) + targets[month] / month_end(day).day
            else:
                values.setdefault(key, targets[month])
        day += dt.timedelta(days=1)
    return pd.DataFrame({"period": list(values), "target": list(values.values())})


def period_label(period: dt.date, grain: str, language: str) -> str:
    if grain == "month":
        return charts.month_label(period, language)
    if grain == "week":
        year, week, _ = period.isocalendar()
        return i18n.t("explore.week_label", language, week=f"{year}-W{week:02d}", start=i18n.date(period, "medium",
                                                                                                    language))
    return i18n.date(period, "medium", language)


def short_label(period: dt.date, grain: str, language: str) -> str:
    """An axis tick: ``Oct 2026``, ``2026-W40`` or ``5 Oct`` in the user's language."""
    if grain == "month":
        return charts.month_label(period, language)
    if grain == "week":
        year, week, _ = period.isocalendar()
        return f"{year}-W{week:02d}"
    return i18n.date(period, "d MMM", language)


def axis_ticks(periods, grain: str, language: str) -> tuple[list, list[str]]:
    """At most :data:`MAX_TICKS` evenly spaced ticks labelled in the user's language (Plotly's own
    date labels are English only)."""
    periods = sorted(set(periods))
    step = max(1, math.ceil(len(periods) / MAX_TICKS))
    chosen = periods[::step]
    return chosen, [short_label(p, grain, language) for p in chosen]


def headline(filters: Filters, name: str, language: str) -> tuple[list, str]:
    """The KPI over the window, its target and state (the badge rule in a tooltip), and its changes
    against the like-for-like windows the sentence below names; and the state."""
    t = i18n.t
    previous, last_year, comparison = queries.compared(filters)
    kpi_label = t(f"kpi.{name}", language)
    actual = queries.kpi_values(filters, [name])[name]
    target_value = queries.targets(filters, (name,)).get(name)
    text = t("explore.headline", language, kpi=kpi_label, start=i18n.date(comparison.window.start, "medium", language),
             end=i18n.date(comparison.window.end, "medium", language), value=i18n.kpi_value(name, actual, language))
    if target_value:
        text += " · " + t("explore.headline.target", language, target=i18n.kpi_value(name, target_value, language),
                          ratio=i18n.percent(metrics.attainment(actual, target_value), 1, language))
    else:
        text += " · " + t("explore.headline.no_target", language)
    changes = []
    for key, window in (("common.vs_previous", previous), ("common.vs_last_year", last_year)):
        change = metrics.change(actual, queries.kpi_values(window, [name])[name])
        changes.append(f"{i18n.percent(change, 1, language, signed=True)} {t(key, language)}")
    state = metrics.state(name, actual, target_value)
    return [
        html.Div([html.Strong(text, id="explore-headline-text"), " ",
                  cards.state_badge(name, state, "explore-state", language)], className="d-flex flex-wrap gap-2"),
        html.Div(" · ".join(changes), id="explore-changes", className="small"),
        html.Div(period_sentence(comparison, queries.data_end(), language), id="explore-period-info",
                 className="small text-muted"),
    ], state


def series_outputs(filters: Filters, name: str, language: str):
    """Title, figure, note, headline and headline colour (the KPI's state against its target)."""
    t = i18n.t
    frame, grain = queries.kpi_series(filters, name)
    kpi_label = t(f"kpi.{name}", language)
    title = t("explore.series.title", language, kpi=kpi_label, grain=t(f"explore.grain.{grain}", language))
    comparison = queries.comparison(filters)
    partial = periods.partial_buckets(comparison.window.start, comparison.window.end, grain)

    def texts(periods_, values, prefix_key):
        result = []
        for p, v in zip(periods_, values, strict=True):
            text = (f"{t(prefix_key, language)}: {i18n.kpi_value(name, _number(v), language)} · "
                    f"{period_label(p, grain, language)}")
            if prefix_key == "common.actual" and _date(p) in partial:
                bucket = partial[_date(p)]
                text += " · " + t("chart.partial_hover", language, start=i18n.date(bucket.start, "d MMM", language),
                                  end=i18n.date(bucket.end, "d MMM", language))
            result.append(text)
        return result

    if frame.empty:
        figure = charts.empty(t("common.no_data", language))
    else:
        target = target_line(filters, name, grain)
        last_year = queries.last_year_series(filters, name, grain)
        figure = charts.time_series(
            frame["period"], frame["value"], texts(frame["period"], frame["value"], "common.actual"),
            unit=metrics.get(name).unit, language=language,
            names={"actual": t("common.actual", language), "target": t("common.target", language),
                   "last_year": t("common.last_year", language), "partial": t("chart.partial", language)},
            target=(target["period"], target["target"], texts(target["period"], target["target"], "common.target")),
            last_year=None if last_year is None else (last_year["period"], last_year["value"], texts(
                last_year["period"], last_year["value"], "common.last_year")),
            step_target=not metrics.get(name).additive, ticks=axis_ticks(frame["period"], grain, language),
            partial=[_date(p) in partial for p in frame["period"]])
        first, last = _date(min(frame["period"])), filters.end + dt.timedelta(days=1)
        charts.mark_events(figure, annotations.visible(filters.regions, filters.channels, first, filters.end),
                           first, last)
    notes = [t("explore.series.target_note", language)]
    if partial:
        notes.insert(0, t("explore.series.partial_note", language))
    if grain != filters.grain:
        notes.insert(0, t("explore.series.monthly_only", language))
    children, state = headline(filters, name, language)
    return title, figure, " ".join(notes), children, STATE_COLORS[state]


# --- funnel, leaderboard, heatmap, cohorts ------------------------------------------------------------

def _ratio_kpi(stage: str, previous: str) -> str | None:
    """The KPI that converts ``previous`` into ``stage`` (else the one ending at ``stage``)."""
    ratios = [(n, k) for n, k in metrics.KPIS.items() if k.unit == "ratio" and len(k.measures) == 2]
    for name, kpi in ratios:
        if kpi.measures == (stage, previous):
            return name
    for name, kpi in ratios:
        if kpi.measures[0] == stage and kpi.measures[1] in metrics.FUNNEL:
            return name
    return None


FUNNEL_RATIOS = {stage: _ratio_kpi(stage, previous)
                 for previous, stage in zip(metrics.FUNNEL[:-1], metrics.FUNNEL[1:], strict=True)}


def funnel_steps(filters: Filters) -> list[dict]:
    """Each funnel stage in order with its count and the conversion KPI into it, then the measures
    shown beside the funnel (qualified leads) with their share of the stage they qualify."""
    base = queries.measures(filters)
    steps = []
    for stage in metrics.FUNNEL:
        ratio_name = FUNNEL_RATIOS.get(stage)
        steps.append({"stage": stage, "count": base.get(stage, 0.0), "ratio_name": ratio_name,
                      "ratio": metrics.value(ratio_name, base) if ratio_name else None, "beside": False})
    for name, (_of, ratio_name) in metrics.FUNNEL_BESIDE.items():
        steps.append({"stage": name, "count": base.get(name, 0.0), "ratio_name": ratio_name,
                      "ratio": metrics.value(ratio_name, base), "beside": True})
    return steps


def _stage_cell(stage: str, language: str, beside: bool = False, cell_id: str | None = None):
    """A stage's name with its definition on hover (and the mark of a measure beside the funnel)."""
    label = i18n.t(f"kpi.{stage}", language)
    if beside:
        label = i18n.t("explore.funnel.beside_label", language, kpi=label)
    return html.Span(label, title=i18n.t(f"kpi.definition.{stage}", language), className="text-decoration-underline",
                     style={"textDecorationStyle": "dotted", "cursor": "help"}, **({"id": cell_id} if cell_id else {}))


def funnel_outputs(filters: Filters, language: str):
    t = i18n.t
    steps = funnel_steps(filters)
    stages = [s for s in steps if not s["beside"]]
    rows = []
    texts = []
    for step in steps:
        count = i18n.number(step["count"], 0, language)
        ratio = (f"{t('kpi.' + step['ratio_name'], language)} {i18n.percent(step['ratio'], 1, language)}"
                 if step["ratio_name"] else "")
        if not step["beside"]:
            texts.append(f"{count} · {ratio}" if ratio else count)
        rows.append([_stage_cell(step["stage"], language, step["beside"], f"explore-stage-{step['stage']}"), count,
                     ratio or "–"])
    # The chart starts at leads: impressions are thousands of times larger and would flatten the rest.
    first = metrics.FUNNEL.index(FUNNEL_CHART_FROM)
    shown = stages[first:]
    if not any(s["count"] for s in shown):
        figure = charts.empty(t("common.no_data", language), height=380)
    else:
        beside = [s for s in steps if s["beside"]]
        figure = charts.funnel(
            [t(f"kpi.{s['stage']}", language) for s in shown], [s["count"] for s in shown],
            [i18n.number(s["count"], 0, language) for s in shown],
            [f"{text}<br>{t('kpi.definition.' + s['stage'], language)}" for s, text in zip(shown, texts[first:],
                                                                                         strict=True)],
            language,
            beside=[t("explore.funnel.beside", language, kpi=t(f"kpi.{s['stage']}", language),
                      count=i18n.number(s["count"], 0, language), ratio=i18n.percent(s["ratio"], 1, language),
                      of=t(f"kpi.{metrics.FUNNEL_BESIDE[s['stage']][0]}", language).lower())
                    for s in beside])
    headers = [t("explore.funnel.stage", language), t("explore.funnel.count", language),
               t("explore.funnel.ratio", language)]
    return figure, page.table(headers, rows, table_id="explore-funnel-ratios", separator_before=len(stages))


LEADERBOARD_COUNTS = ("leads", "opportunities", "won", "pipeline_closed")


def leaderboard_columns(language: str) -> list[tuple[str, str, str | None]]:
    """(field, header, KPI whose definition is the header's tooltip): a rate's header says what it divides."""
    t = i18n.t
    return [("rank", t("explore.leaderboard.rank", language), None),
            ("rep", t("explore.leaderboard.rep", language), None),
            ("team", t("explore.leaderboard.team", language), None),
            ("leads", t("kpi.leads", language), "leads"), ("opportunities", t("kpi.opportunities", language),
                                                           "opportunities"),
            ("won", t("kpi.won", language), "won"),
            ("pipeline_closed", t("explore.leaderboard.closed", language), None),
            ("lead_to_won", t("explore.leaderboard.lead_to_won", language), "lead_to_won"),
            ("opportunity_win_rate", t("explore.leaderboard.win_rate", language), "opportunity_win_rate"),
            ("average_deal_value", t("kpi.average_deal_value", language), "average_deal_value"),
            ("won_value", t("kpi.won_value", language), "won_value")]


def leaderboard_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The leaderboard as shown (top 10 by won value), raw values under its headers."""
    frame = queries.leaderboard(filters, 10)
    columns = leaderboard_columns(language)
    rows = [[rank, row["rep"], i18n.team_name(row["team_code"], row["team"], language),
             *(int(row[c]) for c in LEADERBOARD_COUNTS), *(_number(row[c]) for c in queries.LEADERBOARD_RATES),
             _number(row["won_value"])] for rank, row in enumerate(frame.to_dict("records"), start=1)]
    return pd.DataFrame(rows, columns=[header for _, header, _ in columns])


def leaderboard_output(filters: Filters, language: str):
    frame = leaderboard_frame(filters, language)
    if frame.empty:
        return page.no_data(language)
    columns = leaderboard_columns(language)
    formats = {"rank": str, "rep": str, "team": str, **{c: lambda v: i18n.number(v, 0, language)
                                                        for c in LEADERBOARD_COUNTS},
               "lead_to_won": lambda v: i18n.percent(v, 1, language),
               "opportunity_win_rate": lambda v: i18n.percent(v, 1, language),
               "average_deal_value": lambda v: i18n.money(v, 0, language),
               "won_value": lambda v: i18n.money(v, 0, language)}
    headers = [_header(kpi, header, language) if kpi in queries.LEADERBOARD_RATES
               or field == "pipeline_closed" else header for field, header, kpi in columns]
    rows = [[formats[field](value) for (field, _, _), value in zip(columns, record, strict=True)]
            for record in frame.itertuples(index=False)]
    return page.table(headers, rows, table_id="explore-leaderboard-table")


def _header(name: str | None, text: str, language: str) -> html.Span:
    """A column header that says what it divides, the KPI's definition on hover (the closed count: the
    win rate's denominator, so its tooltip is the win rate's)."""
    name = name or "opportunity_win_rate"
    return html.Span(text, title=i18n.t(f"kpi.definition.{name}", language),
                     style={"textDecoration": "underline dotted", "cursor": "help"})


def _channel_names(language: str) -> dict[str, str]:
    return {o["value"]: o["label"] for o in queries.filter_options(language)["channels"]}


def heatmap_cells(filters: Filters) -> tuple[list[dt.date], list[str], list[list[float | None]]]:
    """(months, paid channels by spend, cost per qualified lead per channel and month)."""
    frame = queries.activity_series(replace(filters, grain="month"), by="channel")
    if frame.empty:
        return [], [], []
    spend = frame.groupby("channel")["spend"].sum()
    channels = [c for c in spend.sort_values(ascending=False).index if spend[c] > 0]
    months = sorted({_date(p) for p in frame["period"]})
    cells = {(_date(r["period"]), r["channel"]): metrics.value("cost_per_qualified_lead", r)
             for r in frame.to_dict("records")}
    return months, channels, [[cells.get((m, c)) for m in months] for c in channels]


def heatmap_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The heatmap as shown: a row per channel, a column per month (ISO date of its first day)."""
    months, channels, z = heatmap_cells(filters)
    names = _channel_names(language)
    return pd.DataFrame([[names.get(c, c), *row] for c, row in zip(channels, z, strict=True)],
                        columns=[i18n.t("explore.by.channel", language), *(m.isoformat() for m in months)])


def heatmap_output(filters: Filters, language: str):
    """Cost per qualified lead per paid channel and month of the period; each cell sits at its channel code and
    month (shown by their names), what a click reports and filters the page on."""
    months, channels, z = heatmap_cells(filters)
    if not channels:
        return charts.empty(i18n.t("common.no_data", language))
    names = _channel_names(language)
    text = [[i18n.money(v, 0, language) if v is not None else "" for v in row] for row in z]
    return charts.heatmap([charts.month_label(m, language) for m in months], [names.get(c, c) for c in channels],
                          z, text, language, keys=([m.isoformat() for m in months], channels))


def wholemonths_between(filters: Filters) -> Filters:
    """The whole months covering the period: the unit both cohort and activity views use."""
    return replace(filters, start=filters.start.replace(day=1), end=month_end(filters.end), grain="month",
                   period="custom")


def cohort_frames(filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cohort, activity): the same stages per month, by lead creation month and by stage date."""
    months = wholemonths_between(filters)
    columns = ["period", *COHORT_STAGES]
    cohort = queries.cohorts(months)
    activity = queries.activity_series(months)
    frames = []
    for frame in (cohort, activity):
        frame = frame[columns].copy() if not frame.empty else pd.DataFrame(columns=columns)
        frame["period"] = [_date(p) for p in frame["period"]]
        frames.append(frame)
    return frames[0], frames[1]


def _stage_table(frame: pd.DataFrame, language: str, table_id: str):
    if frame.empty:
        return page.no_data(language)
    headers = [i18n.t("explore.cohort.month", language),
               *(_stage_cell(s, language, s in metrics.FUNNEL_BESIDE) for s in COHORT_STAGES)]
    rows = [[charts.month_label(r["period"], language), *(i18n.number(r[s], 0, language) for s in COHORT_STAGES)]
            for r in frame.to_dict("records")]
    footer = [i18n.t("explore.grid.total", language), *(i18n.number(frame[s].sum(), 0, language)
                                                         for s in COHORT_STAGES)]
    return page.table(headers, rows, footer, table_id=table_id)


# --- the breakdown grid ----------------------------------------------------------------------------

def _labels(by: str, codes, language: str) -> dict[str, str]:
    if by == "channel":
        names = _channel_names(language)
    elif by == "campaign":
        names = {o["value"]: o["label"] for o in queries.filter_options(language)["campaigns"]}
    elif by == "region":
        tree = region_tree()
        names = {code: i18n.region_name(code, tree.names.get(code), language) for code in codes}
    else:
        names = {}
    none = i18n.t("explore.grid.none", language)
    return {code: (names.get(code) or code or none) for code in codes}


def _rounded(name: str, value: float | None) -> float | int | None:
    if value is None:
        return None
    unit = metrics.get(name).unit
    if unit == "count":
        return int(round(value))
    return round(value, 4 if unit == "ratio" else 2)


def grid_columns_of(by: str) -> tuple[str, ...]:
    return COLUMNS_BY.get(by, GRID_COLUMNS)


def _grid_row(key: str, label: str, measures: dict, language: str, columns: tuple[str, ...]) -> dict:
    """One row: raw values for sorting and the export, texts for the cells (a cost per unit without
    spend is blank, not 0.00 EUR: :mod:`metrics` gives None)."""
    values = {c: _rounded(c, metrics.value(c, measures)) for c in columns}
    return {"key": key, "label": label, **values,
            "_text": {c: "" if values[c] is None else i18n.kpi_value(c, values[c], language) for c in columns}}


def grid_data(filters: Filters, by: str, language: str) -> tuple[list[dict], dict]:
    """The grid's rows (scoped, labelled, most leads first) and its total row."""
    frame = queries.breakdown(filters, by)
    columns = grid_columns_of(by)
    rows = []
    if frame.empty:
        totals = {m: 0.0 for m in ACTIVITY_FIELDS}
    else:
        labels = _labels(by, frame[by], language)
        rows = [_grid_row(record[by], labels[record[by]], record, language, columns)
                for record in frame.to_dict("records")]
        rows.sort(key=lambda r: (-r["leads"], r["label"]))
        totals = frame.sum(numeric_only=True).to_dict()
    return rows, _grid_row("", i18n.t("explore.grid.total", language), totals, language, columns)


def grid_columns(by: str, language: str) -> list[dict]:
    columns = [{"field": "label", "colId": "label", "headerName": i18n.t(f"explore.by.{by}", language),
                "pinned": "left", "minWidth": 180, "cellStyle": {"cursor": "pointer"},
                "headerTooltip": i18n.t("explore.grid.click", language)}]
    for name in grid_columns_of(by):
        columns.append({
            "field": name, "colId": name, "headerName": i18n.t(f"kpi.{name}", language), "type": "rightAligned",
            "headerTooltip": i18n.t(f"kpi.definition.{name}", language),
            "valueFormatter": {"function": f"params.data && params.data._text ? params.data._text.{name} "
                                           f": params.value"}})
    return columns


def sort_rows(rows: list[dict], column_state) -> list[dict]:
    """Rows in the grid's sort order; an untrusted sort model may only name the grid's columns."""
    if not isinstance(column_state, list):
        return rows
    keys = []
    for entry in column_state[:MAX_SORT_KEYS * 5]:
        if not isinstance(entry, dict) or entry.get("colId") not in SORTABLE or entry.get("sort") not in ("asc",
                                                                                                          "desc"):
            continue
        index = entry.get("sortIndex")
        keys.append((index if isinstance(index, int) else 0, entry["colId"], entry["sort"]))
    ordered = list(rows)
    for _, column, direction in sorted(keys, reverse=True)[:MAX_SORT_KEYS]:  # least significant first
        present = [r for r in ordered if r.get(column) is not None]
        missing = [r for r in ordered if r.get(column) is None]
        present.sort(key=lambda r, c=column: r[c], reverse=direction == "desc")
        ordered = present + missing  # empty cells last, as the grid shows them
    return ordered


def export_frame(filters: Filters, by: str, language: str, column_state=None) -> pd.DataFrame:
    """Exactly the grid: its rows in its sort order, its columns and headers, then the total row."""
    rows, total = grid_data(filters, by, language)
    columns = grid_columns(by, language)
    data = [[row[c["field"]] for c in columns] for row in [*sort_rows(rows, column_state), total]]
    return pd.DataFrame(data, columns=[c["headerName"] for c in columns])


def _audit_detail(filters: Filters, **extra) -> dict:
    return {"start": filters.start.isoformat(), "end": filters.end.isoformat(), "period": filters.period,
            "grain": filters.grain, "regions": list(filters.regions), "channels": list(filters.channels),
            "campaigns": list(filters.campaigns), "sources": list(filters.sources), **extra}


# --- every visual's data, as shown, for its export ----------------------------------------------------

def series_frame(filters: Filters, name: str, language: str) -> pd.DataFrame:
    """The series chart's lines: each bucket's actual, target and last year's value."""
    t = i18n.t
    frame, grain = queries.kpi_series(filters, name)
    out = pd.DataFrame({"period": [_date(p) for p in frame["period"]], "actual": [_number(v) for v in frame["value"]]})
    for column, extra in (("target", target_line(filters, name, grain)),
                          ("last_year", queries.last_year_series(filters, name, grain))):
        if extra is not None and not extra.empty:
            values = {_date(p): _number(v) for p, v in zip(extra["period"], extra[extra.columns[-1]], strict=True)}
            out[column] = [values.get(p) for p in out["period"]]
        else:
            out[column] = None
    out["period"] = [p.isoformat() for p in out["period"]]
    return out.rename(columns={"period": t(f"explore.grain.{grain}", language).capitalize(),
                               "actual": t("common.actual", language), "target": t("common.target", language),
                               "last_year": t("common.last_year", language)})


def funnel_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The funnel table: each stage, its count, and the rate into it (a fraction)."""
    t = i18n.t
    rows = [[t(f"kpi.{s['stage']}", language), s["count"], t(f"kpi.{s['ratio_name']}", language)
             if s["ratio_name"] else "", s["ratio"]] for s in funnel_steps(filters)]
    return pd.DataFrame(rows, columns=[t("explore.funnel.stage", language), t("explore.funnel.count", language),
                                       t("explore.funnel.ratio", language), t("explore.export.rate", language)])


def stage_frame(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A cohort or activity table: a row per month, a column per stage."""
    out = frame.copy()
    out["period"] = [p.isoformat() for p in out["period"]]
    return out.rename(columns={"period": i18n.t("explore.cohort.month", language),
                               **{s: i18n.t(f"kpi.{s}", language) for s in COHORT_STAGES}})


def filter_labels(filters: Filters, language: str) -> list[str]:
    """The filters as words for a file name: region names, channel and campaign names, sources."""
    tree = region_tree()
    channels = _channel_names(language)
    campaigns = {o["value"]: o["label"] for o in queries.filter_options(language)["campaigns"]}
    return [*(i18n.region_name(c, tree.names.get(c), language) for c in filters.regions),
            *(channels.get(c, c) for c in filters.channels), *(campaigns.get(c, c) for c in filters.campaigns),
            *filters.sources]


VISUALS = ("series", "funnel", "leaderboard", "heatmap", "cohort", "activity", "grid")


def visual_file(visual: str, filters: Filters, language: str, kpi: str, by: str) -> str:
    """A visual's file name without extension (its data files and its PNG share it)."""
    named = {"series": f"series-{kpi}", "grid": f"breakdown-{by}"}.get(visual, visual)
    return exports.filename(page.NAME, named, (filters.start.isoformat(), filters.end.isoformat()),
                            filter_labels(filters, language))


def export_view(visual: str, language: str, *values) -> Export:
    """The data of one visual of the page, recomputed from the filter bar (untrusted, validated and
    scoped by :func:`read_filters`), the KPI, the breakdown and the grid's sort."""
    count = len(bar.FILTER_CONTROLS)
    if visual not in VISUALS:
        raise UnknownVisual(visual)
    filters = read_filters(*values[:count])
    kpi, by = checked_kpi(values[count]), checked_by(values[count + 1])
    t = i18n.t
    frames = {
        "series": lambda: (series_frame(filters, kpi, language), t(f"kpi.{kpi}", language)),
        "funnel": lambda: (funnel_frame(filters, language), t("explore.funnel.title", language)),
        "leaderboard": lambda: (leaderboard_frame(filters, language), t("explore.leaderboard.title", language)),
        "heatmap": lambda: (heatmap_frame(filters, language), t("explore.export.heatmap_sheet", language)),
        "cohort": lambda: (stage_frame(cohort_frames(filters)[0], language), t("explore.cohort.title", language)),
        "activity": lambda: (stage_frame(cohort_frames(filters)[1], language), t("explore.activity.title", language)),
        "grid": lambda: (export_frame(filters, by, language, values[count + 2]), t("explore.export.sheet", language)),
    }
    frame, sheet = frames[visual]()
    detail = _audit_detail(filters, **({"kpi": kpi} if visual == "series" else {}),
                           **({"by": by} if visual == "grid" else {}))
    return Export(frame, visual_file(visual, filters, language, kpi, by), sheet, detail)


# --- cross-filtering and the scope notice ------------------------------------------------------------------

def cross_filter(click, cell, by) -> dict:
    """The filter a click sets: a heatmap cell -> its channel and month; a breakdown grid's label cell
    -> its channel, campaign, region or source. Returns the raw values to put in the controls (they go
    through the same validation and scope as any other input); empty when the click names nothing."""
    if ctx.triggered_id == page.HEATMAP:
        points = click.get("points") if isinstance(click, dict) else None
        point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
        channel, month = point.get("y"), point.get("x")
        if not (isinstance(channel, str) and isinstance(month, str)):
            return {}
        month = queries.filters_from({"period": "custom", "start": month, "end": month}).start.replace(day=1)
        return {"channel": [channel], "period": "custom", "start": month.isoformat(),
                "end": month_end(month).isoformat()}
    if ctx.triggered_id == page.GRID and isinstance(cell, dict) and cell.get("colId") == "label":
        key = cell.get("rowId")
        if isinstance(key, str) and key and by in bar.GRID_BREAKDOWNS:
            return {by: [key]}
    return {}


def scope_notice(requested, language: str) -> tuple[str, bool]:
    """(text, shown) for regions asked for outside the user's access: names their codes, and says what the
    page shows instead (the regions kept from the request, else the user's whole scope)."""
    from ..layout.shell import scope_label

    outside = outside_scope(requested)
    if not outside:
        return "", False
    tree = region_tree()
    kept = queries.filters_from({"region": requested}).regions
    shown = (", ".join(i18n.region_name(c, tree.names.get(c), language) for c in kept) if kept
             else i18n.t("scope.your_scope", language, scope=scope_label(current_user)))
    # The codes as asked for, not the store's names: the page tells nothing about regions outside the scope.
    return i18n.t("scope.outside", language, regions=", ".join(outside), shown=shown), True


# --- annotations -------------------------------------------------------------------------------------

EVENT_OUTPUTS = (("explore-event-feedback", "children"), ("explore-event-feedback", "color"),
                 ("explore-event-feedback", "is_open"), ("explore-events-list", "children"),
                 ("explore-event-pick", "options"), ("explore-event-label", "value"),
                 ("explore-event-dates", "start_date"), ("explore-event-dates", "end_date"),
                 ("explore-event-regions", "value"), ("explore-event-channel", "value"),
                 ("explore-event-editing", "data"))


def annotate(_save, _edit, _delete, label, start, end, regions, channel, editing, pick, *view):
    """Save the form as a new event (or as the one being edited), load one into the form, or delete one; after
    a change, the series of the filters in ``view`` (the bar's values and the KPI) is drawn again with it."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    try:
        if trigger == "explore-event-edit":
            mark = next((m for m in annotations.visible() if m.id == pick and m.editable), None)
            if mark is None:
                raise annotations.AnnotationError("not_found")
            return ("", "success", False, no_update, no_update, mark.label, mark.start.isoformat(),
                    mark.end.isoformat(), list(mark.regions), mark.channel, mark.id)
        if trigger == "explore-event-save":
            annotations.save(label, start, end, regions, channel, editing)
            message = i18n.t("annotation.saved", language)
        elif trigger == "explore-event-delete":
            if pick in (None, ""):
                raise annotations.AnnotationError("pick")
            message = i18n.t("annotation.deleted", language, label=annotations.remove(pick))
        else:
            raise PreventUpdate
    except annotations.AnnotationError as error:
        return (i18n.t(f"annotation.error.{error.code}", language), "danger", True, *(no_update,) * 8)
    try:
        set_props(page.SERIES, {"figure": series_outputs(read_filters(*view[:-1]), checked_kpi(view[-1]),
                                                         language)[1]})
    except InvalidRequest:  # a forged KPI: the event is saved, the figure is left as it is
        pass
    marks = annotations.visible()
    return (message, "success", True, page.events_table(marks, language), page.event_options(marks), "", None, None,
            [], None, None)


# --- registration ------------------------------------------------------------------------------------

# Watches the heatmap's card (an IntersectionObserver, so nothing runs while the user does not scroll) and sets
# the store to true when the card comes within 300 px of the viewport. It sets the store itself (set_props)
# rather than answering later: a callback still pending would keep the page "loading" until the user scrolls.
BELOW_SEEN_JS = """
function(cardId) {
    const storeId = "STORE";
    const card = document.getElementById(cardId);
    if (!card || !("IntersectionObserver" in window)) return true;
    const observer = new IntersectionObserver(entries => {
        if (entries.some(e => e.isIntersecting)) {
            observer.disconnect();
            window.dash_clientside.set_props(storeId, {data: true});
        }
    }, {rootMargin: "0px 0px 300px 0px"});
    observer.observe(card);
    return window.dash_clientside.no_update;
}
""".replace("STORE", page.BELOW_SEEN)


def register_callbacks(app) -> None:
    app = role_checked(app, page.PATH)  # every callback requires a role that may open the page
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

    @app.callback(Output(bar.URL, "search"), *filter_inputs, Input(bar.KPI, "value"), Input(bar.BY, "value"))
    @_refusing_invalid
    def update_url(*values):
        filters = read_filters(*values[:count])
        return bar.query_string(filters, checked_kpi(values[count]), checked_by(values[count + 1]))

    @app.callback(Output(page.SERIES_TITLE, "children"), Output(page.SERIES, "figure"),
                  Output(page.SERIES_NOTE, "children"), Output(page.HEADLINE, "children"),
                  Output(page.HEADLINE, "color"), *filter_inputs, Input(bar.KPI, "value"))
    @_refusing_invalid
    @rendered
    def update_series(*values):
        name = checked_kpi(values[count])
        return series_outputs(read_filters(*values[:count]), name, i18n.current_language())

    @app.callback(Output(page.FUNNEL, "figure"), Output(page.FUNNEL_TABLE, "children"),
                  Output(page.LEADERBOARD, "children"), *filter_inputs)
    @rendered
    def update_overview(*values):
        filters = read_filters(*values)
        language = i18n.current_language()
        return (*funnel_outputs(filters, language), leaderboard_output(filters, language))

    # The browser says when the heatmap's card comes within a screen of the viewport (once per page).
    app.clientside_callback(BELOW_SEEN_JS, Output(page.BELOW_SEEN, "data"), Input(page.HEATMAP_CARD, "id"))

    @app.callback(Output(page.HEATMAP, "figure"), Output(page.COHORT, "children"), Output(page.ACTIVITY, "children"),
                  Input(page.BELOW_SEEN, "data"), *filter_inputs, prevent_initial_call=True)
    @rendered
    def update_below(seen, *values):
        """The visuals below the fold, once scrolled near (then at every filter change, like the rest)."""
        if not seen:
            raise PreventUpdate
        filters = read_filters(*values)
        language = i18n.current_language()
        cohort, activity = cohort_frames(filters)
        return (heatmap_output(filters, language), _stage_table(cohort, language, "explore-cohort-table"),
                _stage_table(activity, language, "explore-activity-table"))

    @app.callback(Output(page.GRID, "rowData"), Output(page.GRID, "columnDefs"), Output(page.GRID, "dashGridOptions"),
                  *filter_inputs, Input(bar.BY, "value"))
    @_refusing_invalid
    @rendered
    def update_grid(*values):
        by = checked_by(values[count])
        language = i18n.current_language()
        rows, total = grid_data(read_filters(*values[:count]), by, language)
        options = {"animateRows": False, "domLayout": "autoHeight", "pinnedBottomRowData": [total],
                   "localeText": {"noRowsToShow": i18n.t("common.no_data", language)}}
        return rows, grid_columns(by, language), options

    register_export(app, page.NAME, export_view, *filter_states, State(bar.KPI, "value"), State(bar.BY, "value"),
                    State(page.GRID, "columnState"))

    @app.callback(*(Output(graph, "config") for graph in page.GRAPHS.values()), *filter_inputs,
                  Input(bar.KPI, "value"), Input(bar.BY, "value"))
    @_refusing_invalid
    def graph_configs(*values):
        """Each chart's "download image" button names the PNG like the visual's data files."""
        filters = read_filters(*values[:count])
        kpi, by = checked_kpi(values[count]), checked_by(values[count + 1])
        language = i18n.current_language()
        return tuple(graph_config(visual_file(visual, filters, language, kpi, by)) for visual in page.GRAPHS)

    @app.callback(Output(bar.CHANNEL, "value"), Output(bar.CAMPAIGN, "value"), Output(bar.REGION, "value"),
                  Output(bar.SOURCE, "value"), Output(bar.PERIOD, "value", allow_duplicate=True),
                  Output(bar.DATES, "start_date", allow_duplicate=True),
                  Output(bar.DATES, "end_date", allow_duplicate=True),
                  Input(page.HEATMAP, "clickData"), Input(page.GRID, "cellClicked"), State(bar.BY, "value"),
                  prevent_initial_call=True)
    def apply_click(click, cell, by):
        """Cross-filtering: a click on a heatmap cell or a breakdown's row sets the filter bar (and so the
        URL, through ``update_url``, and every visual)."""
        chosen = cross_filter(click, cell, by)
        if not chosen:
            raise PreventUpdate
        return (*(chosen.get(key, no_update) for key in ("channel", "campaign", "region", "source")),
                chosen.get("period", no_update), chosen.get("start", no_update), chosen.get("end", no_update))

    @app.callback(Output(page.SCOPE_NOTICE, "children"), Output(page.SCOPE_NOTICE, "is_open"),
                  Input(bar.REGION, "value"), prevent_initial_call=True)
    def update_scope_notice(regions):
        return scope_notice(regions, i18n.current_language())

    app.callback(*[Output(*o) for o in EVENT_OUTPUTS], Input("explore-event-save", "n_clicks"),
                 Input("explore-event-edit", "n_clicks"), Input("explore-event-delete", "n_clicks"),
                 State("explore-event-label", "value"), State("explore-event-dates", "start_date"),
                 State("explore-event-dates", "end_date"), State("explore-event-regions", "value"),
                 State("explore-event-channel", "value"), State("explore-event-editing", "data"),
                 State("explore-event-pick", "value"), *filter_states, State(bar.KPI, "value"),
                 prevent_initial_call=True, roles=annotations.ANNOTATE_ROLES)(annotate)

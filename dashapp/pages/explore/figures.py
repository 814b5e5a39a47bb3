"""The drill-down's figures and tables, drawn from what :mod:`dashapp.semantic.drilldown` and
:mod:`dashapp.semantic.breakdowns` returned: texts translated and numbers formatted in the user's language.
Nothing here reads the store (the annotations drawn on the series come as an argument).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from ... import i18n
from ...layout import cards, charts
from ...layout.periods import period_sentence
from ...semantic import breakdowns, drilldown, metrics, queries
from ...semantic.drilldown import as_date, number
from . import ids

STATE_COLORS = {"green": "success", "amber": "warning", "red": "danger", "none": "light"}
MAX_TICKS = 12


# --- tables ---------------------------------------------------------------------------------------

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


def stage_label(stage: str, language: str, beside: bool = False, cell_id: str | None = None) -> html.Span:
    """A stage's name with its definition on hover (and the mark of a measure beside the funnel)."""
    label = i18n.t(f"kpi.{stage}", language)
    if beside:
        label = i18n.t("explore.funnel.beside_label", language, kpi=label)
    return html.Span(label, title=i18n.t(f"kpi.definition.{stage}", language), className="text-decoration-underline",
                     style={"textDecorationStyle": "dotted", "cursor": "help"}, **({"id": cell_id} if cell_id else {}))


def header_with_tooltip(name: str | None, text: str, language: str) -> html.Span:
    """A column header that says what it divides, the KPI's definition on hover (the closed count: the
    win rate's denominator, so its tooltip is the win rate's)."""
    name = name or "opportunity_win_rate"
    return html.Span(text, title=i18n.t(f"kpi.definition.{name}", language),
                     style={"textDecoration": "underline dotted", "cursor": "help"})


# --- the KPI over time ----------------------------------------------------------------------------

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


def series_figure(name: str, lines, partial: dict, marks, window_end: dt.date, language: str):
    """The KPI's actual line, its target and last year's, partial buckets drawn apart, the events shaded.
    ``lines``: :func:`drilldown.series_lines`; ``partial``: bucket -> the part of it the window covers."""
    t = i18n.t
    frame, grain, target, last_year = lines

    def texts(periods_, values, prefix_key):
        result = []
        for p, v in zip(periods_, values, strict=True):
            text = f"{t(prefix_key, language)}: {i18n.kpi_value(name, number(v), language)} · " \
                   f"{period_label(p, grain, language)}"
            if prefix_key == "common.actual" and as_date(p) in partial:
                bucket = partial[as_date(p)]
                text += " · " + t("chart.partial_hover", language, start=i18n.date(bucket.start, "d MMM", language),
                                  end=i18n.date(bucket.end, "d MMM", language))
            result.append(text)
        return result

    if frame.empty:
        return charts.empty(t("common.no_data", language))
    kpi = metrics.get(name)
    figure = charts.time_series(
        frame["period"], frame["value"], texts(frame["period"], frame["value"], "common.actual"),
        unit=kpi.unit, language=language,
        names={"actual": t("common.actual", language), "target": t("common.target", language),
               "last_year": t("common.last_year", language), "partial": t("chart.partial", language)},
        target=(target["period"], target["target"], texts(target["period"], target["target"], "common.target")),
        last_year=None if last_year is None else (last_year["period"], last_year["value"], texts(
            last_year["period"], last_year["value"], "common.last_year")),
        step_target=not kpi.additive, ticks=axis_ticks(frame["period"], grain, language),
        partial=[as_date(p) in partial for p in frame["period"]])
    first, last = as_date(min(frame["period"])), window_end + dt.timedelta(days=1)
    return charts.mark_events(figure, marks, first, last)


def series_note(partial: bool, monthly_only: bool, language: str) -> str:
    notes = [i18n.t("explore.series.target_note", language)]
    if partial:
        notes.insert(0, i18n.t("explore.series.partial_note", language))
    if monthly_only:
        notes.insert(0, i18n.t("explore.series.monthly_only", language))
    return " ".join(notes)


def headline(name: str, head: dict, language: str) -> list:
    """The KPI over the window, its target and state (the badge rule in a tooltip), its changes against the
    like-for-like windows and the sentence that names them (``head``: :func:`drilldown.headline`)."""
    t = i18n.t
    actual, target, comparison = head["actual"], head["target"], head["comparison"]
    text = t("explore.headline", language, kpi=t(f"kpi.{name}", language),
             start=i18n.date(comparison.window.start, "medium", language),
             end=i18n.date(comparison.window.end, "medium", language), value=i18n.kpi_value(name, actual, language))
    if target:
        text += " · " + t("explore.headline.target", language, target=i18n.kpi_value(name, target, language),
                          ratio=i18n.percent(head["attainment"], 1, language))
    else:
        text += " · " + t("explore.headline.no_target", language)
    changed = [f"{i18n.percent(change, 1, language, signed=True)} {t(key, language)}"
               for key, change in head["changes"]]
    return [
        html.Div([html.Strong(text, id=ids.HEADLINE_TEXT), " ",
                  cards.state_badge(name, head["state"], ids.STATE_BADGE, language)],
                 className="d-flex flex-wrap gap-2"),
        html.Div(" · ".join(changed), id=ids.CHANGES, className="small"),
        html.Div(period_sentence(comparison, head["data_end"], language), id=ids.PERIOD_INFO,
                 className="small text-muted"),
    ]


# --- funnel, leaderboard, heatmap, cohorts ------------------------------------------------------------

def funnel_views(steps: list[dict], language: str):
    """(chart, table) of :func:`drilldown.funnel_steps`: the stages from leads on as centred bars, each with
    its definition on hover; the table with every stage, its count and rate, and the measures beside."""
    t = i18n.t
    rows, texts = [], {}
    for step in steps:
        count = i18n.number(step["count"], 0, language)
        ratio = (f"{t('kpi.' + step['ratio_name'], language)} {i18n.percent(step['ratio'], 1, language)}"
                 if step["ratio_name"] else "")
        texts[step["stage"]] = f"{count} · {ratio}" if ratio else count
        rows.append([stage_label(step["stage"], language, step["beside"], ids.stage_cell(step["stage"])), count,
                     ratio or "–"])
    shown = drilldown.charted_stages(steps)
    if not shown:
        figure = charts.empty(t("common.no_data", language), height=380)
    else:
        beside = [s for s in steps if s["beside"]]
        figure = charts.funnel(
            [t(f"kpi.{s['stage']}", language) for s in shown], [s["count"] for s in shown],
            [i18n.number(s["count"], 0, language) for s in shown],
            [f"{texts[s['stage']]}<br>{t('kpi.definition.' + s['stage'], language)}" for s in shown], language,
            beside=[t("explore.funnel.beside", language, kpi=t(f"kpi.{s['stage']}", language),
                      count=i18n.number(s["count"], 0, language), ratio=i18n.percent(s["ratio"], 1, language),
                      of=t(f"kpi.{metrics.FUNNEL_BESIDE[s['stage']][0]}", language).lower())
                    for s in beside])
    headers = [t("explore.funnel.stage", language), t("explore.funnel.count", language),
               t("explore.funnel.ratio", language)]
    stages = sum(1 for s in steps if not s["beside"])
    return figure, table(headers, rows, table_id=ids.FUNNEL_RATIOS, separator_before=stages)


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


def leaderboard_values(row: dict, language: str) -> list:
    """A leaderboard row as its columns' raw values (the team's name in the user's language)."""
    return [row["rank"], row["rep"], i18n.team_name(row["team_code"], row["team"], language),
            *(row[c] for c in drilldown.LEADERBOARD_COUNTS), *(row[c] for c in queries.LEADERBOARD_RATES),
            row["won_value"]]


def leaderboard_table(rows: list[dict], language: str):
    if not rows:
        return no_data(language)
    columns = leaderboard_columns(language)
    formats = {"rank": str, "rep": str, "team": str, **{c: lambda v: i18n.number(v, 0, language)
                                                        for c in drilldown.LEADERBOARD_COUNTS},
               "lead_to_won": lambda v: i18n.percent(v, 1, language),
               "opportunity_win_rate": lambda v: i18n.percent(v, 1, language),
               "average_deal_value": lambda v: i18n.money(v, 0, language),
               "won_value": lambda v: i18n.money(v, 0, language)}
    headers = [header_with_tooltip(kpi, header, language) if kpi in queries.LEADERBOARD_RATES
               or field == "pipeline_closed" else header for field, header, kpi in columns]
    body = [[formats[field](value) for (field, _, _), value in zip(columns, leaderboard_values(row, language),
                                                                    strict=True)] for row in rows]
    return table(headers, body, table_id=ids.LEADERBOARD_TABLE)


# The heatmap's chart until it is scrolled near: blank, no axes (an empty dcc.Graph draws default axes, whose
# tick labels Plotly measures one by one in the page).
PLACEHOLDER = {"data": [], "layout": {"height": 320, "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                      "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}}


def heatmap_figure(cells, names: dict[str, str], language: str):
    """Cost per qualified lead per paid channel and month of the period (``cells``: :func:`drilldown.heatmap_cells`,
    ``names``: channel names); each cell sits at its channel code and month (shown by their names), what a click
    reports and filters the page on."""
    months, channels, z = cells
    if not channels:
        return charts.empty(i18n.t("common.no_data", language))
    text = [[i18n.money(v, 0, language) if v is not None else "" for v in row] for row in z]
    return charts.heatmap([charts.month_label(m, language) for m in months], [names.get(c, c) for c in channels],
                          z, text, language, keys=([m.isoformat() for m in months], channels))


def stage_table(frame, language: str, table_id: str):
    """A cohort or activity table: a row per month, a column per stage, their totals."""
    if frame.empty:
        return no_data(language)
    stages = drilldown.COHORT_STAGES
    headers = [i18n.t("explore.cohort.month", language),
               *(stage_label(s, language, s in metrics.FUNNEL_BESIDE) for s in stages)]
    rows = [[charts.month_label(r["period"], language), *(i18n.number(r[s], 0, language) for s in stages)]
            for r in frame.to_dict("records")]
    footer = [i18n.t("explore.grid.total", language), *(i18n.number(frame[s].sum(), 0, language) for s in stages)]
    return table(headers, rows, footer, table_id=table_id)


# --- the breakdown grid ----------------------------------------------------------------------------

# Column widths from the texts (what AG Grid's "autoSize" measured in the browser, one forced layout of the
# whole page per column): about a character's width at the grid's font, plus the cell padding and the header's
# sort and menu icons.
CHAR_PX, CELL_PX, HEADER_PX, MIN_WIDTH, LABEL_MIN_WIDTH = 7.5, 34, 52, 110, 180


def _width(header: str, values, minimum: int) -> int:
    longest = max((len(str(v)) for v in values), default=0)
    return max(minimum, round(max(len(header) * CHAR_PX + HEADER_PX, longest * CHAR_PX + CELL_PX)))


def grid_columns(by: str, language: str, rows: Sequence[dict] = ()) -> list[dict]:
    """AG Grid's column definitions: the label pinned left (a click filters on it), each KPI with its
    definition as the header's tooltip and its formatted text in the cell (the raw value sorts); each column
    as wide as its header and the ``rows``' texts (no measuring in the browser)."""
    label = i18n.t(f"explore.by.{by}", language)
    columns = [{"field": "label", "colId": "label", "headerName": label, "pinned": "left",
                "minWidth": LABEL_MIN_WIDTH, "width": _width(label, [r["label"] for r in rows], LABEL_MIN_WIDTH),
                "cellStyle": {"cursor": "pointer"}, "headerTooltip": i18n.t("explore.grid.click", language)}]
    for name in breakdowns.columns_of(by):
        header = i18n.t(f"kpi.{name}", language)
        columns.append({
            "field": name, "colId": name, "headerName": header, "type": "rightAligned",
            "width": _width(header, [r["_text"][name] for r in rows], MIN_WIDTH),
            "headerTooltip": i18n.t(f"kpi.definition.{name}", language),
            "valueFormatter": {"function": f"params.data && params.data._text ? params.data._text.{name} "
                                           f": params.value"}})
    return columns


def grid_options(total: dict, language: str) -> dict:
    return {"animateRows": False, "domLayout": "autoHeight", "pinnedBottomRowData": [total],
            "localeText": {"noRowsToShow": i18n.t("common.no_data", language)}}


# --- annotations ------------------------------------------------------------------------------------------

def events_table(marks, names: dict[str, str], channels: dict[str, str], language: str):
    """The annotations the user sees, with their range and scope (``names``: the store's region names,
    ``channels``: channel names)."""
    if not marks:
        return html.P(i18n.t("annotation.none", language), className="text-muted small mb-0", id=ids.EVENTS_NONE)
    rows = []
    for m in marks:
        scope = (i18n.t("annotation.national", language) if "*" in m.regions
                 else ", ".join(i18n.region_name(c, names.get(c), language) for c in m.regions))
        rows.append([m.label, i18n.date(m.start, "medium", language), i18n.date(m.end, "medium", language), scope,
                     channels.get(m.channel, m.channel) if m.channel else "–", m.author])
    headers = [i18n.t(f"annotation.{k}", language) for k in ("label", "start", "end", "regions", "channel", "author")]
    body = [html.Tr([html.Td(c) for c in r], **{"data-event": str(m.id)}) for r, m in zip(rows, marks, strict=True)]
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)], size="sm",
                     responsive=True, className="small mb-0", id=ids.EVENTS_TABLE)


def event_options(marks) -> list[dict]:
    """The annotations the user may change (their own; an admin's, any they see)."""
    return [{"label": f"{m.label} · {m.start.isoformat()}", "value": m.id} for m in marks if m.editable]

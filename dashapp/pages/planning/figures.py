"""The planning page's figures, tables and messages, built from what :mod:`dashapp.semantic.planning` returned
(no data access here): the model's channel table, contributions and response curves, the prediction (chart,
table, summary), the comparison, the optimiser's result, the scenarios' listings and the upload's problems.
"""

from __future__ import annotations

import datetime as dt
import math

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from ... import i18n
from ...layout import charts
from ...semantic import planning as data
from ...semantic.planning import views
from .layout import CONTRIB_HEIGHT

PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0", "#6c757d",
           "#dc3545", "#6610f2", "#795548")
BASELINE_COLOR = "#adb5bd"
SCENARIO_COLOR = "#0d6efd"
CURRENT_COLOR = "#6c757d"
MONEY_VALUES = ("budget", "ceiling", "floor", "cap")
MAX_LISTED = 12  # out-of-range cells listed before "and N more"


def translated(key: str, language: str, **values) -> str:
    try:
        return i18n.t(key, language, **values)
    except (KeyError, IndexError, ValueError):  # a message whose values did not come: its plain text
        return i18n.t(key, language)


def error_message(error: data.PlanningError, language: str, names: dict[str, str] | None = None) -> str:
    """A :class:`PlanningError` as the user reads it (channel codes shown by their names)."""
    values = dict(error.values)
    for key in MONEY_VALUES:  # the optimiser's amounts (budget, what the history supports...)
        if isinstance(values.get(key), (int, float)):
            values[key] = money_text(values[key], language)
    if names and values.get("column") in names:
        values["column"] = names[values["column"]]
    return translated(f"planning.error.{error.code}", language, **values)


def money_text(value, language: str) -> str:
    return i18n.money(None if value is None else float(value), 0, language)


def leads_text(value, language: str) -> str:
    return i18n.number(None if value is None else float(value), 0, language)


def month_label(month, language: str) -> str:
    return charts.month_label(month, language)


def signed(text: str, value: float) -> str:
    return ("+" + text) if value > 0 else text


def _eur_axis(language: str) -> dict:
    return ({"tickformat": ",.0f", "ticksuffix": "\u00a0€"} if language == "fr"
            else {"tickformat": ",.0f", "tickprefix": "€"})


def grid_rows(plan: pd.DataFrame, language: str) -> list[dict]:
    """A plan as the grids' rows: the semantic layer's rows plus the month's label."""
    return [{**row, "label": month_label(dt.date.fromisoformat(row["month"]), language)}
            for row in data.plan_rows(plan)]


def _interval(value, lo, hi, formatter) -> str:
    if value is None:
        return "–"
    if lo is None or hi is None:
        return formatter(value)
    return i18n.t("planning.interval", value=formatter(value), lo=formatter(lo), hi=formatter(hi))


def channel_table(rows: list[dict], names: dict[str, str], language: str) -> dbc.Table:
    """Per channel: share of leads, average and marginal cost per incremental lead with their 80% intervals,
    historical monthly spend and whether the data identify it (a flagged channel shows no figure, only why)."""
    def percent(v):
        return i18n.percent(v, 1, language)

    def money(v):
        return money_text(v, language)

    headers = ("planning.channel", "planning.model.share", "planning.model.average", "planning.model.marginal",
               "planning.model.spend", "planning.model.status")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if 0 < i < 5 else None)
                                 for i, h in enumerate(headers)]))
    body = []
    for row in views.sorted_channels(rows):
        channel = row["channel"]
        if row["identified"]:
            figures = [_interval(row["share"], row["share_lo"], row["share_hi"], percent),
                       _interval(row["average_cost"], row["average_cost_lo"], row["average_cost_hi"], money),
                       _interval(row["marginal_cost"], row["marginal_cost_lo"], row["marginal_cost_hi"], money)]
            status = dbc.Badge(i18n.t("planning.model.identified", language), color="success")
        else:
            figures = ["–", "–", "–"]
            reason = translated(f"planning.reason.{row['reason']}", language) if row["reason"] else ""
            remedy = (i18n.t("planning.model.remedy", language,
                             remedy=translated(f"planning.remedy.{row['reason']}", language)) if row["reason"] else "")
            status = html.Span([dbc.Badge(i18n.t("planning.model.unidentified", language), color="warning",
                                          text_color="dark", className="me-1"),
                                html.Span(reason, className="small text-muted"),
                                html.Span(f" ({remedy})" if remedy else "", className="small text-muted",
                                          **{"data-remedy": row["reason"]})])
        spend = i18n.t("planning.range", language, lo=money(row["spend_min"]), hi=money(row["spend_max"]))
        body.append(html.Tr([html.Td(names.get(channel, channel)),
                             *[html.Td(f, className="text-end") for f in figures],
                             html.Td(spend, className="text-end"), html.Td(status)],
                            **{"data-channel": channel, "data-identified": str(row["identified"]).lower()}))
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True,
                     id="planning-channels-table", className="small")


def experiments_table(rows: list[dict], names: dict[str, str], language: str):
    """Per lift test: channel, regions, dates, the measured lift and the model's, each with its 80 % interval,
    and whether they agree (the intervals overlap)."""
    if not rows:
        return html.P(i18n.t("planning.exp.none", language), className="text-muted small mb-0",
                      id="planning-experiments-none")

    def leads(v):
        return leads_text(v, language)

    headers = ("planning.channel", "planning.exp.regions", "planning.exp.period", "planning.exp.measured",
               "planning.exp.model", "planning.exp.status")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if i in (3, 4) else None)
                                 for i, h in enumerate(headers)]))
    body = []
    for row in rows:
        regions = i18n.t("planning.exp.everywhere", language) if row["regions"] == "*" else \
            row["regions"].replace(";", ", ")
        period = i18n.t("planning.range", language, lo=i18n.date(row["start"], "medium", language),
                        hi=i18n.date(row["end"], "medium", language))
        status = dbc.Badge(i18n.t("planning.exp.agrees", language), color="success") if row["agrees"] else \
            dbc.Badge(i18n.t("planning.exp.disagrees", language), color="danger")
        body.append(html.Tr([
            html.Td(names.get(row["channel"], row["channel"])), html.Td(regions), html.Td(period),
            html.Td(_interval(row["lift"], row["lo"], row["hi"], leads), className="text-end"),
            html.Td(_interval(row["model_lift"], row["model_lo"], row["model_hi"], leads), className="text-end"),
            html.Td(status, title=row["notes"] or None)],
            **{"data-channel": row["channel"], "data-agrees": str(row["agrees"]).lower()}))
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True,
                     id="planning-experiments-rows", className="small")


def contributions_figure(frame: pd.DataFrame, channels: list[str], names: dict[str, str],
                         language: str) -> go.Figure:
    """Baseline and channel contributions stacked per month; the fit (their sum) and the actual leads over."""
    x = [pd.Timestamp(p).date().isoformat() for p in frame["period"]]
    fig = go.Figure()

    def hover(values):
        return [leads_text(v, language) for v in values]

    fig.add_trace(go.Bar(x=x, y=list(frame["baseline"]), name=i18n.t("planning.contrib.baseline", language),
                         marker={"color": BASELINE_COLOR}, customdata=hover(frame["baseline"]),
                         hovertemplate="%{customdata}", meta={"kind": "baseline"}))
    for i, channel in enumerate(channels):
        fig.add_trace(go.Bar(x=x, y=list(frame[channel]), name=names.get(channel, channel),
                             marker={"color": PALETTE[i % len(PALETTE)]}, customdata=hover(frame[channel]),
                             hovertemplate="%{customdata}", meta={"kind": "channel", "channel": channel}))
    fig.add_trace(go.Scatter(x=x, y=list(frame["fitted"]), name=i18n.t("planning.contrib.fitted", language),
                             mode="lines", line={"color": "#212529", "width": 2}, customdata=hover(frame["fitted"]),
                             hovertemplate="%{customdata}", meta={"kind": "fitted"}))
    fig.add_trace(go.Scatter(x=x, y=list(frame["actual"]), name=i18n.t("planning.contrib.actual", language),
                             mode="markers", marker={"color": "#dc3545", "size": 6}, customdata=hover(frame["actual"]),
                             hovertemplate="%{customdata}", meta={"kind": "actual"}))
    fig.update_layout(barmode="relative")
    fig.update_yaxes(tickformat=",.0f")
    fig = charts.framed(fig, language, height=CONTRIB_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig


CURVES_PER_ROW = 3  # the curves span the page's width, below the contributions


def curves_height(channels: int) -> int:
    """The curves chart's height: three panels a row."""
    return max(320, 230 * max(1, math.ceil(channels / CURVES_PER_ROW)))


def curves_figure(curves: dict[str, dict], channels: list[str], names: dict[str, str], language: str) -> go.Figure:
    """One panel per channel: leads per month for a steady spend, its 80% band, the historical spend range
    shaded and the recent spend marked. Three traces a panel (the band one closed polygon, the curve, the
    recent spend) and light axes: what Plotly spends its time on here is traces and axes, not points."""
    columns = max(1, min(CURVES_PER_ROW, len(channels)))
    rows = max(1, math.ceil(len(channels) / columns))
    titles = [names.get(c, c) if curves[c]["identified"]
              else i18n.t("planning.curves.unidentified", language, channel=names.get(c, c)) for c in channels]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.07,
                        vertical_spacing=0.45 / rows + 0.05)
    band_name, current_name = i18n.t("planning.curves.band", language), i18n.t("planning.curves.current", language)
    shapes = []
    for i, channel in enumerate(channels):
        curve = curves[channel]
        row, col = i // columns + 1, i % columns + 1
        axis = "" if i == 0 else str(i + 1)
        color = PALETTE[i % len(PALETTE)]
        text = [i18n.t("planning.curves.hover", language, spend=money_text(s, language), leads=leads_text(v, language))
                for s, v in zip(curve["spend"], curve["leads"], strict=True)]
        shapes.append({"type": "rect", "xref": f"x{axis}", "yref": f"y{axis} domain", "x0": curve["spend_min"],
                       "x1": curve["spend_max"], "y0": 0, "y1": 1, "fillcolor": "#6c757d", "opacity": 0.15,
                       "line": {"width": 0}, "layer": "below"})
        fig.add_trace(go.Scatter(x=curve["spend"] + curve["spend"][::-1], y=curve["hi"] + curve["lo"][::-1],
                                 mode="lines", line={"width": 0}, fill="toself", fillcolor="rgba(13,110,253,0.15)",
                                 name=band_name, showlegend=i == 0, legendgroup="band", hoverinfo="skip",
                                 meta={"kind": "band80", "channel": channel}), row=row, col=col)
        fig.add_trace(go.Scatter(x=curve["spend"], y=curve["leads"], mode="lines", name=names.get(channel, channel),
                                 line={"color": color, "width": 2, "dash": "solid" if curve["identified"] else "dot"},
                                 text=text, hovertemplate="%{text}<extra></extra>", showlegend=False,
                                 meta={"kind": "curve", "channel": channel}), row=row, col=col)
        fig.add_trace(go.Scatter(x=[curve["current_spend"]], y=[curve["current_leads"]], mode="markers",
                                 marker={"color": "#212529", "size": 9}, name=current_name, showlegend=i == 0,
                                 legendgroup="current",
                                 text=[i18n.t("planning.curves.hover", language,
                                              spend=money_text(curve["current_spend"], language),
                                              leads=leads_text(curve["current_leads"], language))],
                                 hovertemplate="%{text}<extra></extra>",
                                 meta={"kind": "current", "channel": channel}), row=row, col=col)
    fig.update_xaxes(rangemode="tozero", nticks=4, showgrid=False, **_eur_axis(language))
    fig.update_yaxes(rangemode="tozero", tickformat=",.0f", nticks=4)
    fig = charts.framed(fig, language, height=curves_height(len(channels)))
    fig.update_layout(hovermode="closest", legend={"orientation": "h", "y": -0.08, "x": 0}, shapes=shapes,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_annotations(font={"size": 12})
    return fig


def record_notice(context: data.PlanContext, language: str):
    """What the predictions stand on: the forecast of record (and the plan months beyond it), or the response
    model alone when no lead forecast covers the scope."""
    if context.record is None:
        return html.Div(dbc.Alert(i18n.t("planning.record.none", language), color="warning", className="small py-2"),
                        id="planning-record", **{"data-basis": "model"})
    children = [html.Div(i18n.t("planning.record.basis", language, run=context.record_run))]
    if context.plan_changed:
        children.append(html.Div(i18n.t("planning.record.plan_changed", language,
                                        months=", ".join(month_label(m, language) for m in context.plan_changed)),
                                 id="planning-plan-changed"))
    if context.dropped:
        children.append(html.Div(i18n.t("planning.record.beyond", language,
                                        month=month_label(context.months[-1], language),
                                        months=", ".join(month_label(m, language) for m in context.dropped))))
    return html.Div(dbc.Alert(children, color="light", className="small py-2"), id="planning-record",
                    **{"data-basis": "record", "data-run": str(context.record_run)})


def model_kind(summary: dict, fit: str, language: str) -> html.Div:
    """Which model is champion (geo or national), its fit, and the share of leads left unattributed."""
    kind = summary["model"]
    return html.Div([
        html.Div(i18n.t(f"planning.model.kind.{kind}", language, regions=summary["regions"]),
                 id="planning-model-kind", **{"data-model": kind}),
        html.Div(i18n.t(f"planning.model.fitted_on.{summary['fitted_on']}", language,
                        periods=i18n.number(summary["fitted_periods"], language=language)),
                 id="planning-model-grain", **{"data-grain": summary["fitted_on"]}),
        html.Div(fit),
        html.Div(i18n.t("planning.model.unattributed", language,
                        share=i18n.percent(summary["unattributed"], 1, language)), id="planning-unattributed"),
    ])


def scenario_options(listing: list[dict], language: str) -> list[dict]:
    return [{"label": f"{r['name']} · {money_text(r['total_spend'], language)}", "value": r["id"]} for r in listing]


def compare_options(listing: list[dict], language: str) -> list[dict]:
    return [{"label": i18n.t("planning.pred.current", language), "value": data.CURRENT},
            *[{"label": r["name"], "value": r["id"]} for r in listing]]


def scenarios_listing(listing: list[dict], language: str):
    if not listing:
        return html.P(i18n.t("planning.scenarios.none", language), className="text-muted small",
                      id="planning-scenarios-none")
    header = html.Thead(html.Tr([html.Th(i18n.t("planning.scenarios.name", language)),
                                 html.Th(i18n.t("planning.pred.spend", language), className="text-end"),
                                 html.Th(i18n.t("planning.scenarios.updated", language))]))
    body = [html.Tr([html.Td(r["name"]), html.Td(money_text(r["total_spend"], language), className="text-end"),
                     html.Td(i18n.date(pd.Timestamp(r["updated_at"]).date(), "medium", language))],
                    **{"data-scenario": str(r["id"])}) for r in listing]
    return dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                     id="planning-scenarios-table")


def _band(fig: go.Figure, x: list[str], sim: data.Simulation, level: str, color: str, language: str) -> None:
    fig.add_trace(go.Scatter(x=x, y=sim.bands[f"hi{level}"], mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip", meta={"kind": f"hi{level}"}))
    fig.add_trace(go.Scatter(x=x, y=sim.bands[f"lo{level}"], mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=color, name=i18n.t(f"planning.pred.band{level}", language), hoverinfo="skip",
                             meta={"kind": f"lo{level}"}))


def prediction_figure(sim: data.Simulation, current: data.Simulation | None, targets: pd.Series,
                      language: str) -> go.Figure:
    """The scenario's leads per month with its 80% and 95% bands, the current plan's and the target."""
    x = [m.isoformat() for m in sim.months]
    fig = go.Figure()
    _band(fig, x, sim, "95", "rgba(13,110,253,0.10)", language)
    _band(fig, x, sim, "80", "rgba(13,110,253,0.22)", language)
    if current is not None:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in current.months], y=current.leads, mode="lines+markers",
                                 name=i18n.t("planning.pred.current", language),
                                 line={"color": CURRENT_COLOR, "dash": "dash"},
                                 customdata=[leads_text(v, language) for v in current.leads],
                                 hovertemplate="%{customdata}", meta={"kind": "current"}))
    fig.add_trace(go.Scatter(x=x, y=sim.leads, mode="lines+markers", name=i18n.t("planning.pred.scenario", language),
                             line={"color": SCENARIO_COLOR, "width": 3},
                             customdata=[leads_text(v, language) for v in sim.leads], hovertemplate="%{customdata}",
                             meta={"kind": "scenario"}))
    goal = targets.reindex(sim.months).dropna()
    if not goal.empty:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in goal.index], y=list(goal.to_numpy(dtype=float)),
                                 mode="lines+markers", name=i18n.t("planning.pred.target", language),
                                 line={"color": charts.COLORS["target"], "dash": "dot"},
                                 customdata=[leads_text(v, language) for v in goal], hovertemplate="%{customdata}",
                                 meta={"kind": "target"}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(tickvals=x, ticktext=[month_label(m, language) for m in sim.months])
    fig = charts.framed(fig, language, height=360)
    fig.update_layout(legend={"orientation": "h", "y": -0.12, "x": 0})
    return fig


def prediction_table(sim: data.Simulation, current: data.Simulation | None, targets: pd.Series,
                     language: str) -> dbc.Table:
    """Per month: spend, expected leads with the 80% and 95% intervals, the current plan's, the target and the
    cost per qualified lead; a total row."""
    headers = ("planning.month", "planning.pred.spend", "planning.pred.leads", "planning.pred.interval80",
               "planning.pred.interval95", "planning.pred.current", "planning.pred.target", "planning.pred.cpl")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if i else None)
                                 for i, h in enumerate(headers)]))

    def optional(value):
        return "–" if value is None else leads_text(value, language)

    body = []
    for row in views.prediction_rows(sim, current, targets):
        total = row["month"] is None
        cells = [i18n.t("planning.total", language) if total else month_label(row["month"], language),
                 money_text(row["spend"], language), leads_text(row["leads"], language),
                 i18n.t("planning.range", language, lo=leads_text(row["lo80"], language),
                        hi=leads_text(row["hi80"], language)),
                 i18n.t("planning.range", language, lo=leads_text(row["lo95"], language),
                        hi=leads_text(row["hi95"], language)),
                 optional(row["current"]), optional(row["target"]), i18n.money(row["cost_per_lead"], 2, language)]
        bold = " fw-semibold" if total else ""
        body.append(html.Tr([html.Td(cells[0], className="fw-semibold" if total else None)]
                            + [html.Td(c, className="text-end" + bold) for c in cells[1:]],
                            **{"data-month": "total" if total else row["month"].isoformat()}))
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, className="small",
                     id="planning-prediction-grid")


def _figure_block(label: str, value, detail, block_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Div(label, className="small text-muted"),
                             html.Div(value, className="fs-5 fw-semibold", id=block_id),
                             html.Div(detail, className="small")],
                            className="border rounded p-2 h-100 bg-light"), xs=6, lg=True)


def summary(sim: data.Simulation, current: data.Simulation | None, targets: pd.Series, language: str) -> dbc.Row:
    """Expected leads (80% interval), total spend, cost per qualified lead (80% interval), and the differences
    with the current plan and with the target."""
    figures = views.summary(sim, current, targets)
    leads_detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.interval80", language),
                          value=i18n.t("planning.range", language, lo=leads_text(figures.leads_lo, language),
                                       hi=leads_text(figures.leads_hi, language)))
    cpl_detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.interval80", language),
                        value=i18n.t("planning.range", language, lo=i18n.money(figures.cost_lo, 2, language),
                                     hi=i18n.money(figures.cost_hi, 2, language)))
    months = i18n.t("planning.summary.months", language, months=len(sim.months),
                    first=month_label(sim.months[0], language), last=month_label(sim.months[-1], language))
    blocks = [
        _figure_block(i18n.t("planning.summary.leads", language), leads_text(figures.leads, language), leads_detail,
                      "planning-sum-leads"),
        _figure_block(i18n.t("planning.summary.spend", language), money_text(figures.spend, language), months,
                      "planning-sum-spend"),
        _figure_block(i18n.t("planning.summary.cpl", language), i18n.money(figures.cost_per_lead, 2, language),
                      cpl_detail, "planning-sum-cpl"),
    ]
    if figures.delta_leads is not None:
        blocks.append(_figure_block(
            i18n.t("planning.summary.vs_current", language),
            i18n.t("planning.summary.delta", language,
                   leads=signed(leads_text(figures.delta_leads, language), figures.delta_leads),
                   spend=signed(money_text(figures.delta_spend, language), figures.delta_spend)), "",
            "planning-sum-vs-current"))
    if figures.goal is None:
        vs_target, detail = "–", i18n.t("planning.summary.no_target", language)
    else:
        vs_target = signed(leads_text(figures.gap, language), figures.gap)
        detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.target", language),
                        value=leads_text(figures.goal, language))
    blocks.append(_figure_block(i18n.t("planning.summary.vs_target", language), vs_target, detail,
                                "planning-sum-vs-target"))
    return dbc.Row(blocks, className="g-2")


def out_of_range_list(sim: data.Simulation, names: dict[str, str], language: str):
    if not sim.out_of_range:
        return ""
    items = [html.Li(i18n.t("planning.oor.item", language, month=month_label(o["month"], language),
                            channel=names.get(o["channel"], o["channel"]), spend=money_text(o["spend"], language),
                            lo=money_text(o["low"], language), hi=money_text(o["high"], language)),
                     **{"data-channel": o["channel"], "data-month": o["month"].isoformat()})
             for o in sim.out_of_range[:MAX_LISTED]]
    if len(sim.out_of_range) > MAX_LISTED:
        items.append(html.Li(i18n.t("planning.oor.more", language, count=len(sim.out_of_range) - MAX_LISTED)))
    return dbc.Alert([html.Div(i18n.t("planning.oor.title", language)), html.Ul(items, className="mb-0")],
                     color="warning", className="small py-2 mb-0", id="planning-oor-list")


def file_issues(issues: list[data.FileIssue], filename, language: str, names: dict[str, str]) -> html.Div:
    """An upload's problems, one line each with its line and column."""
    items = []
    for issue in issues[:data.MAX_ISSUES]:
        where = ""
        if issue.line is not None and issue.column:
            where = i18n.t("planning.file.at_cell", language, line=issue.line, column=issue.column)
        elif issue.line is not None:
            where = i18n.t("planning.file.at_line", language, line=issue.line)
        if issue.code.startswith("input."):  # the input layer's refusal: its own catalogue, its own values
            text = translated(issue.code, language, **issue.params)
        else:
            text = translated(f"planning.file.{issue.code}", language, value=issue.value)
        items.append(html.Li(where + text, **{"data-code": issue.code}))
    if len(issues) > data.MAX_ISSUES:
        items.append(html.Li(i18n.t("planning.upload.more", language, count=len(issues) - data.MAX_ISSUES)))
    return html.Div([html.Div(i18n.t("planning.upload.failed", language, name=str(filename or "")[:80])),
                     html.Ul(items, className="mb-0")], id="planning-upload-errors")


def comparison_figure(items, targets: pd.Series, language: str) -> go.Figure:
    fig = go.Figure()
    for i, (key, label, sim) in enumerate(items):
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in sim.months], y=sim.leads, mode="lines+markers", name=label,
                                 line={"color": CURRENT_COLOR if key == data.CURRENT else PALETTE[i % len(PALETTE)],
                                       "dash": "dash" if key == data.CURRENT else "solid"},
                                 customdata=[leads_text(v, language) for v in sim.leads], hovertemplate="%{customdata}",
                                 meta={"kind": "scenario", "scenario": key}))
    months = items[0][2].months
    goal = targets.reindex(months).dropna()
    if not goal.empty:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in goal.index], y=list(goal.to_numpy(dtype=float)),
                                 mode="lines", name=i18n.t("planning.pred.target", language),
                                 line={"color": charts.COLORS["target"], "dash": "dot"}, meta={"kind": "target"}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(tickvals=[m.isoformat() for m in months], ticktext=[month_label(m, language) for m in months])
    return charts.framed(fig, language, height=300)


def _binding_text(item: dict, names: dict[str, str], language: str) -> str:
    """One line per channel and kind: how many of its cells sit on the bound, in how many regions."""
    kind = item["kind"]
    if kind == "target":
        value = leads_text(item["low"], language)
    elif item["low"] == item["high"] or kind in ("budget", "period_budget"):
        value = money_text(item["low"], language)
    else:
        value = i18n.t("planning.range", language, lo=money_text(item["low"], language),
                       hi=money_text(item["high"], language))
    if kind in ("max", "min") and not item["historical"]:
        kind = f"{kind}_widened"
    return translated(f"planning.bind.{kind}", language, value=value,
                 channel=names.get(item.get("channel") or "", item.get("channel") or ""), cells=item["cells"],
                 of=item["of"], regions=len(item["regions"]), count=len(item["months"]),
                 months=", ".join(month_label(m, language) for m in item["months"]))


def extrapolation_notice(result: data.Optimisation, names: dict[str, str], language: str):
    """Beside the result: the channels spent outside their history (after a widening), or that it stays within."""
    if result.extrapolated:
        items = [html.Li(i18n.t("planning.opt.extrapolation_item", language,
                                channel=names.get(e["channel"], e["channel"]), cells=e["cells"],
                                regions=len(e["regions"]), beyond=money_text(e["beyond"], language),
                                ratio=i18n.number(e["ratio"], 2, language)), **{"data-channel": e["channel"]})
                 for e in result.extrapolated]
        return html.Div(dbc.Alert([html.Div(i18n.t("planning.opt.extrapolation", language)),
                                   html.Ul(items, className="mb-0")], color="warning", className="small py-2 mb-1"),
                        id="planning-opt-extrapolation", **{"data-extrapolated": "true"})
    key = "planning.opt.widened_inside" if result.widened else "planning.opt.within"
    return html.P(i18n.t(key, language), className="small text-muted mb-1", id="planning-opt-extrapolation",
                  **{"data-extrapolated": "false"})


def optimiser_result(result: data.Optimisation, current: data.Simulation, names: dict[str, str],
                     language: str) -> html.Div:
    sim = result.simulation
    headline = i18n.t("planning.opt.result", language, leads=leads_text(sim.total, language),
                      lo=leads_text(sim.total_bands["lo80"], language),
                      hi=leads_text(sim.total_bands["hi80"], language),
                      spend=money_text(sim.spend_total, language), seconds=i18n.number(result.seconds, 1, language))
    figures = views.summary(sim, current, pd.Series(dtype=float))
    delta, delta_spend = figures.delta_leads, figures.delta_spend
    versus = i18n.t("planning.opt.vs_current", language, leads=leads_text(current.total, language),
                    spend=money_text(current.spend_total, language), delta=signed(leads_text(delta, language), delta),
                    delta_spend=signed(money_text(delta_spend, language), delta_spend))
    regions, channels = result.by_region.shape
    details = [i18n.t("planning.opt.cells", language, cells=result.cells, months=len(result.plan.index),
                      regions=regions, channels=channels)]
    if result.reference_media_leads is not None:
        details.append(i18n.t("planning.opt.media", language, leads=leads_text(result.media_leads, language),
                              current=leads_text(result.reference_media_leads, language)))
    if result.binding:
        items = [html.Li(_binding_text(b, names, language),
                         **{"data-kind": b["kind"], "data-channel": b.get("channel") or ""}) for b in result.binding]
        binding = html.Div([html.Div(i18n.t("planning.opt.binding", language)),
                            html.Ul(items, className="mb-0", id="planning-opt-binding")])
    else:
        binding = html.P(i18n.t("planning.opt.binding_none", language), id="planning-opt-binding")
    return html.Div([dbc.Alert(headline, color="success", className="py-2 mb-1", id="planning-opt-headline"),
                     extrapolation_notice(result, names, language),
                     html.P(versus, className="small mb-1", id="planning-opt-vs-current"),
                     html.P(" ".join(details), className="small text-muted mb-1", id="planning-opt-cells"),
                     html.Div(binding, className="small mb-2")])


def regions_table(result: data.Optimisation, names: dict[str, str], regions: dict[str, str], language: str):
    """Spend by region and channel over the plan (only when the allocation is by region); ``regions``: their
    names."""
    frame = result.by_region
    if len(frame.index) < 2:
        return ""
    header = html.Thead(html.Tr([html.Th(i18n.t("planning.opt.region", language))]
                                + [html.Th(names.get(c, c), className="text-end") for c in frame.columns]))
    body = [html.Tr([html.Td(regions.get(code, code))]
                    + [html.Td(money_text(v, language), className="text-end") for v in row],
                    **{"data-region": code}) for code, row in zip(frame.index, frame.to_numpy(), strict=True)]
    return html.Div([html.H3(i18n.t("planning.opt.regions", language), className="h6"),
                     dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                               id="planning-opt-regions-table")])


def share_label(share: dict, language: str) -> str:
    if share["role"]:
        return i18n.t("planning.share.everyone", language, role=i18n.t(f"role.{share['role']}", language))
    return f"{share['name'] or share['email']} <{share['email']}>"


def shares_listing(shares: list[dict], language: str):
    """Who the chosen scenario is shared with."""
    if not shares:
        return html.P(i18n.t("planning.share.none", language), className="text-muted small mb-0")
    return html.Ul([html.Li(share_label(s, language), **{"data-share": str(s["id"])}) for s in shares],
                   className="small mb-0", id="planning-shares-list")


def shared_table(listing: list[dict], scopes: dict[str, str], language: str):
    """The scenarios shared with the user (options of the picker, and a table), those their scope cannot show
    marked as such; ``scopes``: the scopes' names."""
    if not listing:
        return [], html.P(i18n.t("planning.shared.none", language), className="text-muted small mb-0",
                          id="planning-shared-none")
    options, rows = [], []
    for r in listing:
        scope_name = scopes.get(r["scope_code"], r["scope_code"])
        note = "" if r["readable"] else " · " + i18n.t("planning.shared.outside", language)
        options.append({"label": f"{r['name']} · {scope_name} · {r['owner']}{note}", "value": r["id"]})
        rows.append(html.Tr([html.Td(r["name"]), html.Td(scope_name), html.Td(r["owner"]),
                             html.Td(money_text(r["total_spend"], language), className="text-end"),
                             html.Td(i18n.t("planning.shared.readable" if r["readable"] else "planning.shared.outside",
                                            language))], **{"data-scenario": str(r["id"])}))
    header = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in (
        "planning.scenarios.name", "planning.scope", "planning.shared.owner", "planning.pred.spend",
        "planning.shared.access")]))
    return options, dbc.Table([header, html.Tbody(rows)], size="sm", responsive=True, className="small mb-0",
                              id="planning-shared-table")


def shared_view(shared, scope_name: str, language: str) -> html.Div:
    """A scenario shared with the user, read only: its summary and prediction beside the current plan's."""
    title = i18n.t("planning.shared.heading", language, name=shared.name, owner=shared.owner, scope=scope_name)
    notes = [html.Div(i18n.t("planning.shared.readonly", language))]
    if shared.missing:
        notes.append(html.Div(i18n.t("planning.shared.missing", language,
                                     months=", ".join(month_label(m, language) for m in shared.missing))))
    return html.Div([
        html.H3(title, className="h6", id="planning-shared-title"),
        dbc.Alert(notes, color="light", className="small py-2"),
        summary(shared.simulation, shared.current, shared.targets, language),
        dcc.Graph(figure=prediction_figure(shared.simulation, shared.current, shared.targets, language),
                  id="planning-shared-chart", config={"displaylogo": False}),
    ], id="planning-shared-scenario", **{"data-scenario": str(shared.id)})


def refusal(error: data.PlanningError, language: str) -> html.Div:
    """Why a shared scenario cannot be opened."""
    return html.Div(dbc.Alert(error_message(error, language), color="warning", className="small py-2"),
                    id="planning-shared-refused", **{"data-code": error.code})


def comparison_need(language: str):
    """What the comparison says until two plans are chosen (the current plan alone is, at first)."""
    return html.P(i18n.t("planning.compare.need", language), className="text-muted small")


def comparison_table(items: list[tuple[str, str, data.Simulation, views.Summary]], targets: pd.Series,
                     language: str):
    """The chosen scenarios side by side: a table (leads and 80% interval, spend, cost per lead, against the
    current plan and the target) and their leads per month; fewer than two: what to do."""
    if len(items) < 2:
        return comparison_need(language)
    labeled = [(key, i18n.t("planning.pred.current", language) if key == data.CURRENT else name, sim, figures)
               for key, name, sim, figures in items]
    headers = ("planning.compare.scenario", "planning.pred.leads", "planning.pred.interval80", "planning.pred.spend",
               "planning.pred.cpl", "planning.pred.vs_current", "planning.pred.vs_target",
               "planning.compare.out_of_range")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if i else None)
                                 for i, h in enumerate(headers)]))
    body = []
    for key, label, _sim, f in labeled:
        cells = [leads_text(f.leads, language),
                 i18n.t("planning.range", language, lo=leads_text(f.leads_lo, language),
                        hi=leads_text(f.leads_hi, language)),
                 money_text(f.spend, language), i18n.money(f.cost_per_lead, 2, language),
                 signed(leads_text(f.delta_leads, language), f.delta_leads),
                 "–" if f.gap is None else signed(leads_text(f.gap, language), f.gap), str(f.out_of_range)]
        body.append(html.Tr([html.Td(label)] + [html.Td(c, className="text-end") for c in cells],
                            **{"data-scenario": key}))
    table = dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                      id="planning-compare-table")
    chart = comparison_figure([(key, label, sim) for key, label, sim, _f in labeled], targets, language)
    return html.Div([table, dcc.Graph(figure=chart, id="planning-compare-chart", config={"displaylogo": False})])


def run_info(run: dict, language: str) -> str:
    return i18n.t("planning.run_info", language, run=run["id"], cutoff=month_label(run["cutoff"], language),
                  created=i18n.date(run["created_at"], "medium", language), by=i18n.operator(run["run_by"], language))


def fit_text(stats: dict, months: int, language: str) -> str:
    """The model's history span and fit (R², MAPE)."""
    return i18n.t("planning.model.info", language, first=month_label(stats["first"], language),
                  last=month_label(stats["last"], language), months=months,
                  r2=i18n.number(stats.get("r2"), 2, language),
                  mape=i18n.percent(stats["mape"] / 100 if stats.get("mape") is not None else None, 1, language))


def plan_notice(context: data.PlanContext, names: dict[str, str], language: str):
    """What the predictions stand on, and spend in the current plan that the model cannot count (channels without
    history in this scope)."""
    children = [record_notice(context, language)]
    if context.unmodelled:
        items = [html.Li(i18n.t("planning.notice.unmodelled_item", language, channel=names.get(c, c),
                                amount=money_text(v, language))) for c, v in sorted(context.unmodelled.items())]
        children.append(dbc.Alert([html.Div(i18n.t("planning.notice.unmodelled", language)),
                                   html.Ul(items, className="mb-0")],
                                  color="warning", className="small py-2", id="planning-unmodelled"))
    return html.Div(children)


def bounds_grid_rows(rows: list[dict], names: dict[str, str], language: str) -> list[dict]:
    """The optimiser's per-channel grid rows: the channel's name and its history as text."""
    return [{**r, "label": names.get(r["channel"], r["channel"]),
             "history": i18n.t("planning.range", language, lo=money_text(r["spend_min"], language),
                               hi=money_text(r["spend_max"], language))} for r in rows]


def month_rows(months: list[dt.date], language: str) -> list[dict]:
    """The optimiser's per-month budget grid rows (blank budgets)."""
    return [{"month": m.isoformat(), "label": month_label(m, language), "budget": None} for m in months]


def export_frame(scope: str, rows: list[dict], record_run: int | None, language: str) -> pd.DataFrame:
    """The prediction's export with the columns named in the user's language."""
    t = {key: i18n.t(f"planning.export.{key}", language) for key in (
        "scope", "month", "spend", "leads", "lo80", "hi80", "lo95", "hi95", "current", "target", "basis")}
    basis = (i18n.t("planning.export.basis.record", language, run=record_run) if record_run is not None
             else i18n.t("planning.export.basis.model", language))
    return pd.DataFrame([{
        t["scope"]: scope, t["month"]: r["month"].isoformat(), t["spend"]: r["spend"], t["leads"]: r["leads"],
        **{t[band]: r[band] for band in ("lo80", "hi80", "lo95", "hi95")},
        t["current"]: r["current"], t["target"]: r["target"], t["basis"]: basis} for r in rows])

"""Callbacks of the media planning page (``/planning``).

Inputs are untrusted (anyone logged in can POST ``/_dash-update-component`` with anything): the scope
code goes through :func:`planning.checked_scope` (a scope outside the user's, or without a model, is
refused), grid rows, uploads, bounds and a kept allocation are validated into plans by the semantic
layer, scenario ids are looked up among the user's own scenarios of that scope only, and every write
(save, delete) and every edit-only computation (an edited plan, an upload, the optimiser) asks for the
planner or admin role in the semantic layer, whatever the browser sent. A director's prediction is
always the current plan's, whatever rows arrive.

Errors the user can fix (a bad cell, a file, a name, constraints that cannot be met) are shown where
they happened, translated; a forbidden call ends in the app's error handler (a message, no trace).

Callbacks (outputs <- inputs):

- ``model_panel``: run info, notice, model info, channel table, contributions, curves <- scope
- ``scope_panel``: editor rows and columns, editor tools, scenarios and optimiser cards <- scope
- ``prediction``: out-of-range list, summary, prediction chart (and its PNG name) and table <- editor rows, cell edits
- ``export`` (:func:`register_export`): the prediction as a CSV or XLSX file (audited) <- its buttons
- ``edit_rows`` (planners): editor rows, editor feedback <- upload, reset, load, use allocation
- ``scenario_action`` (planners): feedback, scenario lists, comparison choices <- save, delete
- ``comparison`` (planners): comparison table and chart <- compared scenarios
- ``run_optimiser`` (planners; a background job with progress and cancel): result, allocation grid, kept
  allocation, spend by region <- run
- ``share_action`` (planners): share feedback, the chosen scenario's shares <- share, unshare, chosen scenario
- ``shared_list``: the scenarios shared with the user <- scope (page load)
- ``open_shared``: a shared scenario, read only (its prediction, or why the user's scope cannot show it) <- open

Sharing is :mod:`dashapp.semantic.sharing`'s: only the author shares, and a reader opens only what was shared
with them, within their scope, whatever ids a forged request sends.
"""

from __future__ import annotations

import datetime as dt
import math

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from plotly.subplots import make_subplots

from .. import exports, i18n
from ..auth.callbacks import role_checked
from ..auth.permissions import require_role
from ..layout import charts
from ..layout.controls import graph_config
from ..pages import planning as page
from ..semantic import planning as data
from ..semantic import sharing
from .export import Export, UnknownVisual, register_export

PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0", "#6c757d",
           "#dc3545", "#6610f2", "#795548")
BASELINE_COLOR = "#adb5bd"
SCENARIO_COLOR = "#0d6efd"
CURRENT_COLOR = "#6c757d"
MONEY_VALUES = ("budget", "ceiling", "floor", "cap")
MAX_LISTED = 12  # out-of-range cells listed before "and N more"

PANEL_OUTPUTS = ("planning-run-info.children", "planning-notice.children", "planning-model-info.children",
                 "planning-channels.children", "planning-contrib.figure", "planning-curves.figure")
PREDICTION_OUTPUTS = ("planning-out-of-range.children", "planning-summary.children", "planning-prediction.figure",
                      "planning-prediction-table.children", "planning-prediction.config")
# The callbacks that fill the grid draw its prediction in the same answer: no second round trip that would
# only post the rows just sent back to the server.
SCOPE_OUTPUTS = ("planning-grid.rowData", "planning-grid.columnDefs", "planning-editor-tools.children",
                 "planning-writer.children", *PREDICTION_OUTPUTS)
EDIT_OUTPUTS = ("planning-editor-feedback.children", "planning-editor-feedback.color",
                "planning-editor-feedback.is_open", *PREDICTION_OUTPUTS)
SCENARIO_OUTPUTS = ("planning-scenario-feedback.children", "planning-scenario-feedback.color",
                    "planning-scenario-feedback.is_open", "planning-scenario.options", "planning-scenario.value",
                    "planning-compare.options", "planning-compare.value", "planning-scenarios.children")
OPTIMISER_OUTPUTS = ("planning-opt-result.children", "planning-opt-grid.rowData", "planning-opt-grid.columnDefs",
                     "planning-allocation.data", "planning-opt-use.disabled", "planning-opt-regions.children")


def _text(key: str, language: str, **values) -> str:
    try:
        return i18n.t(key, language, **values)
    except (KeyError, IndexError, ValueError):  # a message whose values did not come: its plain text
        return i18n.t(key, language)


def error_message(error: data.PlanningError, language: str, names: dict[str, str] | None = None) -> str:
    """A :class:`PlanningError` as the user reads it (channel codes shown by their names)."""
    values = dict(error.values)
    for key in MONEY_VALUES:  # the optimiser's amounts (budget, what the history supports...)
        if isinstance(values.get(key), (int, float)):
            values[key] = _money(values[key], language)
    if names and values.get("column") in names:
        values["column"] = names[values["column"]]
    return _text(f"planning.error.{error.code}", language, **values)


def _money(value, language: str) -> str:
    return i18n.money(None if value is None else float(value), 0, language)


def _leads(value, language: str) -> str:
    return i18n.number(None if value is None else float(value), 0, language)


def _month(month, language: str) -> str:
    return charts.month_label(month, language)


def _signed(text: str, value: float) -> str:
    return ("+" + text) if value > 0 else text


def _eur_axis(language: str) -> dict:
    return ({"tickformat": ",.0f", "ticksuffix": "\u00a0€"} if language == "fr"
            else {"tickformat": ",.0f", "tickprefix": "€"})


def grid_rows(plan: pd.DataFrame, language: str) -> list[dict]:
    """A plan as the grids' rows: the semantic layer's rows plus the month's label."""
    return [{**row, "label": _month(dt.date.fromisoformat(row["month"]), language)} for row in data.plan_rows(plan)]


# --- the response model ------------------------------------------------------------------------------------

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
        return _money(v, language)

    headers = ("planning.channel", "planning.model.share", "planning.model.average", "planning.model.marginal",
               "planning.model.spend", "planning.model.status")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if 0 < i < 5 else None)
                                 for i, h in enumerate(headers)]))
    body = []
    for row in sorted(rows, key=lambda r: (not r["identified"], -(r["share"] or 0.0))):
        channel = row["channel"]
        if row["identified"]:
            figures = [_interval(row["share"], row["share_lo"], row["share_hi"], percent),
                       _interval(row["average_cost"], row["average_cost_lo"], row["average_cost_hi"], money),
                       _interval(row["marginal_cost"], row["marginal_cost_lo"], row["marginal_cost_hi"], money)]
            status = dbc.Badge(i18n.t("planning.model.identified", language), color="success")
        else:
            figures = ["–", "–", "–"]
            reason = _text(f"planning.reason.{row['reason']}", language) if row["reason"] else ""
            remedy = (i18n.t("planning.model.remedy", language,
                             remedy=_text(f"planning.remedy.{row['reason']}", language)) if row["reason"] else "")
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
        return _leads(v, language)

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


def experiments_panel(scope):
    language = i18n.current_language()
    try:
        rows = data.experiments(scope)
    except data.PlanningError as error:
        return html.P(error_message(error, language), className="text-muted small mb-0")
    return experiments_table(rows, data.channel_names(language), language)


def contributions_figure(frame: pd.DataFrame, channels: list[str], names: dict[str, str],
                         language: str) -> go.Figure:
    """Baseline and channel contributions stacked per month; the fit (their sum) and the actual leads over."""
    x = [pd.Timestamp(p).date().isoformat() for p in frame["period"]]
    fig = go.Figure()

    def hover(values):
        return [_leads(v, language) for v in values]

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
    fig = charts.framed(fig, language, height=380)
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig


def curves_figure(curves: dict[str, dict], channels: list[str], names: dict[str, str], language: str) -> go.Figure:
    """One panel per channel: leads per month for a steady spend, its 80% band, the historical spend range
    shaded and the recent spend marked."""
    columns = 2 if len(channels) > 1 else 1
    rows = max(1, math.ceil(len(channels) / columns))
    titles = [names.get(c, c) if curves[c]["identified"]
              else i18n.t("planning.curves.unidentified", language, channel=names.get(c, c)) for c in channels]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.1,
                        vertical_spacing=0.45 / rows + 0.05)
    for i, channel in enumerate(channels):
        curve = curves[channel]
        row, col = i // columns + 1, i % columns + 1
        color = PALETTE[i % len(PALETTE)]
        text = [i18n.t("planning.curves.hover", language, spend=_money(s, language), leads=_leads(v, language))
                for s, v in zip(curve["spend"], curve["leads"], strict=True)]
        fig.add_vrect(x0=curve["spend_min"], x1=curve["spend_max"], fillcolor="#6c757d", opacity=0.15, line_width=0,
                      layer="below", row=row, col=col, exclude_empty_subplots=False)
        fig.add_trace(go.Scatter(x=curve["spend"], y=curve["hi"], mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip", meta={"kind": "hi80", "channel": channel}), row=row, col=col)
        fig.add_trace(go.Scatter(x=curve["spend"], y=curve["lo"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor="rgba(13,110,253,0.15)", name=i18n.t("planning.curves.band", language),
                                 showlegend=i == 0, legendgroup="band", hoverinfo="skip",
                                 meta={"kind": "lo80", "channel": channel}), row=row, col=col)
        fig.add_trace(go.Scatter(x=curve["spend"], y=curve["leads"], mode="lines", name=names.get(channel, channel),
                                 line={"color": color, "width": 2, "dash": "solid" if curve["identified"] else "dot"},
                                 text=text, hovertemplate="%{text}<extra></extra>", showlegend=False,
                                 meta={"kind": "curve", "channel": channel}), row=row, col=col)
        fig.add_trace(go.Scatter(x=[curve["current_spend"]], y=[curve["current_leads"]], mode="markers",
                                 marker={"color": "#212529", "size": 9, "symbol": "circle"},
                                 name=i18n.t("planning.curves.current", language), showlegend=i == 0,
                                 legendgroup="current",
                                 text=[i18n.t("planning.curves.hover", language,
                                              spend=_money(curve["current_spend"], language),
                                              leads=_leads(curve["current_leads"], language))],
                                 hovertemplate="%{text}<extra></extra>",
                                 meta={"kind": "current", "channel": channel}), row=row, col=col)
        fig.update_xaxes(row=row, col=col, rangemode="tozero", nticks=4, **_eur_axis(language))
        fig.update_yaxes(row=row, col=col, rangemode="tozero", tickformat=",.0f", nticks=4)
    fig = charts.framed(fig, language, height=max(320, 230 * rows))
    fig.update_layout(hovermode="closest", legend={"orientation": "h", "y": -0.08, "x": 0},
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_annotations(font={"size": 12})
    return fig


def _empty_panel(message: str):
    blank = charts.empty(message)
    return "", dbc.Alert(message, color="info", id="planning-empty"), "", "", blank, blank


def record_notice(context: data.PlanContext, language: str):
    """What the predictions stand on: the forecast of record (and the plan months beyond it), or the response
    model alone when no lead forecast covers the scope."""
    if context.record is None:
        return html.Div(dbc.Alert(i18n.t("planning.record.none", language), color="warning", className="small py-2"),
                        id="planning-record", **{"data-basis": "model"})
    children = [html.Div(i18n.t("planning.record.basis", language, run=context.record_run))]
    if context.plan_changed:
        children.append(html.Div(i18n.t("planning.record.plan_changed", language,
                                        months=", ".join(_month(m, language) for m in context.plan_changed)),
                                 id="planning-plan-changed"))
    if context.dropped:
        children.append(html.Div(i18n.t("planning.record.beyond", language, month=_month(context.months[-1], language),
                                        months=", ".join(_month(m, language) for m in context.dropped))))
    return html.Div(dbc.Alert(children, color="light", className="small py-2"), id="planning-record",
                    **{"data-basis": "record", "data-run": str(context.record_run)})


def plan_notice(scope, names: dict[str, str], language: str):
    """What the predictions stand on, and spend in the current plan that the model cannot count (channels without
    history in this scope)."""
    try:
        context = data.plan_context(scope)
    except data.PlanningError:  # the panel's own checks report it
        return ""
    children = [record_notice(context, language)]
    if context.unmodelled:
        items = [html.Li(i18n.t("planning.notice.unmodelled_item", language, channel=names.get(c, c),
                                amount=_money(v, language))) for c, v in sorted(context.unmodelled.items())]
        children.append(dbc.Alert([html.Div(i18n.t("planning.notice.unmodelled", language)),
                                   html.Ul(items, className="mb-0")],
                                  color="warning", className="small py-2", id="planning-unmodelled"))
    return html.Div(children)


def model_kind(summary: dict, fit: str, language: str) -> html.Div:
    """Which model is champion (geo or national), its fit, and the share of leads left unattributed."""
    kind = summary["model"]
    return html.Div([
        html.Div(i18n.t(f"planning.model.kind.{kind}", language, regions=summary["regions"]),
                 id="planning-model-kind", **{"data-model": kind}),
        html.Div(fit),
        html.Div(i18n.t("planning.model.unattributed", language,
                        share=i18n.percent(summary["unattributed"], 1, language)), id="planning-unattributed"),
    ])


def model_panel(scope):
    language = i18n.current_language()
    try:
        run, model = data.model_for(scope)
        rows = data.channel_table(scope)
        frame = data.contributions(scope)
        curves = data.response_curves(scope)
    except data.PlanningError as error:
        return _empty_panel(error_message(error, language))
    names = data.channel_names(language)
    channels = list(model.channels)
    run_info = i18n.t("planning.run_info", language, run=run["id"], cutoff=_month(run["cutoff"], language),
                      created=i18n.date(run["created_at"], "medium", language),
                      by=i18n.operator(run["run_by"], language))
    stats = data.model_stats(scope)
    fit = i18n.t("planning.model.info", language, first=_month(stats["first"], language),
                 last=_month(stats["last"], language), months=len(model.periods),
                 r2=i18n.number(stats.get("r2"), 2, language),
                 mape=i18n.percent(stats["mape"] / 100 if stats.get("mape") is not None else None, 1, language))
    model_info = model_kind(data.model_summary(scope), fit, language)
    return (run_info, plan_notice(scope, names, language), model_info, channel_table(rows, names, language),
            contributions_figure(frame, channels, names, language), curves_figure(curves, channels, names, language))


# --- the editor and the writer's cards ------------------------------------------------------------------

def scenario_options(listing: list[dict], language: str) -> list[dict]:
    return [{"label": f"{r['name']} · {_money(r['total_spend'], language)}", "value": r["id"]} for r in listing]


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
    body = [html.Tr([html.Td(r["name"]), html.Td(_money(r["total_spend"], language), className="text-end"),
                     html.Td(i18n.date(pd.Timestamp(r["updated_at"]).date(), "medium", language))],
                    **{"data-scenario": str(r["id"])}) for r in listing]
    return dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                     id="planning-scenarios-table")


def bounds_rows(scope, names: dict[str, str], language: str) -> list[dict]:
    rows = []
    for row in data.channel_table(scope):
        history = i18n.t("planning.range", language, lo=_money(row["spend_min"], language),
                         hi=_money(row["spend_max"], language))
        rows.append({"channel": row["channel"], "label": names.get(row["channel"], row["channel"]),
                     "history": history, "widen": None, "widen_min": None, "locked": False})
    return rows


def writer_cards(scope, language: str) -> list:
    names = data.channel_names(language)
    listing = data.list_scenarios(scope)
    current = data.current_plan(scope)
    months = [{"month": m.isoformat(), "label": _month(m, language), "budget": None} for m in current.index]
    users = [{"label": "{} ({})".format(u["name"] or u["email"], i18n.t("role." + u["role"], language)),
              "value": u["id"]} for u in sharing.share_targets()]
    return [page.scenarios_card(scenario_options(listing, language), scenarios_listing(listing, language),
                                compare_options(listing, language), language, users),
            page.optimiser_card(bounds_rows(scope, names, language), months,
                                round(float(current.to_numpy().sum())), language)]


def scope_panel(scope):
    """The editor on the scope's current plan; the scenario and optimiser cards for the roles that plan."""
    language = i18n.current_language()
    editable = page.can_edit()
    try:
        _run, model = data.model_for(scope)
        current = data.current_plan(scope)
        rows = data.channel_table(scope)
    except data.PlanningError:
        return [], [], [], [], *prediction_outputs([], scope)
    names = data.channel_names(language)
    ranges = {r["channel"]: (r["spend_min"], r["spend_max"]) for r in rows}
    columns = page.plan_columns(list(model.channels), names, ranges, language, editable)
    writer = writer_cards(scope, language) if editable else []
    plan = grid_rows(current, language)
    return plan, columns, page.editor_tools(editable, language), writer, *prediction_outputs(plan, scope)


# --- the prediction -----------------------------------------------------------------------------------------

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
                                 customdata=[_leads(v, language) for v in current.leads],
                                 hovertemplate="%{customdata}", meta={"kind": "current"}))
    fig.add_trace(go.Scatter(x=x, y=sim.leads, mode="lines+markers", name=i18n.t("planning.pred.scenario", language),
                             line={"color": SCENARIO_COLOR, "width": 3},
                             customdata=[_leads(v, language) for v in sim.leads], hovertemplate="%{customdata}",
                             meta={"kind": "scenario"}))
    goal = targets.reindex(sim.months).dropna()
    if not goal.empty:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in goal.index], y=list(goal.to_numpy(dtype=float)),
                                 mode="lines+markers", name=i18n.t("planning.pred.target", language),
                                 line={"color": charts.COLORS["target"], "dash": "dot"},
                                 customdata=[_leads(v, language) for v in goal], hovertemplate="%{customdata}",
                                 meta={"kind": "target"}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(tickvals=x, ticktext=[_month(m, language) for m in sim.months])
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
    body = []
    for t, month in enumerate(sim.months):
        goal = targets.get(month)
        cpl = sim.spend[t] / sim.leads[t] if sim.leads[t] > 0 else None
        cells = [_month(month, language), _money(sim.spend[t], language), _leads(sim.leads[t], language),
                 i18n.t("planning.range", language, lo=_leads(sim.bands["lo80"][t], language),
                        hi=_leads(sim.bands["hi80"][t], language)),
                 i18n.t("planning.range", language, lo=_leads(sim.bands["lo95"][t], language),
                        hi=_leads(sim.bands["hi95"][t], language)),
                 _leads(current.leads[t], language) if current is not None and t < len(current.leads) else "–",
                 _leads(goal, language) if goal is not None and not pd.isna(goal) else "–",
                 i18n.money(cpl, 2, language)]
        body.append(html.Tr([html.Td(cells[0])] + [html.Td(c, className="text-end") for c in cells[1:]],
                            **{"data-month": month.isoformat()}))
    goal_total = targets.reindex(sim.months).sum(min_count=1)
    totals = [i18n.t("planning.total", language), _money(sim.spend_total, language), _leads(sim.total, language),
              i18n.t("planning.range", language, lo=_leads(sim.total_bands["lo80"], language),
                     hi=_leads(sim.total_bands["hi80"], language)),
              i18n.t("planning.range", language, lo=_leads(sim.total_bands["lo95"], language),
                     hi=_leads(sim.total_bands["hi95"], language)),
              _leads(current.total, language) if current is not None else "–",
              _leads(goal_total, language) if not pd.isna(goal_total) else "–",
              i18n.money(sim.cost_per_lead, 2, language)]
    body.append(html.Tr([html.Td(totals[0], className="fw-semibold")]
                        + [html.Td(c, className="text-end fw-semibold") for c in totals[1:]],
                        **{"data-month": "total"}))
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
    leads_detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.interval80", language),
                          value=i18n.t("planning.range", language, lo=_leads(sim.total_bands["lo80"], language),
                                       hi=_leads(sim.total_bands["hi80"], language)))
    cpl_detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.interval80", language),
                        value=i18n.t("planning.range", language, lo=i18n.money(sim.cost_bands["lo80"], 2, language),
                                     hi=i18n.money(sim.cost_bands["hi80"], 2, language)))
    months = i18n.t("planning.summary.months", language, months=len(sim.months),
                    first=_month(sim.months[0], language), last=_month(sim.months[-1], language))
    blocks = [
        _figure_block(i18n.t("planning.summary.leads", language), _leads(sim.total, language), leads_detail,
                      "planning-sum-leads"),
        _figure_block(i18n.t("planning.summary.spend", language), _money(sim.spend_total, language), months,
                      "planning-sum-spend"),
        _figure_block(i18n.t("planning.summary.cpl", language), i18n.money(sim.cost_per_lead, 2, language),
                      cpl_detail, "planning-sum-cpl"),
    ]
    if current is not None:
        delta_leads, delta_spend = sim.total - current.total, sim.spend_total - current.spend_total
        blocks.append(_figure_block(
            i18n.t("planning.summary.vs_current", language),
            i18n.t("planning.summary.delta", language, leads=_signed(_leads(delta_leads, language), delta_leads),
                   spend=_signed(_money(delta_spend, language), delta_spend)), "", "planning-sum-vs-current"))
    goal = targets.reindex(sim.months).sum(min_count=1)
    if pd.isna(goal):
        vs_target, detail = "–", i18n.t("planning.summary.no_target", language)
    else:
        gap = sim.total - float(goal)
        vs_target = _signed(_leads(gap, language), gap)
        detail = i18n.t("planning.labelled", language, label=i18n.t("planning.pred.target", language),
                        value=_leads(goal, language))
    blocks.append(_figure_block(i18n.t("planning.summary.vs_target", language), vs_target, detail,
                                "planning-sum-vs-target"))
    return dbc.Row(blocks, className="g-2")


def out_of_range_list(sim: data.Simulation, names: dict[str, str], language: str):
    if not sim.out_of_range:
        return ""
    items = [html.Li(i18n.t("planning.oor.item", language, month=_month(o["month"], language),
                            channel=names.get(o["channel"], o["channel"]), spend=_money(o["spend"], language),
                            lo=_money(o["low"], language), hi=_money(o["high"], language)),
                     **{"data-channel": o["channel"], "data-month": o["month"].isoformat()})
             for o in sim.out_of_range[:MAX_LISTED]]
    if len(sim.out_of_range) > MAX_LISTED:
        items.append(html.Li(i18n.t("planning.oor.more", language, count=len(sim.out_of_range) - MAX_LISTED)))
    return dbc.Alert([html.Div(i18n.t("planning.oor.title", language)), html.Ul(items, className="mb-0")],
                     color="warning", className="small py-2 mb-0", id="planning-oor-list")


def prediction(_edited, rows, scope):
    """An edit in the grid -> the prediction of the editor's plan."""
    return prediction_outputs(rows, scope)


def prediction_outputs(rows, scope):
    """The editor's plan -> its prediction; a director always gets the current plan's, whatever rows come."""
    language = i18n.current_language()
    if not rows:
        return (no_update,) * len(PREDICTION_OUTPUTS)  # no plan in the grid (no model for the scope)
    names = data.channel_names(language)
    try:
        current = data.simulate_current(scope)
        if page.can_edit():
            sim = data.simulate_plan(scope, data.plan_from_rows(scope, rows))
        else:
            sim = current
        targets = data.targets(scope)
    except data.PlanningError as error:
        message = error_message(error, language, names)
        return (dbc.Alert(message, color="danger", className="small py-2", id="planning-plan-error"), "",
                charts.empty(message), "", graph_config())
    return (out_of_range_list(sim, names, language), summary(sim, current, targets, language),
            prediction_figure(sim, current, targets, language), prediction_table(sim, current, targets, language),
            graph_config(scenario_file(scope, sim.months, language)))  # the PNG named like the data files


# --- the export of the prediction -------------------------------------------------------------------------

def export_frame(scope, rows, language: str) -> pd.DataFrame:
    """The prediction as the table shows it: per month, the spend, the plan's leads with their 80% and 95%
    intervals, the current plan's (the forecast of record) and the target. A director's is always the
    current plan's, whatever rows arrive."""
    current = data.simulate_current(scope)
    sim = data.simulate_plan(scope, data.plan_from_rows(scope, rows)) if page.can_edit() else current
    context = data.plan_context(scope)
    targets = context.targets
    t = {key: i18n.t(f"planning.export.{key}", language) for key in (
        "scope", "month", "spend", "leads", "lo80", "hi80", "lo95", "hi95", "current", "target", "basis")}
    basis = (i18n.t("planning.export.basis.record", language, run=context.record_run) if sim.on_record
             else i18n.t("planning.export.basis.model", language))
    return pd.DataFrame([{
        t["scope"]: scope, t["month"]: month.isoformat(), t["spend"]: sim.spend[i], t["leads"]: sim.leads[i],
        **{t[band]: sim.bands[band][i] for band in ("lo80", "hi80", "lo95", "hi95")},
        t["current"]: current.leads[i] if i < len(current.leads) else None,
        t["target"]: None if pd.isna(targets.get(month)) else float(targets.get(month)), t["basis"]: basis,
    } for i, month in enumerate(sim.months)])


def scenario_file(scope, months, language: str) -> str:
    """The file name (without extension) of the prediction's data and image: its months and its scope."""
    months = sorted(months)
    period = (months[0].isoformat(), months[-1].isoformat()) if months else ()
    return exports.filename(page.NAME, "scenario", period, [data.scope_label(scope, language)])


def export_view(visual: str, language: str, scope, rows) -> Export:
    """The prediction of the plan in the grid (the planner's inputs), simulated on the server for a scope the
    semantic layer checks; nothing the chart holds is read."""
    if visual != "scenario":
        raise UnknownVisual(visual)
    try:
        frame = export_frame(scope, rows, language)
    except data.PlanningError:
        raise PreventUpdate from None
    months = [dt.date.fromisoformat(m) for m in frame[i18n.t("planning.export.month", language)]]
    return Export(frame, scenario_file(scope, months, language), i18n.t("planning.export.sheet", language),
                  {"scope": scope})


# --- edits: upload, reset, load, allocation ----------------------------------------------------------------

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
            text = _text(issue.code, language, **issue.params)
        else:
            text = _text(f"planning.file.{issue.code}", language, value=issue.value)
        items.append(html.Li(where + text, **{"data-code": issue.code}))
    if len(issues) > data.MAX_ISSUES:
        items.append(html.Li(i18n.t("planning.upload.more", language, count=len(issues) - data.MAX_ISSUES)))
    return html.Div([html.Div(i18n.t("planning.upload.failed", language, name=str(filename or "")[:80])),
                     html.Ul(items, className="mb-0")], id="planning-upload-errors")


EDIT_TRIGGERS = ("planning-upload", "planning-reset", "planning-load", "planning-opt-use")


def edit_rows(contents, _reset, _load, _use, scope, filename, scenario, allocation, rows):
    """Put a file, the current plan, a saved scenario or the optimiser's allocation in the editor (planners)."""
    require_role(*data.WRITE_ROLES)
    language = i18n.current_language()
    trigger = ctx.triggered_id
    unchanged = (no_update,) * len(PREDICTION_OUTPUTS)
    if trigger not in EDIT_TRIGGERS:
        return (no_update,) * 4 + unchanged
    names = data.channel_names(language)
    try:
        if trigger == "planning-upload":
            if not contents:
                return (no_update,) * 4 + unchanged
            cells, issues = data.parse_plan_file(scope, contents, filename)
            if issues:
                return no_update, file_issues(issues, filename, language, names), "danger", True, *unchanged
            try:
                base = data.plan_from_rows(scope, rows)
            except data.PlanningError:  # the editor holds a bad cell: the file goes on the current plan
                base = data.current_plan(scope)
            plan = data.apply_cells(base, cells)
            message = i18n.t("planning.upload.done", language, cells=len(cells), name=str(filename)[:80])
        elif trigger == "planning-reset":
            plan = data.current_plan(scope)
            message = i18n.t("planning.editor.reset_done", language)
        elif trigger == "planning-load":
            if scenario in (None, ""):
                raise data.PlanningError("pick")
            row, plan, missing = data.load_scenario(scope, scenario)
            message = (i18n.t("planning.editor.loaded", language, name=row["name"]) if not missing else
                       i18n.t("planning.editor.loaded_partly", language, name=row["name"],
                              months=", ".join(_month(m, language) for m in missing)))
        else:
            if not isinstance(allocation, dict) or allocation.get("scope") != scope:
                raise data.PlanningError("no_allocation")
            plan = data.plan_from_rows(scope, allocation.get("rows"))
            message = i18n.t("planning.editor.used", language)
    except data.PlanningError as error:
        return no_update, error_message(error, language, names), "danger", True, *unchanged
    rows = grid_rows(plan, language)
    return rows, message, "success", True, *prediction_outputs(rows, scope)


# --- saved scenarios and their comparison --------------------------------------------------------------

def scenario_action(_save, _delete, scope, name, overwrite, rows, scenario, compared):
    """Save the editor's plan under a name, or delete the chosen scenario (planners; own scenarios only)."""
    require_role(*data.WRITE_ROLES)
    language = i18n.current_language()
    trigger = ctx.triggered_id
    if trigger not in ("planning-save", "planning-delete"):
        return (no_update,) * 8
    names = data.channel_names(language)
    selected = scenario
    try:
        if trigger == "planning-save":
            plan = data.plan_from_rows(scope, rows)
            clean = data.clean_name(name)
            status, scenario_id = data.save_scenario(scope, clean, plan, overwrite=overwrite is True)
            if status == "exists":
                message, color = i18n.t("planning.scenarios.exists", language, name=clean), "warning"
            else:
                message, color = i18n.t(f"planning.scenarios.done_{status}", language, name=clean), "success"
                selected = scenario_id
        else:
            if scenario in (None, ""):
                raise data.PlanningError("pick")
            deleted = data.delete_scenario(scope, scenario)
            message, color, selected = i18n.t("planning.scenarios.deleted", language, name=deleted), "success", None
        listing = data.list_scenarios(scope)
    except data.PlanningError as error:
        return (error_message(error, language, names), "danger", True, no_update, no_update, no_update, no_update,
                no_update)
    ids = {r["id"] for r in listing}
    kept = [v for v in (compared if isinstance(compared, list) else []) if v == data.CURRENT or v in ids]
    return (message, color, True, scenario_options(listing, language), selected if selected in ids else None,
            compare_options(listing, language), kept, scenarios_listing(listing, language))


def comparison_figure(items, targets: pd.Series, language: str) -> go.Figure:
    fig = go.Figure()
    for i, (key, label, sim) in enumerate(items):
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in sim.months], y=sim.leads, mode="lines+markers", name=label,
                                 line={"color": CURRENT_COLOR if key == data.CURRENT else PALETTE[i % len(PALETTE)],
                                       "dash": "dash" if key == data.CURRENT else "solid"},
                                 customdata=[_leads(v, language) for v in sim.leads], hovertemplate="%{customdata}",
                                 meta={"kind": "scenario", "scenario": key}))
    months = items[0][2].months
    goal = targets.reindex(months).dropna()
    if not goal.empty:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in goal.index], y=list(goal.to_numpy(dtype=float)),
                                 mode="lines", name=i18n.t("planning.pred.target", language),
                                 line={"color": charts.COLORS["target"], "dash": "dot"}, meta={"kind": "target"}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(tickvals=[m.isoformat() for m in months], ticktext=[_month(m, language) for m in months])
    return charts.framed(fig, language, height=300)


def comparison(values, scope):
    """The chosen scenarios side by side: a table (leads and 80% interval, spend, cost per lead, against the
    current plan and the target) and their leads per month (planners; own scenarios only)."""
    require_role(*data.WRITE_ROLES)
    language = i18n.current_language()
    try:
        items = data.compare_scenarios(scope, values)
        targets = data.targets(scope)
        current = data.simulate_current(scope)
    except data.PlanningError as error:
        return html.P(error_message(error, language), className="text-danger small")
    if len(items) < 2:
        return html.P(i18n.t("planning.compare.need", language), className="text-muted small")
    labeled = [(key, i18n.t("planning.pred.current", language) if key == data.CURRENT else name, sim)
               for key, name, sim in items]
    goal = targets.reindex(items[0][2].months).sum(min_count=1)
    headers = ("planning.compare.scenario", "planning.pred.leads", "planning.pred.interval80", "planning.pred.spend",
               "planning.pred.cpl", "planning.pred.vs_current", "planning.pred.vs_target",
               "planning.compare.out_of_range")
    header = html.Thead(html.Tr([html.Th(i18n.t(h, language), className="text-end" if i else None)
                                 for i, h in enumerate(headers)]))
    body = []
    for key, label, sim in labeled:
        delta = sim.total - current.total
        gap = None if pd.isna(goal) else sim.total - float(goal)
        cells = [_leads(sim.total, language),
                 i18n.t("planning.range", language, lo=_leads(sim.total_bands["lo80"], language),
                        hi=_leads(sim.total_bands["hi80"], language)),
                 _money(sim.spend_total, language), i18n.money(sim.cost_per_lead, 2, language),
                 _signed(_leads(delta, language), delta),
                 "–" if gap is None else _signed(_leads(gap, language), gap), str(len(sim.out_of_range))]
        body.append(html.Tr([html.Td(label)] + [html.Td(c, className="text-end") for c in cells],
                            **{"data-scenario": key}))
    table = dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                      id="planning-compare-table")
    return html.Div([table, dcc.Graph(figure=comparison_figure(labeled, targets, language),
                                      id="planning-compare-chart", config={"displaylogo": False})])


# --- the optimiser ----------------------------------------------------------------------------------------

def _binding_text(item: dict, names: dict[str, str], language: str) -> str:
    """One line per channel and kind: how many of its cells sit on the bound, in how many regions."""
    kind = item["kind"]
    if kind == "target":
        value = _leads(item["low"], language)
    elif item["low"] == item["high"] or kind in ("budget", "period_budget"):
        value = _money(item["low"], language)
    else:
        value = i18n.t("planning.range", language, lo=_money(item["low"], language), hi=_money(item["high"], language))
    if kind in ("max", "min") and not item["historical"]:
        kind = f"{kind}_widened"
    return _text(f"planning.bind.{kind}", language, value=value,
                 channel=names.get(item.get("channel") or "", item.get("channel") or ""), cells=item["cells"],
                 of=item["of"], regions=len(item["regions"]), count=len(item["months"]),
                 months=", ".join(_month(m, language) for m in item["months"]))


def extrapolation_notice(result: data.Optimisation, names: dict[str, str], language: str):
    """Beside the result: the channels spent outside their history (after a widening), or that it stays within."""
    if result.extrapolated:
        items = [html.Li(i18n.t("planning.opt.extrapolation_item", language,
                                channel=names.get(e["channel"], e["channel"]), cells=e["cells"],
                                regions=len(e["regions"]), beyond=_money(e["beyond"], language),
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
    headline = i18n.t("planning.opt.result", language, leads=_leads(sim.total, language),
                      lo=_leads(sim.total_bands["lo80"], language), hi=_leads(sim.total_bands["hi80"], language),
                      spend=_money(sim.spend_total, language), seconds=i18n.number(result.seconds, 1, language))
    delta, delta_spend = sim.total - current.total, sim.spend_total - current.spend_total
    versus = i18n.t("planning.opt.vs_current", language, leads=_leads(current.total, language),
                    spend=_money(current.spend_total, language), delta=_signed(_leads(delta, language), delta),
                    delta_spend=_signed(_money(delta_spend, language), delta_spend))
    regions, channels = result.by_region.shape
    details = [i18n.t("planning.opt.cells", language, cells=result.cells, months=len(result.plan.index),
                      regions=regions, channels=channels)]
    if result.reference_media_leads is not None:
        details.append(i18n.t("planning.opt.media", language, leads=_leads(result.media_leads, language),
                              current=_leads(result.reference_media_leads, language)))
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


def regions_table(result: data.Optimisation, names: dict[str, str], language: str):
    """Spend by region and channel over the plan (only when the allocation is by region)."""
    frame = result.by_region
    if len(frame.index) < 2:
        return ""
    header = html.Thead(html.Tr([html.Th(i18n.t("planning.opt.region", language))]
                                + [html.Th(names.get(c, c), className="text-end") for c in frame.columns]))
    body = [html.Tr([html.Td(data.scope_label(code, language))]
                    + [html.Td(_money(v, language), className="text-end") for v in row],
                    **{"data-region": code}) for code, row in zip(frame.index, frame.to_numpy(), strict=True)]
    return html.Div([html.H3(i18n.t("planning.opt.regions", language), className="h6"),
                     dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                               id="planning-opt-regions-table")])


def run_optimiser(set_progress, _clicks, scope, mode, amount, bounds, budgets):
    """The best allocation for the budget or the target within the ranges (planners; nothing is written). A
    background job (:mod:`dashapp.jobs`): it tells its progress and the page's cancel button stops it."""
    require_role(*data.OPTIMISE_ROLES)
    language = i18n.current_language()
    names = data.channel_names(language)

    def progress(fraction: float, step: str) -> None:
        set_progress((round(100 * fraction), i18n.t(f"planning.opt.step.{step}", language)))

    progress(0.0, "start")
    try:
        _run, model = data.model_for(scope)
        result = data.optimise_plan(scope, mode, amount, data.bounds_from_rows(scope, bounds),
                                    data.budgets_from_rows(scope, budgets), progress=progress)
        progress(0.95, "simulate")
        current = data.simulate_current(scope)
        ranges = {r["channel"]: (r["spend_min"], r["spend_max"]) for r in data.channel_table(scope)}
    except data.PlanningError as error:
        return (dbc.Alert(error_message(error, language, names), color="danger", className="small py-2",
                          id="planning-opt-error"), [], no_update, None, True, "")
    rows = grid_rows(result.plan, language)
    columns = page.plan_columns(list(model.channels), names, ranges, language, editable=False)
    kept = {"scope": scope, "rows": [{k: v for k, v in r.items() if k != "label"} for r in rows]}
    return (optimiser_result(result, current, names, language), rows, columns, kept, False,
            regions_table(result, names, language))


# --- sharing ------------------------------------------------------------------------------------------------

SHARE_OUTPUTS = ("planning-share-feedback.children", "planning-share-feedback.color",
                 "planning-share-feedback.is_open", "planning-shares.children", "planning-share-pick.options",
                 "planning-share-pick.value")


def _share_label(share: dict, language: str) -> str:
    if share["role"]:
        return i18n.t("planning.share.everyone", language, role=i18n.t(f"role.{share['role']}", language))
    return f"{share['name'] or share['email']} <{share['email']}>"


def share_action(_share, _unshare, scenario, scope, users, roles, pick):
    """Share the chosen scenario with users or roles, or take one share back (the author only); picking a
    scenario lists its shares."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    message, color = "", "success"
    try:
        if scenario in (None, ""):
            if trigger == "planning-scenario":
                return "", "success", False, "", [], None
            raise data.PlanningError("pick")
        if trigger == "planning-share":
            added = sharing.share_scenario(scope, scenario, users, roles)
            message = i18n.t("planning.share.done", language, count=added)
        elif trigger == "planning-unshare":
            if pick in (None, ""):
                raise data.PlanningError("share_pick")
            sharing.unshare(scope, scenario, pick)
            message = i18n.t("planning.share.removed", language)
        shares = sharing.shares_of(scope, scenario)
    except data.PlanningError as error:
        return error_message(error, language), "danger", True, no_update, no_update, no_update
    if shares:
        listing = html.Ul([html.Li(_share_label(s, language), **{"data-share": str(s["id"])}) for s in shares],
                          className="small mb-0", id="planning-shares-list")
    else:
        listing = html.P(i18n.t("planning.share.none", language), className="text-muted small mb-0")
    options = [{"label": _share_label(s, language), "value": s["id"]} for s in shares]
    return message, color, bool(message), listing, options, None


def shared_list(_scope):
    """The scenarios shared with the user, those their scope cannot show marked as such."""
    language = i18n.current_language()
    listing = sharing.shared_with_me()
    if not listing:
        return [], html.P(i18n.t("planning.shared.none", language), className="text-muted small mb-0",
                          id="planning-shared-none")
    options = []
    rows = []
    for r in listing:
        scope_name = data.scope_label(r["scope_code"], language)
        note = "" if r["readable"] else " · " + i18n.t("planning.shared.outside", language)
        options.append({"label": f"{r['name']} · {scope_name} · {r['owner']}{note}", "value": r["id"]})
        rows.append(html.Tr([html.Td(r["name"]), html.Td(scope_name), html.Td(r["owner"]),
                             html.Td(_money(r["total_spend"], language), className="text-end"),
                             html.Td(i18n.t("planning.shared.readable" if r["readable"] else "planning.shared.outside",
                                            language))], **{"data-scenario": str(r["id"])}))
    header = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in (
        "planning.scenarios.name", "planning.scope", "planning.shared.owner", "planning.pred.spend",
        "planning.shared.access")]))
    return options, dbc.Table([header, html.Tbody(rows)], size="sm", responsive=True, className="small mb-0",
                              id="planning-shared-table")


def open_shared(_clicks, scenario):
    """A scenario shared with the user, read only: its summary and prediction beside the current plan's."""
    language = i18n.current_language()
    try:
        if scenario in (None, ""):
            raise data.PlanningError("pick")
        shared = sharing.open_shared(scenario)
    except data.PlanningError as error:
        return html.Div(dbc.Alert(error_message(error, language), color="warning", className="small py-2"),
                        id="planning-shared-refused", **{"data-code": error.code})
    title = i18n.t("planning.shared.heading", language, name=shared.name, owner=shared.owner,
                   scope=data.scope_label(shared.scope, language))
    notes = [html.Div(i18n.t("planning.shared.readonly", language))]
    if shared.missing:
        notes.append(html.Div(i18n.t("planning.shared.missing", language,
                                     months=", ".join(_month(m, language) for m in shared.missing))))
    return html.Div([
        html.H3(title, className="h6", id="planning-shared-title"),
        dbc.Alert(notes, color="light", className="small py-2"),
        summary(shared.simulation, shared.current, shared.targets, language),
        dcc.Graph(figure=prediction_figure(shared.simulation, shared.current, shared.targets, language),
                  id="planning-shared-chart", config={"displaylogo": False}),
    ], id="planning-shared-scenario", **{"data-scenario": str(shared.id)})


def register_callbacks(app: dash.Dash) -> None:
    app = role_checked(app, page.PATH)  # every callback requires a role that may open the page
    def outputs(names, duplicate: tuple[str, ...] = ()):
        return [Output(*o.rsplit(".", 1), allow_duplicate=o in duplicate) for o in names]

    app.callback(*outputs(PANEL_OUTPUTS), Input("planning-scope", "value"))(model_panel)
    app.callback(*outputs(SCOPE_OUTPUTS), Input("planning-scope", "value"))(scope_panel)
    app.callback(Output("planning-experiments-table", "children"), Input("planning-scope", "value"))(experiments_panel)
    # An edit in the grid updates its rowData without firing callbacks on it: cellValueChanged does. The
    # callbacks that put rows in the grid (scope_panel, edit_rows) draw their prediction themselves.
    app.callback(*outputs(PREDICTION_OUTPUTS, PREDICTION_OUTPUTS), Input("planning-grid", "cellValueChanged"),
                 State("planning-grid", "rowData"), State("planning-scope", "value"),
                 prevent_initial_call=True)(prediction)
    register_export(app, page.NAME, export_view, State("planning-scope", "value"), State("planning-grid", "rowData"))
    # The callbacks below are fired by controls that only the roles that plan get (the cards that
    # ``scope_panel`` builds for them); each checks the role again.
    app.callback(Output("planning-grid", "rowData", allow_duplicate=True), *outputs(EDIT_OUTPUTS, PREDICTION_OUTPUTS),
                 Input("planning-upload", "contents"), Input("planning-reset", "n_clicks"),
                 Input("planning-load", "n_clicks"), Input("planning-opt-use", "n_clicks"),
                 State("planning-scope", "value"), State("planning-upload", "filename"),
                 State("planning-scenario", "value"), State("planning-allocation", "data"),
                 State("planning-grid", "rowData"), prevent_initial_call=True, roles=data.WRITE_ROLES)(edit_rows)
    app.callback(*outputs(SCENARIO_OUTPUTS), Input("planning-save", "n_clicks"), Input("planning-delete", "n_clicks"),
                 State("planning-scope", "value"), State("planning-name", "value"),
                 State("planning-overwrite", "value"), State("planning-grid", "rowData"),
                 State("planning-scenario", "value"), State("planning-compare", "value"),
                 prevent_initial_call=True, roles=data.WRITE_ROLES)(scenario_action)
    app.callback(Output("planning-comparison", "children"), Input("planning-compare", "value"),
                 State("planning-scope", "value"), roles=data.WRITE_ROLES)(comparison)
    # A background job (dashapp/jobs.py): the request returns at once, the browser polls for the progress and
    # the result; the job runs as the user who started it, through the same role and scope checks.
    app.callback(*outputs(OPTIMISER_OUTPUTS), Input("planning-opt-run", "n_clicks"),
                 State("planning-scope", "value"), State("planning-opt-mode", "value"),
                 State("planning-opt-amount", "value"), State("planning-opt-bounds", "rowData"),
                 State("planning-opt-months", "rowData"), prevent_initial_call=True, background=True,
                 progress=[Output("planning-opt-progress", "value"), Output("planning-opt-step", "children")],
                 progress_default=[0, ""], cancel=[Input("planning-opt-cancel", "n_clicks")],
                 running=[(Output("planning-opt-run", "disabled"), True, False),
                          (Output("planning-opt-cancel", "disabled"), False, True),
                          (Output("planning-opt-running", "style"), {"display": "block"}, {"display": "none"})],
                 interval=500, roles=data.OPTIMISE_ROLES)(run_optimiser)
    app.callback(*outputs(SHARE_OUTPUTS), Input("planning-share", "n_clicks"), Input("planning-unshare", "n_clicks"),
                 Input("planning-scenario", "value"), State("planning-scope", "value"),
                 State("planning-share-users", "value"), State("planning-share-roles", "value"),
                 State("planning-share-pick", "value"), prevent_initial_call=True,
                 roles=data.WRITE_ROLES)(share_action)
    app.callback(Output("planning-shared", "options"), Output("planning-shared-list", "children"),
                 Input("planning-scope", "value"))(shared_list)
    app.callback(Output("planning-shared-view", "children"), Input("planning-shared-open", "n_clicks"),
                 State("planning-shared", "value"), prevent_initial_call=True)(open_shared)

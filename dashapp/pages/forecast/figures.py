"""The forecast page's figures and tables, built from what :mod:`dashapp.semantic.forecasts` and
:mod:`dashapp.semantic.forecast_panel` returned (no data access here): the forecast chart and its table,
the accuracy card by horizon and each line's backtest, the drivers, the media plan, the interval badge,
the overrides, the admin's run list and comparison, and the export's columns in the user's language.
"""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from dateutil.relativedelta import relativedelta

from ... import i18n
from ...layout import charts
from ...semantic.forecast_panel import EXPORT_COLUMNS, OVERRIDE_COLUMNS, scope_label, series_label, sorted_channels
from ...semantic.forecasts import registry_message
from . import ids

PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0", "#6c757d",
           "#dc3545", "#6610f2", "#795548", "#3f51b5", "#8bc34a", "#ff5722", "#009688")
DRIVER_COLORS = {"trend": "#0d6efd", "season": "#20c997", "media": "#fd7e14", "control": "#6f42c1",
                 "sessions": "#0dcaf0", "other": "#adb5bd"}
MEDIA_COLORS = ("#fd7e14", "#ffc107", "#d63384", "#dc3545", "#795548", "#ff5722", "#e83e8c", "#f0ad4e", "#b35900")
OVERRIDE_COLOR = "#d63384"


def _band(fig: go.Figure, rows: pd.DataFrame, level: str, color: str, name: str, group: str) -> None:
    lo, hi = rows[f"lo{level}"], rows[f"hi{level}"]
    x = [m.isoformat() for m in rows["month"]]
    fig.add_trace(go.Scatter(x=x, y=list(hi), mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip",
                             meta={"kind": f"hi{level}", "group": group}))
    fig.add_trace(go.Scatter(x=x, y=list(lo), mode="lines", line={"width": 0}, fill="tonexty", fillcolor=color,
                             name=name, hoverinfo="skip", meta={"kind": f"lo{level}", "group": group}))


def forecast_figure(view: str, frame: pd.DataFrame, actual: pd.DataFrame, labels: dict[str, str],
                    target: pd.DataFrame | None, last_year: pd.DataFrame | None, language: str,
                    overrides: dict | None = None, marks=()) -> go.Figure:
    """Actual (solid) and forecast (dashed) per line; bands when the figure has one line that is one
    stored series; the target and last year's values on the total view, and the planners' overrides
    of the forecast of record as their own markers (the model's line is unchanged); the annotations
    ``marks`` of the months drawn as shaded ranges."""
    fig = go.Figure()
    groups = list(labels)
    single = len(groups) == 1

    def text(values) -> list[str]:
        return [i18n.number(v, 0, language) for v in values]

    for i, group in enumerate(groups):
        color = PALETTE[i % len(PALETTE)]
        rows = frame[frame["group"] == group]
        if single and not rows["lo95"].isna().any():
            _band(fig, rows, "95", "rgba(13,110,253,0.12)", i18n.t("forecast.band95", language), group)
            _band(fig, rows, "80", "rgba(13,110,253,0.25)", i18n.t("forecast.band80", language), group)
        past = actual[actual["group"] == group].sort_values("month")
        suffix = "" if single else f" · {labels[group]}"
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in past["month"]], y=list(past["value"]),
                                 customdata=text(past["value"]), hovertemplate="%{customdata}",
                                 name=i18n.t("forecast.actual", language) + suffix, mode="lines+markers",
                                 line={"color": color, "width": 2}, legendgroup=group,
                                 meta={"kind": "actual", "group": group}))
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in rows["month"]], y=list(rows["yhat"]),
                                 customdata=text(rows["yhat"]), hovertemplate="%{customdata}",
                                 name=i18n.t("forecast.forecast", language) + suffix, mode="lines+markers",
                                 line={"color": color, "width": 2, "dash": "dash"}, legendgroup=group,
                                 meta={"kind": "forecast", "group": group}))
    if target is not None and not target.empty:
        fig.add_trace(go.Scatter(x=[pd.Timestamp(m).date().isoformat() for m in target["period"]],
                                 y=list(target["target"]), customdata=text(target["target"]),
                                 hovertemplate="%{customdata}", name=i18n.t("forecast.target", language),
                                 mode="lines", line={"color": charts.COLORS["target"], "dash": "dot", "shape": "hv"},
                                 meta={"kind": "target", "group": "total"}))
    if last_year is not None and not last_year.empty:
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in last_year["month"]], y=list(last_year["value"]),
                                 customdata=text(last_year["value"]), hovertemplate="%{customdata}",
                                 name=i18n.t("forecast.last_year", language), mode="lines",
                                 line={"color": charts.COLORS["last_year"], "dash": "dot"},
                                 meta={"kind": "last_year", "group": "total"}))
    if overrides:
        months = sorted(overrides)
        fig.add_trace(go.Scatter(x=[m.isoformat() for m in months], y=[overrides[m]["value"] for m in months],
                                 customdata=[i18n.t("forecast.override.hover", language,
                                                    value=i18n.number(overrides[m]["value"], 0, language),
                                                    reason=overrides[m]["reason"]) for m in months],
                                 hovertemplate="%{customdata}", name=i18n.t("forecast.override.legend", language),
                                 mode="markers", marker={"color": OVERRIDE_COLOR, "symbol": "star", "size": 12},
                                 meta={"kind": "override", "group": "total"}))
    months = [*actual["month"], *frame["month"]]
    if months:
        first, last = pd.Timestamp(min(months)).date(), pd.Timestamp(max(months)).date()
        charts.mark_events(fig, marks, first, last + relativedelta(months=1))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_layout(title={"text": i18n.t("forecast.chart.title", language), "font": {"size": 14}})
    fig = charts.framed(fig, language, height=380)
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig


def forecast_table(frame: pd.DataFrame, labels: dict[str, str], language: str,
                   overrides: dict | None = None, totals: pd.Series | None = None) -> dbc.Table:
    """Forecast per line and month, with the 95% interval under each value when the line has one, the lines'
    ``totals`` per month (:attr:`forecast_panel.Panel.totals`); the planners' overrides of the forecast of record
    in a row of their own, under the model's figures."""
    months = sorted(frame["month"].unique())
    header = html.Thead(html.Tr([html.Th(i18n.t("forecast.table.line", language))]
                                + [html.Th(charts.month_label(m, language), className="text-end") for m in months]))
    body = []
    for group in labels:
        rows = frame[frame["group"] == group].set_index("month")
        cells = [html.Td(labels[group])]
        for month in months:
            if month not in rows.index:
                cells.append(html.Td("–", className="text-end"))
                continue
            row = rows.loc[month]
            content = [html.Span(i18n.number(row["yhat"], 0, language), className="fw-semibold")]
            if not pd.isna(row["lo95"]):
                content.append(html.Div(i18n.t("forecast.table.interval", language,
                                               lo=i18n.number(row["lo95"], 0, language),
                                               hi=i18n.number(row["hi95"], 0, language)),
                                        className="small text-muted"))
            cells.append(html.Td(content, className="text-end"))
        body.append(html.Tr(cells, **{"data-group": group}))
    if totals is not None:
        body.append(html.Tr([html.Td(i18n.t("forecast.total", language), className="fw-semibold")]
                            + [html.Td(i18n.number(totals.get(m), 0, language), className="text-end fw-semibold")
                               for m in months], **{"data-group": "sum"}))
    if overrides:
        cells = []
        for month in months:
            row = overrides.get(month)
            cells.append(html.Td("–" if row is None else [
                html.Span(i18n.number(row["value"], 0, language), className="fw-semibold"),
                html.Div(row["reason"], className="small text-muted text-truncate", title=row["reason"],
                         style={"maxWidth": "10rem"})], className="text-end",
                **({} if row is None else {"data-month": month.isoformat()})))
        body.append(html.Tr([html.Td(i18n.t("forecast.override.row", language), style={"color": OVERRIDE_COLOR})]
                            + cells, **{"data-group": "override"}))
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, id="forecast-table-grid")


def _method(name: str | None, language: str) -> str:
    key = f"forecast.method.{name}"
    return i18n.t(key, language) if key in i18n.MESSAGES else (name or "–")


def _metric_cells(row: dict, language: str) -> list[str]:
    smape = row["smape"] / 100 if row["smape"] is not None else None
    return [_method(row["method"], language), i18n.number(row["mase"], 2, language),
            i18n.number(row["naive_mase"], 2, language), i18n.percent(smape, 1, language),
            i18n.percent(row["coverage80"], 0, language), i18n.percent(row["coverage95"], 0, language),
            i18n.number(row["n_obs"], 0, language)]


METRIC_HEADERS = ("forecast.accuracy.method", "forecast.accuracy.mase", "forecast.accuracy.naive",
                  "forecast.accuracy.smape", "forecast.accuracy.cov80", "forecast.accuracy.cov95",
                  "forecast.accuracy.months")
HORIZON_HEADERS = ("forecast.accuracy.horizon", "forecast.accuracy.mase", "forecast.accuracy.naive",
                   "forecast.accuracy.cov80", "forecast.accuracy.cov95", "forecast.accuracy.cells")
SUMMARY_HEADERS = ("forecast.accuracy.mase", "forecast.accuracy.naive", "forecast.accuracy.cov80",
                   "forecast.accuracy.cov95")


def _horizon_cells(row: dict, language: str) -> list[str]:
    return [i18n.number(row["mase"], 2, language), i18n.number(row["naive_mase"], 2, language),
            i18n.percent(row["coverage80"], 0, language), i18n.percent(row["coverage95"], 0, language),
            i18n.number(row["n"], 0, language)]


def _record_accuracy(rows: list[dict], language: str) -> list:
    """The forecast of record's backtest: for one scope, its figures over all horizons then a row per
    horizon; for several (a sum), each scope's figures over all horizons."""
    scopes = list(dict.fromkeys(r["scope"] for r in rows))
    if not scopes:
        return [html.P(i18n.t("forecast.accuracy.none", language), className="text-muted")]
    if len(scopes) > 1:
        header = html.Thead(html.Tr([html.Th(i18n.t("forecast.table.line", language))]
                                    + [html.Th(i18n.t(k, language)) for k in HORIZON_HEADERS[1:]]))
        body = [html.Tr([html.Td(scope_label(r["scope"], language))]
                        + [html.Td(c) for c in _horizon_cells(r, language)], **{"data-scope": r["scope"]})
                for r in rows if r["horizon"] == 0]
        return [html.P(i18n.t("forecast.accuracy.record_several", language), className="small mb-1"),
                dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                          id="forecast-acc-scopes")]
    pooled = next((r for r in rows if r["horizon"] == 0), None)
    by_horizon = [r for r in rows if r["horizon"] > 0 and r["n"] > 0]
    children = []
    if pooled is not None:
        cells = _horizon_cells(pooled, language)[:4]
        children.append(html.Dl([item for key, value in zip(SUMMARY_HEADERS, cells, strict=True) for item in (
            html.Dt(i18n.t(key, language), className="col-7 fw-normal text-muted"),
            html.Dd(value, className="col-5 text-end fw-semibold mb-1", id=f"forecast-acc-{key.rsplit('.', 1)[1]}"))],
            className="row mb-2"))
        if not pooled["reconciled"]:
            children.append(html.P(i18n.t("forecast.accuracy.own", language), className="small text-muted mb-1"))
    if by_horizon:
        header = html.Thead(html.Tr([html.Th(i18n.t(k, language), className="text-end" if i else None)
                                     for i, k in enumerate(HORIZON_HEADERS)]))
        body = [html.Tr([html.Td(i18n.t("forecast.accuracy.h", language, h=r["horizon"]))]
                        + [html.Td(c, className="text-end") for c in _horizon_cells(r, language)],
                        **{"data-horizon": str(r["horizon"])}) for r in by_horizon]
        children.append(dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small mb-1",
                                  id="forecast-acc-horizons"))
    return children


def accuracy_lines(accuracy: dict, labels: dict[str, str], language: str):
    """In a channel or region view, each line's backtest (method, MASE, naive MASE, sMAPE, coverage, months):
    a card of the page's full width, whose table scrolls sideways where the screen is narrower still."""
    if not accuracy["lines"]:
        return ""
    header = html.Thead(html.Tr([html.Th(i18n.t("forecast.table.line", language))]
                                + [html.Th(i18n.t(k, language), className="text-end") for k in METRIC_HEADERS]))
    body = [html.Tr([html.Td(series_label(r, labels))]
                    + [html.Td(c, className="text-end" if i else None)
                       for i, c in enumerate(_metric_cells(r, language))],
                    **{"data-series": r["series_key"]}) for r in accuracy["lines"]]
    return dbc.Card(dbc.CardBody([
        html.H2(i18n.t("forecast.accuracy.lines", language), className="h6"),
        dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small mb-0 text-nowrap",
                  id="forecast-acc-lines")]), className="mb-3", id="forecast-acc-lines-card")


def accuracy_card(accuracy: dict, rows: list[dict], labels: dict[str, str], cutoff: dt.date,
                  language: str) -> html.Div:
    """The backtest of what is shown: the forecast of record's by horizon against the seasonal naive, with the
    share of past months inside its 80% and 95% intervals (each line's: :func:`accuracy_lines`).
    ``rows``: the stored series' methods and notes (:func:`forecasts.accuracy`)."""
    children = _record_accuracy(accuracy["record"], language)
    children.append(html.P(i18n.t("forecast.accuracy.cutoff", language, cutoff=charts.month_label(cutoff, language)),
                           className="small mb-1", id="forecast-acc-cutoff"))
    short = [series_label(r, labels) for r in rows if r["short_series"]]
    if short:
        children.append(dbc.Alert(i18n.t("forecast.accuracy.short", language, lines=", ".join(short)),
                                  color="warning", className="small py-1 mb-0", id="forecast-acc-short"))
    return html.Div(children)


def driver_label(part: str, language: str, channels: dict[str, str]) -> str:
    """A driver's name: ``trend``, ``season``, ``media`` (all channels), ``media:<channel>``,
    ``control:<name>``, ``sessions`` or ``other``; ``channels``: the channels' names in ``language``."""
    kind, _, name = part.partition(":")
    if kind == "media" and name:
        return i18n.t("forecast.driver.channel", language, channel=channels.get(name, name))
    if kind == "control":
        key = f"forecast.driver.control.{name}"
        return i18n.t(key, language) if key in i18n.MESSAGES else i18n.t("forecast.driver.control", language,
                                                                        name=name)
    return i18n.t(f"forecast.driver.{kind}", language)


def _driver_color(part: str, index: int) -> str:
    kind = part.split(":", 1)[0]
    if part.startswith("media:"):
        return MEDIA_COLORS[index % len(MEDIA_COLORS)]
    return DRIVER_COLORS.get(kind, "#6c757d")


def drivers_figure(record, language: str, channels: dict[str, str]) -> go.Figure:
    """The forecast of record's drivers per month (trend, season, media per channel, external factors, web
    sessions, other), stacked so that they add up to the forecast, which is drawn over them. One
    decomposition of the user's scope: the same in every view."""
    x = [m.isoformat() for m in record.months]
    fig = go.Figure()
    media_index = 0
    for part, values in record.drivers.items():
        color = _driver_color(part, media_index)
        media_index += part.startswith("media:")
        values = [float(v) for v in values]
        fig.add_trace(go.Bar(x=x, y=values, name=driver_label(part, language, channels), marker={"color": color},
                             customdata=[i18n.number(v, 0, language) for v in values],
                             hovertemplate="%{customdata}", meta={"kind": "driver", "part": part}))
    totals = [float(v) for v in record.yhat]
    fig.add_trace(go.Scatter(x=x, y=totals, name=i18n.t("forecast.forecast", language),
                             mode="markers", marker={"color": "#212529", "symbol": "diamond", "size": 9},
                             customdata=[i18n.number(v, 0, language) for v in totals],
                             hovertemplate="%{customdata}", meta={"kind": "forecast_total"}))
    fig.update_layout(barmode="relative")
    fig.update_yaxes(tickformat=",.0f")
    fig.update_xaxes(tickvals=x, ticktext=[charts.month_label(m, language) for m in record.months])
    fig = charts.framed(fig, language, height=340)
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig


def media_plan_table(wide: pd.DataFrame, months: list[dt.date], names: dict[str, str], scoped: bool,
                     language: str) -> html.Div:
    """The media plan the forecast assumes: ``wide`` (:func:`forecast_panel.media_plan_wide`), a row per channel
    and its total; ``scoped``: the user sees part of the regions (said under the table)."""
    note = [html.P(i18n.t("forecast.media.scoped", language), className="small text-muted mb-1")] if scoped else []
    if wide.empty:
        return html.Div([html.P(i18n.t("forecast.media.none", language), className="text-muted"), *note])
    header = html.Thead(html.Tr([html.Th(i18n.t("forecast.media.channel", language))]
                                + [html.Th(charts.month_label(m, language), className="text-end") for m in months]))
    body = [html.Tr([html.Td(names.get(code, code))]
                    + [html.Td(i18n.money(None if pd.isna(v) else float(v), 0, language), className="text-end")
                       for v in wide.loc[code]]) for code in sorted_channels(wide.index, names)]
    totals = wide.sum(axis=0, min_count=1)
    body.append(html.Tr([html.Td(i18n.t("forecast.media.total", language), className="fw-semibold")]
                        + [html.Td(i18n.money(None if pd.isna(totals[m]) else float(totals[m]), 0, language),
                                   className="text-end fw-semibold") for m in months]))
    return html.Div([dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, id="forecast-media-table"),
                     *note])


def _badge(row: dict, language: str, several: bool) -> html.Span:
    label = charts.month_label(row["month"], language)
    prefix = f"{scope_label(row['scope_code'], language)} · " if several else ""
    state = row["state"]
    if state == "none":
        return html.Span(prefix + i18n.t("forecast.badge.none", language, month=label), className="small text-muted",
                         **{"data-state": "none", "data-scope": row["scope_code"]})
    text = i18n.t(f"forecast.badge.{state}", language, month=label, actual=i18n.number(row["actual"], 0, language),
                  lo=i18n.number(row["lo95"], 0, language), hi=i18n.number(row["hi95"], 0, language),
                  run=row["run_id"])
    return html.Span(dbc.Badge(prefix + text, color="danger" if state == "outside" else "success",
                               className="text-wrap text-start"),
                     **{"data-state": state, "data-scope": row["scope_code"]})


def interval_badge(rows: list[dict], last_month: dt.date, language: str) -> html.Span:
    """Whether last month's actual fell outside the 95% interval of the latest run that forecast it, per scope
    of the user's forecast of record, as stored after the last load or training (the alerts read the same)."""
    if not rows:
        label = charts.month_label(last_month, language)
        return html.Span(i18n.t("forecast.badge.none", language, month=label), className="small text-muted",
                         id="forecast-badge-state", **{"data-state": "none"})
    if len(rows) == 1:
        badge = _badge(rows[0], language, False)
        badge.id = "forecast-badge-state"
        return badge
    states = {r["state"] for r in rows}
    summary = "outside" if "outside" in states else "inside" if "inside" in states else "none"
    return html.Span([_badge(r, language, True) for r in rows], id="forecast-badge-state",
                     className="d-flex flex-column gap-1", **{"data-state": summary})


# --- overrides ---------------------------------------------------------------------------------------------

def overrides_block(record, history: list[dict], language: str) -> html.Div:
    """The overrides in force next to the model's figures, then the latest changes (who, when, why)."""
    children = []
    current = record.overrides if record is not None else {}
    if current:
        header = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in (
            "forecast.override.month", "forecast.override.model", "forecast.override.value",
            "forecast.override.reason", "forecast.override.by")]))
        body = []
        for month in sorted(current):
            row = current[month]
            model = float(record.yhat[record.months.index(month)])
            body.append(html.Tr([html.Td(charts.month_label(month, language)),
                                 html.Td(i18n.number(model, 0, language), className="text-end"),
                                 html.Td(i18n.number(row["value"], 0, language), className="text-end fw-semibold"),
                                 html.Td(row["reason"]),
                                 html.Td(i18n.t("forecast.override.when", language, by=row["created_by"],
                                                at=i18n.date(row["created_at"], "medium", language)))],
                                **{"data-month": month.isoformat()}))
        children.append(dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small",
                                  id="forecast-overrides-table"))
    else:
        children.append(html.P(i18n.t("forecast.override.none", language), className="small text-muted mb-1",
                               id="forecast-overrides-none"))
    if history:
        items = [html.Li(i18n.t("forecast.override.change" if h["value"] is not None else "forecast.override.removal",
                                language, month=charts.month_label(h["month"], language),
                                scope=scope_label(h["scope_code"], language),
                                value=i18n.number(h["value"], 0, language) if h["value"] is not None else "",
                                model=i18n.number(h["model_value"], 0, language), reason=h["reason"],
                                by=h["created_by"], at=i18n.date(h["created_at"], "medium", language)))
                 for h in history]
        children.append(html.Details([html.Summary(i18n.t("forecast.override.history", language), className="small"),
                                      html.Ul(items, className="small mb-0")], id="forecast-overrides-history"))
    return html.Div(children)




def override_month_options(months: list[dt.date], language: str) -> list[dict]:
    """The override form's months (those of the champion's forecast)."""
    return [{"label": charts.month_label(m, language), "value": m.isoformat()} for m in months]


# --- notices -------------------------------------------------------------------------------------------------

def _alert(text: str, color: str, alert_id: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, className="small py-2", id=alert_id)


def notice(summed: bool, record, language: str):
    """What the reader should know above the chart: the total sums several series (no interval), the media plan
    changed since the run (the forecast of record moved with it)."""
    shown = _alert(i18n.t("forecast.scope_sum", language), "secondary", "forecast-scope-note") if summed else ""
    if record is not None and record.plan_changed:
        changed = _alert(i18n.t("forecast.plan_changed", language, months=", ".join(
            charts.month_label(m, language) for m in record.plan_changed)), "warning", "forecast-plan-changed")
        shown = html.Div([shown, changed]) if shown else changed
    return shown


def empty_notice(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="info", id="forecast-empty")


def drivers_graph(figure: go.Figure, config: dict) -> dcc.Graph:
    """The drivers' chart, put into its slot once the slot is scrolled near."""
    return dcc.Graph(id=ids.DRIVERS, figure=figure, config=config)


# --- admin: runs and their comparison ------------------------------------------------------------------------

def _fmt_time(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M") if value is not None else "–"


def run_label(run: dict, language: str) -> str:
    return i18n.t("forecast.admin.run_label", language, run=run["id"],
                  cutoff=charts.month_label(pd.Timestamp(run["cutoff"]).date(), language))


def runs_table(rows: list[dict], language: str) -> dbc.Table:
    """Every run, the champion marked, with its decision or message in the user's language."""
    headers = ("id", "created", "cutoff", "by", "status", "mase", "champion", "decision")
    header = html.Thead(html.Tr([html.Th(i18n.t(f"forecast.admin.{h}", language) if h != "mase"
                                         else i18n.t("forecast.accuracy.mase", language)) for h in headers]))
    body = [html.Tr([html.Td(r["id"]), html.Td(_fmt_time(r["created_at"])),
                     html.Td(charts.month_label(pd.Timestamp(r["cutoff"]).date(), language)),
                     html.Td(i18n.operator(r["run_by"], language)),
                     html.Td(r["status"]), html.Td(i18n.number(r["mase"], 3, language)),
                     html.Td(i18n.t("forecast.admin.yes", language) if r["is_champion"] else ""),
                     html.Td(registry_text(r["decision"], language) if r["decision"] else r["message"] or "",
                             className="small")],
                    className="table-success" if r["is_champion"] else "", **{"data-run": str(r["id"])})
            for r in rows]
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, id="forecast-runs-table")


COMPARED = (("mase", 3), ("naive_mase", 3), ("smape", 1), ("coverage80", 0), ("coverage95", 0))
COMPARED_KEYS = {"mase": "forecast.accuracy.mase", "naive_mase": "forecast.accuracy.naive",
                 "smape": "forecast.accuracy.smape", "coverage80": "forecast.accuracy.cov80",
                 "coverage95": "forecast.accuracy.cov95"}


def _compared_cell(name: str, decimals: int, run: dict, language: str) -> str:
    value = run.get(name)
    if name.startswith("coverage"):
        return i18n.percent(value, decimals, language)
    if name == "smape":
        return i18n.percent(value / 100 if value is not None else None, 1, language)
    return i18n.number(value, decimals, language)


def comparison(pair: list[dict], language: str) -> html.Div:
    """Two runs side by side (:func:`forecasts.compare`): their accuracy, then their total forecasts."""
    labels = [run_label(p["run"], language) for p in pair]
    header = html.Thead(html.Tr([html.Th("")] + [html.Th(label) for label in labels]))
    body = [html.Tr([html.Td(i18n.t(COMPARED_KEYS[name], language))]
                    + [html.Td(_compared_cell(name, d, p["run"], language)) for p in pair]) for name, d in COMPARED]
    fig = go.Figure()
    for i, (p, label) in enumerate(zip(pair, labels, strict=True)):
        rows = p["forecast"]
        fig.add_trace(go.Scatter(x=[pd.Timestamp(m).date().isoformat() for m in rows["month"]], y=list(rows["yhat"]),
                                 name=label, mode="lines+markers", line={"color": PALETTE[i]},
                                 meta={"kind": "forecast", "run": p["run"]["id"]}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    return html.Div([dbc.Table([header, html.Tbody(body)], size="sm", id="forecast-compare-table"),
                     dcc.Graph(figure=charts.framed(fig, language, height=300), id="forecast-compare-chart")])


def registry_text(text: str | None, language: str) -> str:
    """A registry message (a run's decision, a promotion's or rollback's result or refusal) in the user's
    language; a text the registry did not word is shown as it is."""
    parsed = registry_message(text)
    if parsed is None:
        return text or ""
    code, values = parsed
    for name in ("label", "missing"):
        if name in values:
            values[name] = i18n.t(f"forecast.registry.{name}.{values[name]}", language)
    for name in ("mase", "was", "current_mase"):
        if name in values:
            try:
                values[name] = i18n.number(float(values[name]), 3, language)
            except ValueError:  # "none": the champion had no figure
                values[name] = i18n.t("forecast.registry.none", language)
    return i18n.t(f"forecast.registry.{code}", language, **values)


# --- the export of what is shown -------------------------------------------------------------------------------

def export_table(rows: pd.DataFrame, language: str, channels: dict[str, str]) -> pd.DataFrame:
    """The export's rows (:func:`forecast_panel.export_rows`) with their columns named in the user's language."""
    names = {c: i18n.t(f"forecast.export.{c}", language) for c in (*EXPORT_COLUMNS, *OVERRIDE_COLUMNS)}
    names |= {c: i18n.t("forecast.export.driver", language, name=driver_label(c.split(":", 1)[1], language, channels))
              for c in rows.columns if c.startswith("driver:")}
    return rows.rename(columns=names)

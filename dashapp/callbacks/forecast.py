"""The forecast panel's callbacks: the view switch in; the chart, table, accuracy card, drivers,
media plan and interval badge out. Admins also list, compare, promote and roll back runs.

Inputs are untrusted: the view must be one of :data:`forecasts.VIEWS` (anything else is the
total), the run shown is always the champion found on the server, and the scope comes from the
logged-in user inside :mod:`dashapp.semantic.forecasts`. Admin callbacks check the role first
(and the query functions check it again); a promotion or rollback is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, dcc, html
from dateutil.relativedelta import relativedelta

from pilotage.dates import month_end

from .. import i18n
from ..auth import audit
from ..auth.callbacks import role_checked
from ..auth.permissions import require_role
from ..layout import charts
from ..semantic import forecasts, queries
from ..semantic.scope import region_tree

MEASURE = "qualified_leads"
HISTORY_MONTHS = 24
PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0", "#6c757d",
           "#dc3545", "#6610f2", "#795548", "#3f51b5", "#8bc34a", "#ff5722", "#009688")
DRIVER_COLORS = {"trend": "#0d6efd", "season": "#20c997", "media": "#fd7e14", "other": "#adb5bd"}
PANEL_OUTPUTS = ("forecast-notice.children", "forecast-run-info.children", "forecast-chart.figure",
                 "forecast-table.children", "forecast-accuracy.children", "forecast-drivers.figure",
                 "forecast-media-plan.children", "forecast-badge.children")

ADMIN = ("admin",)  # comparing, promoting and rolling back runs


def last_complete_month() -> dt.date:
    """The last month whose every day is loaded (``queries.today()`` is the day after the data)."""
    return (queries.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_filters(start: dt.date, end: dt.date):
    return queries.filters_from({"period": "custom", "start": start.isoformat(), "end": month_end(end).isoformat(),
                                 "grain": "month"})


def _labels(view: str, groups, language: str) -> dict[str, str]:
    if view == "channel":
        names = forecasts.channel_names(language)
        return {g: names.get(g, g) for g in groups}
    if view == "region":
        names = region_tree().names
        return {g: names.get(g, g) for g in groups}
    return {g: i18n.t("forecast.total", language) for g in groups}


def actuals(view: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Monthly qualified leads per line of the view (``group, month, value``), scope applied by the
    query layer; regions are summed into their top region, as the forecast series are."""
    by = {"total": None, "channel": "channel", "region": "region"}[view]
    frame = queries.activity_series(_month_filters(start, end), by)
    if frame.empty:
        return pd.DataFrame(columns=["group", "month", "value"])
    if by is None:
        groups = ["total"] * len(frame)
    elif by == "region":
        groups = forecasts.top_regions(frame["region"])
    else:
        groups = list(frame["channel"])
    out = pd.DataFrame({"group": groups, "month": frame["period"], "value": frame[MEASURE].astype(float)})
    return out.groupby(["group", "month"], as_index=False)["value"].sum()


# --- figures and tables ------------------------------------------------------------------------------

def _band(fig: go.Figure, rows: pd.DataFrame, level: str, color: str, name: str, group: str) -> None:
    lo, hi = rows[f"lo{level}"], rows[f"hi{level}"]
    x = [m.isoformat() for m in rows["month"]]
    fig.add_trace(go.Scatter(x=x, y=list(hi), mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip",
                             meta={"kind": f"hi{level}", "group": group}))
    fig.add_trace(go.Scatter(x=x, y=list(lo), mode="lines", line={"width": 0}, fill="tonexty", fillcolor=color,
                             name=name, hoverinfo="skip", meta={"kind": f"lo{level}", "group": group}))


def forecast_figure(view: str, frame: pd.DataFrame, actual: pd.DataFrame, labels: dict[str, str],
                    target: pd.DataFrame | None, last_year: pd.DataFrame | None, language: str) -> go.Figure:
    """Actual (solid) and forecast (dashed) per line; bands when the figure has one line that is one
    stored series; the target and last year's values on the total view."""
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
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_layout(title={"text": i18n.t("forecast.chart.title", language), "font": {"size": 14}})
    fig = charts.framed(fig, language, height=380)
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig


def forecast_table(frame: pd.DataFrame, labels: dict[str, str], language: str) -> dbc.Table:
    """Forecast per line and month, with the 95% interval under each value when the line has one."""
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
    if len(labels) > 1:
        sums = frame.groupby("month")["yhat"].sum()
        body.append(html.Tr([html.Td(i18n.t("forecast.total", language), className="fw-semibold")]
                            + [html.Td(i18n.number(sums.get(m), 0, language), className="text-end fw-semibold")
                               for m in months], **{"data-group": "sum"}))
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


def accuracy_card(rows: list[dict], labels: dict[str, str], cutoff: dt.date, language: str) -> html.Div:
    """One series: its figures in a list; several: a table with a line per stored series."""
    if not rows:
        return html.P(i18n.t("forecast.accuracy.none", language), className="text-muted")
    children = []
    if len(rows) == 1:
        cells = _metric_cells(rows[0], language)
        children.append(html.Dl([item for key, value in zip(METRIC_HEADERS, cells, strict=True) for item in (
            html.Dt(i18n.t(key, language), className="col-7 fw-normal text-muted"),
            html.Dd(value, className="col-5 text-end fw-semibold mb-1", id=f"forecast-acc-{key.rsplit('.', 1)[1]}"))],
            className="row mb-2"))
    else:
        header = html.Thead(html.Tr([html.Th(i18n.t("forecast.table.line", language))]
                                    + [html.Th(i18n.t(k, language)) for k in METRIC_HEADERS]))
        body = [html.Tr([html.Td(_series_label(r, labels))] + [html.Td(c) for c in _metric_cells(r, language)])
                for r in rows]
        children.append(dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="small"))
    children.append(html.P(i18n.t("forecast.accuracy.cutoff", language, cutoff=charts.month_label(cutoff, language)),
                           className="small mb-1", id="forecast-acc-cutoff"))
    short = [_series_label(r, labels) for r in rows if r["short_series"]]
    if short:
        children.append(dbc.Alert(i18n.t("forecast.accuracy.short", language, lines=", ".join(short)),
                                  color="warning", className="small py-1 mb-0", id="forecast-acc-short"))
    return html.Div(children)


def _series_label(row: dict, labels: dict[str, str]) -> str:
    names = region_tree().names
    if row["level"] == "channel_region":
        return f"{labels.get(row['group'], row['group'])} · {names.get(row['region_code'], row['region_code'])}"
    return labels.get(row["group"], row["group"])


def drivers_figure(frame: pd.DataFrame, language: str) -> go.Figure:
    """Trend, season, media and other per forecast month (summed over the view's lines), stacked so
    that they add up to the forecast, which is drawn over them."""
    sums = frame.groupby("month", as_index=False)[["yhat", *forecasts.DRIVERS]].sum()
    x = [m.isoformat() for m in sums["month"]]
    fig = go.Figure()
    for part in forecasts.DRIVERS:
        fig.add_trace(go.Bar(x=x, y=list(sums[part]), name=i18n.t(f"forecast.driver.{part}", language),
                             marker={"color": DRIVER_COLORS[part]},
                             customdata=[i18n.number(v, 0, language) for v in sums[part]],
                             hovertemplate="%{customdata}", meta={"kind": "driver", "part": part}))
    fig.add_trace(go.Scatter(x=x, y=list(sums["yhat"]), name=i18n.t("forecast.forecast", language),
                             mode="markers", marker={"color": "#212529", "symbol": "diamond", "size": 9},
                             customdata=[i18n.number(v, 0, language) for v in sums["yhat"]],
                             hovertemplate="%{customdata}", meta={"kind": "forecast_total"}))
    fig.update_layout(barmode="relative")
    fig.update_yaxes(tickformat=",.0f")
    fig.update_xaxes(tickvals=x, ticktext=[charts.month_label(m, language) for m in sums["month"]])
    return charts.framed(fig, language, height=300)


def media_plan_table(months: list[dt.date], language: str) -> html.Div:
    plan = forecasts.media_plan(tuple(months))
    note = ([] if forecasts.sees_everything()
            else [html.P(i18n.t("forecast.media.scoped", language), className="small text-muted mb-1")])
    if plan.empty:
        return html.Div([html.P(i18n.t("forecast.media.none", language), className="text-muted"), *note])
    names = forecasts.channel_names(language)
    wide = plan.pivot_table(index="channel_code", columns="month", values="planned_spend", aggfunc="sum")
    wide = wide.reindex(columns=months)
    header = html.Thead(html.Tr([html.Th(i18n.t("forecast.media.channel", language))]
                                + [html.Th(charts.month_label(m, language), className="text-end") for m in months]))
    body = [html.Tr([html.Td(names.get(code, code))]
                    + [html.Td(i18n.money(None if pd.isna(v) else float(v), 0, language), className="text-end")
                       for v in wide.loc[code]]) for code in sorted(wide.index, key=lambda c: names.get(c, c))]
    totals = wide.sum(axis=0, min_count=1)
    body.append(html.Tr([html.Td(i18n.t("forecast.media.total", language), className="fw-semibold")]
                        + [html.Td(i18n.money(None if pd.isna(totals[m]) else float(totals[m]), 0, language),
                                   className="text-end fw-semibold") for m in months]))
    return html.Div([dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, id="forecast-media-table"),
                     *note])


def interval_badge(language: str) -> html.Span:
    """Whether last month's actual (the user's total) fell outside the 95% interval of the latest run
    that forecast that month."""
    month = last_complete_month()
    label = charts.month_label(month, language)
    covering = forecasts.covering_forecast(month)
    if covering is None:
        return html.Span(i18n.t("forecast.badge.none", language, month=label), className="small text-muted",
                         id="forecast-badge-state", **{"data-state": "none"})
    actual = actuals("total", month, month)
    value = float(actual["value"].sum()) if not actual.empty else 0.0
    outside = value < covering["lo95"] or value > covering["hi95"]
    key = "forecast.badge.outside" if outside else "forecast.badge.inside"
    text = i18n.t(key, language, month=label, actual=i18n.number(value, 0, language),
                  lo=i18n.number(covering["lo95"], 0, language), hi=i18n.number(covering["hi95"], 0, language),
                  run=covering["run_id"])
    return html.Span(dbc.Badge(text, color="danger" if outside else "success", className="text-wrap text-start"),
                     id="forecast-badge-state", **{"data-state": "outside" if outside else "inside"})


# --- the panel -----------------------------------------------------------------------------------------

def _empty_panel(message: str, run_info: str = ""):
    blank = charts.empty(message)
    return (dbc.Alert(message, color="info", id="forecast-empty"), run_info, blank, "", "", charts.empty(""),
            "", "")


def update_panel(view, _version=None):
    language = i18n.current_language()
    view = forecasts.clean_view(view)
    run = forecasts.champion_run()
    if run is None:
        return _empty_panel(i18n.t("forecast.no_run", language))
    cutoff = pd.Timestamp(run["cutoff"]).date()
    run_info = i18n.t("forecast.run_info", language, run=run["id"], cutoff=charts.month_label(cutoff, language),
                      created=i18n.date(run["created_at"], "medium", language), by=run["run_by"],
                      horizon=run["horizon"])
    frame = forecasts.forecast_frame(run["id"], view)
    if frame.empty:
        return _empty_panel(i18n.t("forecast.no_series", language), run_info)
    months = sorted(frame["month"].unique())
    shape = forecasts.view_series(run["id"], view)
    groups = frame.groupby("group")["yhat"].sum().sort_values(ascending=False).index.tolist()
    labels = _labels(view, groups, language)
    start = months[0] - relativedelta(months=HISTORY_MONTHS)
    actual = actuals(view, start, last_complete_month())
    actual = actual[actual["group"].isin(groups)]
    target = last_year = None
    if view == "total":
        target = queries.target_series(_month_filters(start, months[-1]), MEASURE)
        shifted = {m - relativedelta(years=1): m for m in months}
        last_year = actual[actual["month"].isin(shifted)].assign(month=lambda f: f["month"].map(shifted))
    notice = ""
    if any(len(keys) > 1 for keys in shape.groups.values()):
        notice = dbc.Alert(i18n.t("forecast.scope_sum", language), color="secondary", className="small py-2",
                           id="forecast-scope-note")
    return (notice, run_info, forecast_figure(view, frame, actual, labels, target, last_year, language),
            forecast_table(frame, labels, language),
            accuracy_card(forecasts.accuracy(run["id"], view), labels, cutoff, language),
            drivers_figure(frame, language), media_plan_table(months, language), interval_badge(language))


# --- admin: runs, comparison, promotion and rollback ------------------------------------------------------

def _fmt_time(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M") if value is not None else "–"


def runs_list(_clicks, _version):
    require_role("admin")
    language = i18n.current_language()
    rows = forecasts.runs()
    if not rows:
        return html.P(i18n.t("forecast.admin.no_runs", language), className="text-muted"), [], [], []
    headers = ("id", "created", "cutoff", "by", "status", "mase", "champion", "decision")
    header = html.Thead(html.Tr([html.Th(i18n.t(f"forecast.admin.{h}", language) if h != "mase"
                                         else i18n.t("forecast.accuracy.mase", language)) for h in headers]))
    body = [html.Tr([html.Td(r["id"]), html.Td(_fmt_time(r["created_at"])),
                     html.Td(charts.month_label(pd.Timestamp(r["cutoff"]).date(), language)), html.Td(r["run_by"]),
                     html.Td(r["status"]), html.Td(i18n.number(r["mase"], 3, language)),
                     html.Td(i18n.t("forecast.admin.yes", language) if r["is_champion"] else ""),
                     html.Td(r["decision"] or r["message"] or "", className="small")],
                    className="table-success" if r["is_champion"] else "", **{"data-run": str(r["id"])})
            for r in rows]
    options = [{"value": r["id"], "label": i18n.t("forecast.admin.run_label", language, run=r["id"],
                                                   cutoff=charts.month_label(pd.Timestamp(r["cutoff"]).date(),
                                                                             language))}
               for r in rows if r["status"] == "ok"]
    table = dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, id="forecast-runs-table")
    return table, options, options, options


def compare_runs(first, second):
    require_role("admin")
    language = i18n.current_language()
    pair = forecasts.compare(first, second)
    if len(pair) < 2:
        return html.P(i18n.t("forecast.admin.pick", language), className="text-muted")
    labels = [i18n.t("forecast.admin.run_label", language, run=p["run"]["id"],
                     cutoff=charts.month_label(pd.Timestamp(p["run"]["cutoff"]).date(), language)) for p in pair]
    metrics = (("mase", 3), ("naive_mase", 3), ("smape", 1), ("coverage80", 0), ("coverage95", 0))
    keys = {"mase": "forecast.accuracy.mase", "naive_mase": "forecast.accuracy.naive",
            "smape": "forecast.accuracy.smape", "coverage80": "forecast.accuracy.cov80",
            "coverage95": "forecast.accuracy.cov95"}

    def cell(name: str, decimals: int, run: dict) -> str:
        value = run.get(name)
        if name.startswith("coverage"):
            return i18n.percent(value, decimals, language)
        if name == "smape":
            return i18n.percent(value / 100 if value is not None else None, 1, language)
        return i18n.number(value, decimals, language)

    header = html.Thead(html.Tr([html.Th("")] + [html.Th(label) for label in labels]))
    body = [html.Tr([html.Td(i18n.t(keys[name], language))] + [html.Td(cell(name, d, p["run"])) for p in pair])
            for name, d in metrics]
    fig = go.Figure()
    for i, (p, label) in enumerate(zip(pair, labels, strict=True)):
        rows = p["forecast"]
        fig.add_trace(go.Scatter(x=[pd.Timestamp(m).date().isoformat() for m in rows["month"]], y=list(rows["yhat"]),
                                 name=label, mode="lines+markers", line={"color": PALETTE[i]},
                                 meta={"kind": "forecast", "run": p["run"]["id"]}))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    return html.Div([dbc.Table([header, html.Tbody(body)], size="sm", id="forecast-compare-table"),
                     dcc.Graph(figure=charts.framed(fig, language, height=300), id="forecast-compare-chart")])


def _bump(version) -> int:
    return version + 1 if isinstance(version, int) and not isinstance(version, bool) else 1


def _change(action: str, run, version):
    admin = require_role("admin")
    language = i18n.current_language()
    if action == "promote" and run in (None, ""):
        return i18n.t("forecast.admin.pick_one", language), "warning", True, dash.no_update, dash.no_update
    try:
        message = (forecasts.promote(run, admin.email) if action == "promote"
                   else forecasts.rollback(run, admin.email))
    except forecasts.RegistryError as error:
        return (i18n.t("forecast.admin.error", language, message=str(error)), "danger", True, dash.no_update,
                dash.no_update)
    audit.record("admin", admin.email, {"action": f"forecast_{action}", "run": run, "result": message})
    bumped = _bump(version)
    return i18n.t("forecast.admin.done", language, message=message), "success", True, bumped, bumped


ACTIONS = {"forecast-promote": "promote", "forecast-rollback": "rollback"}


def change_champion(_promote_clicks, _rollback_clicks, run, version):
    """Promote the chosen run, or roll back (to the chosen run, else to the champion before)."""
    require_role("admin")
    action = ACTIONS.get(ctx.triggered_id)
    if action is None:
        return (dash.no_update,) * 5
    return _change(action, run, version)


def compare_update(first, second, _version):
    return compare_runs(first, second)


def register_callbacks(app: dash.Dash) -> None:
    from ..pages.forecast import PATH

    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(*[Output(*o.rsplit(".", 1)) for o in PANEL_OUTPUTS],
                 Input("forecast-view", "value"), Input("forecast-version", "data"))(update_panel)
    # Admin callbacks read and write admin-section components only: they never fire for other roles.
    app.callback(Output("forecast-runs", "children"), Output("forecast-action-run", "options"),
                 Output("forecast-compare-a", "options"), Output("forecast-compare-b", "options"),
                 Input("forecast-runs-refresh", "n_clicks"), Input("forecast-admin-version", "data"),
                 roles=ADMIN)(runs_list)
    app.callback(Output("forecast-compare", "children"), Input("forecast-compare-a", "value"),
                 Input("forecast-compare-b", "value"), Input("forecast-admin-version", "data"),
                 roles=ADMIN)(compare_update)
    app.callback(Output("forecast-admin-feedback", "children"), Output("forecast-admin-feedback", "color"),
                 Output("forecast-admin-feedback", "is_open"), Output("forecast-admin-version", "data"),
                 Output("forecast-version", "data"),
                 *[Input(button, "n_clicks") for button in ACTIONS], State("forecast-action-run", "value"),
                 State("forecast-admin-version", "data"), prevent_initial_call=True, roles=ADMIN)(change_champion)

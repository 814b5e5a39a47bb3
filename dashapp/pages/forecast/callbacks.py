"""The forecast panel's callbacks: the view switch in; the first screen (run, badge, chart, table, overrides)
out in one answer; what is below the fold (accuracy, drivers, each line's backtest, media plan) once the
browser says it is scrolled near; the export of what is shown. Planners and admins override the forecast
of record; admins also list, compare, promote and roll back runs.

Inputs are untrusted: the view must be one of :data:`forecasts.VIEWS` (anything else is the total), the run
shown is always the champion found on the server, and the scope comes from the logged-in user inside
:mod:`dashapp.semantic.forecasts`. Every callback is registered through :func:`role_checked` (the page's
roles; override and admin callbacks for their roles only) and the query functions check them again;
overrides, exports, promotions and rollbacks are written to the audit log.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate
from flask_login import current_user

from ... import exports, i18n
from ...auth import audit
from ...auth.callbacks import role_checked
from ...callbacks.export import Export, UnknownVisual, register_export
from ...callbacks.rendered import rendered
from ...callbacks.signals import next_version, when_seen_js
from ...layout import charts
from ...layout.controls import graph_config
from ...semantic import annotations, forecast_panel, forecasts
from . import PATH, figures, ids
from .layout import NAME

# The first screen, in one answer.
PANEL_OUTPUTS = (f"{ids.NOTICE}.children", f"{ids.RUN_INFO}.children", f"{ids.CHART}.figure",
                 f"{ids.TABLE}.children", f"{ids.BADGE}.children", f"{ids.OVERRIDES}.children", f"{ids.CHART}.config")
# Below the fold, once scrolled near.
BELOW_OUTPUTS = (f"{ids.ACCURACY}.children", f"{ids.DRIVERS_SLOT}.children", f"{ids.ACCURACY_LINES}.children",
                 f"{ids.MEDIA_PLAN}.children")
OVERRIDE_OUTPUTS = (f"{ids.OVERRIDE_FEEDBACK}.children", f"{ids.OVERRIDE_FEEDBACK}.color",
                    f"{ids.OVERRIDE_FEEDBACK}.is_open", f"{ids.VERSION}.data")
ADMIN = ("admin",)  # comparing, promoting and rolling back runs
ACTIONS = {ids.PROMOTE: "promote", ids.ROLLBACK: "rollback"}


def _outputs(names, **options) -> list[Output]:
    return [Output(*name.rsplit(".", 1), **options) for name in names]


# --- file names ------------------------------------------------------------------------------------------

def forecast_file(view: str, months, run_id=None) -> str:
    """The file name (without extension) of the forecast's data and image: view, months, scope, run."""
    from ...layout.shell import scope_label

    months = sorted(months)
    period = (months[0].isoformat(), months[-1].isoformat()) if months else ()
    return exports.filename(NAME, f"forecast-{view}", period,
                            [scope_label(current_user), f"run {run_id}" if run_id else ""])


def drivers_file(view: str, months, run_id=None) -> str:
    return forecast_file(view, months, run_id).replace("_forecast-", "_drivers-", 1)


# --- the first screen --------------------------------------------------------------------------------------

def _run_info(run: dict, language: str) -> str:
    return i18n.t("forecast.run_info", language, run=run["id"],
                  cutoff=charts.month_label(forecast_panel.run_cutoff(run), language),
                  created=i18n.date(run["created_at"], "medium", language),
                  by=i18n.operator(run["run_by"], language), horizon=run["horizon"])


def update_panel(view, _version=None):
    """The first screen of ``view``: notice, run, chart, table, badge and overrides (one answer). Rendered once
    per view, scope, role, language, data version and what changes without one (the champion, the overrides and
    their history, the interval states), read fresh at every request."""
    return _render_panel(forecasts.clean_view(view), *forecast_panel.fresh_state())


@rendered
def _render_panel(view: str, _run_id, _overrides, states: list[dict], history: list[dict]):
    language = i18n.current_language()
    panel = forecast_panel.panel(view, language)
    if panel is None or panel.frame.empty:
        message = i18n.t("forecast.no_run" if panel is None else "forecast.no_series", language)
        return (figures.empty_notice(message), "" if panel is None else _run_info(panel.run, language),
                charts.empty(message), "", "", "", graph_config())
    marks = annotations.visible(**forecast_panel.chart_span(panel.actual, panel.frame))
    chart = figures.forecast_figure(panel.view, panel.frame, panel.actual, panel.labels, panel.target,
                                    panel.last_year, language, panel.overrides, marks)
    badge = figures.interval_badge(states, forecast_panel.last_complete_month(), language)
    overrides = figures.overrides_block(panel.record, history, language)
    table = figures.forecast_table(panel.frame, panel.labels, language, panel.overrides, panel.totals)
    return (figures.notice(panel.summed, panel.record, language), _run_info(panel.run, language), chart, table,
            badge, overrides, graph_config(forecast_file(panel.view, panel.months, panel.run["id"])))


def update_below(seen, view, _version=None):
    """Below the fold, once the browser said the drivers' slot is scrolled near: the accuracy card, the drivers,
    each line's backtest and the media plan."""
    if not seen:
        raise PreventUpdate
    language = i18n.current_language()
    view = forecasts.clean_view(view)
    data = forecast_panel.below(view, language)
    if data is None:
        return "", figures.drivers_graph(charts.empty(""), graph_config()), "", ""
    channels = forecasts.channel_names(language)
    record, labels, months = data["record"], data["labels"], data["months"]
    drivers = figures.drivers_figure(record, language, channels) if record is not None else charts.empty("")
    cutoff = forecast_panel.run_cutoff(data["run"])
    return (figures.accuracy_card(data["horizons"], data["series"], labels, cutoff, language),
            figures.drivers_graph(drivers, graph_config(drivers_file(view, months, data["run"]["id"]))),
            figures.accuracy_lines(data["horizons"], labels, language),
            figures.media_plan_table(data["plan"], months, channels, data["scoped_plan"], language))


# --- overrides -------------------------------------------------------------------------------------------------


def change_override(_save, _remove, scope, month, value, reason, version):
    """Save or remove a planner's figure (the semantic layer checks the role, the scope, the month and the value
    again, and writes the audit log)."""
    language = i18n.current_language()
    action = {ids.OVERRIDE_SAVE: "save", ids.OVERRIDE_REMOVE: "remove"}.get(ctx.triggered_id)
    if action is None:
        return (dash.no_update,) * 4
    try:
        if action == "save":
            done = forecasts.save_override(scope, month, value, reason)
            message = i18n.t("forecast.override.saved", language, value=i18n.number(done["value"], 0, language),
                             month=charts.month_label(dt.date.fromisoformat(done["month"]), language),
                             model=i18n.number(done["model_value"], 0, language))
        else:
            done = forecasts.remove_override(scope, month, reason)
            message = i18n.t("forecast.override.removed", language,
                             month=charts.month_label(dt.date.fromisoformat(done["month"]), language))
    except forecasts.OverrideError as error:
        return i18n.t(f"forecast.override.error.{error.code}", language), "danger", True, dash.no_update
    return message, "success", True, next_version(version)


# --- the export of what is shown ---------------------------------------------------------------------------------

def export_frame(view: str, language: str):
    """The panel's forecast as a table in the user's language (:func:`forecast_panel.export_rows`)."""
    rows, _run = forecast_panel.export_rows(view, language)
    return figures.export_table(rows, language, forecasts.channel_names(language)) if not rows.empty else rows


def export_view(visual: str, language: str, view) -> Export:
    """The forecast panel's one visual (chart and table show the same rows), recomputed on the server."""
    if visual != "forecast":
        raise UnknownVisual(visual)
    view = forecasts.clean_view(view)
    rows, run = forecast_panel.export_rows(view, language)
    if rows.empty:
        raise PreventUpdate
    months = [dt.date.fromisoformat(m) for m in rows["month"]]
    frame = figures.export_table(rows, language, forecasts.channel_names(language))
    return Export(frame, forecast_file(view, months, run["id"]), i18n.t("forecast.export.sheet", language),
                  {"view": view, "run": run["id"]})


# --- admin: runs, comparison, promotion and rollback ---------------------------------------------------------------

def runs_list(_clicks, _version):
    language = i18n.current_language()
    rows = forecasts.runs()
    if not rows:
        return html.P(i18n.t("forecast.admin.no_runs", language), className="text-muted"), [], [], []
    options = [{"value": r["id"], "label": figures.run_label(r, language)} for r in rows if r["status"] == "ok"]
    return figures.runs_table(rows, language), options, options, options


def compare_update(first, second, _version):
    language = i18n.current_language()
    pair = forecasts.compare(first, second)
    if len(pair) < 2:
        return html.P(i18n.t("forecast.admin.pick", language), className="text-muted")
    return figures.comparison(pair, language)


def change_champion(_promote_clicks, _rollback_clicks, run, version):
    """Promote the run chosen in the dropdown, or roll back to the previous champion: the run that was
    champion before the current one, as the registry's events say (the dropdown plays no part)."""
    action = ACTIONS.get(ctx.triggered_id)
    if action is None:
        return (dash.no_update,) * 5
    language = i18n.current_language()
    run = run if action == "promote" else None
    if action == "promote" and run in (None, ""):
        return i18n.t("forecast.admin.pick_one", language), "warning", True, dash.no_update, dash.no_update
    admin = current_user
    try:
        message = forecasts.promote(run, admin.email) if action == "promote" else forecasts.rollback(run, admin.email)
    except forecasts.RegistryError as error:
        return (i18n.t("forecast.admin.error", language, message=figures.registry_text(str(error), language)),
                "danger", True, dash.no_update, dash.no_update)
    audit.record("admin", admin.email, {"action": f"forecast_{action}", "run": run, "result": message})
    bumped = next_version(version)
    return (i18n.t("forecast.admin.done", language, message=figures.registry_text(message, language)), "success",
            True, bumped, bumped)


# --- registration --------------------------------------------------------------------------------------------------

# The drivers' slot starts about 60 px below the fold on a laptop screen: no margin, or it would load at once.
BELOW_SEEN_JS = when_seen_js(ids.DRIVERS_SLOT, ids.BELOW_SEEN)


def register_callbacks(app: dash.Dash) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    app.callback(*_outputs(PANEL_OUTPUTS), Input(ids.VIEW, "value"), Input(ids.VERSION, "data"))(update_panel)
    app.clientside_callback(BELOW_SEEN_JS, Output(ids.BELOW_SEEN, "data"), Input(ids.RUN_INFO, "children"),
                            State(ids.BELOW_SEEN, "data"), prevent_initial_call=True)
    app.callback(*_outputs(BELOW_OUTPUTS), Input(ids.BELOW_SEEN, "data"), Input(ids.VIEW, "value"),
                 Input(ids.VERSION, "data"), prevent_initial_call=True)(update_below)
    register_export(app, NAME, export_view, State(ids.VIEW, "value"))
    # The override form is in the layout of planners and admins only; its callback runs for them only.
    app.callback(*[Output(*o.rsplit(".", 1), allow_duplicate=o == f"{ids.VERSION}.data") for o in OVERRIDE_OUTPUTS],
                 Input(ids.OVERRIDE_SAVE, "n_clicks"), Input(ids.OVERRIDE_REMOVE, "n_clicks"),
                 State(ids.OVERRIDE_SCOPE, "value"), State(ids.OVERRIDE_MONTH, "value"),
                 State(ids.OVERRIDE_VALUE, "value"), State(ids.OVERRIDE_REASON, "value"),
                 State(ids.VERSION, "data"), prevent_initial_call=True,
                 roles=forecasts.OVERRIDE_ROLES)(change_override)
    # Admin callbacks read and write admin-section components only: they never fire for other roles.
    app.callback(Output(ids.RUNS, "children"), Output(ids.ACTION_RUN, "options"),
                 Output(ids.COMPARE_A, "options"), Output(ids.COMPARE_B, "options"),
                 Input(ids.RUNS_REFRESH, "n_clicks"), Input(ids.ADMIN_VERSION, "data"), roles=ADMIN)(runs_list)
    app.callback(Output(ids.COMPARE, "children"), Input(ids.COMPARE_A, "value"), Input(ids.COMPARE_B, "value"),
                 Input(ids.ADMIN_VERSION, "data"), roles=ADMIN)(compare_update)
    app.callback(Output(ids.ADMIN_FEEDBACK, "children"), Output(ids.ADMIN_FEEDBACK, "color"),
                 Output(ids.ADMIN_FEEDBACK, "is_open"), Output(ids.ADMIN_VERSION, "data"),
                 Output(ids.VERSION, "data"), *[Input(button, "n_clicks") for button in ACTIONS],
                 State(ids.ACTION_RUN, "value"), State(ids.ADMIN_VERSION, "data"), prevent_initial_call=True,
                 roles=ADMIN)(change_champion)

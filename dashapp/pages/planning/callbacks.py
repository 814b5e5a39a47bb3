"""Callbacks of the media planning page (``/planning``): thin, they read the inputs, ask
:mod:`dashapp.semantic.planning` and pass its answers to :mod:`.figures`.

Inputs are untrusted (anyone logged in can POST ``/_dash-update-component`` with anything): every callback is
registered through :func:`~dashapp.auth.callbacks.role_checked` (the page's roles, or the roles that plan for
the planners' controls), and the semantic layer checks the scope code (a scope outside the user's, or without
a model, is refused), validates grid rows, uploads, bounds and a kept allocation into plans, looks scenario
ids up among the user's own scenarios of that scope only, and asks for the planner or admin role on every
write and every edit-only computation, whatever the browser sent. A director's prediction is always the
current plan's, whatever rows arrive.

Errors the user can fix (a bad cell, a file, a name, constraints that cannot be met) are shown where
they happened, translated; a forbidden call ends in the app's error handler (a message, no trace).

The page opens with its first screen (the model card) filled by ``page_layout``; what is below the fold comes
in one answer once the browser says it is near the viewport. Callbacks (outputs <- inputs):

- ``model_panel``: run info, notice, model info, channel table, contributions <- another scope
- ``below_panel``: the response curves; experiments; the scenarios shared with the user; the editor (tools,
  grid and the grid's prediction); scenarios and optimiser cards <- below seen (then scope)
- ``prediction``: out-of-range list, summary, prediction chart (and its PNG name) and table <- cell edits
- ``export`` (:func:`register_export`): the prediction as a CSV or XLSX file (audited) <- its buttons
- ``edit_rows`` (planners): editor rows, editor feedback, prediction <- upload, reset, load, use allocation
- ``scenario_action`` (planners): feedback, scenario lists, comparison choices <- save, delete
- ``comparison`` (planners): comparison table and chart <- compared scenarios (the card comes with the first)
- ``run_optimiser`` (planners; a background job with progress and cancel): result, allocation grid, kept
  allocation, spend by region <- run
- ``share_action`` (planners): share feedback, the chosen scenario's shares <- share, unshare, chosen scenario
- ``open_shared``: a shared scenario, read only (its prediction, or why the user's scope cannot show it) <- open

Sharing is :mod:`dashapp.semantic.planning.sharing`'s: only the author shares, and a reader opens only what
was shared with them, within their scope, whatever ids a forged request sends.
"""

from __future__ import annotations

import functools

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from ... import exports, i18n
from ...auth.callbacks import role_checked
from ...callbacks.export import Export, UnknownVisual, register_export
from ...callbacks.rendered import rendered
from ...callbacks.signals import when_seen_js
from ...layout import charts
from ...layout.controls import graph_config
from ...semantic import planning as data
from ...semantic.planning import sharing, views
from . import PATH, figures, ids, layout
from .layout import NAME

PANEL_OUTPUTS = (f"{ids.RUN_INFO}.children", f"{ids.NOTICE}.children", f"{ids.MODEL_INFO}.children",
                 f"{ids.CHANNELS}.children", f"{ids.CONTRIB}.figure")
PREDICTION_OUTPUTS = (f"{ids.OUT_OF_RANGE}.children", f"{ids.SUMMARY}.children", f"{ids.PREDICTION}.figure",
                      f"{ids.PREDICTION_TABLE}.children", f"{ids.PREDICTION}.config")
# The editor comes with its grid and the grid's prediction, in one answer: no second round trip that would only
# post the rows just sent back to the server.
SCOPE_OUTPUTS = (f"{ids.EDITOR_BODY}.children", f"{ids.WRITER}.children")
SHARED_OUTPUTS = (f"{ids.SHARED}.options", f"{ids.SHARED_LIST}.children")
# Everything below the first screen, in one answer: the response curves (their chart and its room), the
# experiments, the scenarios shared with the user, the editor and the writer's cards.
CURVES_OUTPUTS = (f"{ids.CURVES_SLOT}.children", f"{ids.CURVES_SLOT}.style")
BELOW_OUTPUTS = (*CURVES_OUTPUTS, f"{ids.EXPERIMENTS_TABLE}.children", *SHARED_OUTPUTS, *SCOPE_OUTPUTS)
EDIT_OUTPUTS = (f"{ids.EDITOR_FEEDBACK}.children", f"{ids.EDITOR_FEEDBACK}.color", f"{ids.EDITOR_FEEDBACK}.is_open",
                *PREDICTION_OUTPUTS)
SCENARIO_OUTPUTS = (f"{ids.SCENARIO_FEEDBACK}.children", f"{ids.SCENARIO_FEEDBACK}.color",
                    f"{ids.SCENARIO_FEEDBACK}.is_open", f"{ids.SCENARIO}.options", f"{ids.SCENARIO}.value",
                    f"{ids.COMPARE}.options", f"{ids.COMPARE}.value", f"{ids.SCENARIOS}.children")
OPTIMISER_OUTPUTS = (f"{ids.OPT_RESULT}.children", f"{ids.OPT_GRID}.rowData", f"{ids.OPT_GRID}.columnDefs",
                     f"{ids.ALLOCATION}.data", f"{ids.OPT_USE}.disabled", f"{ids.OPT_REGIONS}.children")
SHARE_OUTPUTS = (f"{ids.SHARE_FEEDBACK}.children", f"{ids.SHARE_FEEDBACK}.color", f"{ids.SHARE_FEEDBACK}.is_open",
                 f"{ids.SHARES}.children", f"{ids.SHARE_PICK}.options", f"{ids.SHARE_PICK}.value")
EDIT_TRIGGERS = (ids.UPLOAD, ids.RESET, ids.LOAD, ids.OPT_USE)

# The response curves, the first thing below the first screen, and all that follows load within 100 px.
BELOW_SEEN_JS = when_seen_js(ids.CURVES_SLOT, ids.BELOW_SEEN, margin_px=100)


# --- the response model (the first screen) -----------------------------------------------------------------

def _empty_panel(message: str):
    blank = charts.empty(message)
    return "", dbc.Alert(message, color="info", id="planning-empty"), "", "", blank


def _notice(scope, names: dict[str, str], language: str):
    try:
        context = data.plan_context(scope)
    except data.PlanningError:  # the panel's own checks report it
        return ""
    return figures.plan_notice(context, names, language)


def page_layout(**_query):
    """The page as it opens: its first screen comes filled, for the first scope (one round trip less than a
    callback answering once the page is in; ``model_panel`` answers when the user picks another scope)."""
    options = layout.scope_choices(i18n.current_language())
    return layout.layout(options, model_panel(options[0]["value"] if options else None))


def per_champions(render):
    """``render(scope)`` kept once rendered per scope, champions (a promotion shows at once), role, language and
    data version: building the figures is most of the server's time on this page."""
    def once(scope, _champions):
        return render(scope)

    once.__qualname__ = render.__qualname__  # the cache's key names the view: one entry per view
    kept = rendered(once)

    @functools.wraps(render)
    def view(scope):
        return kept(scope, data.champions())

    return view


@per_champions
def model_panel(scope):
    """The first screen: run info, notice, model info, channel table and contributions."""
    language = i18n.current_language()
    try:
        run, model = data.model_for(scope)
        rows = data.channel_table(scope)
        frame = data.contributions(scope)
        stats = data.model_stats(scope)
        kind = data.model_summary(scope)
    except data.PlanningError as error:
        return _empty_panel(figures.error_message(error, language))
    names = data.channel_names(language)
    channels = list(model.channels)
    model_info = figures.model_kind(kind, figures.fit_text(stats, len(model.periods), language), language)
    return (figures.run_info(run, language), _notice(scope, names, language), model_info,
            figures.channel_table(rows, names, language),
            figures.contributions_figure(frame, channels, names, language))


@per_champions
def curves_panel(scope):
    """The response curves and their room."""
    language = i18n.current_language()
    try:
        _run, model = data.model_for(scope)
        curves = data.response_curves(scope)
    except data.PlanningError as error:
        return layout.curves_graph(charts.empty(figures.error_message(error, language)).to_plotly_json()), {}
    channels = list(model.channels)
    figure = figures.curves_figure(curves, channels, data.channel_names(language), language).to_plotly_json()
    return layout.curves_graph(figure), {"minHeight": f"{figures.curves_height(len(channels))}px"}


# --- below the fold: experiments, the editor, the writer's cards, what was shared --------------------------

def experiments_panel(scope, language: str):
    try:
        rows = data.experiments(scope)
    except data.PlanningError as error:
        return html.P(figures.error_message(error, language), className="text-muted small mb-0")
    return figures.experiments_table(rows, data.channel_names(language), language)


def shared_list(language: str):
    """The scenarios shared with the user, those their scope cannot show marked as such."""
    listing = sharing.shared_with_me()
    scopes = {r["scope_code"]: data.scope_label(r["scope_code"], language) for r in listing}
    return figures.shared_table(listing, scopes, language)


def writer_cards(scope, language: str) -> list:
    names = data.channel_names(language)
    listing = data.list_scenarios(scope)
    months, total = views.budget_months(scope)
    users = [{"label": "{} ({})".format(u["name"] or u["email"], i18n.t("role." + u["role"], language)),
              "value": u["id"]} for u in sharing.share_targets()]
    return [layout.scenarios_card(figures.scenario_options(listing, language),
                                  figures.scenarios_listing(listing, language),
                                  figures.compare_options(listing, language), language, users,
                                  figures.comparison_need(language)),  # the current plan alone, at first
            layout.optimiser_card(figures.bounds_grid_rows(views.bounds_rows(scope), names, language),
                                  figures.month_rows(months, language), total, language)]


def scope_panel(scope, language: str):
    """The editor on the scope's current plan; the scenario and optimiser cards for the roles that plan."""
    editable = data.can_edit()
    try:
        _run, model = data.model_for(scope)
        current = data.current_plan(scope)
        ranges = data.spend_ranges(scope)
    except data.PlanningError:
        return layout.editor_body([], language, [], []), []
    names = data.channel_names(language)
    columns = layout.plan_columns(list(model.channels), names, ranges, language, editable)
    writer = writer_cards(scope, language) if editable else []
    plan = figures.grid_rows(current, language)
    body = layout.editor_body(layout.editor_tools(editable, language), language, columns, plan,
                              prediction_outputs(plan, scope) if plan else None)
    return body, writer


def below_panel(seen, scope):
    """What is below the first screen, once the browser says it is near the viewport (then at each scope)."""
    if not seen:
        raise PreventUpdate
    language = i18n.current_language()
    return (*curves_panel(scope), experiments_panel(scope, language), *shared_list(language),
            *scope_panel(scope, language))


# --- the prediction ---------------------------------------------------------------------------------------

def prediction(_edited, rows, scope):
    """An edit in the grid -> the prediction of the editor's plan."""
    return prediction_outputs(rows, scope)


def prediction_outputs(rows, scope):
    """The editor's plan -> its prediction (a director's is the current plan's: the semantic layer decides)."""
    language = i18n.current_language()
    if not rows:
        return (no_update,) * len(PREDICTION_OUTPUTS)  # no plan in the grid (no model for the scope)
    names = data.channel_names(language)
    try:
        predicted = views.prediction(scope, rows)
    except data.PlanningError as error:
        message = figures.error_message(error, language, names)
        return (dbc.Alert(message, color="danger", className="small py-2", id="planning-plan-error"), "",
                charts.empty(message), "", graph_config())
    sim, current, targets = predicted.simulation, predicted.current, predicted.targets
    return (figures.out_of_range_list(sim, names, language), figures.summary(sim, current, targets, language),
            figures.prediction_figure(sim, current, targets, language),
            figures.prediction_table(sim, current, targets, language),
            graph_config(scenario_file(scope, sim.months, language)))  # the PNG named like the data files


def scenario_file(scope, months, language: str) -> str:
    """The file name (without extension) of the prediction's data and image: its months and its scope."""
    months = sorted(months)
    period = (months[0].isoformat(), months[-1].isoformat()) if months else ()
    return exports.filename(NAME, "scenario", period, [data.scope_label(scope, language)])


def export_view(visual: str, language: str, scope, rows) -> Export:
    """The prediction of the plan in the grid (the planner's inputs), simulated on the server for a scope the
    semantic layer checks; nothing the chart holds is read."""
    if visual != "scenario":
        raise UnknownVisual(visual)
    try:
        months, record_run = views.export_rows(scope, rows)
    except data.PlanningError:
        raise PreventUpdate from None
    frame = figures.export_frame(scope, months, record_run, language)
    return Export(frame, scenario_file(scope, [r["month"] for r in months], language),
                  i18n.t("planning.export.sheet", language), {"scope": scope})


# --- edits: upload, reset, load, allocation (planners) ----------------------------------------------------

def edit_rows(contents, _reset, _load, _use, scope, filename, scenario, allocation, rows):
    """Put a file, the current plan, a saved scenario or the optimiser's allocation in the editor."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    unchanged = (no_update,) * len(PREDICTION_OUTPUTS)
    if trigger not in EDIT_TRIGGERS or (trigger == ids.UPLOAD and not contents):
        return (no_update,) * 4 + unchanged
    names = data.channel_names(language)
    try:
        if trigger == ids.UPLOAD:
            edit = views.uploaded(scope, rows, contents, filename)
            if edit.issues:
                return no_update, figures.file_issues(edit.issues, filename, language, names), "danger", True, \
                    *unchanged
            edit.values["name"] = str(filename)[:80]
        elif trigger == ids.RESET:
            edit = views.Edit(data.current_plan(scope), [], "planning.editor.reset_done", {})
        elif trigger == ids.LOAD:
            edit = views.loaded(scope, scenario)
        else:
            edit = views.allocated(scope, allocation)
    except data.PlanningError as error:
        return no_update, figures.error_message(error, language, names), "danger", True, *unchanged
    values = {k: ", ".join(figures.month_label(m, language) for m in v) if k == "months" else v
              for k, v in edit.values.items()}
    rows = figures.grid_rows(edit.plan, language)
    return rows, i18n.t(edit.message, language, **values), "success", True, *prediction_outputs(rows, scope)


# --- saved scenarios and their comparison (planners) ------------------------------------------------------

def scenario_action(_save, _delete, scope, name, overwrite, rows, scenario, compared):
    """Save the editor's plan under a name, or delete the chosen scenario (own scenarios only)."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    if trigger not in (ids.SAVE, ids.DELETE):
        return (no_update,) * 8
    names = data.channel_names(language)
    selected = scenario
    try:
        if trigger == ids.SAVE:
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
        return (figures.error_message(error, language, names), "danger", True, no_update, no_update, no_update,
                no_update, no_update)
    existing = {r["id"] for r in listing}
    return (message, color, True, figures.scenario_options(listing, language),
            selected if selected in existing else None, figures.compare_options(listing, language),
            views.kept_compared(listing, compared), figures.scenarios_listing(listing, language))


def comparison(values, scope):
    """The chosen scenarios side by side (own scenarios only)."""
    language = i18n.current_language()
    try:
        items, targets = views.comparison(scope, values)
    except data.PlanningError as error:
        return html.P(figures.error_message(error, language), className="text-danger small")
    return figures.comparison_table(items, targets, language)


# --- the optimiser (planners) -----------------------------------------------------------------------------

def run_optimiser(set_progress, _clicks, scope, mode, amount, bounds, budgets):
    """The best allocation for the budget or the target within the ranges (nothing is written). A background
    job (:mod:`dashapp.jobs`): it tells its progress and the page's cancel button stops it."""
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
        ranges = data.spend_ranges(scope)
    except data.PlanningError as error:
        return (dbc.Alert(figures.error_message(error, language, names), color="danger", className="small py-2",
                          id="planning-opt-error"), [], no_update, None, True, "")
    rows = figures.grid_rows(result.plan, language)
    columns = layout.plan_columns(list(model.channels), names, ranges, language, editable=False)
    kept = {"scope": scope, "rows": [{k: v for k, v in r.items() if k != "label"} for r in rows]}
    regions = {code: data.scope_label(code, language) for code in result.by_region.index}
    return (figures.optimiser_result(result, current, names, language), rows, columns, kept, False,
            figures.regions_table(result, names, regions, language))


# --- sharing ------------------------------------------------------------------------------------------------

def share_action(_share, _unshare, scenario, scope, users, roles, pick):
    """Share the chosen scenario with users or roles, or take one share back (the author only); picking a
    scenario lists its shares."""
    language = i18n.current_language()
    trigger = ctx.triggered_id
    message = ""
    try:
        if scenario in (None, ""):
            if trigger == ids.SCENARIO:
                return "", "success", False, "", [], None
            raise data.PlanningError("pick")
        if trigger == ids.SHARE:
            added = sharing.share_scenario(scope, scenario, users, roles)
            message = i18n.t("planning.share.done", language, count=added)
        elif trigger == ids.UNSHARE:
            if pick in (None, ""):
                raise data.PlanningError("share_pick")
            sharing.unshare(scope, scenario, pick)
            message = i18n.t("planning.share.removed", language)
        shares = sharing.shares_of(scope, scenario)
    except data.PlanningError as error:
        return figures.error_message(error, language), "danger", True, no_update, no_update, no_update
    options = [{"label": figures.share_label(s, language), "value": s["id"]} for s in shares]
    return message, "success", bool(message), figures.shares_listing(shares, language), options, None


def open_shared(_clicks, scenario):
    """A scenario shared with the user, read only: its summary and prediction beside the current plan's."""
    language = i18n.current_language()
    try:
        if scenario in (None, ""):
            raise data.PlanningError("pick")
        shared = sharing.open_shared(scenario)
    except data.PlanningError as error:
        return figures.refusal(error, language)
    return figures.shared_view(shared, data.scope_label(shared.scope, language), language)


# --- registration ---------------------------------------------------------------------------------------

def register_callbacks(app: dash.Dash) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page

    def outputs(names, duplicate: tuple[str, ...] = ()):
        return [Output(*o.rsplit(".", 1), allow_duplicate=o in duplicate) for o in names]

    scope = State(ids.SCOPE, "value")
    app.callback(*outputs(PANEL_OUTPUTS), Input(ids.SCOPE, "value"), prevent_initial_call=True)(model_panel)
    # The browser says when the response curves' slot comes near the viewport (once per page).
    app.clientside_callback(BELOW_SEEN_JS, Output(ids.BELOW_SEEN, "data"), Input(ids.CONTRIB, "figure"))
    app.callback(*outputs(BELOW_OUTPUTS), Input(ids.BELOW_SEEN, "data"), Input(ids.SCOPE, "value"),
                 prevent_initial_call=True)(below_panel)
    # An edit in the grid updates its rowData without firing callbacks on it: cellValueChanged does. The
    # callbacks that put rows in the grid (below_panel, edit_rows) draw their prediction themselves.
    app.callback(*outputs(PREDICTION_OUTPUTS, PREDICTION_OUTPUTS), Input(ids.GRID, "cellValueChanged"),
                 State(ids.GRID, "rowData"), scope, prevent_initial_call=True)(prediction)
    register_export(app, NAME, export_view, scope, State(ids.GRID, "rowData"))
    # The callbacks below are fired by controls that only the roles that plan get (the cards that
    # ``below_panel`` builds for them); the wrapper refuses the other roles.
    app.callback(Output(ids.GRID, "rowData", allow_duplicate=True), *outputs(EDIT_OUTPUTS, PREDICTION_OUTPUTS),
                 Input(ids.UPLOAD, "contents"), Input(ids.RESET, "n_clicks"), Input(ids.LOAD, "n_clicks"),
                 Input(ids.OPT_USE, "n_clicks"), scope, State(ids.UPLOAD, "filename"), State(ids.SCENARIO, "value"),
                 State(ids.ALLOCATION, "data"), State(ids.GRID, "rowData"), prevent_initial_call=True,
                 roles=data.WRITE_ROLES)(edit_rows)
    app.callback(*outputs(SCENARIO_OUTPUTS), Input(ids.SAVE, "n_clicks"), Input(ids.DELETE, "n_clicks"), scope,
                 State(ids.NAME_INPUT, "value"), State(ids.OVERWRITE, "value"), State(ids.GRID, "rowData"),
                 State(ids.SCENARIO, "value"), State(ids.COMPARE, "value"), prevent_initial_call=True,
                 roles=data.WRITE_ROLES)(scenario_action)
    app.callback(Output(ids.COMPARISON, "children"), Input(ids.COMPARE, "value"), scope, prevent_initial_call=True,
                 roles=data.WRITE_ROLES)(comparison)
    # A background job (dashapp/jobs.py): the request returns at once, the browser polls for the progress and
    # the result; the job runs as the user who started it, through the same role and scope checks.
    app.callback(*outputs(OPTIMISER_OUTPUTS), Input(ids.OPT_RUN, "n_clicks"), scope, State(ids.OPT_MODE, "value"),
                 State(ids.OPT_AMOUNT, "value"), State(ids.OPT_BOUNDS, "rowData"), State(ids.OPT_MONTHS, "rowData"),
                 prevent_initial_call=True, background=True,
                 progress=[Output(ids.OPT_PROGRESS, "value"), Output(ids.OPT_STEP, "children")],
                 progress_default=[0, ""], cancel=[Input(ids.OPT_CANCEL, "n_clicks")],
                 running=[(Output(ids.OPT_RUN, "disabled"), True, False),
                          (Output(ids.OPT_CANCEL, "disabled"), False, True),
                          (Output(ids.OPT_RUNNING, "style"), {"display": "block"}, {"display": "none"})],
                 interval=500, roles=data.OPTIMISE_ROLES)(run_optimiser)
    app.callback(*outputs(SHARE_OUTPUTS), Input(ids.SHARE, "n_clicks"), Input(ids.UNSHARE, "n_clicks"),
                 Input(ids.SCENARIO, "value"), scope, State(ids.SHARE_USERS, "value"), State(ids.SHARE_ROLES, "value"),
                 State(ids.SHARE_PICK, "value"), prevent_initial_call=True, roles=data.WRITE_ROLES)(share_action)
    app.callback(Output(ids.SHARED_VIEW, "children"), Input(ids.SHARED_OPEN, "n_clicks"), State(ids.SHARED, "value"),
                 prevent_initial_call=True)(open_shared)


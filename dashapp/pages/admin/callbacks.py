"""The admin page's callbacks: fill the grids (runs, users, outbox and audit in one answer; the rejects of the
selected run) and apply the user actions (role, scope, disable / enable, add).

Registered through :func:`~dashapp.auth.callbacks.role_checked` with the page's roles (admin): a forged POST by
another role is refused before Dash. What they read and change comes from :mod:`dashapp.semantic.admin`, which
checks the role again and holds the rules of the actions (an admin cannot lock themselves out); all inputs
are untrusted and validated there.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx

from ... import i18n
from ...auth import users as user_store
from ...auth.callbacks import role_checked
from ...callbacks.signals import next_version
from ...semantic import admin as admin_data
from . import PATH, figures, ids


def _selected(rows, key: str):
    """The key of the one selected grid row, or None (selectedRows may be anything when forged)."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0].get(key)
    return None



def rejects(selected_rows):
    run = admin_data.etl_run(_selected(selected_rows, "id"))
    rows = figures.reject_rows(admin_data.etl_rejects(run["id"]), i18n.current_language()) if run else []
    return rows, figures.rejects_title(run)


def select_user(selected_rows):
    user = admin_data.user(_selected(selected_rows, "email"))
    if user is None:
        return i18n.t("admin.users.none_selected"), None, []
    return i18n.t("admin.users.selected", email=user.email), user.role, list(user.scope)


def change_user(_role_clicks, _scope_clicks, _disable_clicks, _enable_clicks, selected_rows, role, scope,
                version):
    """Apply the clicked action to the selected user."""
    action = ids.USER_ACTIONS.get(ctx.triggered_id)
    if action is None:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    try:
        changed = admin_data.change_user(action, _selected(selected_rows, "email"), role, scope)
    except admin_data.Refused as refusal:
        return i18n.t(f"admin.{refusal.code}"), "warning", True, dash.no_update
    except user_store.UserError as error:
        return i18n.t("admin.users.error", error=str(error)), "danger", True, dash.no_update
    return figures.done_message(action, changed), "success", True, next_version(version)


def add_user(_clicks, email, name, password, role, scope, language, version):
    try:
        user = admin_data.add_user(email, name, password, role, scope, language)
    except admin_data.Refused as refusal:
        return i18n.t(f"admin.{refusal.code}"), "warning", True, dash.no_update, dash.no_update
    except user_store.UserError as error:
        return i18n.t("admin.users.error", error=str(error)), "danger", True, "", dash.no_update
    return i18n.t("admin.new.done", email=user.email), "success", True, "", next_version(version)


def fill_grids(_runs, _users, _version, _outbox, event, _audit):
    """The runs, users, outbox and audit grids in one answer when the page opens (one re-render of the page
    instead of four); afterwards a refresh button, a user changed or the audit's event refills its grid only."""
    language = i18n.current_language()
    triggered = {component for component in ctx.triggered_prop_ids.values() if isinstance(component, str)} - {""}

    def rows(grid: str, build):
        return build() if not triggered or triggered & set(ids.GRID_INPUTS[grid]) else dash.no_update

    return (rows(ids.RUNS_GRID, lambda: figures.run_rows(admin_data.etl_runs(), language)),
            rows(ids.USERS_GRID, lambda: figures.user_rows(admin_data.users())),
            rows(ids.OUTBOX_GRID, admin_data.outbox),
            rows(ids.AUDIT_GRID, lambda: figures.audit_rows(admin_data.audit_entries(event), language)))


def register_callbacks(app: dash.Dash) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page (admin)
    app.callback(*(Output(grid, "rowData") for grid in ids.GRID_INPUTS),
                 *(Input(component, prop) for inputs in ids.GRID_INPUTS.values()
                   for component, prop in inputs.items()))(fill_grids)
    # Nothing selected when the page opens: the layout already says so (no answer to wait for).
    app.callback(Output(ids.REJECTS_GRID, "rowData"), Output(ids.REJECTS_TITLE, "children"),
                 Input(ids.RUNS_GRID, "selectedRows"), prevent_initial_call=True)(rejects)
    app.callback(Output(ids.USER_SELECTED, "children"), Output(ids.USER_ROLE, "value"),
                 Output(ids.USER_SCOPE, "value"), Input(ids.USERS_GRID, "selectedRows"),
                 prevent_initial_call=True)(select_user)
    app.callback(
        Output(ids.USER_FEEDBACK, "children"), Output(ids.USER_FEEDBACK, "color"),
        Output(ids.USER_FEEDBACK, "is_open"), Output(ids.USERS_VERSION, "data"),
        *[Input(button, "n_clicks") for button in ids.USER_ACTIONS],
        State(ids.USERS_GRID, "selectedRows"), State(ids.USER_ROLE, "value"),
        State(ids.USER_SCOPE, "value"), State(ids.USERS_VERSION, "data"),
        prevent_initial_call=True,
    )(change_user)
    app.callback(
        Output(ids.NEW_FEEDBACK, "children"), Output(ids.NEW_FEEDBACK, "color"),
        Output(ids.NEW_FEEDBACK, "is_open"), Output(ids.new("password"), "value"),
        Output(ids.USERS_VERSION, "data", allow_duplicate=True),
        Input(ids.NEW_SUBMIT, "n_clicks"), *[State(ids.new(field), "value") for field in ids.NEW_FIELDS],
        State(ids.USERS_VERSION, "data"),
        prevent_initial_call=True,
    )(add_user)

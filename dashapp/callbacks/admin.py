"""The admin page's callbacks: fill the grids (runs, rejects, users, audit) and apply the
user actions (role, scope, disable / enable, add).

Each callback checks the admin role before anything else (a forged POST by another role
gets the global "access denied" message and no data); the data comes from
:mod:`dashapp.semantic.admin`, which checks the role again, and every change goes through
:mod:`dashapp.auth.users` with the admin's e-mail as actor, which writes the audit log.
All inputs are untrusted: e-mails are looked up, roles, scopes and events validated.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx

from pilotage.store.models import ALL_REGIONS, ROLES

from .. import i18n
from ..auth import users as user_store
from ..auth.callbacks import role_checked
from ..auth.permissions import require_role
from ..semantic import admin as admin_data

USER_ACTIONS = {"admin-user-save-role": "set_role", "admin-user-save-scope": "set_scope",
                "admin-user-disable": "disable", "admin-user-enable": "enable"}


def _selected(rows, key: str):
    """The key of the one selected grid row, or None (selectedRows may be anything when forged)."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0].get(key)
    return None


def _scope_codes(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def _bump(version) -> int:
    """The next value of the users-version signal (a forged value restarts it)."""
    return version + 1 if isinstance(version, int) and not isinstance(version, bool) else 1


def _scope_label(scope: str | None) -> str:
    codes = [c for c in (scope or "").split(",") if c]
    if ALL_REGIONS in codes:
        return i18n.t("admin.users.all")
    return ", ".join(codes) or i18n.t("scope.none")


def runs(_clicks):
    require_role("admin")
    language = i18n.current_language()
    return [{**run, "key": str(run["id"]),  # AG Grid row ids are strings
             "status": i18n.t(f"admin.runs.status.{run['status']}", language)
             if f"admin.runs.status.{run['status']}" in i18n.MESSAGES else run["status"],
             "run_by": i18n.operator(run["run_by"], language)}
            for run in admin_data.etl_runs()]


def rejects(selected_rows):
    require_role("admin")
    run = admin_data.etl_run(_selected(selected_rows, "id"))
    if run is None:
        return [], i18n.t("admin.rejects.none_selected")
    language = i18n.current_language()
    rows = [{"line": row["line"], "column": i18n.file_column(row["column"], language), "value": row["value"],
             "expected": i18n.reject_reason(row["code"], row["params"], row["expected"], language)}
            for row in admin_data.etl_rejects(run["id"])]
    return rows, i18n.t("admin.rejects.of_run", run=run["id"], file=run["file_name"],
                        count=i18n.number(run["rows_rejected"]))


def users_rows(_clicks, _version):
    require_role("admin")
    yes, no = i18n.t("admin.users.yes"), i18n.t("admin.users.no")
    return [{**row, "role": i18n.t(f"role.{row['role']}") if row["role"] in ROLES else row["role"],
             "scope": _scope_label(row["scope"]), "active": yes if row["is_active"] else no,
             "language": i18n.t(f"language.{row['language']}") if row["language"] in user_store.LANGUAGES
             else i18n.t("admin.users.browser")}
            for row in admin_data.users()]


def select_user(selected_rows):
    require_role("admin")
    email = _selected(selected_rows, "email")
    user = user_store.get_user_by_email(email) if isinstance(email, str) else None
    if user is None:
        return i18n.t("admin.users.none_selected"), None, []
    return i18n.t("admin.users.selected", email=user.email), user.role, list(user.scope)


def change_user(_role_clicks, _scope_clicks, _disable_clicks, _enable_clicks, selected_rows, role, scope,
                version):
    """Apply the clicked action to the selected user. An admin cannot lock themselves out."""
    admin = require_role("admin")
    action = USER_ACTIONS.get(ctx.triggered_id)
    if action is None:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    email = _selected(selected_rows, "email")
    user = user_store.get_user_by_email(email) if isinstance(email, str) else None
    if user is None:
        return i18n.t("admin.users.select_first"), "warning", True, dash.no_update
    if user.id == admin.id and (action == "disable" or (action == "set_role" and role != "admin")):
        return i18n.t("admin.users.not_yourself"), "warning", True, dash.no_update
    try:
        if action == "set_role":
            changed = user_store.set_role(user.email, role if isinstance(role, str) else "", actor=admin.email)
            value = i18n.t(f"role.{changed.role}")
        elif action == "set_scope":
            codes = _scope_codes(scope)
            if not codes:
                return i18n.t("admin.users.scope_required"), "warning", True, dash.no_update
            changed = user_store.set_scope(user.email, codes, actor=admin.email)
            value = _scope_label(",".join(changed.scope))
        else:
            changed = user_store.set_active(user.email, action == "enable", actor=admin.email)
            value = ""
    except user_store.UserError as error:
        return i18n.t("admin.users.error", error=str(error)), "danger", True, dash.no_update
    message = i18n.t(f"admin.users.done.{action}", email=changed.email, value=value)
    return message, "success", True, _bump(version)


def add_user(_clicks, email, name, password, role, scope, language, version):
    admin = require_role("admin")
    codes = _scope_codes(scope)
    if not (isinstance(email, str) and email.strip() and isinstance(password, str) and password
            and role in ROLES and codes):
        return i18n.t("admin.new.missing"), "warning", True, dash.no_update, dash.no_update
    try:
        user = user_store.add_user(email, password, role, codes, name=name if isinstance(name, str) else "",
                                   language=language if language in user_store.LANGUAGES else None,
                                   actor=admin.email)
    except user_store.UserError as error:
        return i18n.t("admin.users.error", error=str(error)), "danger", True, "", dash.no_update
    return i18n.t("admin.new.done", email=user.email), "success", True, "", _bump(version)


def audit_rows(event, _clicks):
    require_role("admin")
    language = i18n.current_language()
    return [{**row, "event": i18n.t(f"audit.event.{row['event']}", language),
             "actor": i18n.operator(row["actor"], language)} for row in admin_data.audit_entries(event)]


def outbox_rows(_clicks):
    return admin_data.outbox()


def register_callbacks(app: dash.Dash) -> None:
    from ..pages.admin import PATH

    app = role_checked(app, PATH)  # every callback requires a role that may open the page (admin)
    app.callback(Output("admin-runs-grid", "rowData"), Input("admin-runs-refresh", "n_clicks"))(runs)
    app.callback(Output("admin-rejects-grid", "rowData"), Output("admin-rejects-title", "children"),
                 Input("admin-runs-grid", "selectedRows"))(rejects)
    app.callback(Output("admin-users-grid", "rowData"), Input("admin-users-refresh", "n_clicks"),
                 Input("admin-users-version", "data"))(users_rows)
    app.callback(Output("admin-user-selected", "children"), Output("admin-user-role", "value"),
                 Output("admin-user-scope", "value"), Input("admin-users-grid", "selectedRows"))(select_user)
    app.callback(
        Output("admin-user-feedback", "children"), Output("admin-user-feedback", "color"),
        Output("admin-user-feedback", "is_open"), Output("admin-users-version", "data"),
        *[Input(button, "n_clicks") for button in USER_ACTIONS],
        State("admin-users-grid", "selectedRows"), State("admin-user-role", "value"),
        State("admin-user-scope", "value"), State("admin-users-version", "data"),
        prevent_initial_call=True,
    )(change_user)
    app.callback(
        Output("admin-new-feedback", "children"), Output("admin-new-feedback", "color"),
        Output("admin-new-feedback", "is_open"), Output("admin-new-password", "value"),
        Output("admin-users-version", "data", allow_duplicate=True),
        Input("admin-new-submit", "n_clicks"),
        State("admin-new-email", "value"), State("admin-new-name", "value"), State("admin-new-password", "value"),
        State("admin-new-role", "value"), State("admin-new-scope", "value"), State("admin-new-language", "value"),
        State("admin-users-version", "data"),
        prevent_initial_call=True,
    )(add_user)
    app.callback(Output("admin-outbox-grid", "rowData"), Input("admin-outbox-refresh", "n_clicks"))(outbox_rows)
    app.callback(Output("admin-audit-grid", "rowData"), Input("admin-audit-event", "value"),
                 Input("admin-audit-refresh", "n_clicks"))(audit_rows)

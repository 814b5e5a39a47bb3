"""The admin page's component ids (the tests forge callbacks by these names)."""

from __future__ import annotations

PAGE = "admin-page"
RUNS_REFRESH, RUNS_GRID = "admin-runs-refresh", "admin-runs-grid"
REJECTS_TITLE, REJECTS_GRID = "admin-rejects-title", "admin-rejects-grid"
USERS_REFRESH, USERS_GRID, USERS_VERSION = "admin-users-refresh", "admin-users-grid", "admin-users-version"
USER_SELECTED, USER_ROLE, USER_SCOPE = "admin-user-selected", "admin-user-role", "admin-user-scope"
USER_FEEDBACK = "admin-user-feedback"
SAVE_ROLE, SAVE_SCOPE, DISABLE, ENABLE = ("admin-user-save-role", "admin-user-save-scope", "admin-user-disable",
                                          "admin-user-enable")
# The user action each button asks :func:`dashapp.semantic.admin.change_user` for.
USER_ACTIONS = {SAVE_ROLE: "set_role", SAVE_SCOPE: "set_scope", DISABLE: "disable", ENABLE: "enable"}
NEW_FIELDS = ("email", "name", "password", "role", "scope", "language")  # admin-new-<field>
NEW_SUBMIT, NEW_FEEDBACK = "admin-new-submit", "admin-new-feedback"
OUTBOX_REFRESH, OUTBOX_GRID = "admin-outbox-refresh", "admin-outbox-grid"
AUDIT_EVENT, AUDIT_REFRESH, AUDIT_GRID = "admin-audit-event", "admin-audit-refresh", "admin-audit-grid"
# The grids filled together when the page opens, each with the inputs that refill it alone (in the order of
# :func:`.callbacks.fill_grids`' arguments).
GRID_INPUTS = {RUNS_GRID: {RUNS_REFRESH: "n_clicks"}, USERS_GRID: {USERS_REFRESH: "n_clicks", USERS_VERSION: "data"},
               OUTBOX_GRID: {OUTBOX_REFRESH: "n_clicks"}, AUDIT_GRID: {AUDIT_EVENT: "value", AUDIT_REFRESH: "n_clicks"}}


def new(field: str) -> str:
    """A field of the new-user form."""
    return f"admin-new-{field}"

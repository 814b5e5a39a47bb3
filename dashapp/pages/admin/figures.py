"""The admin page's grid rows and texts, from what :mod:`dashapp.semantic.admin` returned (no data access):
statuses, roles, languages, events and who ran a command translated; rejects' reasons in the user's language."""

from __future__ import annotations

from pilotage.store.models import ALL_REGIONS, ROLES

from ... import i18n
from ...auth.users import LANGUAGES


def scope_label(scope: str | None) -> str:
    codes = [c for c in (scope or "").split(",") if c]
    if ALL_REGIONS in codes:
        return i18n.t("admin.users.all")
    return ", ".join(codes) or i18n.t("scope.none")


def _status(status: str, language: str) -> str:
    key = f"admin.runs.status.{status}"
    return i18n.t(key, language) if key in i18n.MESSAGES else status


def run_rows(runs: list[dict], language: str) -> list[dict]:
    return [{**run, "key": str(run["id"]),  # AG Grid row ids are strings
             "status": _status(run["status"], language), "run_by": i18n.operator(run["run_by"], language)}
            for run in runs]


def reject_rows(rejects: list[dict], language: str) -> list[dict]:
    return [{"line": row["line"], "column": i18n.file_column(row["column"], language), "value": row["value"],
             "expected": i18n.reject_reason(row["code"], row["params"], row["expected"], language)}
            for row in rejects]


def rejects_title(run: dict | None) -> str:
    if run is None:
        return i18n.t("admin.rejects.none_selected")
    return i18n.t("admin.rejects.of_run", run=run["id"], file=run["file_name"],
                  count=i18n.number(run["rows_rejected"]))


def user_rows(users: list[dict]) -> list[dict]:
    yes, no = i18n.t("admin.users.yes"), i18n.t("admin.users.no")
    return [{**row, "role": i18n.t(f"role.{row['role']}") if row["role"] in ROLES else row["role"],
             "scope": scope_label(row["scope"]), "active": yes if row["is_active"] else no,
             "language": i18n.t(f"language.{row['language']}") if row["language"] in LANGUAGES
             else i18n.t("admin.users.browser")}
            for row in users]


def done_message(action: str, changed) -> str:
    """What the feedback says once ``action`` changed the user ``changed``."""
    value = (i18n.t(f"role.{changed.role}") if action == "set_role"
             else scope_label(",".join(changed.scope)) if action == "set_scope" else "")
    return i18n.t(f"admin.users.done.{action}", email=changed.email, value=value)


def audit_rows(rows: list[dict], language: str) -> list[dict]:
    return [{**row, "event": i18n.t(f"audit.event.{row['event']}", language),
             "actor": i18n.operator(row["actor"], language)} for row in rows]

"""What the admin page reads and changes: ETL runs, the rows a run rejected, users (and the rules of the
actions on them) and the audit log.

Every function checks the admin role itself (on top of the callbacks' registration): a callback
forged by another role gets :class:`~dashapp.auth.permissions.Forbidden`, never a row.
Rows are plain JSON-ready dicts for the grids; a password hash never leaves the store. Changes go
through :mod:`dashapp.auth.users` with the admin's e-mail as actor, which writes the audit log.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from pilotage.store.engine import get_engine
from pilotage.store.models import ROLES, AppUser, EtlReject, EtlRun

from ..auth import audit
from ..auth import users as user_store
from ..auth.permissions import require_role
from .scope import region_tree

RUN_COLUMNS = ("id", "started_at", "file_name", "source_type", "status", "rows_read", "rows_inserted",
               "rows_updated", "rows_unchanged", "rows_deleted", "rows_rejected", "duration_s", "message", "run_by")
REJECT_COLUMNS = ("line", "column", "value", "expected", "code", "params")
USER_COLUMNS = ("email", "name", "role", "scope", "is_active", "language", "locked_until", "last_login_at")
AUDIT_COLUMNS = ("at", "actor", "event", "detail", "remote_addr")
USER_ACTIONS = ("set_role", "set_scope", "disable", "enable")
MAX_ROWS = {"runs": 500, "rejects": 5000, "audit": 1000, "outbox": 500}


def _bounded(limit, kind: str) -> int:
    """A row limit from untrusted input: an integer between 1 and the kind's maximum."""
    try:
        return max(1, min(int(limit), MAX_ROWS[kind]))
    except (TypeError, ValueError):
        return MAX_ROWS[kind]


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return value


def etl_runs(limit: int = 200) -> list[dict]:
    """The latest runs first."""
    require_role("admin")
    columns = [EtlRun.__table__.c[name] for name in RUN_COLUMNS]
    statement = select(*columns).order_by(EtlRun.id.desc()).limit(_bounded(limit, "runs"))
    with get_engine().connect() as conn:
        rows = conn.execute(statement).mappings().all()
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def etl_run(run_id) -> dict | None:
    require_role("admin")
    try:
        run_id = int(run_id)
    except (TypeError, ValueError):
        return None
    columns = [EtlRun.__table__.c[name] for name in RUN_COLUMNS]
    with get_engine().connect() as conn:
        row = conn.execute(select(*columns).where(EtlRun.id == run_id)).mappings().one_or_none()
    return {key: _plain(value) for key, value in row.items()} if row else None


def etl_rejects(run_id, limit: int = 1000) -> list[dict]:
    """The rows one run rejected, in file order, with the column, the value and what was expected (in
    English, and as the code and parameters the page translates)."""
    require_role("admin")
    try:
        run_id = int(run_id)
    except (TypeError, ValueError):
        return []
    columns = [EtlReject.__table__.c[name] for name in REJECT_COLUMNS]
    statement = (select(*columns).where(EtlReject.run_id == run_id).order_by(EtlReject.line, EtlReject.id)
                 .limit(_bounded(limit, "rejects")))
    with get_engine().connect() as conn:
        return [dict(row) for row in conn.execute(statement).mappings()]


def users() -> list[dict]:
    """Every user with role, scope (``*`` = all), state and language; never the password hash."""
    require_role("admin")
    columns = [AppUser.__table__.c[name] for name in USER_COLUMNS]
    with get_engine().connect() as conn:
        rows = conn.execute(select(*columns).order_by(AppUser.email)).mappings().all()
    return [{**{key: _plain(value) for key, value in row.items()}, "is_active": bool(row["is_active"])}
            for row in rows]


def regions() -> list[tuple[str, str]]:
    """(code, name) of every region, parents first, for the scope pickers."""
    require_role("admin")
    tree = region_tree()
    order = {"country": 0, "region": 1, "department": 2}
    return sorted(((code, name) for code, name in tree.names.items()),
                  key=lambda item: (order.get(tree.levels.get(item[0]), 3), item[0]))


def audit_entries(event: str | None = None, limit: int = 200) -> list[dict]:
    """The latest audit entries first, optionally of one event (unknown events mean all)."""
    require_role("admin")
    event = event if event in audit.EVENTS else None
    rows = audit.recent(_bounded(limit, "audit"), event)
    return [{key: _plain(row.get(key)) for key in AUDIT_COLUMNS} for row in rows]


def outbox(limit: int = 100) -> list[dict]:
    """The e-mails written to ``var/outbox`` (no SMTP server), latest first (admin only)."""
    require_role("admin")
    from pilotage.mail import outbox_files

    return outbox_files(_bounded(limit, "outbox"))


# --- actions on users -----------------------------------------------------------------------------------------

class Refused(ValueError):
    """An action refused before the store is touched; ``code`` names why (translated as ``admin.<code>``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def scope_codes(value) -> list[str]:
    """Region codes from an untrusted picker value (one code, a list, or anything else: none)."""
    if isinstance(value, str):
        value = [value]
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def user(email) -> user_store.User | None:
    """The user an untrusted e-mail names, or None."""
    require_role("admin")
    return user_store.get_user_by_email(email) if isinstance(email, str) else None


def change_user(action: str, email, role=None, scope=None) -> user_store.User:
    """Apply ``action`` (one of :data:`USER_ACTIONS`) to the user ``email`` names and return them changed.
    An admin cannot lock themselves out (disable themselves or leave the admin role); a scope cannot be
    emptied. Raises :class:`Refused`, or :class:`~dashapp.auth.users.UserError` for values the store refuses."""
    admin = require_role("admin")
    if action not in USER_ACTIONS:
        raise Refused("users.select_first")
    target = user(email)
    if target is None:
        raise Refused("users.select_first")
    if target.id == admin.id and (action == "disable" or (action == "set_role" and role != "admin")):
        raise Refused("users.not_yourself")
    if action == "set_role":
        return user_store.set_role(target.email, role if isinstance(role, str) else "", actor=admin.email)
    if action == "set_scope":
        codes = scope_codes(scope)
        if not codes:
            raise Refused("users.scope_required")
        return user_store.set_scope(target.email, codes, actor=admin.email)
    return user_store.set_active(target.email, action == "enable", actor=admin.email)


def add_user(email, name, password, role, scope, language) -> user_store.User:
    """A new user from the page's form (every value untrusted): e-mail, password, a role and a scope are
    required. Raises :class:`Refused` or :class:`~dashapp.auth.users.UserError`."""
    admin = require_role("admin")
    codes = scope_codes(scope)
    if not (isinstance(email, str) and email.strip() and isinstance(password, str) and password
            and role in ROLES and codes):
        raise Refused("new.missing")
    return user_store.add_user(email, password, role, codes, name=name if isinstance(name, str) else "",
                               language=language if language in user_store.LANGUAGES else None, actor=admin.email)

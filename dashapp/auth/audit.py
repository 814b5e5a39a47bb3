"""The audit log: logins, failed logins, lockouts, exports, admin actions, saved media scenarios, forecast
overrides, API tokens (created, revoked) and API calls (each use and each refusal), with who and from where."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select

from pilotage.store.engine import get_engine
from pilotage.store.models import AuditEntry

EVENTS = ("login", "login_failed", "locked", "logout", "export", "admin", "forbidden", "scenario", "override",
          "token", "api", "privacy", "alert_rule", "annotation", "view")


def record(event: str, actor: str, detail: dict | str = "", remote_addr: str | None = None) -> None:
    """Write one entry in its own transaction, so that it survives whatever fails next."""
    if remote_addr is None:
        remote_addr = _remote_addr()
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    with get_engine().begin() as conn:
        conn.execute(insert(AuditEntry).values(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None), actor=actor or "-", event=event,
            detail=text, remote_addr=remote_addr))


def recent(limit: int = 200, event: str | None = None) -> list[dict]:
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if event:
        statement = statement.where(AuditEntry.event == event)
    with get_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(statement.with_only_columns(*AuditEntry.__table__.c))]


def _remote_addr() -> str | None:
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None

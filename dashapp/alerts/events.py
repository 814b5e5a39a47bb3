"""Writing what the rules found, once per condition, and reading it back for the notifications page.

A condition is (rule, recipient, key); the key names the period (or the source, or the load) it is about.
The first time it holds, an event is written and, if the recipient wants that kind by e-mail, a message is
queued; while it keeps holding its figures are updated without a new notification; when it no longer holds
the event is marked resolved. A resolved condition that holds again for another period (a source stale
again after a load) is a new notification; for the same period it reopens quietly.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import and_, func, insert, select, update

from pilotage import mail
from pilotage.store.engine import get_engine, writing
from pilotage.store.models import EMAIL_CHOICES, AlertEvent, AlertPreference, AlertRule

from ..auth.users import User, list_users
from . import texts
from .evaluate import Outcome, check, recipients
from .rules import Rule, active_rules

PAGE_SIZE = 100


@dataclass(frozen=True)
class Change:
    """What one evaluation did to one condition: ``fired`` (new notification), ``updated``, ``resolved``."""

    rule: Rule
    user: User
    outcome: Outcome
    action: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def email_kinds(user_id: int) -> tuple[str, ...]:
    """The kinds of alert the user wants by e-mail, and ``digest`` (all of them until they choose)."""
    with get_engine().connect() as conn:
        kinds = conn.execute(select(AlertPreference.email_kinds).where(AlertPreference.user_id == user_id)).scalar()
    return EMAIL_CHOICES if kinds is None else tuple(k for k in kinds.split(",") if k in EMAIL_CHOICES)


def set_email_kinds(user_id: int, kinds) -> tuple[str, ...]:
    chosen = tuple(k for k in EMAIL_CHOICES if k in set(kinds or ()))
    with get_engine().begin() as conn:
        done = conn.execute(update(AlertPreference).where(AlertPreference.user_id == user_id).values(
            email_kinds=",".join(chosen), updated_at=_now()))
        if not done.rowcount:
            conn.execute(insert(AlertPreference).values(user_id=user_id, email_kinds=",".join(chosen),
                                                        updated_at=_now()))
    return chosen


def _apply(conn, rule: Rule, user: User, outcome: Outcome, now: dt.datetime, dry_run: bool) -> str | None:
    existing = conn.execute(select(AlertEvent.id, AlertEvent.state, AlertEvent.period_start).where(
        AlertEvent.rule_id == rule.id, AlertEvent.user_id == user.id,
        AlertEvent.condition_key == outcome.key)).first()
    figures = {"period_start": outcome.period_start, "period_end": outcome.period_end, "value": outcome.value,
               "reference": outcome.reference, "detail": _json(outcome.detail), "updated_at": now}
    if outcome.holds:
        if existing is None:
            action = "fired"
        elif existing.state == "open":
            action = "updated"
        else:
            action = "fired" if existing.period_start != outcome.period_start else "reopened"
    else:
        if existing is None or existing.state != "open":
            return None
        action = "resolved"
    if dry_run:
        return action
    if existing is None:
        event_id = conn.execute(insert(AlertEvent).values(
            rule_id=rule.id, user_id=user.id, condition_key=outcome.key, state="open", fired_at=now,
            **figures)).inserted_primary_key[0]
    else:
        event_id = existing.id
        values = dict(figures)
        if action == "fired":
            values.update(state="open", fired_at=now, resolved_at=None, read_at=None)
        elif action == "reopened":
            values.update(state="open", resolved_at=None)
        elif action == "resolved":  # the period it held for stays: the same condition again is not new
            values.update(state="resolved", resolved_at=now)
            values.pop("period_start"), values.pop("period_end")
        conn.execute(update(AlertEvent).where(AlertEvent.id == event_id).values(**values))
    if action == "fired" and user.email and rule.kind in email_kinds(user.id):
        language = user.language or "en"
        subject, body = texts.email(rule, outcome, language, user.name)
        mail.enqueue(conn, user.email, subject, body, event_id=int(event_id))
    return action


def run(now: dt.datetime | None = None, dry_run: bool = False, rules: list[Rule] | None = None) -> list[Change]:
    """Evaluate every active rule (or ``rules``) for each of its recipients, in each one's scope; write the
    events (unless ``dry_run``) and queue the e-mails. A rule that fails is skipped, the others still run."""
    now = now or _now()
    rules = active_rules() if rules is None else rules
    if not rules:
        return []
    users = list_users()
    changes = []
    for rule in rules:
        for user in recipients(rule, users):
            outcomes = check(rule, user, now)
            with writing(get_engine()) as conn:
                for outcome in outcomes:
                    action = _apply(conn, rule, user, outcome, now, dry_run)
                    if action:
                        changes.append(Change(rule, user, outcome, action))
    return changes


# --- reading, for the bell and the notifications page ---------------------------------------------------------

def unread_count(user_id: int) -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AlertEvent).where(
            AlertEvent.user_id == user_id, AlertEvent.read_at.is_(None))).scalar())


def notifications(user_id: int, limit: int = PAGE_SIZE) -> list[dict]:
    """The user's own events, latest first, with their rule (never another user's: the id is the session's)."""
    statement = (select(*AlertEvent.__table__.c, AlertRule.name.label("rule_name"), AlertRule.kind,
                        AlertRule.kpi, AlertRule.grain, AlertRule.basis, AlertRule.threshold, AlertRule.severity)
                 .join(AlertRule, AlertRule.id == AlertEvent.rule_id)
                 .where(AlertEvent.user_id == user_id)
                 .order_by(AlertEvent.fired_at.desc(), AlertEvent.id.desc()).limit(max(1, min(int(limit), 500))))
    with get_engine().connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(statement)]
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return rows


def mark_read(user_id: int, event_ids=None) -> int:
    """Mark the user's events read (all of them, or ``event_ids`` among them); returns how many changed."""
    condition = and_(AlertEvent.user_id == user_id, AlertEvent.read_at.is_(None))
    if event_ids is not None:
        ids = [int(i) for i in event_ids if isinstance(i, int) or str(i).isdigit()]
        condition = and_(condition, AlertEvent.id.in_(ids))
    with get_engine().begin() as conn:
        return conn.execute(update(AlertEvent).where(condition).values(read_at=_now())).rowcount

"""Alerts: the rules users set, what each rule found for each recipient, their e-mail preferences, and the
queue of e-mails waiting to be sent (with their retries).

An event is one condition (a rule, a recipient, a key naming the period or source) and is written once:
evaluating again updates its figure or marks it resolved, it never notifies twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

ALERT_KINDS = ("target", "change", "forecast", "freshness", "quality")
ALERT_GRAINS = ("day", "week", "month")
ALERT_SEVERITIES = ("info", "warning", "critical")
EVENT_STATES = ("open", "resolved")
MAIL_STATES = ("pending", "sent", "failed")
EMAIL_CHOICES = (*ALERT_KINDS, "digest")  # what a user may receive by e-mail


class AlertRule(Base):
    """``basis``: for a target rule ``end`` (the last complete period) or ``pace`` (the week or month to date);
    for a change rule ``previous`` or ``last_year``; for a forecast rule the interval, ``80`` or ``95``.
    ``threshold``: the tolerated miss of a target (a share), the change that fires (a share), the days without
    a load (freshness), the findings that fire (quality). ``filters``: JSON of region, channel, campaign and
    source codes. ``source``: the ETL source a freshness rule watches (empty: every source)."""

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    kpi: Mapped[str | None] = mapped_column(String(64))
    grain: Mapped[str] = mapped_column(String(8), default="month")
    basis: Mapped[str] = mapped_column(String(16), default="")
    threshold: Mapped[float] = mapped_column(Double, default=0.0)
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    filters: Mapped[str] = mapped_column(Text, default="{}")
    source: Mapped[str] = mapped_column(String(500), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AlertSubscription(Base):
    """Who a rule tells: one user (``user_id``) or everyone with a role (``role``)."""

    __tablename__ = "alert_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(16))


class AlertEvent(Base):
    """What a rule found for one recipient, in that recipient's scope. ``detail`` (JSON) holds what the
    notification says (KPI, period, regions, figures), in no language: the page and the e-mail word it."""

    __tablename__ = "alert_event"
    __table_args__ = (UniqueConstraint("rule_id", "user_id", "condition_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    condition_key: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")
    value: Mapped[float | None] = mapped_column(Double)
    reference: Mapped[float | None] = mapped_column(Double)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    fired_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AlertPreference(Base):
    """Which kinds of alert a user also wants by e-mail, and ``digest`` for the Monday digest (comma-separated;
    all of them by default)."""

    __tablename__ = "alert_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    email_kinds: Mapped[str] = mapped_column(Text, default=",".join(EMAIL_CHOICES))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class MailQueue(Base):
    """An e-mail to send: retried with back-off until sent or out of attempts (``pilotage.mail.deliver_due``)."""

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # an HTML alternative (the weekly digest)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    file_path: Mapped[str | None] = mapped_column(String(500))  # the .eml written when there is no SMTP server
    event_id: Mapped[int | None] = mapped_column(ForeignKey("alert_event.id", ondelete="SET NULL"))

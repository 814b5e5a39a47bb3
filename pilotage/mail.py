"""Sending e-mail: through ``SMTP_URL`` (``smtp://`` with STARTTLS when offered, or ``smtps://``;
user and password in the URL, or ``SMTP_USER`` and ``SMTP_PASSWORD``), from ``MAIL_FROM``; without
``SMTP_URL`` each message is written as an ``.eml`` file under ``var/outbox/`` (a demo, a test, or a server
whose mail is collected another way).

Messages that must arrive (alerts) go through the queue (``mail_queue``): :func:`enqueue` stores them, and
:func:`deliver_due` sends those due, on the sender thread (:func:`deliver_due_later`) so that neither a load
nor a page waits for the SMTP server; a failure is logged and retried later with a back-off
(:func:`backoff`), until :data:`MAX_ATTEMPTS`."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import re
import smtplib
import ssl
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, insert, select, update

from .settings import SettingsError, get_settings
from .store.models import MailQueue

log = logging.getLogger("pilotage.mail")
SMTP_TIMEOUT_S = 10
# One sender thread: a request that sends mail answers in its usual time (a login that locks an account must
# not take the SMTP round trip longer than one that does not: that would tell which e-mails have accounts).
_outgoing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pilotage-mail")


# An image written into the HTML as a data URI (what the queue stores: one self-contained text column).
_DATA_IMAGE = re.compile(r'src="data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/=]+)"')


def _inline_images(html: str, domain: str | None) -> tuple[str, list[tuple[str, str, bytes]]]:
    """``html`` with each data-URI image replaced by a ``cid:`` reference (mail clients block data URIs but
    show related parts), and the images: (Content-ID, subtype, bytes)."""
    images: list[tuple[str, str, bytes]] = []

    def to_cid(match: re.Match) -> str:
        try:
            data = base64.b64decode(match.group(2), validate=True)
        except binascii.Error:
            return match.group(0)
        cid = make_msgid(domain=domain)
        images.append((cid, match.group(1), data))
        return f'src="cid:{cid[1:-1]}"'

    return _DATA_IMAGE.sub(to_cid, html), images


def message(to: str, subject: str, body: str, html: str | None = None) -> EmailMessage:
    """Plain text, and HTML beside it when given; the HTML's data-URI images become inline related parts
    (multipart/alternative holding multipart/related)."""
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    mail.set_content(body)
    if html:
        html, images = _inline_images(html, settings.mail_from.rpartition("@")[2] or None)
        mail.add_alternative(html, subtype="html")  # multipart/alternative: text first, HTML preferred
        page = mail.get_payload()[1]
        for cid, subtype, data in images:
            page.add_related(data, "image", subtype, cid=cid, disposition="inline")
    return mail


def send(to: str, subject: str, body: str, html: str | None = None) -> Path | None:
    """Send one message (plain text, and HTML beside it when given); returns the ``.eml`` written when there
    is no SMTP server."""
    mail = message(to, subject, body, html)
    url = get_settings().smtp_url
    if not url:
        outbox = get_settings().var_dir / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(mail))
        return path
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise SettingsError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT_S,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT_S)
    with server:
        server.ehlo()  # has_extn reads what the server's EHLO announced
        if parts.scheme == "smtp" and server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
        settings = get_settings()
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        elif settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(mail)
    return None


def send_later(to: str, subject: str, body: str) -> Future:
    """Queue one message for the sender thread; a failure is logged (with the recipient), never raised."""

    def deliver() -> Path | None:
        try:
            return send(to, subject, body)
        except Exception as error:  # noqa: BLE001 - the caller has answered already; the log is the record
            log.warning("could not send %r to %s: %s", subject, to, error)
            return None

    return _outgoing.submit(deliver)


# --- the queue: retried deliveries ---------------------------------------------------------------------

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after ``attempts`` failed attempts: 1, 2, 4... minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def enqueue(conn, to: str, subject: str, body: str, event_id: int | None = None, html: str | None = None) -> None:
    """Queue one message in the caller's transaction (sent by :func:`deliver_due`)."""
    now = _now()
    conn.execute(insert(MailQueue).values(recipient=to, subject=subject, body=body, html=html, status="pending",
                                          attempts=0, next_attempt_at=now, created_at=now, event_id=event_id))


def deliver_due(engine: Engine, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every queued message that is due; returns how many were sent, will be retried, gave up."""
    now = now or _now()
    with engine.connect() as conn:
        due = conn.execute(select(MailQueue.id, MailQueue.recipient, MailQueue.subject, MailQueue.body,
                                  MailQueue.html, MailQueue.attempts).where(MailQueue.status == "pending",
                                                            MailQueue.next_attempt_at <= now)
                           .order_by(MailQueue.id)).all()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for row in due:
        try:
            path = send(row.recipient, row.subject, row.body, row.html)
        except Exception as error:  # noqa: BLE001 - recorded on the row and logged; retried later
            attempts = row.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            values = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:2000],
                      "status": "failed" if gave_up else "pending", "next_attempt_at": now + backoff(attempts)}
            (log.error if gave_up else log.warning)(
                "could not send %r to %s (attempt %d of %d): %s", row.subject, row.recipient, attempts,
                MAX_ATTEMPTS, error)
            counts["failed" if gave_up else "retry"] += 1
        else:
            values = {"attempts": row.attempts + 1, "status": "sent", "sent_at": now, "last_error": None,
                      "file_path": str(path) if path else None}
            counts["sent"] += 1
        with engine.begin() as conn:
            conn.execute(update(MailQueue).where(MailQueue.id == row.id).values(**values))
    return counts


def deliver_due_later(engine: Engine) -> Future:
    """:func:`deliver_due` on the sender thread: the caller (a load, a page) does not wait; errors are logged."""

    def run() -> dict[str, int] | None:
        try:
            return deliver_due(engine)
        except Exception as error:  # noqa: BLE001 - the store may be gone: next run retries
            log.warning("mail queue not delivered: %s", error)
            return None

    return _outgoing.submit(run)


def outbox_files(limit: int = 100) -> list[dict]:
    """The ``.eml`` files written without an SMTP server, latest first: file, date, recipient, subject."""
    from email import message_from_bytes, policy

    folder = get_settings().var_dir / "outbox"
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    out = []
    for path in files:
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        out.append({"file": path.name, "date": mail["Date"], "to": mail["To"], "subject": mail["Subject"]})
    return out

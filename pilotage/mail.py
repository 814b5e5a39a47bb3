"""Sending e-mail: through ``SMTP_URL`` (``smtp://`` with STARTTLS when offered, or ``smtps://``;
user and password in the URL), from ``MAIL_FROM``; without ``SMTP_URL`` each message is written as an
``.eml`` file under ``var/outbox/`` (a demo, a test, or a server whose mail is collected another way)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .settings import SettingsError, get_settings

log = logging.getLogger("pilotage.mail")
SMTP_TIMEOUT_S = 10
# One sender thread: a request that sends mail answers in its usual time (a login that locks an account must
# not take the SMTP round trip longer than one that does not: that would tell which e-mails have accounts).
_outgoing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pilotage-mail")


def message(to: str, subject: str, body: str) -> EmailMessage:
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    mail.set_content(body)
    return mail


def send(to: str, subject: str, body: str) -> Path | None:
    """Send one plain-text message; returns the ``.eml`` written when there is no SMTP server."""
    mail = message(to, subject, body)
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
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
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

"""A real SMTP server on the loopback (aiosmtpd), for tests that must see what a mail server receives."""

from __future__ import annotations

import socket
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is a dev dependency: pip install -e '.[dev]'")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402


@dataclass
class Inbox:
    """What the server accepted: one parsed message per delivery, and the logins it saw."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


class _Handler:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        self.inbox.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(user: str, password: str):
    """Start a server that requires ``user``/``password`` (AUTH over plain SMTP: the loopback only);
    yields its :class:`Inbox`, with ``url`` the SMTP_URL that logs in."""
    port = _free_port()
    inbox = Inbox(url=f"smtp://{user.replace('@', '%40')}:{password}@127.0.0.1:{port}")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode(), auth_data.password.decode()) == (user, password)
        inbox.logins.append((auth_data.login.decode(), "accepted" if ok else "refused"))
        return AuthResult(success=ok)

    # AUTH without TLS is refused by default (rightly); this server listens on the loopback only.
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()

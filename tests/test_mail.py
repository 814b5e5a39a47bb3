"""E-mail: through SMTP_URL (smtp:// with STARTTLS when offered, smtps://, login from the URL), or an
.eml file in var/outbox without it."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy

import pytest

from pilotage import mail
from pilotage.settings import SettingsError, get_settings

REAL_SMTP = smtplib.SMTP


class FakeSMTP:
    """Stands for the server's session: records what the client did."""

    sessions: list[FakeSMTP] = []

    def __init__(self, host, port, timeout=None, context=None):
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.sessions.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def ehlo(self):
        self.calls.append("ehlo")

    def has_extn(self, name):
        return "ehlo" in self.calls and name == "starttls"

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"]))


@pytest.fixture
def smtp_inbox():
    from tests.smtp import serve

    yield from serve("alerts@example.fr", "s3cret")


@pytest.fixture
def settings(monkeypatch):
    def use(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    FakeSMTP.sessions.clear()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    return use


def test_without_smtp_url_a_message_is_an_eml_in_the_outbox(settings, monkeypatch):
    monkeypatch.delenv("SMTP_URL", raising=False)
    settings(MAIL_FROM="pilotage@example.fr")
    path = mail.send("owner@example.fr", "Compte bloqué", "Bonjour,\nvotre compte est bloqué.")
    assert path.parent == get_settings().var_dir / "outbox"
    sent = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert (sent["From"], sent["To"], sent["Subject"]) == ("pilotage@example.fr", "owner@example.fr", "Compte bloqué")
    assert "votre compte est bloqué" in sent.get_content() and FakeSMTP.sessions == []


def test_smtp_url_sends_with_starttls_and_the_urls_login(settings):
    settings(SMTP_URL="smtp://alerts%40example.fr:s3cr%2Ft@mail.example.fr:587")
    assert mail.send("owner@example.fr", "Subject", "Body") is None
    (session,) = FakeSMTP.sessions
    assert (session.host, session.port) == ("mail.example.fr", 587)
    assert session.calls == ["ehlo", "starttls", ("login", "alerts@example.fr", "s3cr/t"),
                             ("send", "owner@example.fr", "Subject"), "quit"]


def test_a_real_smtp_server_receives_the_message_after_the_urls_login(smtp_inbox, settings, monkeypatch):
    """Through aiosmtpd on the loopback: the login from the URL is checked by the server, which then
    holds the message as sent (sender, recipient, subject, accented body)."""
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    settings(SMTP_URL=smtp_inbox.url, MAIL_FROM="pilotage@example.fr")
    assert mail.send("owner@example.fr", "Compte bloqué", "Bonjour,\nvotre compte est bloqué.") is None
    assert smtp_inbox.logins == [("alerts@example.fr", "accepted")]
    (received,) = smtp_inbox.to("owner@example.fr")
    assert (received["From"], received["Subject"]) == ("pilotage@example.fr", "Compte bloqué")
    assert "votre compte est bloqué" in received.get_content()
    assert list((get_settings().var_dir / "outbox").glob("*.eml")) == []


def test_smtps_and_a_bad_scheme(settings):
    settings(SMTP_URL="smtps://mail.example.fr")
    mail.send("owner@example.fr", "Subject", "Body")
    assert FakeSMTP.sessions[0].port == 465 and "starttls" not in FakeSMTP.sessions[0].calls
    settings(SMTP_URL="http://mail.example.fr")
    with pytest.raises(SettingsError, match="SMTP_URL"):
        mail.send("owner@example.fr", "Subject", "Body")

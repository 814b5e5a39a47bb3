"""The Monday digest of each demo user, end to end: computed in their scope, queued, sent to a real SMTP server on
the loopback and read back as a mail client would: the week's KPI cards as the semantic layer gives them for that
user, the month to date against the forecast of record (read with :mod:`forecasting`, not through the app), the
home page's data-health line, and the charts as PNG related parts referenced from the HTML by ``cid:``. Without a
working browser the same digests still go out (here to the outbox, through the CLI) with their tables only.

The store is a copy of the session's demo store (data to 31 October 2026) with a lead forecast trained to the end
of September, so that October, the digest's month to date, is a month of the forecast of record.
"""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from dashapp import i18n
from dashapp.demo_users import DEMO_USERS
from pilotage import mail
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine
from pilotage.store.models import ALL_REGIONS, NATIONAL_SCOPE, AppUser, MailQueue

from .app_helpers import copy_sqlite
from .forecast_helpers import FAST

CUTOFF = "2026-09"
OCTOBER = dt.date(2026, 10, 1)
EMAILS = [email for email, *_ in DEMO_USERS]


@pytest.fixture(scope="module")
def forecast_url(demo_sqlite_url, tmp_path_factory) -> str:
    from forecasting.training import train

    url = copy_sqlite(demo_sqlite_url, tmp_path_factory.mktemp("digest") / "digest.sqlite3")
    with get_engine(url).begin() as conn:  # the demo users only: other tests add users to the shared demo store
        conn.execute(update(AppUser).where(AppUser.email.not_in(EMAILS)).values(is_active=False))
    run = train(get_engine(url), cutoff=CUTOFF, run_by="test", candidates=FAST, n_jobs=1)
    assert run.is_champion
    return url


@pytest.fixture
def store(forecast_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", forecast_url)
    get_settings.cache_clear()
    with get_engine().begin() as conn:  # each test sends its own digests
        conn.execute(delete(MailQueue))
    return forecast_url


@pytest.fixture
def smtp_inbox():
    from tests.smtp import serve

    yield from serve("digest@example.fr", "s3cret")


def _expected(user):
    """What the digest must say for ``user``: the week's cards from the semantic layer in their scope, the
    forecast of record of their scopes from :mod:`forecasting`, the health line in their scope."""
    from dashapp.alerts.evaluate import acting_as, last_complete
    from dashapp.semantic import health, queries
    from dashapp.semantic.filters import Filters
    from dashapp.semantic.metrics import HOME_KPIS
    from forecasting import registry
    from forecasting.record import forecast_of_record

    with acting_as(user):
        last = queries.data_end()
        start, end, _ = last_complete("week", last)
        cards = queries.kpi_values(Filters(start=start, end=end, grain="week", period="last_week"),
                                   list(HOME_KPIS[user.role]))
        to_date = queries.kpi_values(Filters(start=OCTOBER, end=last, grain="month", period="month_to_date"),
                                     ["qualified_leads"])["qualified_leads"]
        line = i18n.health_line(health.summary(), user.language) if user.role in health.HEALTH_ROLES else None
    engine = get_engine()
    scopes = [NATIONAL_SCOPE] if user.scope == (ALL_REGIONS,) else list(user.scope)  # the demo's are top regions
    record = forecast_of_record(engine, scopes, run=registry.champion(engine, "leads"))
    share = ((last - OCTOBER).days + 1) / 31
    return {"cards": cards, "to_date": to_date, "forecast": float(record.yhat[record.months.index(OCTOBER)]),
            "share": share, "health": line, "single": len(scopes) == 1, "last": last}


def _clean(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\r\n", "\n")


def test_each_demo_users_digest_arrives_with_their_figures_the_forecast_health_and_charts(store, smtp_inbox,
                                                                                          monkeypatch):
    from dashapp.alerts.digest import figures, send_weekly
    from dashapp.auth.users import list_users, set_language

    monkeypatch.setenv("SMTP_URL", smtp_inbox.url)
    get_settings.cache_clear()
    users = {u.email: u for u in list_users()}
    set_language(users["director.idf@pilotage.demo"].id, "fr")
    users = {u.email: u for u in list_users()}

    digests = {d.user.email: d for d in send_weekly()}
    assert sorted(digests) == sorted(EMAILS)
    assert mail.deliver_due(get_engine())["sent"] == len(EMAILS)
    seen = {}
    for email in EMAILS:
        user, digest = users[email], digests[email]
        expected = _expected(user)
        (message,) = smtp_inbox.to(email)
        text = _clean(message.get_body(("plain",)).get_content())
        page = _clean(message.get_body(("html",)).get_content())
        lang = user.language or "en"

        for kpi, value in expected["cards"].items():  # the week's cards, as the semantic layer says in this scope
            assert next(c["value"] for c in digest.cards if c["kpi"] == kpi) == pytest.approx(value)
            assert f"{i18n.t(f'kpi.{kpi}', lang)} | {_clean(i18n.kpi_value(kpi, value, lang))} |" in text

        f = digest.forecast  # the month to date against the forecast of record of this user's scopes
        assert f["value"] == pytest.approx(expected["to_date"])
        assert f["forecast"] == pytest.approx(expected["forecast"], rel=1e-9)
        assert f["to_date"] == pytest.approx(expected["forecast"] * expected["share"], rel=1e-9)
        assert (f["lo80"] is not None) == expected["single"]  # a sum of scopes has no interval
        assert i18n.t("digest.forecast", lang, period=_clean(i18n.date_range(OCTOBER, expected["last"], lang))) \
            in text
        row = (f"{i18n.t('kpi.qualified_leads', lang)} | {_clean(i18n.kpi_value('qualified_leads', f['value'], lang))}"
               f" | {_clean(i18n.kpi_value('qualified_leads', f['to_date'], lang))} |")
        assert row in text, text
        seen[email] = f["forecast"]

        if expected["health"] is None:  # planners and sales have no data-health page, hence no line
            assert i18n.t("digest.health", lang) not in text
        else:
            state, counts = (_clean(part) for part in expected["health"])
            assert f"{i18n.t('digest.health', lang)}\n  {state} | {counts}" in text

        # the charts: one PNG related part per chart, each referenced by the HTML, no data URI left
        images = [part for part in message.walk() if part.get_content_type() == "image/png"]
        assert len(images) == len(figures(digest)) >= 3
        for image in images:
            assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
            assert f'src="cid:{image["Content-ID"].strip("<>")}"' in page
        assert "data:image" not in page
        assert message.get_body(("html",)).get_content_type() == "text/html"
        assert "multipart/related" in [part.get_content_type() for part in message.walk()]

    assert seen["director.idf@pilotage.demo"] < seen["director@pilotage.demo"]  # IDF's forecast, not France's
    assert "Votre semaine" in smtp_inbox.to("director.idf@pilotage.demo")[0]["Subject"]


def test_without_a_working_browser_the_digests_go_out_with_tables_only(store, monkeypatch):
    """``make demo``'s step: ``pilotage reports send --weekly`` without SMTP writes every demo user's digest to
    the outbox; a browser that cannot start leaves the charts out, not the e-mails."""
    from pilotage.cli import app

    monkeypatch.delenv("SMTP_URL", raising=False)
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # executable, but no browser: Kaleido fails to start it
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["reports", "send", "--weekly"])
    assert result.exit_code == 0, result.output
    assert f"{len(EMAILS)} digests queued" in result.output
    assert f"e-mails: {len(EMAILS)} sent" in result.output

    files = sorted((get_settings().var_dir / "outbox").glob("*.eml"))
    messages = {m["To"]: m for m in (message_from_bytes(p.read_bytes(), policy=policy.default) for p in files)}
    assert sorted(messages) == sorted(EMAILS)
    for message in messages.values():
        types = [part.get_content_type() for part in message.walk()]
        assert "image/png" not in types and "multipart/related" not in types
        page = message.get_body(("html",)).get_content()
        assert "<img" not in page and len(re.findall("<table", page)) >= 4
        text = message.get_body(("plain",)).get_content()
        assert any(i18n.t("digest.forecast.to_date", lang) in text for lang in ("en", "fr"))  # its table stays


def test_static_export_is_none_without_a_browser_and_draws_pngs_with_one(monkeypatch):
    import plotly.graph_objects as go

    from dashapp.layout import static

    with monkeypatch.context() as patch:
        patch.setenv("BROWSER_PATH", "/nonexistent/chrome")
        patch.setattr(static, "DEFAULT_BROWSER", "/nonexistent/chromium")
        patch.setattr(static.shutil, "which", lambda name: None)
        assert static.browser_path() is None and static.to_png([go.Figure()]) is None
    pngs = static.to_png([go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), go.Figure(go.Bar(x=["c"], y=[3]))])
    assert pngs is not None and len(pngs) == 2 and pngs[0] != pngs[1]
    assert all(p.startswith(b"\x89PNG") for p in pngs)

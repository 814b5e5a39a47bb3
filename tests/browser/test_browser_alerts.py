"""The alerts in a real browser: the bell's unread count, the notifications list in English and in French,
marking one read and then all (the bell follows), the link to the drill-down."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from dashapp import i18n
from pilotage.store.engine import get_engine
from pilotage.store.models import AlertRule

from ..app_helpers import using_database
from ..test_alerts import rule, users
from .conftest import login_as

EMAIL = "director.idf@pilotage.demo"
SOURCES = ("alerts-test-crm", "alerts-test-ads")  # never loaded: each rule fires for its source


@pytest.fixture
def notified(demo_sqlite_url):
    """Two notifications for the Ile-de-France director on the live server's store, removed afterwards."""
    from dashapp.alerts.events import run

    with using_database(demo_sqlite_url):
        u = users()
        ids = [rule(u["admin"], kind="freshness", source=source, threshold=2, name=f"{source} late",
                    users=[u["director.idf"].id]) for source in SOURCES]
        from dashapp.alerts.rules import get_rule

        run(now=dt.datetime(2026, 11, 2, 8), rules=[get_rule(i) for i in ids])
    yield
    with get_engine(demo_sqlite_url).begin() as conn:
        conn.execute(delete(AlertRule).where(AlertRule.id.in_(ids)))  # and their events


def _bell(page) -> str:
    return page.inner_text("#nav-bell-count").strip()


@pytest.mark.parametrize("locale,language", [("en-GB", "en"), ("fr-FR", "fr")])
def test_the_bell_and_the_notifications_list(new_page, notified, locale, language):
    from playwright.sync_api import expect

    page = new_page(locale)
    login_as(page, EMAIL)
    assert _bell(page) == "2"
    assert page.get_attribute("#nav-bell", "title") == i18n.t("alerts.bell", language, count=2)

    page.click("#nav-bell")
    page.wait_for_selector(".alerts-item")
    assert page.inner_text("h1") == i18n.t("alerts.title", language)
    items = page.locator(".alerts-item")
    assert items.count() == 2
    text = page.inner_text("#alerts-list")
    for source in SOURCES:
        assert i18n.t("alerts.what.freshness.never", language, source=source) in text
        assert i18n.t("alerts.where.source", language, source=source) in text
    assert page.locator(".alerts-unread").count() == 2

    # Mark one read: its badge goes, the bell counts one.
    page.locator(".alerts-unread").first.get_by_role("button", name=i18n.t("alerts.mark_read", language)).click()
    expect(page.locator(".alerts-unread")).to_have_count(1)
    expect(page.locator("#nav-bell-count")).to_have_text("1")
    # Mark all read: no unread left, the bell is empty (and stays so on the next page).
    page.click("#alerts-mark-all")
    expect(page.locator(".alerts-unread")).to_have_count(0)
    expect(page.locator("#nav-bell-count")).to_have_text("")
    page.click("#nav-home")
    page.wait_for_selector("#home-page")
    assert _bell(page) == ""


def test_an_admin_edits_then_deletes_a_rule_from_its_buttons(new_page, notified):
    """The rule table's buttons (drawn by a callback, forwarded by the browser): edit fills the form with the rule,
    delete removes it from the table."""
    from playwright.sync_api import expect

    page = new_page("en-GB")
    login_as(page, "admin@pilotage.demo")
    page.goto("/alerts")
    name = f"{SOURCES[0]} late"
    row = page.locator("#alerts-rules tr", has_text=name)
    row.get_by_role("button", name=i18n.t("alerts.rules.edit", "en")).click()
    expect(page.locator("#alerts-rule-form-title")).to_have_text(f"{i18n.t('alerts.rules.edit', 'en')}: {name}")
    expect(page.locator("#alerts-rule-name")).to_have_value(name)
    row.get_by_role("button", name=i18n.t("alerts.rules.delete", "en")).click()
    expect(page.locator("#alerts-rule-feedback")).to_have_text(i18n.t("alerts.rules.deleted", "en"))
    expect(page.locator("#alerts-rules tr", has_text=name)).to_have_count(0)
    expect(page.locator("#alerts-rules tr", has_text=f"{SOURCES[1]} late")).to_have_count(1)

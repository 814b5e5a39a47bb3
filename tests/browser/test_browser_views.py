"""A saved view in a real browser, in French: a director of Île-de-France opens the drill-down with their Monday
filters, saves the page as "Ma vue du lundi" and as their home with the navbar's button, signs out, signs in
again and lands on that view (page, filters and period as saved)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, select

from dashapp import i18n
from dashapp.demo_users import DEMO_PASSWORD
from pilotage.store.engine import get_engine
from pilotage.store.models import AppUser, SavedView

from ..app_helpers import using_database
from .conftest import login_as

EMAIL = "vues.fr@pilotage.test"
HEADLINE = "() => document.querySelector('#explore-headline')?.innerText.trim().length > 0"
MONDAY = "/explore?period=last_week&grain=week&region=FR-IDF&kpi=mqls&by=source"


@pytest.fixture
def french_director(demo_sqlite_url):
    from dashapp.auth import users

    with using_database(demo_sqlite_url):
        if users.get_user_by_email(EMAIL) is None:
            users.add_user(EMAIL, DEMO_PASSWORD, "director", "FR-IDF", name="Directrice IDF", language="fr",
                           actor="test")
    yield EMAIL
    engine = get_engine(demo_sqlite_url)
    with engine.begin() as conn:
        owner = conn.execute(select(AppUser.id).where(AppUser.email == EMAIL)).scalar_one()
        conn.execute(delete(SavedView).where(SavedView.owner_id == owner))


def test_a_saved_home_view_opens_after_signing_in_again(new_page, french_director):
    page = new_page("fr-FR")
    login_as(page, french_director)
    page.goto(MONDAY)
    page.wait_for_function(HEADLINE)
    assert page.inner_text("#nav-views").strip() == i18n.t("nav.views", "fr")

    page.click("#nav-save-view")
    page.wait_for_selector("#view-name", state="visible")
    page.fill("#view-name", "Ma vue du lundi")
    page.check("#view-home")
    page.click("#view-save")
    feedback = page.wait_for_selector("#view-feedback.alert-success")
    assert feedback.inner_text().strip() == i18n.t("views.saved_home", "fr", name="Ma vue du lundi")

    page.keyboard.press("Escape")  # the dialog closes as any
    page.wait_for_selector("#view-dialog", state="hidden")
    page.click("#nav-logout")
    page.wait_for_selector("#login-form")
    login_as(page, french_director)
    page.wait_for_url("**/explore?**")
    page.wait_for_function(HEADLINE)
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/explore"
    assert {k: query[k] for k in ("period", "grain", "region", "kpi", "by")} == {
        "period": ["last_week"], "grain": ["week"], "region": ["FR-IDF"], "kpi": ["mqls"], "by": ["source"]}
    assert i18n.t("kpi.mqls", "fr") in page.inner_text("#explore-kpi")
    assert i18n.t("period.last_week", "fr") in page.inner_text("#explore-period")

    # The view is listed on "Mes vues" as the home view.
    page.click("#nav-views")
    page.wait_for_selector("#views-table")
    row = page.inner_text("#views-table")
    assert "Ma vue du lundi" in row and i18n.t("views.is_home", "fr") in row

"""What every user meets first, in a real browser: signing in, the navbar of their role,
a wrong password, a forbidden page, the language switch and signing out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from dashapp import i18n
from dashapp.demo_users import DEMO_USERS

from .conftest import login_as

NAMES = {email: (name, role) for email, name, role, _ in DEMO_USERS}


@pytest.mark.parametrize("email", ["director.idf@pilotage.demo", "planner@pilotage.demo", "sales@pilotage.demo",
                                   "admin@pilotage.demo"])
def test_each_role_signs_in_and_sees_its_navbar(page, email):
    name, role = NAMES[email]
    login_as(page, email)

    navbar_user = page.inner_text("#nav-user")
    assert name in navbar_user and i18n.t(f"role.{role}", "en") in navbar_user
    assert page.is_visible("#nav-home")
    assert page.is_visible("#nav-logout")
    # The admin link is there for the admin only.
    assert (page.locator("#nav-admin").count() == 1) == (role == "admin")


def test_scoped_director_sees_their_scope_in_the_navbar(page):
    login_as(page, "director.idf@pilotage.demo")
    text = page.inner_text("#nav-user")
    assert i18n.t("nav.scope", "en", scope="Île-de-France") in text, text  # the region's name, not "all"


def test_wrong_password_shows_a_message_and_stays_on_the_login_page(page):
    login_as(page, "sales@pilotage.demo", "not-the-password", expect_success=False)

    message = page.wait_for_selector("#login-message")
    assert message.inner_text().strip() == i18n.t("login.invalid", "en")
    assert page.url.endswith("/login")
    assert page.locator("#nav-user").count() == 0


def test_anonymous_visitor_is_sent_to_the_login_page(page):
    page.goto("/explore")
    page.wait_for_selector("#login-form")
    assert "/login" in page.url


def test_director_opening_admin_by_url_gets_403(page):
    login_as(page, "director.idf@pilotage.demo")

    response = page.goto("/admin")
    error = page.wait_for_selector("#error-page")
    assert response.status == 403
    assert error.get_attribute("data-status") == "403"
    assert i18n.t("error.forbidden.title", "en") in error.inner_text()


def test_language_switch_turns_the_navbar_to_french_and_back(page):
    login_as(page, "planner@pilotage.demo")
    page.goto("/explore")
    page.wait_for_selector("#nav-logout")
    logout = page.locator("#nav-logout")
    assert logout.inner_text().strip() == i18n.t("nav.logout", "en")

    try:
        page.click("#nav-language")
        page.wait_for_function("t => document.querySelector('#nav-logout')?.innerText.trim() === t",
                               arg=i18n.t("nav.logout", "fr"))
        assert page.locator("#nav-home").inner_text().strip() == i18n.t("nav.home", "fr")
        assert "Périmètre" in page.inner_text("#nav-user")
        assert urlsplit(page.url).path == "/explore"  # back on the page the switch was clicked on
    finally:
        # The language is stored on the user: always switch back, even when an assertion failed.
        page.click("#nav-language")
    page.wait_for_function("t => document.querySelector('#nav-logout')?.innerText.trim() === t",
                           arg=i18n.t("nav.logout", "en"))
    assert page.locator("#nav-home").inner_text().strip() == i18n.t("nav.home", "en")
    assert urlsplit(page.url).path == "/explore"


def test_logout_returns_to_login_and_closes_the_session(page):
    login_as(page, "sales@pilotage.demo")

    page.click("#nav-logout")
    page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    page.wait_for_selector("#login-form")
    # The session is gone: the app sends us back to the login page.
    page.goto("/")
    page.wait_for_selector("#login-form")
    assert page.locator("#nav-user").count() == 0


def test_every_page_renders_under_the_content_security_policy(page):
    """The CSP allows Dash's own scripts and nothing inline from data: each page renders with no refusal."""
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))
    login_as(page, "admin@pilotage.demo")
    for path, selector in (("/", "#home-cards"), ("/explore", "#explore-grid"), ("/forecast", "#forecast-chart"),
                           ("/planning", "#planning-page"), ("/admin", "#admin-runs-grid")):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(selector)
        page.wait_for_load_state("networkidle")
    assert refused == []

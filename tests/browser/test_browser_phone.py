"""The app on a phone (390 x 844 CSS pixels, an iPhone 12 to 15), in both languages: the navbar
collapses behind a menu button that opens and closes it, a move to another page closes it, and no page
is wider than the screen. On a desktop the links show and the button does not.

Each language has a planner of its own (the language is the user's setting, which other tests switch)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from dashapp import i18n
from dashapp.demo_users import DEMO_PASSWORD

from ..app_helpers import using_database
from .conftest import login_as

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# A function, not a bare expression: the Content-Security-Policy forbids eval.
NO_WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"
VISIBLE = "id => { const e = document.getElementById(id); return !!e && e.offsetParent !== null; }"
HIDDEN = "id => { const e = document.getElementById(id); return !e || e.offsetParent === null; }"


@pytest.fixture(scope="module")
def planners(demo_sqlite_url) -> dict[str, str]:
    """A planner reading English and one reading French, in the live server's store."""
    from dashapp.auth import users

    emails = {language: f"phone.{language}@pilotage.test" for language in ("en", "fr")}
    with using_database(demo_sqlite_url):
        for language, email in emails.items():
            if users.get_user_by_email(email) is None:
                users.add_user(email, DEMO_PASSWORD, "planner", "all", name=f"Phone {language}", language=language,
                               actor="test")
    return emails


@pytest.mark.parametrize(("locale", "language"), [("en-GB", "en"), ("fr-FR", "fr")])
def test_the_navbar_collapses_on_a_phone(new_page, planners, locale, language):
    page = new_page(locale)
    login_as(page, planners[language])  # signs in on the default desktop size, where the links show
    assert page.is_visible("#nav-home") and not page.is_visible("#nav-toggler")

    page.set_viewport_size(PHONE)
    page.goto("/")
    page.wait_for_selector("#home-cards .card")
    page.wait_for_function(VISIBLE, arg="nav-toggler")
    for hidden in ("nav-home", "nav-explore", "nav-user", "nav-logout", "nav-language"):
        assert not page.is_visible(f"#{hidden}"), hidden
    assert page.evaluate(NO_WIDER_THAN_SCREEN), "the home page is wider than the phone"
    assert page.inner_text("#nav-toggler").strip() == i18n.t("nav.toggle", language)  # said to screen readers

    page.click("#nav-toggler")
    page.wait_for_function(VISIBLE, arg="nav-home")
    assert page.inner_text("#nav-home").strip() == i18n.t("nav.home", language)
    assert page.inner_text("#nav-logout").strip() == i18n.t("nav.logout", language)
    assert i18n.t("role.planner", language) in page.inner_text("#nav-user")
    for link in ("nav-explore", "nav-forecast", "nav-planning", "nav-glossary", "nav-language"):
        assert page.is_visible(f"#{link}"), link
    assert page.evaluate(NO_WIDER_THAN_SCREEN), "the open menu is wider than the phone"

    page.click("#nav-toggler")  # the button closes it again
    page.wait_for_function(HIDDEN, arg="nav-home")

    page.click("#nav-toggler")
    page.wait_for_function(VISIBLE, arg="nav-explore")
    page.click("#nav-explore")  # moving to another page closes the menu
    page.wait_for_selector("#explore-filters")
    page.wait_for_function(HIDDEN, arg="nav-explore")
    assert urlsplit(page.url).path == "/explore"
    page.wait_for_function("() => document.querySelector('#explore-headline')?.innerText.trim().length > 0")
    assert page.evaluate(NO_WIDER_THAN_SCREEN), "the drill-down is wider than the phone"

    page.set_viewport_size(DESKTOP)  # back on a desktop the links show without the button
    page.wait_for_function(VISIBLE, arg="nav-home")
    assert not page.is_visible("#nav-toggler")


def test_a_badge_tooltip_says_the_rule_on_a_phone(new_page, planners):
    page = new_page("fr-FR")
    login_as(page, planners["fr"])
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.wait_for_selector("#home-state-leads")
    page.hover("#home-state-leads")
    tooltip = page.wait_for_selector("#home-state-leads-rule", state="visible")
    assert tooltip.inner_text().startswith("Plus haut, mieux c'est.")

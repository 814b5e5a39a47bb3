"""Browser tests: the real app under gunicorn, driven by Playwright through Debian's Chromium.

The server is started once per session on the session's SQLite demo store (``demo_sqlite_url``)
exactly as production serves it (``gunicorn -c gunicorn.conf.py``, two workers), so these tests
see what a user sees: the login form, the guard's 403, Dash rendering in a real browser.

Chromium is Debian's (``apt-get install -y chromium``; ``make test`` installs it when missing),
never one downloaded by Playwright. Outside CI a missing Chromium skips these tests; in CI
(``CI=true``) it is an error, because CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashapp.demo_users import DEMO_PASSWORD

from ..server import serve

CHROMIUM = Path(os.environ.get("PILOTAGE_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling Google, which this closed
# network refuses; QUIC and the GPU are of no use headless.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() == "true"
TIMEOUT_MS = 30_000  # a cold first page on a loaded CI machine; every wait is on a selector, not a clock


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium`"
        if IN_CI:
            pytest.fail(f"browser tests must run in CI: {message}")
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_server(demo_sqlite_url, tmp_path_factory) -> str:
    """The app on the session's demo store; its base URL."""
    with serve(demo_sqlite_url, tmp_path_factory.mktemp("live_server")) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()`` -> a page in a fresh context (its own cookies: a separate user), English
    browser, relative URLs against the live server; everything is closed at the end of the test."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server, locale=locale, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login_as(page, email: str, password: str = DEMO_PASSWORD, *, expect_success: bool = True) -> None:
    """Sign in through the login form as a user would; on success, wait for the app's navbar."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    if expect_success:
        page.wait_for_selector("#nav-user")

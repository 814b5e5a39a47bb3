"""The media planning page in a real browser, as a planner: the response curves are drawn, a cell edited
in the grid changes the prediction, the plan is saved as a scenario, the optimiser runs, and the saved
scenario is compared with the current plan.

The app is served by gunicorn, as in production, on a copy of the session's demo store with a media run
trained in it (the same copy as :mod:`tests.test_app_planning` uses: trained once per session).
"""

from __future__ import annotations

import pytest

from ..test_app_planning import trained_copy
from .conftest import TIMEOUT_MS, login_as, serve

PLANNER = "planner@pilotage.demo"


@pytest.fixture(scope="module")
def planning_server(demo_sqlite_url, tmp_path_factory) -> str:
    """gunicorn on the trained copy (the session's live server has no media run)."""
    url_of_store = trained_copy(demo_sqlite_url, tmp_path_factory.mktemp("planning_store"))
    with serve(url_of_store, tmp_path_factory.mktemp("planning_server")) as url:
        yield url


@pytest.fixture
def planner_page(browser, planning_server):
    context = browser.new_context(base_url=planning_server, locale="en-GB", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    login_as(page, PLANNER)
    yield page
    context.close()


def cell(page, grid: str, row: int, column: str):
    return page.locator(f"#{grid} .ag-center-cols-container [row-index='{row}'] [col-id='{column}']")


def below(page) -> None:
    """Scroll to what is below the first screen (from the response curves on): it is asked for only once the
    user comes near it."""
    page.wait_for_selector("#planning-contrib .main-svg")
    page.locator("#planning-curves-slot").scroll_into_view_if_needed()


def test_what_is_below_the_first_screen_waits_until_the_user_scrolls_to_it(planner_page):
    page = planner_page
    page.goto("/planning")
    page.wait_for_selector("#planning-channels-table")
    page.wait_for_selector("#planning-contrib .main-svg")
    page.wait_for_timeout(1000)
    assert page.locator("#planning-curves").count() == 0 and page.locator("#planning-save").count() == 0
    below(page)
    page.wait_for_selector("#planning-curves .scatterlayer .trace")
    page.wait_for_selector("#planning-sum-vs-current")
    page.wait_for_selector("#planning-save")


def test_a_planner_edits_saves_optimises_and_compares(planner_page):
    page = planner_page
    page.goto("/planning")
    page.wait_for_selector("#planning-channels-table")
    below(page)
    page.wait_for_selector("#planning-curves .scatterlayer .trace")
    assert page.locator("#planning-curves .scatterlayer .trace").count() >= 4  # band, line, point per channel
    assert page.locator("#planning-curves .shapelayer path").count() >= 1  # the historical spend shaded
    page.wait_for_selector("#planning-sum-vs-current")
    assert page.inner_text("#planning-sum-vs-current") == "0 leads, €0"
    target = cell(page, "planning-grid", 0, "paid_search")
    target.click()
    editor = page.locator("#planning-grid .ag-cell-inline-editing input")
    editor.fill("25000")
    editor.press("Enter")
    page.wait_for_function("() => document.querySelector('#planning-sum-vs-current').innerText !== '0 leads, €0'")
    assert page.inner_text("#planning-sum-vs-current").startswith("+")  # more search spend, more leads
    assert cell(page, "planning-grid", 0, "paid_search").inner_text() == "€25,000"

    page.fill("#planning-name", "Browser push")
    page.click("#planning-save")
    page.wait_for_selector("#planning-scenario-feedback:has-text('Scenario “Browser push” saved.')")

    page.click("#planning-opt-run")
    page.wait_for_selector("#planning-opt-headline")
    assert "qualified leads" in page.inner_text("#planning-opt-headline")
    assert page.locator("#planning-opt-grid .ag-center-cols-container [row-index='0']").count() == 1
    page.click("#planning-opt-use")
    page.wait_for_selector("#planning-editor-feedback:has-text('allocation is in the editor')")

    page.click("#planning-compare")
    page.get_by_role("option", name="Browser push").click()
    page.keyboard.press("Escape")
    page.wait_for_selector("#planning-compare-table tr[data-scenario='current']")
    rows = page.locator("#planning-compare-table tbody tr")
    assert rows.count() == 2
    assert "Browser push" in page.inner_text("#planning-compare-table")


def test_the_optimiser_runs_in_the_background_with_progress_and_can_be_cancelled(planner_page):
    page = planner_page
    page.goto("/planning")
    below(page)
    page.wait_for_selector("#planning-opt-run")
    # run: while the job runs, the progress shows and the run button waits; then the result replaces it
    page.click("#planning-opt-run")
    page.wait_for_selector("#planning-opt-running", state="visible")
    assert page.locator("#planning-opt-progress").count() == 1
    assert page.is_disabled("#planning-opt-run") and page.is_enabled("#planning-opt-cancel")
    page.wait_for_selector("#planning-opt-headline")
    page.wait_for_selector("#planning-opt-running", state="hidden")
    assert page.is_enabled("#planning-opt-run") and page.is_disabled("#planning-opt-cancel")
    assert page.get_attribute("#planning-opt-extrapolation", "data-extrapolated") == "false"
    assert page.locator("#planning-opt-binding li").count() >= 1
    # cancel: a run for another budget is stopped, its result never comes, the page is ready for another run
    before = page.inner_text("#planning-opt-headline")
    amount = float(page.input_value("#planning-opt-amount"))
    page.fill("#planning-opt-amount", str(round(amount - 1000)))
    page.click("#planning-opt-run")
    page.wait_for_selector("#planning-opt-cancel:not([disabled])")
    page.click("#planning-opt-cancel")
    page.wait_for_selector("#planning-opt-running", state="hidden")
    page.wait_for_selector("#planning-opt-run:not([disabled])")
    page.wait_for_timeout(3000)  # longer than the job: a job that was not stopped would have answered
    assert page.inner_text("#planning-opt-headline") == before
    # and it runs again after a cancel, for the new budget
    page.click("#planning-opt-run")
    page.wait_for_function("(old) => document.querySelector('#planning-opt-headline').innerText !== old", arg=before)

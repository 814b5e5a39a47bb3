"""The home page and the drill-down page in a real browser, as a director: the cards show the
scope's figures, a filter change is written to the URL, that URL reopens the same view, and the
export downloads exactly the rows the grid shows.

Expected figures are read from the store with plain SQL (the demo company ends 2026-10-31, so the
default period is October 2026), never through the app's query layer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, text

from dashapp import i18n
from dashapp.semantic import metrics

from .conftest import login_as

LAST_MONTH = dt.date(2026, 10, 1)  # the last complete month of the session's demo store
SCOPED_DIRECTOR = "director.idf@pilotage.demo"


@pytest.fixture(scope="module")
def store(demo_sqlite_url):
    engine = create_engine(demo_sqlite_url)
    yield engine
    engine.dispose()


def region_with_descendants(engine, code: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, parent_code FROM dim_region")).all()
    found, frontier = {code}, [code]
    while frontier:
        parent = frontier.pop()
        children = [c for c, p in rows if p == parent and c not in found]
        found.update(children)
        frontier.extend(children)
    return sorted(found)


def month_leads(engine, regions: list[str] | None) -> int:
    """Leads of October 2026 in the monthly mart, in ``regions`` (None: every region)."""
    statement = "SELECT coalesce(sum(leads), 0) FROM mart_monthly WHERE month = :month"
    params = {"month": LAST_MONTH}
    if regions is not None:
        statement += " AND region_code IN ({})".format(", ".join(f":r{i}" for i in range(len(regions))))
        params.update({f"r{i}": code for i, code in enumerate(regions)})
    with engine.connect() as conn:
        return int(conn.execute(text(statement), params).scalar_one())


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def grid_column(page, column: str, part: str = "body") -> list[str]:
    """The cells of one column: the rows (``body``) or the pinned total row (``bottom``)."""
    if part == "bottom":
        return page.locator(f"#explore-grid .ag-floating-bottom [col-id={column}]").all_inner_texts()
    container = "ag-pinned-left-cols-container" if column == "label" else "ag-center-cols-container"
    return page.locator(f"#explore-grid .ag-body .{container} [col-id={column}]").all_inner_texts()


def as_int(text_value: str) -> int:
    return int(re.sub(r"\D", "", text_value))


def export_button(visual: str, fmt: str, page_name: str = "explore") -> str:
    """The selector of a visual's export button (a pattern-matching id, which Dash writes as JSON)."""
    return (f"button[id*='\"page\":\"{page_name}\"'][id*='\"visual\":\"{visual}\"']"
            f"[id*='\"format\":\"{fmt}\"']")


def wait_for_grid(page) -> None:
    page.wait_for_selector("#explore-grid .ag-pinned-left-cols-container [col-id=label]")


# --- the home page ----------------------------------------------------------------------------

def test_home_cards_of_a_director_show_every_kpi_of_the_role(page):
    login_as(page, "director@pilotage.demo")
    page.wait_for_selector("#home-value-leads")

    for name in metrics.HOME_KPIS["director"]:
        card = page.locator(f"#home-card-{name}")
        assert card.count() == 1, name
        assert page.inner_text(f"#home-value-{name}").strip(), name
        assert page.locator(f"#home-state-{name}").count() == 1, name


@pytest.mark.parametrize("email, region", [("director@pilotage.demo", None), (SCOPED_DIRECTOR, "FR-IDF")])
def test_home_leads_card_shows_the_scope_figure_of_last_month(page, store, email, region):
    regions = region_with_descendants(store, region) if region else None
    expected = month_leads(store, regions)
    assert 0 < expected

    login_as(page, email)
    value = page.wait_for_selector("#home-value-leads").inner_text().strip()

    assert value == i18n.kpi_value("leads", expected, "en")
    if region:  # a regional director never sees the company's figure
        assert value != i18n.kpi_value("leads", month_leads(store, None), "en")


# --- the drill-down page ------------------------------------------------------------------------

def test_filter_change_goes_to_the_url_and_the_link_reopens_the_same_view(page, new_page):
    login_as(page, "director@pilotage.demo")
    page.goto("/explore")
    page.wait_for_url(re.compile(r"/explore\?.*period=last_month"))
    wait_for_grid(page)

    page.locator("#explore-grain").get_by_text(i18n.t("grain.week", "en"), exact=True).click()
    page.wait_for_url(re.compile(r"grain=week"))
    page.click("#explore-period")
    page.get_by_role("option", name=i18n.t("period.last_quarter", "en"), exact=True).click()
    page.wait_for_url(re.compile(r"period=last_quarter"))
    shared = page.url
    assert query_of(shared)["grain"] == "week" and query_of(shared)["period"] == "last_quarter"

    # The same link in another tab of the same user: same controls, same figures.
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_selector("#explore-grain input[value=week]:checked")
    assert other.inner_text("#explore-period").strip() == i18n.t("period.last_quarter", "en")
    headline = other.locator("#explore-headline")
    other.wait_for_function("() => document.querySelector('#explore-headline')?.innerText.trim().length > 0")
    expected = headline.inner_text().strip()
    page.wait_for_function("t => document.querySelector('#explore-headline')?.innerText.trim() === t",
                           arg=expected)
    assert query_of(other.url) == query_of(shared)

    # And in another user's browser the link opens too (after their own login), with the same filters.
    stranger = new_page()
    login_as(stranger, "planner@pilotage.demo")
    stranger.goto(shared)
    stranger.wait_for_selector("#explore-grain input[value=week]:checked")
    assert stranger.inner_text("#explore-period").strip() == i18n.t("period.last_quarter", "en")


def test_export_downloads_the_rows_the_grid_shows_in_the_directors_scope(page, store):
    login_as(page, SCOPED_DIRECTOR)
    page.goto("/explore")
    wait_for_grid(page)
    labels, leads = grid_column(page, "label"), grid_column(page, "leads")
    assert labels and len(labels) == len(leads)

    with page.expect_download() as download_info:
        page.click(export_button("grid", "csv"))
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]

    leads_column = header.index(i18n.t("kpi.leads", "en"))
    # Same rows in the same order, then the total row the grid pins at its bottom.
    assert [row[0] for row in body] == labels + grid_column(page, "label", "bottom")
    assert [int(float(row[leads_column])) for row in body] == [as_int(v) for v in
                                                                leads + grid_column(page, "leads", "bottom")]
    # The file holds the director's region only: its total is Île-de-France's, not the company's.
    idf = month_leads(store, region_with_descendants(store, "FR-IDF"))
    assert sum(int(float(row[leads_column])) for row in body[:-1]) == idf
    assert int(float(body[-1][leads_column])) == idf

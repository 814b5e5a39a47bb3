"""Exports and cross-filtering in a real browser (issue 14): a French user's CSV opens in a French Excel
(";" separator, decimal comma, UTF-8 byte-order mark), every visual has its own export, and a click on a
chart or a breakdown row sets the filter bar and the page's address."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

from .conftest import login_as
from .test_browser_pages import SCOPED_DIRECTOR, export_button, wait_for_grid

VISUALS = ("series", "funnel", "leaderboard", "grid", "heatmap", "cohort", "activity")


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_french_csv_has_semicolons_decimal_commas_and_a_bom(new_page):
    page = new_page(locale="fr-FR")
    login_as(page, SCOPED_DIRECTOR)
    page.goto("/explore?period=last_quarter&by=channel")
    wait_for_grid(page)
    for visual in VISUALS:  # every visual carries its CSV and Excel buttons
        assert page.locator(export_button(visual, "csv")).count() == 1, visual
        assert page.locator(export_button(visual, "xlsx")).count() == 1, visual

    with page.expect_download() as download_info:
        page.click(export_button("grid", "csv"))
    download = download_info.value
    assert download.suggested_filename == "explore_breakdown-channel_2026-07-01_2026-09-30.csv"
    content = download.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[0] == "Canal" and "Coût par lead" in header and len(header) > 5
    cost = header.index("Coût par lead")
    costs = [row[cost] for row in rows[1:] if row[cost]]
    assert costs and all("." not in value for value in costs)
    assert any("," in value for value in costs)  # decimal commas, read as numbers by a French Excel
    assert all(float(value.replace(",", ".")) >= 0 for value in costs)


def test_a_heatmap_click_sets_the_channel_and_month_and_the_url(page):
    login_as(page, "director@pilotage.demo")
    page.goto("/explore?period=last_quarter&by=channel")
    # Below the fold, the heatmap and the cohorts wait until scrolled to.
    page.wait_for_selector("#explore-leaderboard-table")
    page.wait_for_timeout(500)
    assert page.locator("#explore-heatmap g.hm").count() == 0
    assert page.locator("#explore-cohort-table").count() == 0
    page.locator("#explore-heatmap-card").scroll_into_view_if_needed()
    page.wait_for_selector("#explore-heatmap g.hm", state="attached")
    page.wait_for_selector("#explore-cohort-table")
    drag = page.locator("#explore-heatmap .nsewdrag").first
    drag.scroll_into_view_if_needed()
    # The cell in the middle of the plot (hovered first, as a hand does): its channel and month become the filters.
    box = drag.bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*middle)
    page.wait_for_selector("#explore-heatmap .hoverlayer .hovertext")
    page.mouse.click(*middle)
    page.wait_for_function("() => new URL(location.href).searchParams.has('channel')")
    query = query_of(page.url)
    assert query["period"] == ["custom"] and len(query["channel"]) == 1
    start, end = query["start"][0], query["end"][0]
    assert start.endswith("-01") and start[:7] == end[:7] and "2026-07" <= start[:7] <= "2026-09"
    # The rest of the page follows: the breakdown by channel holds that channel only, and the link reopens it.
    page.wait_for_function("() => document.querySelectorAll('#explore-grid .ag-pinned-left-cols-container "
                           "[col-id=label]').length === 1")
    label = page.locator("#explore-grid .ag-pinned-left-cols-container [col-id=label]").first.inner_text().strip()
    page.goto(page.url)
    wait_for_grid(page)
    assert page.locator("#explore-grid .ag-pinned-left-cols-container [col-id=label]").all_inner_texts() == [label]


def test_a_click_on_a_breakdown_row_filters_the_page_and_the_url(page):
    login_as(page, "director@pilotage.demo")
    page.goto("/explore?period=last_month&by=region")
    wait_for_grid(page)
    first = page.locator("#explore-grid .ag-pinned-left-cols-container [col-id=label]").first
    label = first.inner_text().strip()
    first.click()
    page.wait_for_function("() => new URL(location.href).searchParams.has('region')")
    (region,) = query_of(page.url)["region"]
    assert region.startswith("FR") or region == "XX"
    # The link reproduces the view: opened again, the region filter is set and the grid shows that region.
    page.goto(page.url)
    wait_for_grid(page)
    assert page.locator("#explore-grid .ag-pinned-left-cols-container [col-id=label]").first.inner_text().strip() \
        == label

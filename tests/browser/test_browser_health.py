"""The data-health page in a real browser, in French: an admin opens it on the session's demo store (its data
ends 2026-10-31, so its daily sources are late against today's clock), reads the sources' states, and a
figure opens the rows behind it, as many as the figure says."""

from __future__ import annotations

import re

from .conftest import login_as


def test_health_page_in_french_opens_the_rows_behind_a_figure(new_page):
    page = new_page(locale="fr-FR")
    login_as(page, "admin@pilotage.demo")
    page.goto("/health")
    page.wait_for_selector("#health-page h1:has-text('Santé des données')")
    late = page.locator("#health-figure-late")
    late.filter(has_text=re.compile(r"^\d+$")).wait_for()
    states = page.locator("#health-sources .ag-cell[col-id='state']")
    states.first.wait_for()
    late_rows = sum("en retard de" in text for text in states.all_inner_texts())
    assert late_rows >= 1 and int(late.inner_text()) == late_rows
    page.click("#health-open-late")
    page.wait_for_selector(f"#health-detail-title:has-text('Sources en retard : {late_rows}')")
    assert page.locator("#health-detail .ag-header-cell-text", has_text="Dernière date couverte").count() == 1
    outliers = int(page.locator("#health-figure-outliers").inner_text().replace("\u202f", ""))
    page.click("#health-open-outliers")
    title = page.locator("#health-detail-title")
    title.filter(has_text="Valeurs aberrantes signalées").wait_for()
    assert int(re.sub(r"\D", "", title.inner_text())) == outliers

"""The forecast panel (``/forecast``) in a real browser: the champion's forecast with its 80% / 95%
bands over six future months, its accuracy against the seasonal naive, its drivers and media plan,
a view switch that redraws the chart, figures equal to the registry's (the company's for a planner,
the sum of their region's series for a regional director), the registry block for the admin only,
the 403 for sales and the card in French.

The session's demo store holds no forecast run, and other tests count the runs they write into
copies of it: this module trains one (fast candidates, as the training tests do) in its own copy
and serves that copy from its own gunicorn, started once for the module. Expected figures are read
with :mod:`forecasting.registry` on that copy, never through the app's query layer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from dashapp import i18n
from dashapp.demo_users import DEMO_USERS
from dashapp.layout import charts
from dashapp.pages.forecast.figures import SUMMARY_HEADERS
from forecasting import registry
from forecasting.training import train
from pilotage.store.engine import get_engine

from ..forecast_helpers import FAST
from .conftest import TIMEOUT_MS, login_as, serve

PLANNER, DIRECTOR, IDF, ADMIN, SALES = ("planner@pilotage.demo", "director@pilotage.demo",
                                        "director.idf@pilotage.demo", "admin@pilotage.demo", "sales@pilotage.demo")
SCOPES = {email: scope for email, _, _, scope in DEMO_USERS}
FIRST_MONTH = dt.date(2026, 11, 1)  # the demo company's data ends 2026-10-31: the run forecasts Nov - Apr
HORIZON = 6

CHART_TRACES = """() => {
    const gd = document.querySelector('#forecast-chart .js-plotly-plot');
    return (gd && gd.data ? gd.data : []).map(t => ({kind: t.meta && t.meta.kind, group: t.meta && t.meta.group,
                                                    name: t.name, x: t.x, y: t.y, fill: t.fill || null}));
}"""
CHART_HAS = """groups => {
    const gd = document.querySelector('#forecast-chart .js-plotly-plot');
    if (!gd || !gd.data) return false;
    const shown = new Set(gd.data.filter(t => t.meta && t.meta.kind === 'forecast').map(t => t.meta.group));
    return shown.size === groups.length && groups.every(g => shown.has(g));
}"""


# --- the store: a copy of the session's demo store with one trained run, served by its own gunicorn ------

@pytest.fixture(scope="module")
def forecast_url(demo_sqlite_url, tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("forecast_browser") / "trained.sqlite3"
    source, copy = sqlite3.connect(demo_sqlite_url.removeprefix("sqlite:///")), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    url = f"sqlite:///{target}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PILOTAGE_GIT_SHA", "browsertest")  # the run's code version, without asking git
        result = train(get_engine(url), run_by="browser-test", seed=0, horizon=HORIZON, candidates=FAST, n_jobs=1)
    assert result.is_champion and result.cutoff == dt.date(2026, 10, 1)
    return url


@pytest.fixture(scope="module")
def live_server(forecast_url, tmp_path_factory) -> str:
    """This module's server: the conftest's, on the trained copy (overrides the session's one here)."""
    with serve(forecast_url, tmp_path_factory.mktemp("forecast_server")) as url:
        yield url


@pytest.fixture(scope="module")
def as_user(browser, live_server):
    """``as_user(email)`` -> that user's page, signed in once for the module (one context per user)."""
    contexts, pages = [], {}

    def get(email: str):
        if email not in pages:
            context = browser.new_context(base_url=live_server, locale="en-GB")
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            pages[email] = context.new_page()
            login_as(pages[email], email)
        return pages[email]

    yield get
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def champion(forecast_url) -> dict:
    run = registry.champion(get_engine(forecast_url))
    assert run is not None
    return run


@pytest.fixture(scope="module")
def series(forecast_url, champion):
    return registry.series_results(get_engine(forecast_url), champion["id"])


@pytest.fixture(scope="module")
def accuracy(forecast_url, champion):
    """The backtest of the company's forecast as shown, over all horizons (``forecast_accuracy``, horizon 0)."""
    rows = registry.accuracy(get_engine(forecast_url), champion["id"], ["total"])
    return rows[rows["horizon"] == 0].iloc[0]


def yhat(url: str, run_id: int, keys: list[str]) -> list[float]:
    """The run's forecast month by month, summed over ``keys``."""
    values = registry.forecasts(get_engine(url), run_id, keys)
    values["month"] = [dt.date.fromisoformat(str(m)[:10]) for m in values["month"]]
    sums = values.groupby("month")["yhat"].sum()
    assert len(sums) == HORIZON and sums.index[0] == FIRST_MONTH
    return [float(v) for v in sums]


# --- helpers on the page -----------------------------------------------------------------------------------

def open_forecast(page) -> None:
    page.goto("/forecast")
    page.wait_for_selector("#forecast-page")
    page.wait_for_function(CHART_HAS, arg=["total"])
    page.wait_for_selector("#forecast-table-grid tr[data-group=total]")
    scroll_below(page)


def scroll_below(page) -> None:
    """Scroll to the drivers: what is below the fold (accuracy, drivers, media plan) is drawn once scrolled to."""
    page.locator("#forecast-drivers-slot").scroll_into_view_if_needed()
    page.wait_for_selector("#forecast-acc-mase")
    page.wait_for_selector("#forecast-drivers .js-plotly-plot")


def chart(page) -> list[dict]:
    return page.evaluate(CHART_TRACES)


def of_kind(traces: list[dict], kind: str) -> list[dict]:
    return [t for t in traces if t["kind"] == kind]


def first_month_shown(page, group: str = "total") -> str:
    """The forecast of the first future month in the table under the chart, as displayed."""
    return page.inner_text(f"#forecast-table-grid tr[data-group={group}] td:nth-child(2) .fw-semibold").strip()


def pick_view(page, view: str, groups: list[str]) -> None:
    page.locator("#forecast-view").get_by_text(i18n.t(f"forecast.view.{view}", "en"), exact=True).click()
    page.wait_for_function(CHART_HAS, arg=groups)


# --- what a planner sees -------------------------------------------------------------------------------------

def test_the_planner_sees_the_forecast_its_bands_accuracy_drivers_and_plan(as_user, series, accuracy):
    page = as_user(PLANNER)
    open_forecast(page)

    traces = chart(page)
    forecast = of_kind(traces, "forecast")
    assert len(forecast) == 1 and forecast[0]["group"] == "total"
    months = forecast[0]["x"]
    assert len(months) == HORIZON and months[0] == FIRST_MONTH.isoformat()
    last_actual = max(of_kind(traces, "actual")[0]["x"])
    assert last_actual < months[0]  # the six forecast months are all in the future of the data
    bands = {kind: of_kind(traces, kind) for kind in ("lo80", "hi80", "lo95", "hi95")}
    assert all(len(found) == 1 and found[0]["x"] == months for found in bands.values()), bands
    assert bands["lo80"][0]["fill"] == "tonexty" and bands["lo95"][0]["fill"] == "tonexty"
    assert {t["name"] for t in traces} >= {i18n.t("forecast.band80", "en"), i18n.t("forecast.band95", "en"),
                                           i18n.t("forecast.forecast", "en")}
    for lo95, lo80, y, hi80, hi95 in zip(*(bands[k][0]["y"] for k in ("lo95", "lo80")), forecast[0]["y"],
                                         *(bands[k][0]["y"] for k in ("hi80", "hi95")), strict=True):
        assert lo95 - 1e-6 <= lo80 <= y + 1e-6 and y - 1e-6 <= hi80 <= hi95 + 1e-6
        assert lo95 < hi95  # a band, not a line

    # Accuracy: the backtest of the forecast shown beside the seasonal naive's, then horizon by horizon.
    assert page.inner_text("#forecast-acc-mase").strip() == i18n.number(accuracy["mase"], 2, "en")
    assert page.inner_text("#forecast-acc-naive").strip() == i18n.number(accuracy["naive_mase"], 2, "en")
    card = page.inner_text("#forecast-accuracy")
    assert i18n.t("forecast.accuracy.naive", "en") in card and i18n.t("forecast.accuracy.mase", "en") in card
    assert page.locator("#forecast-acc-horizons tbody tr").count() == HORIZON

    # Drivers (no media run here: the lead forecaster's parts) and the forecast they add up to; the media plan.
    assert page.is_visible("#forecast-drivers-card")
    parts = page.evaluate("""() => document.querySelector('#forecast-drivers .js-plotly-plot').data
                                   .map(t => t.meta.part || t.meta.kind)""")
    assert parts == ["trend", "season", "media", "sessions", "other", "forecast_total"]
    page.wait_for_selector("#forecast-media-table")
    headers = page.locator("#forecast-media-table thead th").all_inner_texts()[1:]
    assert headers == [charts.month_label(dt.date.fromisoformat(m), "en") for m in months]
    assert page.locator("#forecast-media-table tbody tr").count() >= 2  # channels and the total row
    # The only run was trained on data up to October: no earlier forecast covers October.
    assert page.get_attribute("#forecast-badge-state", "data-state") == "none"


def test_switching_the_view_redraws_the_chart_by_channel_then_by_region(as_user, series):
    page = as_user(PLANNER)
    open_forecast(page)
    channels = sorted(series.loc[series["level"] == "channel", "channel_code"])
    regions = sorted(series.loc[series["level"] == "region", "region_code"])
    assert len(channels) > 1 and len(regions) > 1

    pick_view(page, "channel", channels)
    traces = chart(page)
    assert sorted(t["group"] for t in of_kind(traces, "forecast")) == channels
    assert not [t for t in traces if t["kind"] in ("lo80", "hi80", "lo95", "hi95")]  # several lines: no bands
    assert page.locator("#forecast-table-grid tr[data-group=sum]").count() == 1
    # Each channel's backtest: a card of the page's width (not squeezed beside the drivers, where it was cut at
    # the right); every column either fits or the table scrolls inside its card, never past the card's edge.
    page.wait_for_selector("#forecast-acc-lines tr[data-series]")
    box = page.evaluate("""() => {
        const card = document.querySelector('#forecast-acc-lines-card').getBoundingClientRect();
        const page = document.querySelector('#forecast-page').getBoundingClientRect();
        const wrapper = document.querySelector('#forecast-acc-lines').parentElement;
        const last = document.querySelector('#forecast-acc-lines thead th:last-child').getBoundingClientRect();
        return {card: card.width, page: page.width, right: card.right, lastRight: last.right,
                overflow: getComputedStyle(wrapper).overflowX, scroll: wrapper.scrollWidth > wrapper.clientWidth};
    }""")
    assert box["card"] >= 0.95 * box["page"], box
    assert box["lastRight"] <= box["right"] or (box["scroll"] and box["overflow"] == "auto"), box

    pick_view(page, "region", regions)
    assert sorted(t["group"] for t in of_kind(chart(page), "forecast")) == regions

    pick_view(page, "total", ["total"])
    assert len(of_kind(chart(page), "lo95")) == 1


def test_the_figures_shown_are_the_champion_runs(as_user, forecast_url, champion):
    page = as_user(PLANNER)
    open_forecast(page)
    expected = yhat(forecast_url, champion["id"], ["total"])

    assert first_month_shown(page) == i18n.number(expected[0], 0, "en")
    assert page.locator("#forecast-table-grid thead th").all_inner_texts()[1] == charts.month_label(FIRST_MONTH,
                                                                                                   "en")
    assert of_kind(chart(page), "forecast")[0]["y"] == pytest.approx(expected, rel=1e-9)
    assert f" {champion['id']}," in page.inner_text("#forecast-run-info")


def test_what_is_below_the_fold_is_drawn_once_scrolled_to(as_user):
    """The first screen (run, badge, chart, table, overrides) comes in one answer; the accuracy, the drivers and
    the media plan are asked for only when the user scrolls down to them (the first screen is drawn sooner)."""
    page = as_user(DIRECTOR)
    page.goto("/forecast")
    page.wait_for_function(CHART_HAS, arg=["total"])
    page.wait_for_selector("#forecast-table-grid tr[data-group=total]")
    page.wait_for_timeout(500)
    assert page.locator("#forecast-drivers").count() == 0 and page.locator("#forecast-acc-mase").count() == 0
    assert page.is_visible("#forecast-drivers-card")  # its title and room are there, its chart is not drawn yet
    scroll_below(page)
    parts = page.evaluate("() => document.querySelector('#forecast-drivers .js-plotly-plot').data.length")
    assert parts > 1
    page.wait_for_selector("#forecast-media-table")


# --- scope ------------------------------------------------------------------------------------------------------

def test_a_regional_director_sees_the_sum_of_their_region_series_not_the_company(as_user, forecast_url,
                                                                                 champion, series):
    page = as_user(IDF)
    open_forecast(page)
    scope = SCOPES[IDF].split(",")
    keys = list(series.loc[(series["level"] == "region") & series["region_code"].isin(scope), "series_key"])
    assert keys
    own = yhat(forecast_url, champion["id"], keys)
    national = yhat(forecast_url, champion["id"], ["total"])

    shown = first_month_shown(page)
    assert shown == i18n.number(own[0], 0, "en")
    assert shown != i18n.number(national[0], 0, "en")
    assert of_kind(chart(page), "forecast")[0]["y"] == pytest.approx(own, rel=1e-9)

    pick_view(page, "region", scope)  # the region view holds their region only
    assert sorted(t["group"] for t in of_kind(chart(page), "forecast")) == sorted(scope)


# --- the registry block, and who may open the page -------------------------------------------------------------

def test_the_admin_sees_the_run_registry_with_compare_promote_and_rollback(as_user, champion):
    page = as_user(ADMIN)
    open_forecast(page)

    assert page.is_visible("#forecast-admin")
    row = page.wait_for_selector(f"#forecast-runs-table tr[data-run='{champion['id']}']")
    assert "table-success" in (row.get_attribute("class") or "")  # the champion is marked
    assert "browser-test" in row.inner_text()
    assert page.is_visible("#forecast-promote") and page.is_visible("#forecast-rollback")
    assert page.inner_text("#forecast-promote").strip() == i18n.t("forecast.admin.promote", "en")
    assert page.inner_text("#forecast-rollback").strip() == i18n.t("forecast.admin.rollback", "en")

    label = i18n.t("forecast.admin.run_label", "en", run=champion["id"],
                   cutoff=charts.month_label(dt.date(2026, 10, 1), "en"))
    for dropdown in ("#forecast-compare-a", "#forecast-compare-b"):
        page.click(dropdown)
        page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_selector("#forecast-compare-table")
    assert page.locator("#forecast-compare-table thead th").all_inner_texts()[1:] == [label, label]


@pytest.mark.parametrize("email", [PLANNER, IDF])
def test_other_roles_get_no_registry_block(as_user, email):
    page = as_user(email)
    open_forecast(page)
    for element in ("#forecast-admin", "#forecast-promote", "#forecast-rollback", "#forecast-runs"):
        assert page.locator(element).count() == 0, element


def test_sales_may_not_open_the_forecast_page(as_user):
    page = as_user(SALES)
    assert page.locator("#nav-forecast").count() == 0

    response = page.goto("/forecast")
    error = page.wait_for_selector("#error-page")
    assert response.status == 403
    assert error.get_attribute("data-status") == "403"
    assert i18n.t("error.forbidden.title", "en") in error.inner_text()
    assert page.locator("#forecast-page").count() == 0


# --- in French ----------------------------------------------------------------------------------------------------

def test_in_french_the_accuracy_card_and_the_figures_are_french(as_user, forecast_url, champion, accuracy):
    page = as_user(DIRECTOR)
    open_forecast(page)
    assert page.inner_text("#forecast-accuracy-card h2").strip() == i18n.t("forecast.accuracy.title", "en")
    total = accuracy
    expected = yhat(forecast_url, champion["id"], ["total"])

    try:
        page.click("#nav-language")
        page.wait_for_function("t => document.querySelector('#forecast-accuracy-card h2')?.innerText.trim() === t",
                               arg=i18n.t("forecast.accuracy.title", "fr"))
        scroll_below(page)
        labels = page.locator("#forecast-accuracy dt").all_inner_texts()
        assert [label.strip() for label in labels] == [i18n.t(key, "fr") for key in SUMMARY_HEADERS]
        assert page.inner_text("#forecast-acc-mase").strip() == i18n.number(total["mase"], 2, "fr")
        assert page.inner_text("#forecast-acc-naive").strip() == i18n.number(total["naive_mase"], 2, "fr")
        cutoff = i18n.t("forecast.accuracy.cutoff", "fr", cutoff=charts.month_label(dt.date(2026, 10, 1), "fr"))
        assert page.inner_text("#forecast-acc-cutoff").strip() == cutoff
        page.wait_for_selector("#forecast-table-grid tr[data-group=total]")
        assert first_month_shown(page) == i18n.number(expected[0], 0, "fr")
    finally:
        # The language is stored on the user: always switch back, even when an assertion failed.
        page.click("#nav-language")
    page.wait_for_function("t => document.querySelector('#forecast-accuracy-card h2')?.innerText.trim() === t",
                           arg=i18n.t("forecast.accuracy.title", "en"))

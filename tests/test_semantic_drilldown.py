"""The drill-down's rules, in the semantic layer: the series' target per bucket, the funnel in stage order, the
breakdown grid and its sort, cohorts over whole months, what a click filters on and what a link outside the
user's scope becomes. Pure rules are checked on hand-made rows; the rest on the demo store (SQLite), against
the query layer's own totals."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login import login_user

from dashapp.auth import users
from dashapp.semantic import breakdowns, crossfilter, drilldown, metrics, queries

DIRECTOR, IDF_DIRECTOR = "director@pilotage.demo", "director.idf@pilotage.demo"
OCTOBER = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31", "grain": "month"}


@pytest.fixture
def as_user(dash_app, app_store):
    """``as_user(email)``: a request context logged in as that demo user (popped at the end)."""
    contexts = []

    def enter(email: str):
        context = dash_app.server.test_request_context()
        context.push()
        contexts.append(context)
        login_user(users.get_user_by_email(email))

    yield enter
    for context in reversed(contexts):
        context.pop()


# --- pure rules ----------------------------------------------------------------------------------------

ROWS = [{"key": "a", "label": "Alpha", "leads": 5, "spend": 100.0},
        {"key": "b", "label": "Beta", "leads": 9, "spend": None},
        {"key": "c", "label": "Gamma", "leads": 5, "spend": 300.0}]


def test_sort_rows_follows_the_grid_and_puts_blank_cells_last():
    by_spend = breakdowns.sort_rows(ROWS, [{"colId": "spend", "sort": "desc"}])
    assert [r["key"] for r in by_spend] == ["c", "a", "b"]  # the blank spend last, whatever the direction
    assert [r["key"] for r in breakdowns.sort_rows(ROWS, [{"colId": "spend", "sort": "asc"}])] == ["a", "c", "b"]
    # Two keys: leads first (sortIndex 0), then the label descending among equal leads.
    two = breakdowns.sort_rows(ROWS, [{"colId": "label", "sort": "desc", "sortIndex": 1},
                                      {"colId": "leads", "sort": "asc", "sortIndex": 0}])
    assert [r["key"] for r in two] == ["c", "a", "b"]


@pytest.mark.parametrize("state", [None, "spend", [{"colId": "password_hash", "sort": "asc"}],
                                   [{"colId": "spend", "sort": "sideways"}], [["spend", "asc"]]])
def test_sort_rows_ignores_what_is_not_a_sort_on_the_grids_columns(state):
    assert breakdowns.sort_rows(ROWS, state) == ROWS


def test_a_row_click_filters_on_the_rows_key_only_from_its_label():
    assert crossfilter.row_click({"colId": "label", "rowId": "FR-IDF"}, "region", ("region",)) == {
        "region": ["FR-IDF"]}
    assert crossfilter.row_click({"colId": "spend", "rowId": "FR-IDF"}, "region", ("region",)) == {}
    assert crossfilter.row_click({"colId": "label", "rowId": ""}, "region", ("region",)) == {}
    assert crossfilter.row_click({"colId": "label", "rowId": "x"}, "rep_code", ("region",)) == {}
    assert crossfilter.row_click("label", "region", ("region",)) == {}


def test_a_heatmap_click_names_the_channel_and_its_whole_month(as_user):
    as_user(DIRECTOR)
    chosen = crossfilter.heatmap_click({"points": [{"x": "2026-02-01", "y": "paid_search", "z": 12.5}]})
    assert chosen == {"channel": ["paid_search"], "period": "custom", "start": "2026-02-01", "end": "2026-02-28"}
    for forged in (None, {}, {"points": []}, {"points": [{"x": 3, "y": "paid_search"}]}, {"points": ["x"]}):
        assert crossfilter.heatmap_click(forged) == {}


# --- on the demo store ------------------------------------------------------------------------------------

def test_the_funnel_is_in_stage_order_and_each_rate_divides_by_the_stage_before(as_user):
    as_user(DIRECTOR)
    filters = queries.filters_from(OCTOBER)
    steps = drilldown.funnel_steps(filters)
    assert [s["stage"] for s in steps if not s["beside"]] == list(metrics.FUNNEL)
    counts = {s["stage"]: s["count"] for s in steps}
    checked = 0
    for previous, step in zip(steps[:len(metrics.FUNNEL) - 1], steps[1:len(metrics.FUNNEL)], strict=True):
        kpi = metrics.get(step["ratio_name"]) if step["ratio_name"] else None
        if kpi is not None and kpi.measures == (step["stage"], previous["stage"]) and previous["count"]:
            assert step["ratio"] == pytest.approx(step["count"] / previous["count"])
            checked += 1
    assert checked >= 3
    beside = [s for s in steps if s["beside"]]
    assert [s["stage"] for s in beside] == list(metrics.FUNNEL_BESIDE)
    assert beside[0]["ratio"] == pytest.approx(counts["qualified_leads"] / counts["leads"])
    assert drilldown.charted_stages(steps)[0]["stage"] == drilldown.FUNNEL_CHART_FROM


def test_an_additive_target_is_spread_over_the_days_and_adds_up_to_the_month(as_user):
    as_user(DIRECTOR)
    filters = queries.filters_from({**OCTOBER, "grain": "week"})
    monthly = queries.target_series(filters, "leads")
    october = {drilldown.as_date(p): v for p, v in zip(monthly["period"], monthly["target"], strict=True)}
    october = october[dt.date(2026, 10, 1)]
    weekly = drilldown.target_line(filters, "leads", "week")
    assert len(weekly) == 5 and weekly["target"].sum() == pytest.approx(october)
    # The week of 28 Sep holds 4 October days of 31, the week of 5 Oct 7 of them.
    shares = dict(zip(weekly["period"], weekly["target"], strict=True))
    assert shares[dt.date(2026, 9, 28)] == pytest.approx(october * 4 / 31)
    assert shares[dt.date(2026, 10, 5)] == pytest.approx(october * 7 / 31)
    # A ratio's target is the month's, in every bucket of the month.
    ratio = drilldown.target_line(filters, "lead_to_mql", "week")
    assert ratio.empty or ratio["target"].nunique() == 1


def test_the_grid_rows_add_up_to_the_total_and_costs_without_spend_are_blank(as_user):
    as_user(DIRECTOR)
    filters = queries.filters_from(OCTOBER)
    rows, total = breakdowns.grid_data(filters, "channel", "en")
    assert rows and sum(r["leads"] for r in rows) == total["leads"]
    assert total["leads"] == pytest.approx(queries.measures(filters)["leads"])
    assert [r["leads"] for r in rows] == sorted((r["leads"] for r in rows), reverse=True)
    unpaid = [r for r in rows if not r["spend"]]
    assert unpaid and all(r["cost_per_lead"] is None and r["_text"]["cost_per_lead"] == "" for r in unpaid)
    by_source, _ = breakdowns.grid_data(filters, "source", "en")
    assert "spend" not in by_source[0]  # spend is never recorded per traffic source


def test_cohorts_cover_the_whole_months_of_the_period(as_user):
    as_user(DIRECTOR)
    filters = queries.filters_from({"period": "custom", "start": "2026-08-14", "end": "2026-10-03",
                                    "grain": "week"})
    cohort, activity = drilldown.cohort_frames(filters)
    months = [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert list(activity["period"]) == months and set(cohort["period"]) <= set(months)
    whole = queries.filters_from({"period": "custom", "start": "2026-08-01", "end": "2026-10-31", "grain": "month"})
    assert activity["leads"].sum() == pytest.approx(queries.measures(whole)["leads"])


def test_the_headline_compares_like_for_like_windows(as_user):
    as_user(DIRECTOR)
    filters = queries.filters_from(OCTOBER)
    head = drilldown.headline(filters, "leads")
    previous, last_year, _ = queries.compared(filters)
    assert head["actual"] == pytest.approx(queries.kpi_values(filters, ["leads"])["leads"])
    before = queries.kpi_values(previous, ["leads"])["leads"]
    assert dict(head["changes"])["common.vs_previous"] == pytest.approx(head["actual"] / before - 1)
    assert head["state"] == metrics.state("leads", head["actual"], head["target"])


def test_a_link_outside_the_scope_says_what_it_drops_and_keeps(as_user):
    as_user(IDF_DIRECTOR)
    assert crossfilter.scope_request(["FR-IDF"]) == ((), ())
    outside, kept = crossfilter.scope_request(["FR-PACA", "FR-IDF"])
    assert outside == ("FR-PACA",) and kept == ("FR-IDF",)
    assert crossfilter.scope_request(["FR-PACA"]) == (("FR-PACA",), ())

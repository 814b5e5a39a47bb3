"""The drill-down page does what a director relies on: a link reopens the same view, the grid adds
up to the funnel, exports hold exactly the grid and are audited, cohort and activity views match
the marts. Figures are checked against plain SQL on the demo store (SQLite)."""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from .app_helpers import dash_post, logged_in_client
from .test_app_scope import (
    csv_rows,
    download_bytes,
    filter_inputs,
    find,
    grid_of,
    mart_totals,
    open_page,
    post_export,
    post_grid,
    post_overview,
    post_series,
    region_codes,
    texts,
)

DIRECTOR = "director@pilotage.demo"  # scope: all regions
URL_OUTPUT = "explore-url.search"
VIEW = {"period": "custom", "start": "2026-03-02", "end": "2026-05-17", "grain": "week", "region": ["FR-IDF"],
        "channel": ["paid_search"], "campaign": ["search-generic"], "source": ["google / cpc"]}


@pytest.fixture
def director(dash_app, app_store):
    return logged_in_client(dash_app, DIRECTOR)


def post_url(client, kpi="leads", by="channel", **values):
    response = dash_post(client, URL_OUTPUT, filter_inputs(**values) + [
        {"id": "explore-kpi", "property": "value", "value": kpi}, {"id": "explore-by", "property": "value",
                                                                   "value": by}])
    assert response.status_code == 200
    return response.get_json()["response"]["explore-url"]["search"]


def controls(layout) -> dict:
    """What the filter bar of a rendered page shows."""
    def prop(component_id, name):
        return find(layout, component_id)["props"].get(name)

    return {"period": prop("explore-period", "value"), "start": prop("explore-dates", "start_date"),
            "end": prop("explore-dates", "end_date"), "grain": prop("explore-grain", "value"),
            "region": prop("explore-region", "value"), "channel": prop("explore-channel", "value"),
            "campaign": prop("explore-campaign", "value"), "source": prop("explore-source", "value"),
            "kpi": prop("explore-kpi", "value"), "by": prop("explore-by", "value")}


# --- the URL holds the view ------------------------------------------------------------------------------

def test_url_round_trip(director):
    search = post_url(director, kpi="cost_per_lead", by="campaign", **VIEW)
    query = parse_qs(search.lstrip("?"))
    assert query["period"] == ["custom"] and query["start"] == ["2026-03-02"] and query["end"] == ["2026-05-17"]
    assert query["grain"] == ["week"] and query["kpi"] == ["cost_per_lead"] and query["by"] == ["campaign"]
    assert query["source"] == ["google / cpc"]
    # Opening that URL restores every control...
    reopened = controls(open_page(director, search))
    assert reopened == {**VIEW, "kpi": "cost_per_lead", "by": "campaign"}
    # ... and the restored controls write the same URL again.
    values = {k: v for k, v in reopened.items() if k not in ("kpi", "by")}
    assert post_url(director, kpi=reopened["kpi"], by=reopened["by"], **values) == search


def test_named_period_stays_relative_and_junk_is_dropped(director):
    search = post_url(director, period="last_quarter", grain="month", region=["FR-ARA", "NOWHERE"],
                      channel=["paid_social", "<script>"])
    assert search == "?period=last_quarter&grain=month&region=FR-ARA&channel=paid_social&kpi=leads&by=channel"
    layout = open_page(director, search)
    assert controls(layout)["start"] == "2026-07-01" and controls(layout)["end"] == "2026-09-30"
    # A stale or forged link still opens, on the defaults.
    reopened = controls(open_page(director, "?period=nope&grain=year&kpi=evil&by=password&region=XYZ"))
    assert reopened["period"] == "last_month" and reopened["start"] == "2026-10-01"
    assert reopened["kpi"] == "leads" and reopened["by"] == "channel" and reopened["region"] == []


def test_named_period_sets_the_dates_and_picking_dates_makes_it_custom(director):
    output = "..explore-period.value...explore-dates.start_date...explore-dates.end_date.."
    inputs = [{"id": "explore-period", "property": "value", "value": "last_quarter"},
              {"id": "explore-dates", "property": "start_date", "value": "2026-10-01"},
              {"id": "explore-dates", "property": "end_date", "value": "2026-10-31"}]
    response = dash_post(director, output, inputs).get_json()["response"]
    assert response["explore-dates"] == {"start_date": "2026-07-01", "end_date": "2026-09-30"}
    body = {"output": output, "outputs": [{"id": "explore-period", "property": "value"},
                                          {"id": "explore-dates", "property": "start_date"},
                                          {"id": "explore-dates", "property": "end_date"}],
            "inputs": [{**inputs[0], "value": "last_month"}, {**inputs[1], "value": "2026-09-14"}, inputs[2]],
            "state": [], "changedPropIds": ["explore-dates.start_date"]}
    from .app_helpers import csrf_header

    answer = director.post("/_dash-update-component", data=json.dumps(body),
                           headers={"Content-Type": "application/json", **csrf_header(director)}).get_json()
    assert answer["response"] == {"explore-period": {"value": "custom"}}


# --- the numbers add up ---------------------------------------------------------------------------------

def test_grid_rows_add_up_to_the_funnel(director, app_store):
    overview = post_overview(director).get_json()["response"]
    funnel = overview["explore-funnel"]["figure"]["data"][0]
    funnel_counts = dict(zip(funnel["y"], funnel["x"], strict=True))
    everything = mart_totals(app_store, region_codes(app_store))
    assert funnel_counts["Leads"] == everything["leads"]
    for by in ("channel", "campaign", "region"):
        rows, total, columns = grid_of(post_grid(director, by=by))
        assert sum(r["leads"] for r in rows) == total["leads"] == funnel_counts["Leads"], by
        assert sum(r["qualified_leads"] for r in rows) == funnel_counts["Qualified leads"], by
        assert sum(r["spend"] for r in rows) == pytest.approx(everything["spend"], abs=0.05), by
        assert [c["field"] for c in columns][:2] == ["label", "spend"]
    rows, total, _ = grid_of(post_grid(director, by="channel"))
    search = next(r for r in rows if r["key"] == "paid_search")
    assert search["label"] == "Paid search"
    paid = mart_totals(app_store, region_codes(app_store), channel_code="paid_search")
    assert search["cost_per_lead"] == pytest.approx(paid["spend"] / paid["leads"], abs=0.005)
    assert search["leads_per_k_eur"] == pytest.approx(1000 * paid["leads"] / paid["spend"], abs=0.005)
    assert search["cac"] == pytest.approx(paid["spend"] / paid["won"], abs=0.005)
    assert rows == sorted(rows, key=lambda r: -r["leads"])


def test_channel_labels_follow_the_language(dash_app, app_store):
    client = logged_in_client(dash_app, DIRECTOR)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    rows, total, columns = grid_of(post_grid(client, by="channel"))
    assert "Référencement payant" in [r["label"] for r in rows]
    assert columns[0]["headerName"] == "Canal" and total["label"] == "Total"
    assert "\u202f€" in total["_text"]["spend"] or "\u00a0€" in total["_text"]["spend"]


def test_series_matches_the_mart_and_has_a_target(director, app_store):
    series = post_series(director, kpi="leads", period="last_12_months", grain="month").get_json()["response"]
    traces = {t["name"]: t for t in series["explore-series"]["figure"]["data"]}
    assert set(traces) == {"Actual", "Target", "Last year"}
    actual = dict(zip(traces["Actual"]["x"], traces["Actual"]["y"], strict=True))
    assert len(actual) == 12
    everything = region_codes(app_store)
    march = mart_totals(app_store, everything, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 1))
    assert actual["2026-03-01"] == march["leads"]
    # Weeks are ISO weeks starting on Monday.
    weekly = post_series(director, kpi="leads", grain="week").get_json()["response"]["explore-series"]["figure"]
    starts = [dt.date.fromisoformat(x[:10]) for x in weekly["data"][-1]["x"]]
    assert starts[0] == dt.date(2026, 9, 28) and all(d.weekday() == 0 for d in starts)
    assert sum(weekly["data"][-1]["y"]) == mart_totals(app_store, everything)["leads"]


def test_every_kpi_draws(director):
    from dashapp.semantic import metrics

    for name in metrics.KPIS:
        response = post_series(director, kpi=name, period="last_quarter", grain="week")
        payload = response.get_json()
        assert "explore-series" in payload["response"], name
        assert "sideUpdate" not in payload, name


# --- exports ------------------------------------------------------------------------------------------------

def _grid_table(rows, total, columns):
    return [[row[c["field"]] for c in columns] for row in [*rows, total]]


def _same(cell: str, value) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, str):
        return cell == value
    return float(cell) == pytest.approx(value, abs=1e-9)


def test_csv_export_equals_the_grid(director):
    for by in ("channel", "campaign", "region"):
        rows, total, columns = grid_of(post_grid(director, by=by, **VIEW | {"campaign": None, "source": None}))
        filename, content = download_bytes(post_export(director, "csv", by=by,
                                                       **VIEW | {"campaign": None, "source": None}))
        assert filename.endswith(".csv") and by in filename
        exported = csv_rows(content)
        assert exported[0] == [c["headerName"] for c in columns]
        expected = _grid_table(rows, total, columns)
        assert len(exported) - 1 == len(expected)
        for line, row in zip(exported[1:], expected, strict=True):
            assert all(_same(cell, value) for cell, value in zip(line, row, strict=True)), (line, row)


def test_export_follows_the_grid_sort_and_ignores_unknown_columns(director):
    rows, total, columns = grid_of(post_grid(director, by="channel"))
    state = [{"colId": "cost_per_lead", "sort": "asc", "sortIndex": 0},
             {"colId": "password_hash", "sort": "desc", "sortIndex": 1}, "junk", {"colId": "spend", "sort": "up"}]
    _, content = download_bytes(post_export(director, "csv", by="channel", column_state=state))
    exported = csv_rows(content)
    cost = exported[0].index("Cost per lead")
    values = [float(line[cost]) for line in exported[1:-1] if line[cost] != ""]
    assert values == sorted(values) and exported[-1][0] == "Total"
    assert len(exported) - 2 == len(rows)


def test_xlsx_export_has_the_grid_rows(director):
    rows, total, columns = grid_of(post_grid(director, by="region"))
    filename, content = download_bytes(post_export(director, "xlsx", by="region"))
    assert filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert lines[0] == [c["headerName"] for c in columns]
    expected = _grid_table(rows, total, columns)
    assert len(lines) - 1 == len(expected)
    for line, row in zip(lines[1:], expected, strict=True):
        assert line[0] == row[0]
        assert line[1:] == pytest.approx(row[1:], abs=1e-9)


def test_export_is_audited(director, app_store):
    from dashapp.auth import audit

    before = {e["id"] for e in audit.recent(500, "export")}
    post_export(director, "xlsx", by="campaign", period="last_quarter", channel=["paid_search"])
    entries = [e for e in audit.recent(500, "export") if e["id"] not in before]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"] == DIRECTOR
    detail = json.loads(entry["detail"])
    assert detail["format"] == "xlsx" and detail["by"] == "campaign" and detail["channels"] == ["paid_search"]
    assert detail["start"] == "2026-07-01" and detail["end"] == "2026-09-30"
    rows, _, _ = grid_of(post_grid(director, by="campaign", period="last_quarter", channel=["paid_search"]))
    assert detail["rows"] == len(rows) > 0


def test_csv_cells_cannot_become_formulas():
    import pandas as pd

    from dashapp import exports

    names = ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "ok", "\uff1dHYPERLINK(\"http://x\")", "\ufe62cmd", " =1+1",
             "\u3000\uff20SUM(A1)", "Ｓpring ＝ sale"]
    frame = pd.DataFrame({"Campaign": names, "Leads": [-3, 4, 5, 6, 7, 8, 9, 10]})
    lines = csv_rows(exports.to_csv(frame))
    assert [line[0] for line in lines[1:]] == ["'" + name for name in names[:2]] + ["ok"] + [
        "'" + name for name in names[3:7]] + ["Ｓpring ＝ sale"]
    assert [line[1] for line in lines[1:]] == ["-3", "4", "5", "6", "7", "8", "9", "10"]  # numbers stay numbers
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)][3] == "'\uff1dHYPERLINK(\"http://x\")"


# --- cohort and activity views ------------------------------------------------------------------------------

def _footer(layout_table) -> list[str]:
    foot = next(part for part in layout_table["props"]["children"] if part["type"] == "Tfoot")
    return texts(foot)


def _stage_sums(url: str, table: str, column: str, start: dt.date, end: dt.date) -> list[float]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                f"SELECT SUM(leads), SUM(qualified_leads), SUM(mqls), SUM(sqls), SUM(opportunities), SUM(won) "
                f"FROM {table} WHERE {column} >= :start AND {column} <= :end"), {"start": start, "end": end}).one()
    finally:
        engine.dispose()
    return [float(v or 0) for v in row]


def test_cohort_and_activity_views_match_the_marts(director, app_store):
    from dashapp import i18n

    overview = post_overview(director, period="last_quarter").get_json()["response"]
    cohort = find(overview["explore-cohort"]["children"], "explore-cohort-table")
    activity = find(overview["explore-activity"]["children"], "explore-activity-table")
    start, end = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    cohort_sums = _stage_sums(app_store, "mart_cohort_monthly", "cohort_month", start, end)
    activity_sums = _stage_sums(app_store, "mart_monthly", "month", start, end)
    assert _footer(cohort)[1:] == [i18n.number(v, 0, "en") for v in cohort_sums]
    assert _footer(activity)[1:] == [i18n.number(v, 0, "en") for v in activity_sums]
    # Leads count at creation in both conventions; later stages differ (that is the point).
    assert cohort_sums[0] == activity_sums[0] and cohort_sums[1:] != activity_sums[1:]
    assert len(texts(cohort)) == len(texts(activity))  # the same months and stages side by side


def test_convention_is_stated_in_both_languages(director, dash_app, app_store):
    english = " ".join(texts(find(open_page(director), "explore-convention")))
    assert "created" in english and "reached" in english
    client = logged_in_client(dash_app, DIRECTOR)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = " ".join(texts(find(open_page(client), "explore-convention")))
    assert "création" in french and "atteinte" in french


def test_leaderboard_lists_ten_reps_at_most(director, app_store):
    overview = post_overview(director, period="last_12_months").get_json()["response"]
    table = find(overview["explore-leaderboard"]["children"], "explore-leaderboard-table")
    body = next(part for part in table["props"]["children"] if part["type"] == "Tbody")
    ranks = [texts(row)[0] for row in body["props"]["children"]]
    assert ranks == [str(i) for i in range(1, len(ranks) + 1)] and 0 < len(ranks) <= 10


# --- bad inputs end in a clamped answer, not an error page -----------------------------------------------

def test_a_custom_period_from_year_1_to_9999_is_clamped_to_the_data(director, app_store):
    """The audit's 0001-01-01 -> 9999-12-31 ended in an OverflowError (a month after December 9999)."""
    first, last = (dt.date.fromisoformat(str(day)[:10]) for day in create_engine(app_store).connect().execute(
        text("SELECT min(date), max(date) FROM mart_daily")).one())
    extreme = {"period": "custom", "start": "0001-01-01", "end": "9999-12-31", "grain": "month"}
    for response in (post_series(director, **extreme), post_overview(director, **extreme),
                     post_grid(director, **extreme), post_export(director, **extreme)):
        assert response.status_code == 200
        payload = response.get_json()
        assert "sideUpdate" not in payload, payload.get("sideUpdate")
    figure = post_series(director, **extreme).get_json()["response"]["explore-series"]["figure"]
    months = [dt.date.fromisoformat(str(x)[:10]) for x in figure["data"][0]["x"]]
    assert first.replace(day=1) <= min(months) and max(months) <= last


def test_parse_filters_clamps_custom_dates_to_the_data_and_to_safe_dates():
    from dashapp.semantic.filters import SAFE_DATES, parse_filters

    raw = {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}
    data = (dt.date(2022, 1, 1), dt.date(2026, 10, 31))
    clamped = parse_filters(raw, today=dt.date(2026, 11, 1), known={}, data_range=data)
    assert (clamped.start, clamped.end) == data
    assert clamped.last_year().start == dt.date(2021, 1, 1) and clamped.previous().end < data[0]
    empty_store = parse_filters(raw, today=dt.date(2026, 11, 1), known={})
    assert empty_store.end == SAFE_DATES[1] and empty_store.shifted(months=1).end.year == 3000

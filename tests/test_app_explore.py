"""The drill-down page does what a director relies on: a link reopens the same view, the grid adds
up to the funnel, exports hold exactly the grid and are audited, cohort and activity views match
the marts. Figures are checked against plain SQL on the demo store (SQLite)."""

from __future__ import annotations

import csv
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
    post_view,
    query_of,
    region_codes,
    texts,
)

DIRECTOR = "director@pilotage.demo"  # scope: all regions
VIEW = {"period": "custom", "start": "2026-03-02", "end": "2026-05-17", "grain": "week", "region": ["FR-IDF"],
        "channel": ["paid_search"], "campaign": ["search-generic"], "source": ["google / cpc"]}


@pytest.fixture
def director(dash_app, app_store):
    return logged_in_client(dash_app, DIRECTOR)


def post_url(client, kpi="leads", by="channel", **values):
    response = post_view(client, filter_inputs(**values), kpi=kpi, by=by)
    assert response.status_code == 200
    return query_of(response)


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

def actual_points(figure) -> dict[str, float]:
    """The KPI's points, complete and partial buckets together (the partial trace repeats a complete
    neighbour to join it, and breaks its segments with None)."""
    points = {}
    for trace in figure["data"]:
        if trace.get("meta") in ("actual", "partial"):
            points.update({x: y for x, y in zip(trace["x"], trace["y"], strict=True) if x is not None})
    return points


def test_grid_rows_add_up_to_the_funnel(director, app_store):
    overview = post_overview(director).get_json()["response"]
    funnel = overview["explore-funnel"]["figure"]["data"][0]
    funnel_counts = dict(zip(funnel["y"], funnel["x"], strict=True))
    everything = mart_totals(app_store, region_codes(app_store))
    assert funnel_counts["Leads"] == everything["leads"]
    for by in ("channel", "source", "campaign", "region"):
        rows, total, columns = grid_of(post_grid(director, by=by))
        assert sum(r["leads"] for r in rows) == total["leads"] == funnel_counts["Leads"], by
        assert sum(r["mqls"] for r in rows) == total["mqls"] == funnel_counts["MQL"], by
        assert sum(r["qualified_leads"] for r in rows) == everything["qualified_leads"], by
        assert [c["field"] for c in columns][:7] == ["label", "leads", "mqls", "sqls", "opportunities", "won",
                                                     "qualified_leads"], by
        if by == "source":  # spend is not kept per source: the source grid shows the funnel only
            assert "spend" not in [c["field"] for c in columns]
            continue
        assert sum(r["spend"] for r in rows) == pytest.approx(everything["spend"], abs=0.05), by
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
    assert set(traces) == {"Actual", "Target", "Last year"}  # 12 whole months: no partial bucket
    actual = dict(zip(traces["Actual"]["x"], traces["Actual"]["y"], strict=True))
    assert len(actual) == 12
    everything = region_codes(app_store)
    march = mart_totals(app_store, everything, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 1))
    assert actual["2026-03-01"] == march["leads"]
    # Weeks are ISO weeks starting on Monday.
    weekly = post_series(director, kpi="leads", grain="week").get_json()["response"]["explore-series"]["figure"]
    points = actual_points(weekly)
    starts = sorted(dt.date.fromisoformat(x[:10]) for x in points)
    assert starts[0] == dt.date(2026, 9, 28) and all(d.weekday() == 0 for d in starts)
    assert sum(points.values()) == mart_totals(app_store, everything)["leads"]


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
    assert detail["rows"] == len(rows) + 1 > 1  # the grid's rows and its total row, as written in the file


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
                f"SELECT SUM(leads), SUM(mqls), SUM(sqls), SUM(opportunities), SUM(won), SUM(qualified_leads) "
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
    # Leads (and whether they are qualified) count at creation in both conventions; later stages differ (that is
    # the point). Qualified leads come last, beside the stages, not between leads and MQL.
    assert cohort_sums[0] == activity_sums[0] and cohort_sums[-1] == activity_sums[-1]
    assert cohort_sums[1:-1] != activity_sums[1:-1]
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
    from dashapp.semantic.periods import compare

    raw = {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}
    data = (dt.date(2022, 1, 1), dt.date(2026, 10, 31))
    clamped = parse_filters(raw, today=dt.date(2026, 11, 1), known={}, data_range=data)
    assert (clamped.start, clamped.end) == data
    windows = compare(clamped.start, clamped.end, data[1])
    assert windows.last_year.start == dt.date(2021, 1, 1) and windows.previous.end < data[0]
    empty_store = parse_filters(raw, today=dt.date(2026, 11, 1), known={})
    assert empty_store.end == SAFE_DATES[1]
    assert compare(empty_store.start, empty_store.end).last_year.end.year == 2998  # no OverflowError


# --- issue 14: the funnel reads as a funnel, costs, the leaderboard, partial buckets ----------------------------

def test_the_funnel_draws_its_stages_in_order_and_qualified_leads_beside_it(director, app_store):
    from dashapp import i18n
    from dashapp.semantic import metrics

    overview = post_overview(director, period="last_month").get_json()["response"]
    figure = overview["explore-funnel"]["figure"]
    funnel = figure["data"][0]
    assert funnel["y"] == ["Leads", "MQL", "SQL", "Opportunities", "Won deals"]
    everything = mart_totals(app_store, region_codes(app_store))
    assert funnel["x"][0] == everything["leads"] and funnel["x"][-1] == everything["won"]
    beside = figure["layout"]["annotations"][0]["text"]
    assert beside.startswith(f"Qualified leads: {i18n.number(everything['qualified_leads'], 0, 'en')}")
    assert "an attribute, not a stage" in beside
    # Each stage explains itself on hover, from the metrics module.
    for stage, hover in zip(funnel["y"], funnel["customdata"], strict=True):
        name = {"Leads": "leads", "MQL": "mqls", "SQL": "sqls", "Opportunities": "opportunities", "Won deals": "won"}
        assert hover.endswith(metrics.get(name[stage]).definition)
    table = find(overview["explore-funnel-table"]["children"], "explore-funnel-ratios")
    stages = [cell["props"]["id"].removeprefix("explore-stage-") for cell in _stage_cells(table)]
    assert stages == [*metrics.FUNNEL, "qualified_leads"]
    for cell in _stage_cells(table):
        name = cell["props"]["id"].removeprefix("explore-stage-")
        assert cell["props"]["title"] == metrics.get(name).definition


def _stage_cells(tree):
    if isinstance(tree, dict):
        if str(tree.get("props", {}).get("id", "")).startswith("explore-stage-"):
            yield tree
        yield from _stage_cells(tree.get("props", {}).get("children"))
    elif isinstance(tree, list):
        for item in tree:
            yield from _stage_cells(item)


def test_mql_by_source(director, app_store):
    rows, total, columns = grid_of(post_grid(director, by="source"))
    engine = create_engine(app_store)
    try:
        with engine.connect() as conn:
            expected = dict(conn.execute(text("SELECT source_code, SUM(mqls) FROM mart_monthly "
                                              "WHERE month = '2026-10-01' GROUP BY source_code")).all())
    finally:
        engine.dispose()
    shown = {r["key"]: r["mqls"] for r in rows}
    assert shown == {k: v for k, v in expected.items() if k in shown} and sum(shown.values()) == sum(expected.values())
    assert columns[0]["headerName"] == "Source" and columns[2]["headerName"] == "MQL"
    assert columns[2]["headerTooltip"].startswith("Marketing-qualified leads")
    search = post_url(director, by="source")
    assert "by=source" in search and "source" in controls(open_page(director, search))["by"]


def test_unpaid_channels_have_a_blank_cost_per_lead(director, app_store):
    rows, total, _ = grid_of(post_grid(director, by="channel"))
    organic = next(r for r in rows if r["key"] == "organic")
    assert organic["spend"] == 0 and organic["leads"] > 0
    for column in ("cost_per_lead", "cost_per_qualified_lead", "cost_per_opportunity", "cac"):
        assert organic[column] is None and organic["_text"][column] == "", column
    assert organic["_text"]["spend"] == "€0"
    paid = next(r for r in rows if r["key"] == "paid_search")
    assert paid["_text"]["cost_per_lead"].startswith("€")
    filename, content = download_bytes(post_export(director, "csv", by="channel"))
    exported = {line[0]: line for line in csv_rows(content)}
    header = csv_rows(content)[0]
    assert exported["Organic & referral"][header.index("Cost per lead")] == ""


def _closed_by_rep(url: str, start: str, end: str) -> dict[str, tuple[int, int, int]]:
    """Per rep name, from the lead facts: (deals won, opportunities lost, opportunities closed) whose closing
    day (won, else lost) falls in [start, end]: closed counts each opportunity once."""
    engine = create_engine(url)
    closing = "date(coalesce(l.won_at, l.lost_at))"
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                f"SELECT coalesce(r.name, l.rep_code), sum(CASE WHEN l.won_at IS NOT NULL THEN 1 ELSE 0 END), "
                f"sum(CASE WHEN l.won_at IS NULL THEN 1 ELSE 0 END), count(*) FROM fact_lead l "
                f"LEFT JOIN dim_sales_rep r ON r.code = l.rep_code WHERE l.opportunity_at IS NOT NULL "
                f"AND {closing} BETWEEN :start AND :end AND l.rep_code IS NOT NULL GROUP BY 1"),
                {"start": start, "end": end}).all()
    finally:
        engine.dispose()
    return {name: (int(won), int(lost), int(closed)) for name, won, lost, closed in rows}


def test_the_leaderboard_win_rate_divides_won_by_closed_opportunities(director, app_store):
    """Issue 14: a rep showed a "win rate" above 100% (won ÷ opportunities *opened* in the months). The win rate
    is won ÷ opportunities closed (won or lost), the rep mart counts them, and the figures add up to the facts."""
    from dashapp import i18n
    from dashapp.semantic import metrics

    overview = post_overview(director, period="last_quarter").get_json()["response"]
    table = find(overview["explore-leaderboard"]["children"], "explore-leaderboard-table")
    head = next(part for part in table["props"]["children"] if part["type"] == "Thead")
    headers = texts(head)
    assert "Won ÷ leads" in headers and "Win rate (won ÷ closed)" in headers and "Closed opportunities" in headers
    tooltips = [cell["props"]["children"]["props"].get("title") for cell in head["props"]["children"]["props"][
        "children"] if isinstance(cell["props"]["children"], dict)]
    assert metrics.get("opportunity_win_rate").definition in tooltips
    facts = _closed_by_rep(app_store, "2026-07-01", "2026-09-30")
    body = next(part for part in table["props"]["children"] if part["type"] == "Tbody")
    checked = 0
    for row in body["props"]["children"]:
        cells = texts(row)
        leads, opportunities, won, closed = (int(cells[i].replace(",", "")) for i in (3, 4, 5, 6))
        won_facts, lost_facts, closed_facts = facts.get(cells[1], (0, 0, 0))
        assert closed == closed_facts == won_facts + lost_facts, cells
        assert won_facts <= won  # a deal won without an opportunity stage would count in won only
        assert cells[7] == i18n.percent(won / leads if leads else None, 1, "en")
        assert cells[8] == i18n.percent(won / closed if closed else None, 1, "en")
        assert won <= closed  # the demo's won deals are all opportunities: never above 100%
        checked += closed > 0
    assert checked > 0


def test_a_partial_last_week_is_drawn_as_partial(director):
    """Quarter to date by ISO week: the data end on Saturday 31 October and the quarter starts on Thursday
    1 October, so the first and the last weeks are partial: hollow points on a dotted segment, saying so."""
    response = post_series(director, kpi="leads", period="quarter_to_date", grain="week").get_json()["response"]
    figure = response["explore-series"]["figure"]
    traces = {t.get("meta"): t for t in figure["data"] if t.get("meta")}
    assert "2026-09-28" not in traces["actual"]["x"] and "2026-10-26" not in traces["actual"]["x"]
    partial = traces["partial"]
    assert partial["line"]["dash"] == "dot" and partial["name"] == "Partial period"
    hollow = [x for x, symbol in zip(partial["x"], partial["marker"]["symbol"], strict=True) if symbol == "circle-open"]
    assert hollow == ["2026-09-28", "2026-10-26"]
    hover = dict(zip(partial["x"], partial["customdata"], strict=True))
    assert "partial: 26 Oct – 31 Oct only" in hover["2026-10-26"]
    assert "dotted" in response["explore-series-note"]["children"]
    # Complete weeks only: no partial trace.
    whole = post_series(director, kpi="leads", period="last_week", grain="day").get_json()["response"]
    assert all(t.get("meta") != "partial" for t in whole["explore-series"]["figure"]["data"])


def test_the_headline_compares_like_for_like_in_both_languages(director, dash_app, app_store):
    english = " ".join(texts(post_series(director, kpi="leads", period="week_to_date")
                             .get_json()["response"]["explore-headline"]["children"]))
    assert "same weekdays of the previous week (Mon 19 Oct 2026 – Sat 24 Oct 2026)" in english
    assert "vs previous period" in english and "Higher is better" in english
    client = logged_in_client(dash_app, DIRECTOR)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = " ".join(texts(post_series(client, kpi="spend", period="week_to_date")
                            .get_json()["response"]["explore-headline"]["children"]))
    assert "mêmes jours de la semaine précédente (lun. 19 oct. 2026 – sam. 24 oct. 2026)" in french
    assert "Un budget" in french


def test_no_english_left_in_the_french_drill_down(dash_app, app_store):
    client = logged_in_client(dash_app, DIRECTOR)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    layout = json.dumps(open_page(client), ensure_ascii=False)
    region = find(open_page(client), "explore-region")
    labels = {o["value"]: o["label"] for o in region["props"]["options"]}
    assert labels["XX"] == "Non attribuée"
    assert find(open_page(client), "explore-channel")["props"]["labels"]["selected_count"] == \
        "{num_selected} sélectionné(s)"
    overview = json.dumps(post_overview(client, period="last_12_months").get_json(), ensure_ascii=False)
    grid = json.dumps(post_grid(client, by="region").get_json(), ensure_ascii=False)
    for english in ("Unassigned", "} selected", "Select...", "No options found", "Win rate", "Won deals"):
        for where, body in (("layout", layout), ("overview", overview), ("grid", grid)):
            assert english not in body, (english, where)


def test_french_export_uses_semicolons_and_decimal_commas_with_the_same_figures(dash_app, director, app_store):
    """Issue 14: a French user's CSV opens in a French Excel (";", decimal comma, BOM); its figures are the
    English file's (IDF's director in French, the national one in English, both filtered on IDF), and its name
    carries the page, the visual, the period and the filters."""
    from .app_helpers import speaking

    with speaking(dash_app, "director.idf@pilotage.demo", "fr") as french:
        for visual in ("grid", "funnel", "heatmap", "series"):
            values = {"visual": visual, "by": "channel", "period": "last_quarter", "region": ["FR-IDF"]}
            english_name, english = download_bytes(post_export(director, "csv", **values))
            french_name, content = download_bytes(post_export(french, "csv", **values))
            assert content.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
            english_rows = csv_rows(english)
            assert len(rows) == len(english_rows) and len(rows[0]) == len(english_rows[0]) > 1
            decimals = 0
            for line, english_line in zip(rows[1:], english_rows[1:], strict=True):
                for cell, english_cell in zip(line[1:], english_line[1:], strict=True):
                    if english_cell.replace(".", "", 1).replace("-", "", 1).isdigit():
                        assert cell == english_cell.replace(".", ","), (visual, cell, english_cell)
                        decimals += "." in english_cell
            assert decimals > 0, visual
            named = {"series": "series-leads", "grid": "breakdown-channel"}.get(visual, visual)
            assert english_name == french_name == f"explore_{named}_2026-07-01_2026-09-30_ile-de-france.csv"


def test_below_the_fold_waits_until_scrolled_to(director):
    """The heatmap and cohorts are not computed before the browser says their card is near the viewport."""
    from .test_app_scope import BELOW_OUTPUT, filter_inputs  # noqa: PLC0415

    unseen = dash_post(director, BELOW_OUTPUT, [{"id": "explore-below-seen", "property": "data", "value": False}]
                       + filter_inputs())
    assert unseen.status_code == 204  # nothing sent back: the visuals keep their empty state
    seen = dash_post(director, BELOW_OUTPUT, [{"id": "explore-below-seen", "property": "data", "value": True}]
                     + filter_inputs())
    answer = seen.get_json()["response"]
    assert answer["explore-heatmap"]["figure"]["data"] and answer["explore-cohort"]["children"]
    layout = open_page(director)
    assert find(layout, "explore-below-seen")["props"]["data"] is False
    assert find(layout, "explore-heatmap-card") is not None


def test_the_events_card_comes_once_scrolled_near_for_the_roles_that_annotate(dash_app, app_store):
    """The events form (a date picker, three dropdowns) is not drawn with the first screen: it comes with the
    visuals below the fold, for directors, planners and admins only."""
    planner = logged_in_client(dash_app, "planner@pilotage.demo")
    layout = open_page(planner)
    assert find(layout, "explore-events-slot") is not None and find(layout, "explore-events-card") is None
    seen = [{"id": "explore-below-seen", "property": "data", "value": True}]
    card = dash_post(planner, "explore-events-slot.children", seen).get_json()["response"]
    assert find(card["explore-events-slot"]["children"], "explore-event-save") is not None
    assert dash_post(planner, "explore-events-slot.children", [{**seen[0], "value": False}]).status_code == 204
    sales = logged_in_client(dash_app, "sales@pilotage.demo")
    assert find(open_page(sales), "explore-events-slot") is None
    assert dash_post(sales, "explore-events-slot.children", seen).status_code == 403


def test_one_answer_per_change_redraws_only_what_depends_on_it(director):
    """A change of the KPI redraws the series (and the URL), not the funnel or the grid; a change of breakdown
    the grid only; a filter change everything above the fold."""
    from .app_helpers import csrf_header
    from .test_app_scope import VIEW_OUTPUT

    inputs = filter_inputs(period="last_quarter") + [{"id": "explore-kpi", "property": "value", "value": "mqls"},
                                                    {"id": "explore-by", "property": "value", "value": "region"}]
    parts = [p for p in VIEW_OUTPUT.strip(".").split("...")]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]

    def answer(changed: str) -> dict:
        body = {"output": VIEW_OUTPUT, "outputs": outputs, "inputs": inputs, "state": [],
                "changedPropIds": [changed]}
        response = director.post("/_dash-update-component", data=json.dumps(body),
                                 headers={"Content-Type": "application/json", **csrf_header(director)})
        assert response.status_code == 200
        return response.get_json()["response"]

    kpi = answer("explore-kpi.value")
    assert kpi["explore-series"]["figure"] and "figure" not in kpi["explore-funnel"]  # (its PNG name follows)
    assert "explore-grid" not in kpi and "explore-leaderboard" not in kpi
    assert "kpi=mqls" in kpi["explore-query"]["data"]
    by = answer("explore-by.value")
    assert by["explore-grid"]["rowData"] and "figure" not in by["explore-series"] and "explore-leaderboard" not in by
    assert "by=region" in by["explore-query"]["data"]
    everything = answer("explore-region.value")
    assert everything["explore-series"]["figure"] and everything["explore-funnel"]["figure"]
    assert everything["explore-leaderboard"]["children"] and everything["explore-grid"]["rowData"]

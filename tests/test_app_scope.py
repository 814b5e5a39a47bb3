"""A regional director cannot get another region's figures from the drill-down page, by any request.

The attacker here is director.idf@pilotage.demo (scope FR-IDF): they post the page's callbacks
to ``/_dash-update-component`` by hand, with another region's code, "all", every code of the
store, a campaign or a source of another region, an unknown KPI or breakdown. The expected
figures are computed here with plain SQL on the marts; IDF's and the other region's differ, so
finding one and not the other in a response is a real check. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import create_engine, text

from .app_helpers import dash_post, downloaded, logged_in_client, post_export_button, response_text

IDF_DIRECTOR = "director.idf@pilotage.demo"
OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))  # "last_month" of the demo store (data ends 31 Oct 2026)
# The page's one callback for a change of the filter bar, KPI or breakdown: the URL's query, the series and
# headline, funnel, leaderboard, grid and each chart's config (the layout draws the same on opening).
VIEW_OUTPUT = ("..explore-query.data...explore-series-title.children...explore-series.figure"
               "...explore-series-note.children...explore-headline.children...explore-headline.color"
               "...explore-funnel.figure...explore-funnel-table.children...explore-leaderboard.children"
               "...explore-grid.rowData...explore-grid.columnDefs...explore-grid.dashGridOptions"
               "...explore-series.config...explore-funnel.config...explore-heatmap.config..")
BELOW_OUTPUT = "..explore-heatmap.figure...explore-cohort.children...explore-activity.children.."
FILTER_CONTROLS = (("explore-period", "value", "period"), ("explore-dates", "start_date", "start"),
                   ("explore-dates", "end_date", "end"), ("explore-grain", "value", "grain"),
                   ("explore-region", "value", "region"), ("explore-channel", "value", "channel"),
                   ("explore-campaign", "value", "campaign"), ("explore-source", "value", "source"))


# --- helpers shared with test_app_explore ---------------------------------------------------------

def filter_inputs(**values) -> list[dict]:
    """The filter bar's props as dash-renderer sends them (``period="last_month"`` by default)."""
    values.setdefault("period", "last_month")
    values.setdefault("grain", "month")
    return [{"id": component, "property": prop, "value": values.get(key)} for component, prop, key in FILTER_CONTROLS]


def as_states(inputs: list[dict]) -> list[dict]:
    return [dict(item) for item in inputs]


def post_view(client, inputs: list[dict], kpi="leads", by="channel"):
    """The view callback with ``inputs`` (the filter bar's, and the KPI's or breakdown's if given)."""
    given = {item["id"] for item in inputs}
    extra = [{"id": component, "property": "value", "value": value}
             for component, value in (("explore-kpi", kpi), ("explore-by", by)) if component not in given]
    return dash_post(client, VIEW_OUTPUT, inputs + extra)


def post_grid(client, by="channel", **values):
    return post_view(client, filter_inputs(**values), by=by)


def post_series(client, kpi="leads", **values):
    return post_view(client, filter_inputs(**values), kpi=kpi)


def query_of(response) -> str:
    """The URL's query the view callback answered (the address bar follows it)."""
    return response.get_json()["response"]["explore-query"]["data"]


class _Both:
    """Two callback answers read as one (status: the first that is not 200; JSON: both responses merged)."""

    def __init__(self, *responses):
        self.responses = responses
        failed = [r for r in responses if r.status_code != 200]
        self.status_code = failed[0].status_code if failed else 200

    def get_json(self):
        merged = {}
        for response in self.responses:
            merged.update(response.get_json()["response"])
        return {"multi": True, "response": merged}

    def get_data(self, as_text=False):
        return "\n".join(r.get_data(as_text=True) for r in self.responses)


def post_overview(client, **values):
    """The funnel and leaderboard's callback and, as once scrolled to, the one below the fold (heatmap,
    cohorts)."""
    below = [{"id": "explore-below-seen", "property": "data", "value": True}] + filter_inputs(**values)
    return _Both(post_view(client, filter_inputs(**values)),
                 dash_post(client, BELOW_OUTPUT, below))


EXPLORE_VISUALS = ("series", "funnel", "leaderboard", "heatmap", "cohort", "activity", "grid")


def post_export(client, fmt="csv", by="channel", column_state=None, visual="grid", kpi="leads", **values):
    state = as_states(filter_inputs(**values)) + [{"id": "explore-kpi", "property": "value", "value": kpi},
                                                  {"id": "explore-by", "property": "value", "value": by},
                                                  {"id": "explore-grid", "property": "columnState",
                                                   "value": column_state}]
    return post_export_button(client, "explore", visual, fmt, state, EXPLORE_VISUALS)


def download_bytes(response) -> tuple[str, bytes]:
    return downloaded(response, "explore")


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def grid_of(response) -> tuple[list[dict], dict, list[dict]]:
    """(rows, total row, column definitions) of a grid callback response."""
    grid = response.get_json()["response"]["explore-grid"]
    return grid["rowData"], grid["dashGridOptions"]["pinnedBottomRowData"][0], grid["columnDefs"]


def open_page(client, search: str = ""):
    """The page layout as Dash Pages renders it for ``/explore<search>`` (what the browser gets)."""
    response = dash_post(client, ".._pages_content.children..._pages_store.data..", [
        {"id": "_pages_location", "property": "pathname", "value": "/explore"},
        {"id": "_pages_location", "property": "search", "value": search}])
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_content"]["children"]


def find(tree, component_id: str):
    """The component with ``component_id`` in a serialised layout (depth first), else None."""
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == component_id:
            return tree
        for value in (*props.values(), *(v for k, v in tree.items() if k != "props")):
            found = find(value, component_id)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for item in tree:
            found = find(item, component_id)
            if found is not None:
                return found
    return None


def texts(tree) -> list[str]:
    """Every string child of a serialised layout, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        return texts(tree.get("props", {}).get("children"))
    if isinstance(tree, list):
        return [s for item in tree for s in texts(item)]
    return []


def mart_totals(url: str, regions, start=OCTOBER[0], end=OCTOBER[1], **where) -> dict[str, float]:
    """Plain SQL on the monthly mart: the figures a user of ``regions`` must (or must not) see."""
    engine = create_engine(url)
    conditions = ["month >= :start", "month <= :end", "region_code IN :regions"]
    params = {"start": start, "end": end, "regions": tuple(regions)}
    for column, value in where.items():
        conditions.append(f"{column} = :{column}")
        params[column] = value
    statement = text("SELECT COALESCE(SUM(leads), 0), COALESCE(SUM(qualified_leads), 0), COALESCE(SUM(spend), 0), "
                     "COALESCE(SUM(opportunities), 0), COALESCE(SUM(won), 0) FROM mart_monthly WHERE "
                     + " AND ".join(conditions)).bindparams(_expanding("regions"))
    try:
        with engine.connect() as conn:
            row = conn.execute(statement, params).one()
    finally:
        engine.dispose()
    return dict(zip(("leads", "qualified_leads", "spend", "opportunities", "won"), map(float, row), strict=True))


def _expanding(name):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def region_codes(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT code FROM dim_region ORDER BY code")).scalars())
    finally:
        engine.dispose()


# --- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture
def idf(dash_app, app_store_both):
    return logged_in_client(dash_app, IDF_DIRECTOR)


@pytest.fixture
def figures(app_store_both):
    """October 2026 in IDF, in ARA and in every region: three different sets of figures."""
    url = app_store_both
    result = {"idf": mart_totals(url, ["FR-IDF"]), "ara": mart_totals(url, ["FR-ARA"]),
              "all": mart_totals(url, region_codes(url))}
    assert result["idf"]["leads"] and result["ara"]["leads"]
    assert len({r["leads"] for r in result.values()}) == 3 and len({r["spend"] for r in result.values()}) == 3
    return result


def _money(value: float) -> str:
    return json.dumps(round(value, 2))


FORGED_REGIONS = (["FR-ARA"], "FR-ARA", ["FR-ARA", "FR-IDF"], "all", "*", ["*"], ["all"], ["FR"], "FR,FR-ARA",
                  {"in": ["FR-ARA"]}, 42)


# --- the tests ----------------------------------------------------------------------------------------

def test_forged_regions_return_only_idf_figures(idf, figures, app_store_both):
    every_code = region_codes(app_store_both)
    for region in (*FORGED_REGIONS, every_code):
        response = post_grid(idf, region=region)
        assert response.status_code == 200, region
        rows, total, _ = grid_of(response)
        assert total["leads"] == figures["idf"]["leads"], region
        assert total["spend"] == pytest.approx(figures["idf"]["spend"], abs=0.01), region
        body = response_text(response)
        for other in ("ara", "all"):
            assert _money(figures[other]["spend"]) not in body, (region, other)
        assert sum(r["leads"] for r in rows) == figures["idf"]["leads"]


def test_region_breakdown_lists_idf_only(idf, figures, app_store_both):
    for region in (["FR-ARA"], "*", region_codes(app_store_both)):
        rows, total, _ = grid_of(post_grid(idf, by="region", region=region))
        assert [r["key"] for r in rows] == ["FR-IDF"]
        assert [r["label"] for r in rows] == ["Île-de-France"]
        assert rows[0]["leads"] == total["leads"] == figures["idf"]["leads"]


def test_forged_campaign_and_source_of_another_region(idf, figures, app_store_both):
    # press-ara only runs in Auvergne-Rhône-Alpes: for IDF it is an unknown code, dropped.
    ara_press = mart_totals(app_store_both, ["FR-ARA"], campaign_code="press-ara")
    assert ara_press["leads"] > 0
    rows, total, _ = grid_of(post_grid(idf, campaign=["press-ara"], by="campaign"))
    assert total["leads"] == figures["idf"]["leads"]
    assert "press-ara" not in [r["key"] for r in rows]
    rows, total, _ = grid_of(post_grid(idf, source=["' OR 1=1 --", "google / cpc'; DROP TABLE mart_monthly; --"]))
    assert total["leads"] == figures["idf"]["leads"]
    # A real source narrows within the scope only.
    google = mart_totals(app_store_both, ["FR-IDF"], source_code="google / cpc")
    rows, total, _ = grid_of(post_grid(idf, source=["google / cpc"], region="FR-ARA"))
    assert total["leads"] == google["leads"] != mart_totals(app_store_both, ["FR-ARA"], source_code="google / cpc")[
        "leads"]


def test_series_and_overview_hold_idf_numbers_only(idf, figures):
    from dashapp import i18n

    for region in ("FR-ARA", "*", ["FR", "FR-ARA"]):
        series = post_series(idf, kpi="leads", region=region)
        assert series.status_code == 200
        headline = " ".join(texts(series.get_json()["response"]["explore-headline"]["children"]))
        assert i18n.number(figures["idf"]["leads"], 0, "en") in headline
        for other in ("ara", "all"):
            assert i18n.number(figures[other]["leads"], 0, "en") not in headline
        overview = post_overview(idf, region=region)
        assert overview.status_code == 200
        funnel = overview.get_json()["response"]["explore-funnel"]["figure"]["data"][0]
        counts = dict(zip(funnel["y"], funnel["x"], strict=True))
        assert counts["Leads"] == figures["idf"]["leads"]
        assert "Qualified leads" not in counts  # an attribute, shown beside the funnel
        beside = overview.get_json()["response"]["explore-funnel"]["figure"]["layout"]["annotations"][0]["text"]
        assert i18n.number(figures["idf"]["qualified_leads"], 0, "en") in beside
        assert counts["Won deals"] == figures["idf"]["won"]
        body = response_text(overview)
        assert "Auvergne" not in body


def test_region_dropdown_of_idf_director(idf):
    for search in ("", "?region=FR-ARA", "?region=FR,FR-ARA,FR-IDF"):
        layout = open_page(idf, search)
        dropdown = find(layout, "explore-region")
        assert [o["value"] for o in dropdown["props"]["options"]] == ["FR-IDF"]
        assert set(dropdown["props"]["value"]) <= {"FR-IDF"}
        assert "Auvergne" not in json.dumps(layout, ensure_ascii=False)


def test_export_of_idf_director_holds_idf_rows_only(idf, figures):
    for fmt_region in ("FR-ARA", "*"):
        _, content = download_bytes(post_export(idf, "csv", by="region", region=fmt_region))
        rows = csv_rows(content)
        assert [r[0] for r in rows[1:]] == ["Île-de-France", "Total"]
        leads = rows[0].index("Leads")
        assert float(rows[1][leads]) == float(rows[2][leads]) == figures["idf"]["leads"]
    _, content = download_bytes(post_export(idf, "csv", by="channel", region=["FR-ARA"]))
    rows = csv_rows(content)
    spend = rows[0].index("Media spend")
    assert float(rows[-1][spend]) == pytest.approx(figures["idf"]["spend"], abs=0.01)
    assert _money(figures["ara"]["spend"]) not in content.decode("utf-8-sig")


def test_requests_without_a_session_get_401_and_no_data(dash_app, app_store_both, figures):
    anonymous = dash_app.server.test_client()
    for response in (post_grid(anonymous, region="FR-IDF"), post_series(anonymous), post_overview(anonymous),
                     post_export(anonymous), open_page_raw(anonymous)):
        assert response.status_code == 401
        body = response_text(response)
        assert "rowData" not in body and "figure" not in body and "content" not in body
        assert _money(figures["idf"]["spend"]) not in body


def open_page_raw(client):
    return dash_post(client, ".._pages_content.children..._pages_store.data..", [
        {"id": "_pages_location", "property": "pathname", "value": "/explore"},
        {"id": "_pages_location", "property": "search", "value": ""}])


@pytest.mark.parametrize("post", [
    lambda c: post_series(c, kpi="__class__"),
    lambda c: post_series(c, kpi="leads'; DROP TABLE mart_monthly; --"),
    lambda c: post_series(c, kpi=["leads"]),
    lambda c: post_grid(c, by="rep_code"),
    lambda c: post_grid(c, by="source; SELECT 1"),
    lambda c: post_grid(c, by=None),
    lambda c: post_export(c, by="password_hash"),
], ids=["dunder", "sql", "list", "rep", "sql-by", "none-by", "export-by"])
def test_unknown_kpi_or_breakdown_gets_a_clean_error(idf, post):
    response = post(idf)
    body = response_text(response)
    assert response.status_code == 200
    assert "Traceback" not in body and 'File "' not in body and "Error" not in body
    payload = response.get_json()
    assert payload["response"] == {}
    assert payload["sideUpdate"]["global-error"]["is_open"] is True
    assert "does not exist" in payload["sideUpdate"]["global-error"]["children"]


# --- issue 14: every visual's export, cross-filtering and the out-of-scope notice ----------------------------

def _export_content(client, visual, **values) -> tuple[str, bytes]:
    response = post_export(client, "csv", visual=visual, **values)
    assert response.status_code == 200, (visual, values, response_text(response)[:300])
    return download_bytes(response)


def _column_sum(content: bytes, header: str, skip_total: bool = False) -> float:
    rows = csv_rows(content)
    column = rows[0].index(header)
    lines = [r for r in rows[1:] if r[column] != ""]
    if skip_total:
        lines = [r for r in lines if r[0] != "Total"]
    return sum(float(r[column]) for r in lines)


def test_every_visual_export_of_idf_director_holds_idf_figures_only(idf, figures, app_store_both):
    """Each visual's file is recomputed on the server in the user's scope: a forged region (another one, all,
    every code) gives the very bytes of IDF's own view, whose figures are IDF's and not another region's."""
    from dashapp.auth import audit

    own = {visual: _export_content(idf, visual)[1] for visual in EXPLORE_VISUALS}
    # IDF's figures, checked against plain SQL on the marts.
    assert _column_sum(own["series"], "Actual") == figures["idf"]["leads"]
    funnel = {r[0]: r[1] for r in csv_rows(own["funnel"])[1:]}
    assert float(funnel["Leads"]) == figures["idf"]["leads"] and float(funnel["Won deals"]) == figures["idf"]["won"]
    assert _column_sum(own["activity"], "Leads") == figures["idf"]["leads"]
    assert _column_sum(own["grid"], "Leads", skip_total=True) == figures["idf"]["leads"]
    assert len(csv_rows(own["leaderboard"])) > 1 and len(csv_rows(own["heatmap"])) > 1
    for content in own.values():
        text = content.decode("utf-8-sig")
        assert _money(figures["ara"]["spend"]) not in text and "Auvergne" not in text
    before = {e["id"] for e in audit.recent(500, "export")}
    for region in ("FR-ARA", ["*"], ["FR", "FR-ARA"], region_codes(app_store_both)):
        for visual in EXPLORE_VISUALS:
            _, content = _export_content(idf, visual, region=region)
            assert content == own[visual], (visual, region)
    entries = [json.loads(e["detail"]) for e in audit.recent(500, "export") if e["id"] not in before]
    assert len(entries) == 4 * len(EXPLORE_VISUALS)
    assert {e["visual"] for e in entries} == set(EXPLORE_VISUALS) and {e["page"] for e in entries} == {"explore"}
    assert all(set(e["regions"]) <= {"FR-IDF"} for e in entries)


@pytest.mark.parametrize("visual", ["../../etc/passwd", "grid; DROP TABLE audit_log", "", "__class__"])
def test_a_forged_visual_name_exports_nothing(idf, visual):
    response = post_export(idf, "csv", visual=visual)
    body = response_text(response)
    assert response.status_code in (200, 204) and "content" not in body and "Traceback" not in body


def test_a_forged_export_format_exports_nothing(idf):
    from .app_helpers import post_export_button

    state = as_states(filter_inputs()) + [{"id": "explore-kpi", "property": "value", "value": "leads"},
                                          {"id": "explore-by", "property": "value", "value": "channel"},
                                          {"id": "explore-grid", "property": "columnState", "value": None}]
    response = post_export_button(idf, "explore", "grid", "pickle", state)
    assert response.status_code in (200, 204) and "content" not in response_text(response)


CLICK_OUTPUT = ("..explore-channel.value...explore-campaign.value...explore-region.value...explore-source.value"
                "...explore-period.value@{0}...explore-dates.start_date@{0}...explore-dates.end_date@{0}..")


def post_click(dash_app, client, heatmap=None, cell=None, by="channel"):
    """A click on the heatmap (``clickData``) or on the grid (``cellClicked``), as dash-renderer posts it
    (the period and dates outputs are duplicates: Dash names them with a hash)."""
    key = next(k for k in dash_app.callback_map if k.startswith("..explore-channel.value"))
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in key.strip(".").split("...")]
    changed = "explore-heatmap.clickData" if heatmap is not None else "explore-grid.cellClicked"
    body = {"output": key, "outputs": outputs, "inputs": [
        {"id": "explore-heatmap", "property": "clickData", "value": heatmap},
        {"id": "explore-grid", "property": "cellClicked", "value": cell}],
        "state": [{"id": "explore-by", "property": "value", "value": by}], "changedPropIds": [changed]}
    from .app_helpers import csrf_header

    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def _set(response) -> dict:
    assert response.status_code == 200, response_text(response)[:300]
    answer = response.get_json()["response"]
    return {f"{component}.{prop.split('@')[0]}": value for component, props in answer.items()
            for prop, value in props.items()}


def test_a_heatmap_click_filters_channel_and_month_and_the_url_follows(dash_app, idf):
    overview = post_overview(idf, period="last_quarter").get_json()["response"]
    heatmap = overview["explore-heatmap"]["figure"]["data"][0]
    channel, month = heatmap["y"][0], heatmap["x"][1]  # cells sit at codes: what Plotly's clickData reports
    assert month == "2026-08-01" and channel in [r["key"] for r in grid_of(post_grid(idf))[0]]
    assert overview["explore-heatmap"]["figure"]["layout"]["yaxis"]["ticktext"][0] != channel  # its name shown
    chosen = _set(post_click(dash_app, idf, heatmap={"points": [{"x": month, "y": channel, "z": 1}]}))
    assert chosen == {"explore-channel.value": [channel], "explore-period.value": "custom",
                      "explore-dates.start_date": "2026-08-01", "explore-dates.end_date": "2026-08-31"}
    # The URL follows the controls the click set, and the link reopens the same view.
    search = query_of(post_view(idf, filter_inputs(period="custom", start="2026-08-01", end="2026-08-31",
                                                  channel=[channel])))
    assert search == (f"?period=custom&start=2026-08-01&end=2026-08-31&grain=month&channel={channel}"
                      "&kpi=leads&by=channel")
    layout = open_page(idf, search)
    assert find(layout, "explore-channel")["props"]["value"] == [channel]
    assert find(layout, "explore-dates")["props"]["start_date"] == "2026-08-01"


def test_a_grid_click_filters_on_the_row_and_forged_clicks_set_nothing_else(dash_app, idf, figures):
    rows, _, _ = grid_of(post_grid(idf, by="channel"))
    chosen = _set(post_click(dash_app, idf, cell={"colId": "label", "rowId": rows[0]["key"], "value": "x"}))
    assert chosen == {"explore-channel.value": [rows[0]["key"]]}
    region = _set(post_click(dash_app, idf, cell={"colId": "label", "rowId": "FR-IDF"}, by="region"))
    assert region == {"explore-region.value": ["FR-IDF"]}
    # A forged click naming another region sets it in the control; every query drops it (the scope), and the
    # page says so (below): the figures stay IDF's.
    forged = _set(post_click(dash_app, idf, cell={"colId": "label", "rowId": "FR-ARA"}, by="region"))
    assert forged == {"explore-region.value": ["FR-ARA"]}
    _, total, _ = grid_of(post_grid(idf, region=forged["explore-region.value"]))
    assert total["leads"] == figures["idf"]["leads"]
    for cell, by in (({"colId": "leads", "rowId": "paid_search"}, "channel"), ({"colId": "label"}, "channel"),
                     ({"colId": "label", "rowId": "x"}, "password"), ("label", "channel")):
        response = post_click(dash_app, idf, cell=cell, by=by)
        assert response.status_code == 204, (cell, by)
    for click in ({"points": [{"y": "paid_search"}]}, {"points": "x"}, [1], {"points": [{}]},
                  {"points": [{"x": 3, "y": ["a"]}]}):
        assert post_click(dash_app, idf, heatmap=click).status_code == 204


def _notice(response) -> tuple[str, bool]:
    answer = response.get_json()["response"]["explore-scope-notice"]
    return answer["children"], answer["is_open"]


def test_a_region_outside_the_scope_is_named_not_silently_replaced(idf, figures):
    # A shared link with another region: the page opens on IDF's figures and says why.
    layout = open_page(idf, "?region=FR-ARA")
    notice = find(layout, "explore-scope-notice")["props"]
    assert notice["is_open"] is True
    assert notice["children"] == "FR-ARA: outside your access. This page shows your scope (Île-de-France) instead."
    # Part of the request in scope: it shows that part.
    notice = find(open_page(idf, "?region=FR-ARA,FR-IDF"), "explore-scope-notice")["props"]
    assert notice["children"] == "FR-ARA: outside your access. This page shows Île-de-France instead."
    # In scope, or no region: no notice.
    for search in ("?region=FR-IDF", ""):
        assert find(open_page(idf, search), "explore-scope-notice")["props"]["is_open"] is False
    # A forged callback input gets the same notice, in French for a French user.
    answer = dash_post(idf, "..explore-scope-notice.children...explore-scope-notice.is_open..",
                       [{"id": "explore-region", "property": "value", "value": ["FR-ARA", "*"]}])
    assert _notice(answer) == ("FR-ARA, *: outside your access. This page shows your scope (Île-de-France) instead.",
                               True)
    assert _notice(dash_post(idf, "..explore-scope-notice.children...explore-scope-notice.is_open..",
                             [{"id": "explore-region", "property": "value", "value": ["FR-IDF"]}])) == ("", False)


def test_the_scope_notice_is_french_for_a_french_user(dash_app, app_store_both):
    from .app_helpers import speaking

    with speaking(dash_app, IDF_DIRECTOR, "fr") as client:
        notice = find(open_page(client, "?region=FR-ARA"), "explore-scope-notice")["props"]["children"]
    assert notice == ("FR-ARA : hors de votre périmètre. Cette page montre votre périmètre (Île-de-France) "
                      "à la place.")

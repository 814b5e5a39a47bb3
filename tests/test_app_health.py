"""The data-health page and the home page's health line, on a hand-made store of each backend.

Made here, relative to today (D): Île-de-France has leads every day from D-120 to D-5 but for D-10, so its
leads are 3 days late (cadence 2 days) and its gap days are D-10 and, seen nationally, D-4 to D-1; Auvergne-
Rhône-Alpes has leads every day to D-1 but for D-20. Each region has one lead entered twice (same moment,
channel, campaign, source), one outlier recorded at load, and the file has two rejected rows. The regional
director of Île-de-France sees only Île-de-France, whatever region a forged callback asks for.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from etl.pipeline import load_file
from pilotage.store.models import DataQualityFinding, EtlRun

from .app_helpers import logged_in_client, seed_regions_and_users, switch_language
from .test_app_admin import call, outputs

IDF_DIRECTOR, ADMIN, SALES = "director.idf@pilotage.demo", "admin@pilotage.demo", "sales@pilotage.demo"
TODAY = dt.datetime.now(dt.UTC).date()
SUMMARY = ("..health-sources.rowData...health-figure-late.children...health-figure-gaps.children"
           "...health-figure-duplicates.children...health-figure-outliers.children...health-figure-rejects.children"
           "...health-rejects-chart.figure...health-open-rejects.className..")
DETAIL = "..health-detail-title.children...health-detail.columnDefs...health-detail.rowData.."
FIGURES = ("late", "gaps", "duplicates", "outliers", "rejects")


def day(offset: int) -> dt.date:
    return TODAY - dt.timedelta(days=offset)


def leads_file() -> str:
    lines = ["lead_id,created_at,channel,region,campaign,source"]
    for region, last, gap in (("FR-IDF", 5, 10), ("FR-ARA", 1, 20)):
        lines += [f"{region}-{n},{day(n)} 09:00,organic,{region},," for n in range(last, 121) if n != gap]
    lines += [f"{region[3:]}-twice-{copy},{day(offset)} 10:00,paid_search,{region},brand,google / cpc"
              for region, offset in (("FR-IDF", 30), ("FR-ARA", 31)) for copy in "ab"]
    lines += [f"bad-1,{day(3)},carrier_pigeon,FR-IDF,,",      # rejected: unknown channel
              "bad-2,not a date,organic,FR-IDF,,"]             # rejected: no date
    return "\n".join(lines) + "\n"


LAST_LINE = len(leads_file().splitlines())  # the two bad rows end the file


@pytest.fixture
def store(engine, tmp_path, monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    seed_regions_and_users(engine)
    (tmp_path / "leads.csv").write_text(leads_file(), encoding="utf-8")
    report = load_file(tmp_path / "leads.csv", source="leads", engine=engine)
    assert report.rows_rejected == 2
    (tmp_path / "web.csv").write_text(f"date,source,channel,region,sessions\n{day(1)},google / organic,"
                                      "organic_search,FR-IDF,40\n", encoding="utf-8")
    load_file(tmp_path / "web.csv", source="web_analytics", engine=engine)
    with engine.begin() as conn:
        run = conn.execute(select(EtlRun.id).order_by(EtlRun.id.desc())).scalars().first()
        conn.execute(insert(DataQualityFinding), [dict(
            run_id=run, file_name="web.csv", line=2, table_name="fact_web_analytics", column="sessions",
            series_key=f"source_code=x, region_code={region}", region_code=region, channel_code="organic_search",
            date=day(offset), value=9999.0, typical=40.0, expected_low=0.0, expected_high=200.0, rule="test",
            severity="critical", created_at=dt.datetime.now()) for region, offset in
            (("FR-IDF", 15), ("FR-ARA", 16), (None, 17))])
        # The load after the findings: the app's caches key on the last run.
        conn.execute(insert(EtlRun).values(source_type="test", file_name="-", file_sha256="", status="loaded",
                                           started_at=dt.datetime.now()))
    return engine


def summary(client, regions=None) -> dict:
    body = outputs(call(client, SUMMARY, {"health-region.value": regions}))
    figures = {k: body[f"health-figure-{k}"]["children"] for k in FIGURES}
    return {"sources": body["health-sources"]["rowData"], "rejects_hidden": "d-none" in
            body["health-open-rejects"]["className"], **figures}


def detail(client, kind: str, regions=None) -> tuple[str, list[dict]]:
    inputs = {f"health-open-{k}.n_clicks": 1 if k == kind else 0 for k in FIGURES}
    inputs |= {"health-rejects-chart.clickData": None, "health-region.value": regions}
    body = outputs(call(client, DETAIL, inputs, trigger=f"health-open-{kind}.n_clicks"))
    return body["health-detail-title"]["children"], body["health-detail"]["rowData"]


def test_the_data_team_sees_every_figure_and_the_rows_behind_it(dash_app, store):
    admin = logged_in_client(dash_app, ADMIN)
    seen = summary(admin)
    leads = next(s for s in seen["sources"] if s["source_system"] == "canonical" and s["feed"].startswith("Leads"))
    assert leads["state"] == "up to date"                       # Auvergne-Rhône-Alpes is up to D-1
    assert (seen["late"], seen["gaps"], seen["duplicates"], seen["outliers"], seen["rejects"]) == (
        "0", "6", "2", "3", "2")
    assert not seen["rejects_hidden"]
    _, gaps = detail(admin, "gaps")
    assert sorted((g["region_code"], g["date"]) for g in gaps) == sorted(
        [("FR-IDF", day(n).isoformat()) for n in (10, 4, 3, 2, 1)] + [("FR-ARA", day(20).isoformat())])
    _, duplicates = detail(admin, "duplicates")
    assert sorted((d["region_code"], d["copies"]) for d in duplicates) == [("FR-ARA", 2), ("FR-IDF", 2)]
    title, rejects = detail(admin, "rejects")
    assert title == "Rejected rows: 2" and sorted(r["line"] for r in rejects) == [LAST_LINE - 1, LAST_LINE]
    _, outliers = detail(admin, "outliers")
    assert sorted(str(o["region_code"]) for o in outliers) == ["FR-ARA", "FR-IDF", "None"]


def test_a_regional_director_sees_only_their_region_even_by_forged_callbacks(dash_app, store):
    director = logged_in_client(dash_app, IDF_DIRECTOR)
    seen = summary(director)
    leads = next(s for s in seen["sources"] if s["feed"].startswith("Leads"))
    assert (leads["last_date"], leads["state"]) == (day(5).strftime("%-d %b %Y"), "late by 3 days")
    # The last load is the run that wrote the feed (etl_run.feeds), not the later run that wrote another one.
    with store.connect() as conn:
        loaded = conn.execute(select(EtlRun.started_at).where(EtlRun.feeds == "fact_lead:canonical")).scalar_one()
    assert leads["last_load"] == loaded.date().strftime("%-d %b %Y")
    assert (seen["late"], seen["gaps"], seen["duplicates"], seen["outliers"]) == ("1", "1", "1", "1")
    assert seen["rejects"] == "—" and seen["rejects_hidden"]     # file-level rows are the data team's
    assert {s["source_system"] for s in seen["sources"]} == {"canonical"}   # no open data or costs
    _, gaps = detail(director, "gaps")
    assert [(g["region_code"], g["date"]) for g in gaps] == [("FR-IDF", day(10).isoformat())]
    wider = summary(director, ["FR", "FR-ARA", "*"])              # France narrowed to the scope: IDF, no wider
    assert (wider["gaps"], wider["duplicates"], wider["outliers"]) == ("1", "1", "1")
    for forged in (["FR-ARA"], "FR-ARA", ["FR-ARA", "*"], ["nowhere"]):
        narrowed = summary(director, forged)
        assert (narrowed["gaps"], narrowed["duplicates"], narrowed["outliers"]) == ("0", "0", "0"), forged
        for kind in FIGURES:
            _, rows = detail(director, kind, forged)
            assert rows == [] or kind == "late", (kind, forged)
    assert detail(director, "rejects") == ("Click a figure to see the rows behind it", [])
    assert summary(director, ["FR-IDF"])["gaps"] == "1"


def test_other_roles_get_no_health_data(dash_app, store):
    sales = logged_in_client(dash_app, SALES)
    assert sales.get("/health").status_code == 403
    response = call(sales, SUMMARY, {"health-region.value": None})
    assert response.status_code in (401, 403) and "canonical" not in response.get_data(as_text=True)


def test_the_home_line_and_the_page_in_french(dash_app, store):
    director = logged_in_client(dash_app, IDF_DIRECTOR)
    body = outputs(call(director, "home-health.children", {"home-period.value": "last_month"}))
    line = str(body["home-health"]["children"])
    assert "1 source(s) late (Leads (CRM) canonical)" in line and "1 gap days, 1 duplicates, 1 outliers" in line
    switch_language(director, "fr")
    assert "Santé des données" in director.get("/health").get_data(as_text=True)
    seen = summary(director)
    assert next(s for s in seen["sources"] if s["feed"].startswith("Leads"))["state"] == "en retard de 3 jours"
    sales = logged_in_client(dash_app, SALES)
    assert outputs(call(sales, "home-health.children", {"home-period.value": "last_month"})).get(
        "home-health", {}).get("children") is None

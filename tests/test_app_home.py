"""The home page as each role gets it over HTTP: its own KPI cards, figures equal to plain SQL
on the marts for its scope, a forged period falling back to the default, and French formats."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import text

from dashapp.semantic import metrics
from pilotage.store.engine import get_engine

from .app_helpers import dash_post, logged_in_client

HOME_OUTPUT = "..home-cards.children...home-funnel.children...home-period-info.children.."
PAGE_OUTPUT = ".._pages_content.children..._pages_store.data.."
ROLES = {
    "director@pilotage.demo": ("director", None),
    "director.idf@pilotage.demo": ("director", ("FR-IDF",)),
    "planner@pilotage.demo": ("planner", None),
    "sales@pilotage.demo": ("sales", ("FR-ARA", "FR-PACA")),
    "admin@pilotage.demo": ("admin", None),
}


def post_home(client, period):
    response = dash_post(client, HOME_OUTPUT, [{"id": "home-period", "property": "value", "value": period}])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def components(node):
    """Every component of a serialised Dash tree, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from components(child)
    elif isinstance(node, dict):
        if "props" in node:
            yield node
            yield from components(node["props"].get("children"))
        else:
            for value in node.values():
                yield from components(value)


def by_id(response) -> dict[str, dict]:
    return {c["props"]["id"]: c["props"] for c in components(response.get_json()["response"])
            if isinstance(c["props"].get("id"), str)}


def card_names(response) -> list[str]:
    return [c["props"]["id"].removeprefix("home-card-") for c in components(response.get_json()["response"])
            if str(c["props"].get("id", "")).startswith("home-card-")]


def strings(node) -> set[str]:
    """Every string and number a callback sent back, decoded from its JSON."""
    if isinstance(node, dict):
        return set().union(*(strings(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(strings(v) for v in node)) if node else set()
    return {str(node)}


def last_complete_month(url: str) -> dt.date:
    with get_engine(url).connect() as conn:
        last = dt.date.fromisoformat(str(conn.execute(text("SELECT MAX(date) FROM mart_daily")).scalar())[:10])
    first_of_next = (last + dt.timedelta(days=1)).replace(day=1)
    return (first_of_next - dt.timedelta(days=1)).replace(day=1)


def mart_sum(url: str, measure: str, month: dt.date, regions: tuple[str, ...] | None) -> float:
    """The plain SQL of a card: one measure of mart_monthly for one month and a set of regions."""
    sql = f"SELECT COALESCE(SUM({measure}), 0) FROM mart_monthly WHERE month = :month"
    params: dict = {"month": month.isoformat()}
    if regions is not None:
        sql += " AND region_code IN (" + ", ".join(f":r{i}" for i in range(len(regions))) + ")"
        params.update({f"r{i}": code for i, code in enumerate(regions)})
    with get_engine(url).connect() as conn:
        return float(conn.execute(text(sql), params).scalar())


def as_number(shown: str) -> float:
    """'4,685' / '€269,286' (English) -> 4685 / 269286."""
    return float(re.sub(r"[^\d.\-]", "", shown))


@pytest.mark.parametrize("email", sorted(ROLES))
def test_each_role_gets_its_own_cards(login, email):
    client = login(email)
    assert client.get("/_dash-layout").status_code == 200
    response = post_home(client, "last_month")
    role = ROLES[email][0]
    assert card_names(response) == list(metrics.HOME_KPIS[role])
    ids = by_id(response)
    for name in metrics.HOME_KPIS[role]:
        assert ids[f"home-card-{name}"]["href"] == f"/explore?kpi={name}&period=last_month"
        assert ids[f"home-state-{name}"]["children"]  # the state is written out, not only a colour
    assert [s for s in metrics.STAGES if f"home-funnel-{s}" in ids] == list(metrics.STAGES)


@pytest.mark.parametrize("email", ["director@pilotage.demo", "director.idf@pilotage.demo", "sales@pilotage.demo"])
def test_card_figures_equal_plain_sql_for_the_scope(login, app_store, email):
    role, regions = ROLES[email]
    month = last_complete_month(app_store)
    ids = by_id(post_home(login(email), "last_month"))
    for name in metrics.HOME_KPIS[role]:
        if name in ("leads", "won", "spend", "opportunities", "new_mrr", "qualified_leads"):
            expected = mart_sum(app_store, name, month, regions)
            assert as_number(ids[f"home-value-{name}"]["children"]) == pytest.approx(round(expected)), name
    leads = mart_sum(app_store, "leads", month, regions)
    assert as_number(ids["home-funnel-acquisition"]["children"]) == leads
    spark = ids["home-spark-leads"]["figure"]["data"][0]
    assert spark["x"][-1] == month.isoformat() and spark["y"][-1] == leads and len(spark["y"]) == 13


def idf_leads_series(ids) -> list[float]:
    return ids["home-spark-leads"]["figure"]["data"][0]["y"]


def test_the_regional_director_gets_no_company_figure(login, app_store):
    company = by_id(post_home(login("director@pilotage.demo"), "last_month"))
    idf_response = post_home(login("director.idf@pilotage.demo"), "last_month")
    idf, idf_strings = by_id(idf_response), strings(idf_response.get_json())
    for name in ("leads", "qualified_leads", "won", "spend"):
        shown = company[f"home-value-{name}"]["children"]
        assert shown != idf[f"home-value-{name}"]["children"]
        assert shown not in idf_strings, name
    month = last_complete_month(app_store)
    company_leads = mart_sum(app_store, "leads", month, None)
    assert company_leads > mart_sum(app_store, "leads", month, ("FR-IDF",))
    assert company["home-spark-leads"]["figure"]["data"][0]["y"] != idf["home-spark-leads"]["figure"]["data"][0]["y"]
    assert str(company_leads) not in idf_strings and company_leads not in idf_leads_series(idf)


@pytest.mark.parametrize("forged", ["all_time", "custom", "last_12_months", "", None, 42, ["week_to_date"],
                                    {"start": "2000-01-01", "end": "2030-12-31"}, "last_month' OR 1=1 --"])
def test_a_forged_period_falls_back_to_the_default(login, forged):
    client = login("director.idf@pilotage.demo")
    default = post_home(client, "last_month").get_json()["response"]
    assert post_home(client, forged).get_json()["response"] == default


def test_periods_change_the_figures_and_the_links(login):
    client = login("director@pilotage.demo")
    month = by_id(post_home(client, "last_month"))
    week = by_id(post_home(client, "week_to_date"))
    assert as_number(week["home-value-leads"]["children"]) < as_number(month["home-value-leads"]["children"])
    assert week["home-card-leads"]["href"] == "/explore?kpi=leads&period=week_to_date"
    assert post_home(client, "quarter_to_date").status_code == 200


def test_the_page_layout_reads_the_period_from_the_url(login):
    client = login("planner@pilotage.demo")
    client.get("/_dash-layout")
    response = dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": "?period=week_to_date"},
    ])
    ids = by_id(response)
    assert ids["home-period"]["value"] == "week_to_date"
    assert [o["value"] for o in ids["home-period"]["options"]] == ["last_month", "week_to_date", "quarter_to_date"]
    assert "activity convention" in ids["home-conventions"]["children"]
    forged = by_id(dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": "?period=everything"},
    ]))
    assert forged["home-period"]["value"] == "last_month"


@pytest.fixture
def french_director(dash_app, app_store):
    """A company-wide director who reads French (a user of their own: the demo users' language stays)."""
    from dashapp.auth import users

    email = "directrice.fr@pilotage.test"
    if users.get_user_by_email(email) is None:
        users.add_user(email, "mot-de-passe-1", "director", "all", language="fr")
    return logged_in_client(dash_app, email, "mot-de-passe-1")


def test_french_numbers_and_texts(french_director, app_store):
    response = post_home(french_director, "last_month")
    ids, outputs = by_id(response), response.get_json()["response"]
    spend = ids["home-value-spend"]["children"]
    assert re.fullmatch(r"\d{1,3}(?:[\u202f\u00a0]\d{3})+[\u202f\u00a0]€", spend), spend  # "269 286 €"
    expected = mart_sum(app_store, "spend", last_complete_month(app_store), None)
    assert float(re.sub(r"\D", "", spend)) == round(expected)
    assert ids["home-state-spend"]["children"] in ("Objectif atteint", "Proche de l'objectif", "Objectif manqué",
                                                  "Sans objectif")
    assert "Données jusqu'au" in outputs["home-period-info"]["children"]
    rates = [c["props"]["children"] for c in components(outputs["home-funnel"]["children"])
             if isinstance(c["props"].get("children"), str) and "%" in c["props"]["children"]]
    assert any(re.search(r"\d,\d+[\u202f\u00a0]%", rate) for rate in rates), rates  # "14,5 %"

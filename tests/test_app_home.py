"""The home page as each role gets it over HTTP: its own KPI cards, figures equal to plain SQL
on the marts for its scope, a forged period falling back to the default, and French formats."""

from __future__ import annotations

import datetime as dt
import json
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


def spark(ids, name: str) -> dict[str, list]:
    """A card's sparkline as it rides in the page: its months (ISO) and values."""
    props = ids[f"home-spark-{name}"]
    return {"x": props["data-months"].split(","), "y": [float(v) for v in props["data-values"].split(",")]}


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
    trend = spark(ids, "leads")
    assert trend["x"][-1] == month.isoformat() and trend["y"][-1] == leads and len(trend["y"]) == 13


def idf_leads_series(ids) -> list[float]:
    return spark(ids, "leads")["y"]


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
    assert spark(company, "leads")["y"] != idf_leads_series(idf)
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
    assert [o["value"] for o in ids["home-period"]["options"]] == ["last_week", "week_to_date", "last_month",
                                                                   "quarter_to_date"]
    assert "activity convention" in ids["home-conventions"]["children"]
    forged = by_id(dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": "?period=everything"},
    ]))
    assert forged["home-period"]["value"] == "last_month"


@pytest.mark.parametrize("email", ["director@pilotage.demo", "sales@pilotage.demo"])
def test_the_first_screen_comes_with_the_page_and_is_what_the_switch_draws(login, email):
    """No callback before the first paint: the page's layout holds the cards, the summary, the period line and
    (for the roles that see it) the health line, the same as the period switch answers; the switch's callbacks
    do not run on load."""
    client = login(email)
    client.get("/_dash-layout")
    told = {d["output"]: d for d in client.get("/_dash-dependencies").get_json()}
    assert told[HOME_OUTPUT]["prevent_initial_call"] and told["home-health.children"]["prevent_initial_call"]
    page = dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": "?period=quarter_to_date"},
    ]).get_json()["response"]["_pages_content"]["children"]
    shown = {c["props"]["id"]: c["props"] for c in components(page) if isinstance(c["props"].get("id"), str)}
    switched = post_home(client, "quarter_to_date").get_json()["response"]
    for output in ("home-cards", "home-funnel", "home-period-info"):
        assert shown[output]["children"] == switched[output]["children"], output
    assert card_names(post_home(client, "quarter_to_date")) == list(metrics.HOME_KPIS[ROLES[email][0]])
    assert ("home-health-line" in shown) == (ROLES[email][0] == "director")

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


# --- issue 14: like-for-like comparisons, the badge rule, a trend wherever the drill-down draws one ---------------
# The demo's data end on Saturday 31 October 2026.

def test_week_to_date_is_compared_with_the_same_weekdays_and_says_so(login, app_store):
    client = login("director@pilotage.demo")
    info = post_home(client, "week_to_date").get_json()["response"]["home-period-info"]["children"]
    assert info.startswith("Mon 26 Oct 2026 – Sat 31 Oct 2026 (week 2026-W44 in progress: 6 of its 7 days)")
    assert "same weekdays of the previous week (Mon 19 Oct 2026 – Sat 24 Oct 2026)" in info
    assert "same ISO week last year (Mon 27 Oct 2025 – Sat 1 Nov 2025)" in info
    # The change shown is the like-for-like one: Monday-Saturday against Monday-Saturday.
    ids = by_id(post_home(client, "week_to_date"))
    current = _daily_sum(app_store, "leads", "2026-10-26", "2026-10-31")
    before = _daily_sum(app_store, "leads", "2026-10-19", "2026-10-24")
    shown = ids["home-card-leads"]  # the card's change line
    assert f"{(current - before) / before:+.1%}" in json.dumps(shown)


def test_quarter_to_date_is_compared_with_the_same_days_of_the_previous_quarter(french_director):
    info = post_home(french_director, "quarter_to_date").get_json()["response"]["home-period-info"]["children"]
    assert "trimestre en cours : 31 jours sur 92" in info
    assert "mêmes jours du trimestre précédent (1 juil. 2026 – 31 juil. 2026)" in info
    assert "même trimestre l'an dernier (1 oct. 2025 – 31 oct. 2025)" in info


def test_last_complete_week_is_a_home_period(login, app_store):
    client = login("planner@pilotage.demo")
    response = post_home(client, "last_week")
    info = response.get_json()["response"]["home-period-info"]["children"]
    assert info.startswith("Mon 19 Oct 2026 – Sun 25 Oct 2026, compared with the previous week")
    ids = by_id(response)
    assert as_number(ids["home-value-leads"]["children"]) == _daily_sum(app_store, "leads", "2026-10-19",
                                                                        "2026-10-25")
    assert ids["home-card-leads"]["href"] == "/explore?kpi=leads&period=last_week"


def test_every_badge_says_its_rule_and_every_title_its_definition(login, french_director):
    from dashapp.layout.cards import badge_rule

    for client, language in ((login("director@pilotage.demo"), "en"), (french_director, "fr")):
        ids = by_id(post_home(client, "last_month"))
        for name in metrics.HOME_KPIS["director"]:
            tooltip = ids[f"home-state-{name}-rule"]
            assert tooltip["target"] == f"home-state-{name}"
            state = ids[f"home-state-{name}"]["children"]
            if state in (i18n_t("home.state.none", language),):
                assert tooltip["children"] == i18n_t("badge.rule.none", language)
            else:
                assert tooltip["children"] == badge_rule(name, language)
            definition = ids[f"home-help-{name}"]["children"]
            assert definition.startswith(i18n_t(f"kpi.definition.{name}", language))
            assert i18n_t(f"kpi.timing.{metrics.get(name).timing}", language) in definition
    spend_rule = by_id(post_home(login("director@pilotage.demo"), "last_month"))["home-state-spend-rule"]["children"]
    assert spend_rule.startswith("A budget") and "5%" in spend_rule


def test_badge_states_follow_the_one_rule(login, app_store):
    """Each card's badge is what metrics.state gives for the value and the target shown on the card."""
    client = login("director@pilotage.demo")
    for period in ("last_week", "week_to_date", "last_month", "quarter_to_date"):
        ids = by_id(post_home(client, period))
        for name in metrics.HOME_KPIS["director"]:
            target = ids.get(f"home-target-{name}")
            if target is None:
                assert ids[f"home-state-{name}"]["children"] == "No target"
                continue
            shown = re.search(r"([\d.]+)% of target", json.dumps(target)).group(1)
            missed = metrics.gap(name, float(shown), 100.0)
            expected = "On target" if missed <= 0 else "Close to target" if missed <= 0.05 + 1e-9 else "Off target"
            assert ids[f"home-state-{name}"]["children"] == expected, (period, name, shown)


def test_a_card_has_a_trend_whenever_the_drill_down_draws_one(login):
    """The full CAC needs costs, which the activity mart does not hold: the card said "no monthly trend"
    while the drill-down drew one. Both now read queries.kpi_series."""
    client = login("director@pilotage.demo")
    ids = by_id(post_home(client, "last_month"))
    for name in metrics.HOME_KPIS["director"]:
        assert f"home-spark-{name}" in ids, name
    trend = spark(ids, "cac_full")
    from .test_app_scope import post_view

    series = post_view(client, [
        {"id": i, "property": p, "value": v} for i, p, v in (
            ("explore-period", "value", "custom"), ("explore-dates", "start_date", trend["x"][0]),
            ("explore-dates", "end_date", "2026-10-31"), ("explore-grain", "value", "month"),
            ("explore-region", "value", []), ("explore-channel", "value", []), ("explore-campaign", "value", []),
            ("explore-source", "value", []), ("explore-kpi", "value", "cac_full"))])
    drawn = {t["meta"]: t for t in series.get_json()["response"]["explore-series"]["figure"]["data"]
             if t.get("meta")}["actual"]
    assert drawn["x"] == trend["x"] and drawn["y"] == pytest.approx(trend["y"])


def test_churn_is_read_over_complete_months_only(login):
    client = login("director@pilotage.demo")
    week = by_id(post_home(client, "week_to_date"))
    assert week["home-funnel-retention"]  # MRR at the week's end...
    funnel = json.dumps(post_home(client, "week_to_date").get_json()["response"]["home-funnel"])
    assert "churn: complete months only" in funnel  # ... but no churn rate for six days
    month = json.dumps(post_home(client, "last_month").get_json()["response"]["home-funnel"])
    assert re.search(r"churn \d+\.\d% \(complete months\)", month)


def _daily_sum(url: str, measure: str, start: str, end: str) -> float:
    with get_engine(url).connect() as conn:
        return float(conn.execute(text(f"SELECT COALESCE(SUM({measure}), 0) FROM mart_daily WHERE date >= :s AND "
                                       f"date <= :e"), {"s": start, "e": end}).scalar())


def i18n_t(key: str, language: str) -> str:
    from dashapp import i18n

    return i18n.t(key, language)


# --- issue 14: the cards and the AARRR summary are exported, in the user's scope ----------------------------

def post_home_export(client, visual: str, period="last_month", fmt="csv"):
    from .app_helpers import post_export_button

    return post_export_button(client, "home", visual, fmt, [{"id": "home-period", "property": "value",
                                                             "value": period}], ("cards", "funnel"))


def test_home_exports_hold_the_scopes_figures(login, app_store):
    import csv
    import io

    from dashapp import i18n
    from pilotage.dates import month_end

    from .app_helpers import downloaded

    month = last_complete_month(app_store)
    for email in ("director@pilotage.demo", "director.idf@pilotage.demo"):
        client = login(email)
        regions = ROLES[email][1]
        leads = mart_sum(app_store, "leads", month, regions)
        name, content = downloaded(post_home_export(client, "cards"), "home")
        assert name == f"home_cards_{month.isoformat()}_{month_end(month).isoformat()}.csv"
        cards = {row["KPI"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
        assert list(cards) == [i18n.t(f"kpi.{n}", "en") for n in metrics.HOME_KPIS["director"]]
        assert float(cards["Leads"]["Value"]) == leads
        name, content = downloaded(post_home_export(client, "funnel", fmt="xlsx"), "home")
        assert name.startswith("home_funnel_") and name.endswith(".xlsx")
    # A forged period falls back to the default; a forged visual exports nothing.
    idf = login("director.idf@pilotage.demo")
    _, forged = downloaded(post_home_export(idf, "cards", period={"start": "2000-01-01"}), "home")
    _, plain = downloaded(post_home_export(idf, "cards"), "home")
    assert forged == plain
    answer = post_home_export(idf, "grid")
    assert "content" not in answer.get_data(as_text=True)


def test_a_sparkline_draws_each_month_highest_at_the_top_and_hovers_every_value():
    import base64
    import datetime as dt
    import re as regex

    from dashapp.layout import cards

    trend = tuple((dt.date(2026, m, 1), v) for m, v in ((1, 40.0), (2, None), (3, 10.0), (4, 90.0), (5, -10.0)))
    image = cards.sparkline("leads", trend, "en").to_plotly_json()["props"]
    svg = base64.b64decode(image["src"].split(",", 1)[1]).decode()
    line = [tuple(map(float, p.split(","))) for p in regex.search(r'<polyline points="([^"]+)"', svg).group(1).split()]
    assert len(line) == 4 and [x for x, _ in line] == sorted(x for x, _ in line)  # a month without value: left out
    ys = [y for _, y in line]
    assert min(ys) == ys[2] == 2.0 and max(ys) == ys[3] == cards.SPARK_HEIGHT - 2  # 90 at the top, -10 at the bottom
    assert image["data-values"] == "40.0,10.0,90.0,-10.0" and image["data-months"].endswith("2026-05-01")
    assert image["title"].splitlines()[2] == "Apr 2026: 90" and len(image["title"].splitlines()) == 4
    assert isinstance(cards.sparkline("leads", trend[:2], "en"), type(cards.html.Div()))  # one point: no line

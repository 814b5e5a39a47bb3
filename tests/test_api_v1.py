"""The read API (``/api/v1/``): personal access tokens (made and revoked on ``/profile``, hashed, expiring,
audited), the same scope and figures as the pages for the token's user, refusals as JSON in the caller's
language, pagination that adds up, a rate limit per token and an OpenAPI description of every route.

Requests are forged as an attacker would send them: other regions, no token, a malformed, unknown,
revoked or expired one, a session cookie instead of a token, another user's scenario. The store tests run
on SQLite and PostgreSQL (the demo stores of ``conftest``; the SQLite copy also holds a lead forecast and a
media run, the PostgreSQL store a copy of that media run's row, as in ``test_app_planning``).
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from flask_login import login_user
from sqlalchemy import delete, inspect, select, update

from dashapp import i18n
from dashapp.api import ENDPOINTS, PREFIX
from dashapp.auth import guard, throttle, tokens, users
from dashapp.semantic import forecasts, overview, planning, queries
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine
from pilotage.store.models import ApiToken, AppUser, AuditEntry

from .app_helpers import csrf_header, logged_in_client, media_champion_copied, trained_store, using_database
from .helpers import migration_round_trip

DIRECTOR, IDF, PLANNER, SALES = ("director@pilotage.demo", "director.idf@pilotage.demo", "planner@pilotage.demo",
                                 "sales@pilotage.demo")
OTHER_PLANNER, TURNCOAT = "api.planner.two@pilotage.demo", "api.turncoat@pilotage.demo"
EXTRA_USERS = ((OTHER_PLANNER, "planner", "*"), (TURNCOAT, "sales", "FR-ARA"))
FEEDBACK = "..profile-token-feedback.children...profile-token-feedback.color...profile-token-feedback.is_open..." \
           "profile-tokens.children.."


def _add_users(url: str) -> None:
    with using_database(url):
        known = {u.email for u in users.list_users()}
        for email, role, scope in EXTRA_USERS:
            if email not in known:
                users.add_user(email, "pilotage-demo", role, scope, actor="test")


@pytest.fixture(scope="module")
def sqlite_url(demo_sqlite_url, tmp_path_factory) -> str:
    """A copy of the SQLite demo store with a lead forecast champion and a media champion (small, fast)."""
    url = trained_store(demo_sqlite_url, tmp_path_factory.mktemp("api") / "api.sqlite3")
    _add_users(url)
    return url


@pytest.fixture(scope="module")
def pg_store_url(demo_postgres_url, sqlite_url):
    """The PostgreSQL demo store with a copy of the SQLite media run's row as champion; what the tests wrote
    (tokens, scenarios, users, the run) is removed at the end."""
    with media_champion_copied(sqlite_url, demo_postgres_url):
        _add_users(demo_postgres_url)
        yield demo_postgres_url
        with get_engine(demo_postgres_url).begin() as conn:
            conn.execute(delete(ApiToken))
            conn.execute(delete(AppUser).where(AppUser.email.in_([email for email, *_ in EXTRA_USERS])))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, monkeypatch) -> str:
    url = request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "pg_store_url"}[request.param])
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    return url


@pytest.fixture
def sqlite_store(sqlite_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    return sqlite_url


@pytest.fixture(autouse=True)
def _fresh_counters():
    throttle.reset_local()
    yield
    throttle.reset_local()


# --- helpers ------------------------------------------------------------------------------------------------

def token_for(dash_app, email: str, days: int = 30, name: str = "test") -> str:
    """A token made as the profile page makes it (for tests that are not about the page itself)."""
    with dash_app.server.test_request_context():
        return tokens.create(users.get_user_by_email(email), name, days)[1]


def api(dash_app, path: str, token: str | None = None, language: str | None = None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language is not None:
        headers["Accept-Language"] = language
    method = kwargs.pop("method", "get")
    return getattr(dash_app.server.test_client(), method)(path, headers=headers, **kwargs)


def audit_rows(url: str, event: str, after: int = 0) -> list:
    with get_engine(url).connect() as conn:
        return conn.execute(select(AuditEntry).where(AuditEntry.event == event, AuditEntry.id > after)
                            .order_by(AuditEntry.id)).all()


def last_audit_id(url: str) -> int:
    from sqlalchemy import func

    with get_engine(url).connect() as conn:
        return conn.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one()


def as_user(dash_app, email: str):
    """A request context logged in as ``email``: what the pages' callbacks compute for that user."""
    context = dash_app.server.test_request_context()
    context.push()
    login_user(users.get_user_by_email(email))
    return context


def all_pages(dash_app, path: str, token: str) -> list[dict]:
    rows, url, seen = [], path, 0
    while url:
        answer = api(dash_app, url, token)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        rows += body["data"]
        url = body["pagination"]["next"]
        url = url and url.split("localhost", 1)[1]
        seen += 1
        assert seen < 500
    return rows


# --- the store --------------------------------------------------------------------------------------------

def test_the_migration_creates_and_drops_the_token_table(engine):
    assert "api_token" in inspect(engine).get_table_names()
    left, diff = migration_round_trip(engine, "0009", ("api_token",))
    assert "api_token" not in left
    assert diff == []


def test_a_token_is_a_keyed_hash_that_only_its_secret_opens():
    hashed = tokens.hash_secret("s3cret", "key one")
    assert hashed == tokens.hash_secret("s3cret", "key one") and len(hashed) == 64
    assert hashed != tokens.hash_secret("s3cret", "key two")  # a copy of the store alone cannot test a guess
    assert hashed != tokens.hash_secret("s3cres", "key one") and "s3cret" not in hashed
    assert tokens.parse("plt_0123456789ab_" + "x" * 43) == ("0123456789ab", "x" * 43)
    for bad in ("", "plt_", "plt_0123456789ab", "xyz_0123456789ab_" + "x" * 43, "plt_0123456789AB_" + "x" * 43,
                "plt_0123456789ab_" + "x" * 10, "plt_0123456789ab_" + "x" * 42 + "'", "a" * 500):
        assert tokens.parse(bad) is None, bad


# --- the profile page and the token's life -------------------------------------------------------------------

def profile_post(dash_app, email: str, name=None, days="30", revoke: int | None = None):
    """Press "Create a token" (``revoke`` None) or a token's "Revoke" button, as the page posts it."""
    client = logged_in_client(dash_app, email)
    buttons = [{"id": {"type": "profile-token-revoke", "index": revoke}, "property": "n_clicks", "value": 1}] \
        if revoke else []
    changed = (json.dumps({"index": revoke, "type": "profile-token-revoke"}, separators=(",", ":"))
               if revoke else "profile-token-create") + ".n_clicks"
    body = {"output": FEEDBACK, "outputs": [{"id": "profile-token-feedback", "property": p} for p in
                                            ("children", "color", "is_open")] +
            [{"id": "profile-tokens", "property": "children"}],
            "inputs": [{"id": "profile-token-create", "property": "n_clicks", "value": None if revoke else 1},
                       buttons],
            "state": [{"id": "profile-token-name", "property": "value", "value": name},
                      {"id": "profile-token-days", "property": "value", "value": days}],
            "changedPropIds": [changed]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def test_the_profile_page_makes_a_token_shown_once_stored_hashed_and_audited(dash_app, store):
    start = last_audit_id(store)
    assert logged_in_client(dash_app, PLANNER).get("/profile").status_code == 200
    answer = profile_post(dash_app, PLANNER, name="  BI   export ")
    assert answer.status_code == 200, answer.text
    out = answer.get_json()["response"]
    clear = out["profile-token-feedback"]["children"][1]["props"]["children"]
    assert tokens.parse(clear) is not None and out["profile-token-feedback"]["color"] == "success"
    listed = json.dumps(out["profile-tokens"]["children"])
    prefix, secret = tokens.parse(clear)
    assert "BI export" in listed and prefix in listed and secret not in listed  # shown once only
    with get_engine(store).connect() as conn:
        row = conn.execute(select(ApiToken).where(ApiToken.prefix == prefix)).one()
        dump = json.dumps([r.detail for r in conn.execute(select(AuditEntry.detail))])
    assert secret not in row.secret_hash and secret not in dump
    assert row.secret_hash == tokens.hash_secret(secret, dash_app.server.config["SECRET_KEY"])
    assert dt.timedelta(days=29, hours=23) < row.expires_at - row.created_at <= dt.timedelta(days=30)
    assert row.last_used_at is None
    (created,) = audit_rows(store, "token", start)
    assert created.actor == PLANNER and json.loads(created.detail)["action"] == "created"

    me = api(dash_app, f"{PREFIX}/me", clear)
    assert me.status_code == 200 and me.get_json()["email"] == PLANNER and me.get_json()["role"] == "planner"
    assert "Set-Cookie" not in me.headers  # the API neither opens nor refreshes a session
    with get_engine(store).connect() as conn:
        assert conn.execute(select(ApiToken.last_used_at).where(ApiToken.id == row.id)).scalar() is not None
    (used,) = audit_rows(store, "api", start)
    assert used.actor == PLANNER and json.loads(used.detail)["result"] == "ok"
    # refusals on the page, in the user's language
    for name, days, code in (("", "30", "name"), ("x" * 121, "30", "name"), ("ok", "3650", "expiry")):
        out = profile_post(dash_app, PLANNER, name=name, days=days).get_json()["response"]
        assert out["profile-token-feedback"]["children"] == i18n.t(f"profile.error.{code}", "en")
        assert out["profile-token-feedback"]["color"] == "danger"


def test_refusals_are_json_in_the_callers_language_and_audited(dash_app, store):
    clear = token_for(dash_app, SALES)
    prefix, secret = tokens.parse(clear)
    start = last_audit_id(store)
    cases = {
        "missing": {},
        "malformed": {"Authorization": "Bearer not-a-token"},
        "unknown": {"Authorization": f"Bearer plt_{prefix}_{'A' * len(secret)}"},  # right prefix, wrong secret
    }
    for reason, headers in cases.items():
        for language in ("en", "fr"):
            answer = api(dash_app, f"{PREFIX}/kpis", headers=dict(headers), language=language)
            assert answer.status_code == 401 and answer.is_json, reason
            assert answer.get_json()["error"] == {"status": 401, "code": reason,
                                                  "message": i18n.t(f"api.error.{reason}", language)}
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert api(dash_app, f"{PREFIX}/me", clear).status_code == 200
    # another user cannot revoke it; its owner revokes it on the page
    with get_engine(store).connect() as conn:
        token_id = conn.execute(select(ApiToken.id).where(ApiToken.prefix == prefix)).scalar_one()
    with dash_app.server.test_request_context(), pytest.raises(tokens.TokenError):
        tokens.revoke(users.get_user_by_email(DIRECTOR), token_id)
    assert api(dash_app, f"{PREFIX}/me", clear).status_code == 200
    answer = profile_post(dash_app, SALES, revoke=token_id)
    assert answer.status_code == 200, answer.text
    assert answer.get_json()["response"]["profile-token-feedback"]["color"] == "info"
    refused = api(dash_app, f"{PREFIX}/me", clear, language="fr")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "revoked"
    assert refused.get_json()["error"]["message"] == i18n.t("api.error.revoked", "fr")
    # expired: a token past its expiry is refused, with the English message by default (the user has none)
    late = token_for(dash_app, SALES)
    with get_engine(store).begin() as conn:
        conn.execute(update(ApiToken).where(ApiToken.prefix == tokens.parse(late)[0]).values(
            expires_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)))
    refused = api(dash_app, f"{PREFIX}/me", late)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "expired"
    failures = [json.loads(r.detail)["result"] for r in audit_rows(store, "api", start)]
    assert failures.count("missing") == 2 and failures.count("malformed") == 2 and failures.count("unknown") == 2
    assert "revoked" in failures and "expired" in failures
    assert [json.loads(r.detail)["action"] for r in audit_rows(store, "token", start)] == [
        "revoked", "created"]


def test_a_session_cookie_does_not_open_the_api_and_nothing_is_written(dash_app, store):
    client = logged_in_client(dash_app, DIRECTOR)
    assert client.get("/profile").status_code == 200  # the session works for the pages
    answer = client.get(f"{PREFIX}/kpis")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "missing"
    clear = token_for(dash_app, DIRECTOR)
    for method in ("post", "put", "delete"):
        answer = api(dash_app, f"{PREFIX}/kpis", clear, method=method)
        assert answer.status_code == 405 and answer.get_json()["error"]["code"] == "method"
    answer = api(dash_app, f"{PREFIX}/nothing-here", clear)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"


def test_a_token_acts_as_its_user_read_again_on_each_request(dash_app, store):
    clear = token_for(dash_app, TURNCOAT)
    try:
        assert api(dash_app, f"{PREFIX}/me", clear).get_json()["regions"][0].startswith("FR-ARA")
        refused = api(dash_app, f"{PREFIX}/forecast", clear)
        assert refused.status_code == 403 and refused.get_json()["error"]["message"] == i18n.t(
            "error.forbidden.text", "en")
        assert api(dash_app, f"{PREFIX}/scenarios", clear).status_code == 403
        with using_database(store):
            users.set_role(TURNCOAT, "planner", actor="test")
        assert api(dash_app, f"{PREFIX}/me", clear).get_json()["role"] == "planner"
        assert api(dash_app, f"{PREFIX}/scenarios", clear).status_code != 403
        with using_database(store):
            users.set_scope(TURNCOAT, "FR-IDF", actor="test")
        regions = api(dash_app, f"{PREFIX}/me", clear).get_json()["regions"]
        assert "FR-IDF" in regions and not any(r.startswith("FR-ARA") for r in regions)
        with using_database(store):
            users.set_active(TURNCOAT, False, actor="test")
        assert api(dash_app, f"{PREFIX}/me", clear).get_json()["error"]["code"] == "inactive"
    finally:
        with using_database(store):
            users.set_active(TURNCOAT, True, actor="test")
            users.set_role(TURNCOAT, "sales", actor="test")
            users.set_scope(TURNCOAT, "FR-ARA", actor="test")


# --- scope ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("forged", ["FR-ARA", "FR-IDF,FR-ARA", "FR", "NOWHERE"])
def test_forged_regions_are_refused_and_leak_nothing(dash_app, store, forged):
    clear = token_for(dash_app, IDF)
    start = last_audit_id(store)
    for path in ("/kpis", "/series?kpi=leads", "/breakdowns/channel"):
        joiner = "&" if "?" in path else "?"
        answer = api(dash_app, f"{PREFIX}{path}{joiner}regions={forged}", clear, language="fr")
        assert answer.status_code == 403, path
        body = answer.get_json()
        assert set(body) == {"error"} and body["error"]["code"] == "region_scope"
        outside = ", ".join(sorted(set(forged.split(",")) - {"FR-IDF"}))
        assert body["error"]["message"] == i18n.t("api.error.region_scope", "fr", codes=outside)
    assert len(audit_rows(store, "forbidden", start)) == 3
    # a parameter the route does not declare is refused, not ignored (a typo must not widen a query)
    answer = api(dash_app, f"{PREFIX}/kpis?region=FR-ARA", clear)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "unknown_parameter"


def test_a_regional_user_reads_their_regions_only(dash_app, store):
    clear = token_for(dash_app, IDF)
    context = as_user(dash_app, IDF)
    try:
        own = queries.effective_regions(queries.filters_from({"period": "last_12_months"}))
    finally:
        context.pop()
    rows = all_pages(dash_app, f"{PREFIX}/breakdowns/region?period=last_12_months&kpis=leads", clear)
    assert rows and {r["region"] for r in rows} <= own and all(r.startswith("FR-IDF") for r in own)
    everything = api(dash_app, f"{PREFIX}/kpis?period=last_12_months&kpis=leads", token_for(dash_app, DIRECTOR))
    mine = api(dash_app, f"{PREFIX}/kpis?period=last_12_months&kpis=leads", clear)
    assert sum(r["leads"] for r in rows) == mine.get_json()["data"][0]["value"]
    assert mine.get_json()["data"][0]["value"] < everything.get_json()["data"][0]["value"]


# --- figures -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("email", [DIRECTOR, IDF, SALES, PLANNER])
def test_kpi_figures_are_the_home_pages_for_that_user(dash_app, store, email):
    clear = token_for(dash_app, email)
    context = as_user(dash_app, email)
    try:
        view = overview.home_view("last_month")
    finally:
        context.pop()
    names = [card.name for card in view.cards]
    body = api(dash_app, f"{PREFIX}/kpis?period=last_month&kpis={','.join(names)}", clear).get_json()
    assert body["filters"]["start"] == view.filters.start.isoformat()
    assert body["filters"]["end"] == view.filters.end.isoformat()
    assert [r["kpi"] for r in body["data"]] == names
    for card, row in zip(view.cards, body["data"], strict=True):
        assert row["value"] == pytest.approx(card.value, rel=1e-12), card.name
        for mine, theirs in ((row["target"], card.target), (row["vs_previous"], card.vs_previous),
                             (row["vs_last_year"], card.vs_last_year), (row["attainment"], card.attainment)):
            assert (mine is None and theirs is None) or mine == pytest.approx(theirs, rel=1e-12), card.name
        assert row["state"] == card.state


def test_series_are_the_drill_downs_and_pages_add_up(dash_app, store):
    clear = token_for(dash_app, SALES)
    query = "kpi=leads&period=custom&start=2026-01-01&end=2026-10-31&grain=day&channels=paid_search,paid_social"
    whole = api(dash_app, f"{PREFIX}/series?{query}&limit=1000", clear).get_json()
    assert whole["pagination"]["total"] == len(whole["data"]) == 304 and whole["pagination"]["next"] is None
    paged = all_pages(dash_app, f"{PREFIX}/series?{query}&limit=37", clear)
    assert paged == whole["data"]
    context = as_user(dash_app, SALES)
    try:
        filters = queries.filters_from({"period": "custom", "start": "2026-01-01", "end": "2026-10-31",
                                        "grain": "day", "channels": ["paid_search", "paid_social"]})
        frame, _grain = queries.kpi_series(filters, "leads")
        total = queries.kpi_values(filters, ["leads"])["leads"]
    finally:
        context.pop()
    assert [r["value"] for r in paged] == list(frame["value"])
    assert sum(r["value"] for r in paged) == pytest.approx(total)
    kpi = api(dash_app, f"{PREFIX}/kpis?kpis=leads&period=custom&start=2026-01-01&end=2026-10-31"
                        "&channels=paid_search,paid_social", clear).get_json()
    assert kpi["data"][0]["value"] == pytest.approx(total)


def test_breakdowns_pages_add_up_to_the_whole(dash_app, store):
    clear = token_for(dash_app, DIRECTOR)
    query = "period=last_12_months&kpis=leads,spend,cost_per_lead"
    whole = api(dash_app, f"{PREFIX}/breakdowns/campaign?{query}&limit=1000", clear).get_json()
    assert whole["pagination"]["total"] == len(whole["data"]) > 10
    paged = all_pages(dash_app, f"{PREFIX}/breakdowns/campaign?{query}&limit=7", clear)
    assert paged == whole["data"]
    totals = {r["kpi"]: r["value"] for r in api(dash_app, f"{PREFIX}/kpis?{query}", clear).get_json()["data"]}
    by_channel = all_pages(dash_app, f"{PREFIX}/breakdowns/channel?{query}&limit=3", clear)
    for rows in (paged, by_channel):
        assert sum(r["leads"] for r in rows) == pytest.approx(totals["leads"])
        assert sum(r["spend"] for r in rows) == pytest.approx(totals["spend"])
    for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x"):
        answer = api(dash_app, f"{PREFIX}/breakdowns/campaign?{bad}", clear)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "parameter", bad
    assert api(dash_app, f"{PREFIX}/breakdowns/rep", clear).status_code == 400
    answer = api(dash_app, f"{PREFIX}/breakdowns/channel?kpis=mrr", clear)  # a stock cannot be summed by channel
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "unknown_value"


def test_the_forecast_is_the_forecast_of_record_of_the_users_scope(dash_app, sqlite_store):
    for email in (PLANNER, IDF):
        clear = token_for(dash_app, email)
        body = api(dash_app, f"{PREFIX}/forecast", clear).get_json()
        context = as_user(dash_app, email)
        try:
            run = forecasts.champion_run()
            record = forecasts.record(run["id"])
            region_lines = forecasts.forecast_frame(run["id"], "region")
        finally:
            context.pop()
        assert body["run"]["id"] == run["id"] and body["scopes"] == list(record.scopes)
        assert [r["month"] for r in body["data"]] == [m.isoformat() for m in record.months]
        assert [r["yhat"] for r in body["data"]] == pytest.approx(list(record.yhat), rel=1e-12)
        regions = all_pages(dash_app, f"{PREFIX}/forecast?view=region&limit=5", clear)
        assert {r["line"] for r in regions} == set(region_lines["group"])
        if email == IDF:
            assert {r["line"] for r in regions} == {"FR-IDF"}
    assert api(dash_app, f"{PREFIX}/forecast", token_for(dash_app, SALES)).status_code == 403
    answer = api(dash_app, f"{PREFIX}/forecast?view=everything", token_for(dash_app, DIRECTOR))
    assert answer.status_code == 400


# --- scenarios -----------------------------------------------------------------------------------------------

def _save(dash_app, email: str, name: str) -> int:
    context = as_user(dash_app, email)
    try:
        plan = planning.current_plan("national") * 1.1
        status, scenario_id = planning.save_scenario("national", name, plan, overwrite=True)
    finally:
        context.pop()
    assert status in ("saved", "replaced")
    return scenario_id


def test_a_user_sees_their_own_scenarios_only(dash_app, store):
    mine = _save(dash_app, PLANNER, "api: mine")
    theirs = _save(dash_app, OTHER_PLANNER, "api: theirs")
    clear = token_for(dash_app, PLANNER)
    listed = all_pages(dash_app, f"{PREFIX}/scenarios?limit=2", clear)
    ids = {r["id"] for r in listed}
    assert mine in ids and theirs not in ids
    one = api(dash_app, f"{PREFIX}/scenarios/{mine}", clear).get_json()
    assert one["name"] == "api: mine" and one["scope"] == "national" and one["cells"]
    assert sum(c["spend"] for c in one["cells"]) == pytest.approx(one["prediction"]["spend_total"])
    assert one["prediction"]["total"] == pytest.approx(sum(one["prediction"]["leads"]))
    for forged in (theirs, 999_999):
        answer = api(dash_app, f"{PREFIX}/scenarios/{forged}", clear, language="fr")
        assert answer.status_code == 404 and set(answer.get_json()) == {"error"}
        assert answer.get_json()["error"]["message"] == i18n.t("planning.error.not_found", "fr")
    assert api(dash_app, f"{PREFIX}/scenarios/abc", clear).status_code == 404
    answer = api(dash_app, f"{PREFIX}/scenarios?scope=FR-NOWHERE", clear)
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "scope"
    # Sales never open the planning page; a director reads only what is shared with them (nothing yet).
    assert api(dash_app, f"{PREFIX}/scenarios/{mine}", token_for(dash_app, SALES)).status_code == 403
    assert api(dash_app, f"{PREFIX}/scenarios/{mine}", token_for(dash_app, DIRECTOR)).status_code == 404
    assert all_pages(dash_app, f"{PREFIX}/scenarios", token_for(dash_app, DIRECTOR)) == []


def test_a_shared_scenario_is_read_by_whom_it_was_shared_with_in_their_scope(dash_app, store):
    from dashapp.semantic.planning import sharing

    mine = _save(dash_app, PLANNER, "api: shared")
    with get_engine().connect() as conn:
        ids = dict(conn.execute(select(AppUser.email, AppUser.id)).all())
    context = as_user(dash_app, PLANNER)
    try:
        assert sharing.share_scenario("national", mine, [ids[DIRECTOR], ids[IDF]], []) == 2
    finally:
        context.pop()
    own = api(dash_app, f"{PREFIX}/scenarios/{mine}", token_for(dash_app, PLANNER)).get_json()
    # The company-wide director reads it, read only, with the author's very figures.
    director = token_for(dash_app, DIRECTOR)
    listed = all_pages(dash_app, f"{PREFIX}/scenarios", director)
    assert [(r["id"], r["shared"]) for r in listed] == [(mine, True)]
    read = api(dash_app, f"{PREFIX}/scenarios/{mine}", director).get_json()
    assert read["shared"] is True and read["cells"] == own["cells"]
    assert read["prediction"]["total"] == pytest.approx(own["prediction"]["total"])
    # The Ile-de-France director: a national scenario mixes in regions outside their access.
    idf = token_for(dash_app, IDF)
    assert all(r["id"] != mine for r in all_pages(dash_app, f"{PREFIX}/scenarios", idf))
    answer = api(dash_app, f"{PREFIX}/scenarios/{mine}", idf, language="fr")
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "shared_national"
    assert "prediction" not in answer.get_json()
    # Another planner, not named, still reads nothing of it.
    assert api(dash_app, f"{PREFIX}/scenarios/{mine}", token_for(dash_app, OTHER_PLANNER)).status_code == 404


# --- rate limit ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("redis", [False, True])
def test_a_token_past_its_rate_gets_429_with_retry_after(dash_app, sqlite_store, monkeypatch, redis):
    if redis:
        import redis as redis_client

        try:
            redis_client.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=0.5).ping()
        except redis_client.RedisError as error:
            pytest.skip(f"Redis not reachable: {error}")
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PILOTAGE_API_RATE_PER_MINUTE", "3")
    get_settings.cache_clear()
    # a clock frozen in a window no other run uses (the counters are per token id and minute)
    window = random.randrange(10**8, 10**9)
    monkeypatch.setattr(guard.time, "time", lambda: window * 60 + 45.2)
    clear, other = token_for(dash_app, DIRECTOR), token_for(dash_app, DIRECTOR)
    start = last_audit_id(sqlite_store)
    assert [api(dash_app, f"{PREFIX}/me", clear).status_code for _ in range(3)] == [200] * 3
    for _ in range(2):
        answer = api(dash_app, f"{PREFIX}/me", clear, language="fr")
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "15"
        assert answer.get_json()["error"]["message"] == i18n.t("api.error.rate_limited", "fr", seconds=15)
    assert api(dash_app, f"{PREFIX}/me", other).status_code == 200  # per token, not per user
    results = [json.loads(r.detail)["result"] for r in audit_rows(sqlite_store, "api", start)]
    assert results.count("rate_limited") == 1  # once per window, not once per refused request
    monkeypatch.setattr(guard.time, "time", lambda: (window + 1) * 60 + 0.5)
    assert api(dash_app, f"{PREFIX}/me", clear).status_code == 200  # the next minute


@pytest.mark.parametrize("redis", [False, True])
def test_requests_sent_at_once_get_exactly_the_rate(dash_app, sqlite_store, monkeypatch, redis):
    """The per-token counter is atomic: 24 requests sent together with one token, at 5 a minute, give exactly 5
    answers and 19 refusals (a read-then-write counter would let several through on the same count)."""
    from concurrent.futures import ThreadPoolExecutor

    if redis:
        import redis as redis_client

        try:
            redis_client.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=0.5).ping()
        except redis_client.RedisError as error:
            pytest.skip(f"Redis not reachable: {error}")
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PILOTAGE_API_RATE_PER_MINUTE", "5")
    get_settings.cache_clear()
    window = random.randrange(10**8, 10**9)
    monkeypatch.setattr(guard.time, "time", lambda: window * 60 + 10.0)
    clear = token_for(dash_app, DIRECTOR)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: api(dash_app, f"{PREFIX}/me", clear).status_code, range(24)))
    assert sorted(codes) == [200] * 5 + [429] * 19


def test_failed_tokens_from_one_address_are_throttled(dash_app, sqlite_store):
    for _ in range(guard.MAX_API_FAILURES_PER_ADDRESS):
        assert api(dash_app, f"{PREFIX}/me", "plt_0123456789ab_" + "x" * 43).status_code == 401
    answer = api(dash_app, f"{PREFIX}/me", token_for(dash_app, DIRECTOR))
    assert answer.status_code == 429 and answer.get_json()["error"]["code"] == "throttled"


# --- the description ---------------------------------------------------------------------------------------------

def test_the_openapi_description_lists_every_route_from_its_one_declaration(dash_app, sqlite_store):
    answer = api(dash_app, f"{PREFIX}/openapi.json")  # public: it describes the API, it holds no data
    assert answer.status_code == 200
    spec = answer.get_json()
    assert spec["openapi"].startswith("3.") and spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    rules = {r.rule for r in dash_app.server.url_map.iter_rules() if r.rule.startswith(PREFIX + "/")}
    as_openapi = {r.replace("<int:scenario_id>", "{scenario_id}").replace("<by>", "{by}") for r in rules}
    assert set(spec["paths"]) == as_openapi - {f"{PREFIX}/openapi.json"}
    for item in ENDPOINTS:
        operation = spec["paths"][PREFIX + item.rule.replace("<int:scenario_id>", "{scenario_id}")
                                  .replace("<by>", "{by}")]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {p.name for p in item.params} <= names
        assert ("limit" in names) == item.paginated
        assert set(operation["responses"]) >= {"200", "401", "403", "429"}
        assert operation["x-roles"] == sorted(item.roles)


def test_an_api_route_without_a_role_check_stops_the_app():
    from types import SimpleNamespace

    from flask import Blueprint, Flask

    from dashapp.auth.callbacks import check_all_registered

    server = Flask("probe")
    loose = Blueprint("loose", __name__, url_prefix="/api/v1")
    loose.route("/leak")(lambda: "{}")
    server.register_blueprint(loose)
    with pytest.raises(RuntimeError, match="/api/v1/leak"):
        check_all_registered(SimpleNamespace(callback_map={}, server=server), "/api/", frozenset())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_profile_page_lists_the_users_own_tokens_in_their_language(dash_app, sqlite_store, language):
    from dashapp.pages.profile.layout import layout

    mine, theirs = token_for(dash_app, PLANNER, name="mine"), token_for(dash_app, OTHER_PLANNER, name="theirs")
    with get_engine().begin() as conn:  # the user's own choice (other tests may have set one) is the language
        before = conn.execute(select(AppUser.language).where(AppUser.email == PLANNER)).scalar_one()
        conn.execute(update(AppUser).where(AppUser.email == PLANNER).values(language=language))
    try:
        with dash_app.server.test_request_context(headers={"Accept-Language": language}):
            login_user(users.get_user_by_email(PLANNER))
            page = json.dumps(layout().to_plotly_json(), default=lambda c: c.to_plotly_json(),
                              ensure_ascii=False)
    finally:
        with get_engine().begin() as conn:
            conn.execute(update(AppUser).where(AppUser.email == PLANNER).values(language=before))
    assert i18n.t("profile.tokens.title", language) in page and i18n.t("profile.tokens.create", language) in page
    assert tokens.parse(mine)[0] in page and tokens.parse(mine)[1] not in page  # never the secret again
    assert tokens.parse(theirs)[0] not in page

"""Every Dash callback checks the role, not only the page: a forged POST to ``/_dash-update-component``
for a page the role may not open answers 403 with no data (the audit got the forecast as a sales user).

The test walks ``/_dash-dependencies`` (what any logged-in browser can read) and forges every server
callback as every demo role whose pages do not include it. Runs on a small store of its own."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from dash import Input, Output

from dashapp.auth.callbacks import MAX_JSON_DEPTH, check_all_registered, unchecked_callbacks
from dashapp.auth.permissions import PAGE_ACCESS
from dashapp.pages.forecast.callbacks import PANEL_OUTPUTS

from .app_helpers import csrf_header, dash_post, logged_in_client, make_app_store

ROLE_USERS = {"director": "director.idf@pilotage.demo", "planner": "planner@pilotage.demo",
              "sales": "sales@pilotage.demo", "admin": "admin@pilotage.demo"}
# Which page a callback belongs to, from its components' ids (written here, not read from the app).
PAGE_OF_PREFIX = {"home-": "/", "explore-": "/explore", "forecast-": "/forecast", "planning-": "/planning",
                  "admin-": "/admin", "health-": "/health", "alerts-": "/alerts", "nav-bell": "/alerts",
                  "profile-": "/profile", "view-": "/views", "views-": "/views"}
FORECAST_PANEL = ".." + "...".join(PANEL_OUTPUTS) + ".."  # the forecast panel callback's output id


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return make_app_store(tmp_path_factory.mktemp("callbacks"))


@pytest.fixture
def store(store_url, monkeypatch) -> str:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return store_url


def _page(output: str) -> str:
    first = output.strip(".").split("...")[0]
    return next(page for prefix, page in PAGE_OF_PREFIX.items() if first.startswith(prefix))


def _outputs(output: str):
    parts = output.strip(".").split("...")
    items = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return items if output.startswith("..") else items[0]


def _forge(client, callback: dict):
    body = {"output": callback["output"], "outputs": _outputs(callback["output"]),
            "inputs": [{**i, "value": 1} for i in callback["inputs"]],
            "state": [{**s, "value": None} for s in callback["state"]],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in callback["inputs"][:1]]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def test_every_callback_refuses_every_role_that_may_not_open_its_page(dash_app, store):
    clients = {role: logged_in_client(dash_app, email) for role, email in ROLE_USERS.items()}
    callbacks = [c for c in clients["admin"].get("/_dash-dependencies").get_json()
                 if not c.get("clientside_function") and not c["output"].startswith(".._pages_")
                 and "_pages_" not in c["output"]]
    assert len(callbacks) >= 20
    forged = 0
    for callback in callbacks:
        page = _page(callback["output"])
        for role in sorted(set(ROLE_USERS) - PAGE_ACCESS[page]):
            response = _forge(clients[role], callback)
            assert response.status_code == 403, (role, callback["output"], response.get_data(as_text=True)[:300])
            assert response.get_json() == {"error": "forbidden"}
            forged += 1
    assert forged >= 20


def test_sales_cannot_read_the_forecast_panel_by_a_forged_post(dash_app, store):
    sales = logged_in_client(dash_app, ROLE_USERS["sales"])
    assert sales.get("/forecast").status_code == 403
    response = dash_post(sales, FORECAST_PANEL, [{"id": "forecast-view", "property": "value", "value": "total"},
                                                 {"id": "forecast-version", "property": "data", "value": 1}])
    assert response.status_code == 403 and "forecast-table" not in response.get_data(as_text=True)
    # The planner may: the same request answers with the panel.
    planner = logged_in_client(dash_app, ROLE_USERS["planner"])
    answer = dash_post(planner, FORECAST_PANEL, [{"id": "forecast-view", "property": "value", "value": "total"},
                                                 {"id": "forecast-version", "property": "data", "value": 1}])
    assert answer.status_code == 200 and "forecast-notice" in answer.get_json()["response"]


def test_forecast_admin_callbacks_refuse_planners_and_directors(dash_app, store):
    for role in ("planner", "director"):
        client = logged_in_client(dash_app, ROLE_USERS[role])
        response = dash_post(client, "forecast-compare.children", [
            {"id": "forecast-compare-a", "property": "value", "value": 1},
            {"id": "forecast-compare-b", "property": "value", "value": 2},
            {"id": "forecast-admin-version", "property": "data", "value": 0}])
        assert response.status_code == 403


def test_every_registered_callback_carries_the_role_check(dash_app, store):
    """A callback registered around the wrapper: the app refuses to start, and the guard refuses it to all."""
    assert unchecked_callbacks(dash_app) == []
    from dashapp.app import create_app

    app = create_app()
    app.callback(Output("rogue-out", "children"), Input("rogue-in", "value"))(lambda value: value)
    with pytest.raises(RuntimeError, match="rogue-out"):
        check_all_registered(app)
    admin = app.server.test_client()
    from .app_helpers import csrf_from

    token = csrf_from(admin.get("/login").text)
    admin.post("/login", data={"email": ROLE_USERS["admin"], "password": "pilotage-demo", "csrf_token": token})
    response = dash_post(admin, "rogue-out.children", [{"id": "rogue-in", "property": "value", "value": "x"}])
    assert response.status_code == 403


def test_a_callback_body_nested_ten_thousand_deep_is_refused_cleanly(dash_app, store):
    client = logged_in_client(dash_app, ROLE_USERS["admin"])
    headers = {"Content-Type": "application/json", **csrf_header(client)}
    deep = '{"output": "home-cards.children", "inputs": ' + "[" * 10_000 + "]" * 10_000 + "}"
    response = client.post("/_dash-update-component", data=deep, headers=headers)
    assert response.status_code == 400 and response.get_json() == {"error": "malformed request"}
    shallow_but_deep = {"output": "home-cards.children", "inputs": [{"id": "home-period", "property": "value",
                                                                     "value": [[[[]]]]}]}
    for _ in range(MAX_JSON_DEPTH):
        shallow_but_deep = {"x": shallow_but_deep}
    response = client.post("/_dash-update-component", data=json.dumps(shallow_but_deep), headers=headers)
    assert response.status_code == 400


def test_every_answer_carries_a_content_security_policy_without_inline_scripts(dash_app, store):
    """Scripts from this server only, Dash's own inline ones by hash: no 'unsafe-inline' for scripts."""
    client = logged_in_client(dash_app, ROLE_USERS["admin"])
    for response in (client.get("/"), dash_app.server.test_client().get("/login"), client.get("/_dash-layout")):
        policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"].startswith("'self'") and "unsafe" not in policy["script-src"]
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    page = client.get("/")
    for script in re.findall(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', page.get_data(as_text=True), re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in page.headers["Content-Security-Policy"]

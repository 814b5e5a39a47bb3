"""Sharing saved media scenarios, over HTTP as the planning page posts it: a share is seen by the named users
and the roles it names only, a reader opens it read only (its prediction is the author's, exactly) within
their scope (a regional director gets a message, not the figures, for a national scenario), only the author
shares or unshares, and forged ids and forged callbacks are refused.

Runs on the planning tests' store (a copy of the demo store with a champion media run and extra users); the
scenarios made here are deleted at the end (their shares with them)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from dashapp.auth import audit
from dashapp.pages.planning import callbacks as cb
from pilotage.store.engine import get_engine
from pilotage.store.models import AppUser, PlanScenarioShare
from pilotage.store.models.planning import PlanScenario

from .app_helpers import csrf_header, dash_post
from .test_app_planning import (  # noqa: F401 (fixtures)
    ADMIN,
    DIRECTOR,
    IDF_DIRECTOR,
    IDF_PLANNER,
    NATIONAL,
    OTHER_PLANNER,
    PLANNER,
    _rows,
    any_store,
    components,
    dumps,
    logged_in_client,
    multi,
    prediction,
    refused,
    scenario_action,
    scope_input,
    scope_panel,
    store,
    trained_postgres,
    trained_url,
)

PREFIX = "shared-test "


def _cleaned(url: str):
    yield url
    with get_engine(url).begin() as conn:
        conn.execute(delete(PlanScenario).where(PlanScenario.name.like(PREFIX + "%")))


@pytest.fixture
def sharing_store(store):  # noqa: F811 (the planning tests' fixture)
    yield from _cleaned(store)


@pytest.fixture
def sharing_any(any_store):  # noqa: F811 (the planning tests' fixture: SQLite and PostgreSQL)
    yield from _cleaned(any_store)


def user_id(url: str, email: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(select(AppUser.id).where(AppUser.email == email)).scalar_one()


def save(dash_app, client, name: str, scope=NATIONAL, scale: float | None = None) -> tuple[int, list[dict]]:
    """Save the editor's plan (every cell times ``scale``) as ``name``; its id and the rows saved."""
    rows = _rows(client, scope)
    if scale:
        rows = [{k: v if k in ("month", "label") else round(float(v or 0) * scale, 2) for k, v in r.items()}
                for r in rows]
    answer = scenario_action(client, "planning-save", scope=scope, name=PREFIX + name, rows=rows)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    selected = answer.json["response"]["planning-scenario"]["value"]
    assert isinstance(selected, int)
    return selected, rows


def share(client, scenario, *, scope=NATIONAL, users=None, roles=None, unshare=None):
    button = "planning-unshare" if unshare is not None else "planning-share"
    body = {"output": multi(cb.SHARE_OUTPUTS),
            "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in cb.SHARE_OUTPUTS],
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("planning-share", "planning-unshare")] + [
                {"id": "planning-scenario", "property": "value", "value": scenario}],
            "state": [scope_input(scope), {"id": "planning-share-users", "property": "value", "value": users},
                      {"id": "planning-share-roles", "property": "value", "value": roles},
                      {"id": "planning-share-pick", "property": "value", "value": unshare}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return client.post("/_dash-update-component", data=dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def shared_ids(client) -> set[int]:
    answer = scope_panel(client)
    return {o["value"] for o in answer["planning-shared"]["options"]}


def open_shared(client, scenario):
    answer = dash_post(client, "planning-shared-view.children",
                       [{"id": "planning-shared-open", "property": "n_clicks", "value": 1}],
                       [{"id": "planning-shared", "property": "value", "value": scenario}])
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["response"]["planning-shared-view"]["children"]


def refusal(view) -> str | None:
    found = components(view, "id", "planning-shared-refused")
    return found[0]["data-code"] if found else None


def test_a_share_is_seen_by_the_named_users_and_roles_only(dash_app, sharing_any):
    sharing_store = sharing_any
    planner = logged_in_client(dash_app, PLANNER)
    scenario, _rows_saved = save(dash_app, planner, "named")
    answer = share(planner, scenario, users=[user_id(sharing_store, DIRECTOR)])
    assert answer.status_code == 200
    listed = components(answer.json["response"]["planning-shares"]["children"], "data-share")
    assert len(listed) == 1
    readers = {email: logged_in_client(dash_app, email) for email in (DIRECTOR, IDF_DIRECTOR, OTHER_PLANNER, ADMIN)}
    assert {email for email, client in readers.items() if scenario in shared_ids(client)} == {DIRECTOR}
    assert scenario not in shared_ids(planner)  # the author's own scenarios are in their own list

    share(planner, scenario, roles=["planner"])
    assert {email for email, client in readers.items() if scenario in shared_ids(client)} == {DIRECTOR, OTHER_PLANNER}
    again = share(planner, scenario, users=[user_id(sharing_store, DIRECTOR)], roles=["planner"])
    assert "(0" in again.json["response"]["planning-share-feedback"]["children"]  # nothing shared twice
    with get_engine(sharing_store).connect() as conn:
        assert len(conn.execute(select(PlanScenarioShare.id)
                                .where(PlanScenarioShare.scenario_id == scenario)).all()) == 2
    entries = [e for e in audit.recent(20, "scenario") if '"shared"' in e["detail"]]
    assert entries and f'"id": {scenario}' in entries[0]["detail"]


def test_a_reader_opens_the_authors_prediction_read_only(dash_app, sharing_store):
    planner = logged_in_client(dash_app, PLANNER)
    scenario, rows = save(dash_app, planner, "read", scale=1.5)
    share(planner, scenario, users=[user_id(sharing_store, DIRECTOR)])
    authors = prediction(planner, rows)["planning-prediction"]["figure"]
    director = logged_in_client(dash_app, DIRECTOR)
    layout = dash_post(director, ".._pages_content.children..._pages_store.data..", [
        {"id": "_pages_location", "property": "pathname", "value": "/planning"},
        {"id": "_pages_location", "property": "search", "value": ""}]).get_json()["response"]
    assert components(layout, "id", "planning-shared-card") and not components(layout, "id", "planning-share")
    view = open_shared(director, scenario)
    assert refusal(view) is None
    chart = components(view, "id", "planning-shared-chart")[0]["figure"]
    def series(figure, kind):
        return [t["y"] for t in figure["data"] if t.get("meta", {}).get("kind") == kind]
    assert series(chart, "scenario") == series(authors, "scenario") != series(authors, "current")
    assert series(chart, "current") == series(authors, "current")
    # Read only: the director cannot load it into an editor, save over it, or share it.
    assert refused(share(director, scenario, users=[user_id(sharing_store, OTHER_PLANNER)]))
    assert refused(scenario_action(director, "planning-save", name=PREFIX + "steal", rows=rows))


def test_a_regional_director_gets_a_message_for_a_national_scenario(dash_app, sharing_store):
    planner = logged_in_client(dash_app, PLANNER)
    national, _ = save(dash_app, planner, "national")
    share(planner, national, users=[user_id(sharing_store, IDF_DIRECTOR)])
    idf_planner = logged_in_client(dash_app, IDF_PLANNER)
    regional, _ = save(dash_app, idf_planner, "idf", scope="FR-IDF")
    share(idf_planner, regional, scope="FR-IDF", roles=["director"])
    director = logged_in_client(dash_app, IDF_DIRECTOR)
    assert {national, regional} <= shared_ids(director)
    listing = scope_panel(director)
    rows = {int(r["data-scenario"]): r for r in components(listing["planning-shared-list"]["children"],
                                                           "data-scenario")}
    assert "outside" in str(rows[national]) and "outside" not in str(rows[regional])
    view = open_shared(director, national)
    assert refusal(view) == "shared_national"
    assert components(view, "id", "planning-shared-chart") == []  # no figure of it at all
    opened = open_shared(director, regional)
    assert refusal(opened) is None and components(opened, "id", "planning-shared-chart")


def test_forged_ids_and_other_authors_are_refused(dash_app, sharing_any):
    sharing_store = sharing_any
    planner = logged_in_client(dash_app, PLANNER)
    scenario, _ = save(dash_app, planner, "forged")
    share(planner, scenario, users=[user_id(sharing_store, DIRECTOR)])
    other = logged_in_client(dash_app, OTHER_PLANNER)
    # Not shared with them: opening it by a forged id reads as "not found", like an id that does not exist.
    for forged in (scenario, 10**9, "1 OR 1=1", True, None):
        assert refusal(open_shared(other, forged)) in ("not_found", "pick")
    # Another planner cannot share or unshare someone else's scenario, nor read its shares.
    answer = share(other, scenario, users=[user_id(sharing_store, OTHER_PLANNER)])
    assert answer.json["response"]["planning-share-feedback"]["color"] == "danger"
    with get_engine(sharing_store).connect() as conn:
        existing = conn.execute(select(PlanScenarioShare.id).where(PlanScenarioShare.scenario_id == scenario)).scalar()
    answer = share(other, scenario, unshare=int(existing))
    assert answer.json["response"]["planning-share-feedback"]["color"] == "danger"
    with get_engine(sharing_store).connect() as conn:
        assert conn.execute(select(PlanScenarioShare.id).where(PlanScenarioShare.id == int(existing))).scalar()
    # Unknown users and roles are refused, not stored.
    for users, roles in (([10**6], None), (None, ["sales"]), (None, ["root"]), ("everyone", None)):
        answer = share(planner, scenario, users=users, roles=roles)
        assert answer.json["response"]["planning-share-feedback"]["color"] == "danger"
    # The author takes it back: the director no longer sees it nor opens it.
    answer = share(planner, scenario, unshare=int(existing))
    assert answer.json["response"]["planning-share-feedback"]["color"] == "success"
    director = logged_in_client(dash_app, DIRECTOR)
    assert scenario not in shared_ids(director)
    assert refusal(open_shared(director, scenario)) == "not_found"


def test_sales_cannot_list_or_open_shares(dash_app, sharing_store):
    planner = logged_in_client(dash_app, PLANNER)
    scenario, _ = save(dash_app, planner, "sales")
    share(planner, scenario, roles=["director"])
    sales = logged_in_client(dash_app, "sales@pilotage.demo")
    answer = dash_post(sales, "planning-shared-view.children",
                       [{"id": "planning-shared-open", "property": "n_clicks", "value": 1}],
                       [{"id": "planning-shared", "property": "value", "value": scenario}])
    assert refused(answer)

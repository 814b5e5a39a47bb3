"""The alerts in the app: the bell's unread count in the navbar, the notifications listed in the user's
language with a link to the drill-down on the alert's filters and period, marked read; forged callbacks
cannot read or mark another user's notifications, nor subscribe others to a director's rule.

Runs on a store of its own (regions, demo users, loads logged), because it writes rules and events."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from dashapp.alerts import texts
from pilotage.store.engine import get_engine
from pilotage.store.models import AlertEvent, AlertRule

from .app_helpers import csrf_header, logged_in_client, make_app_store, switch_language, using_database
from .test_alerts import flat, load, log_load, rule, users

FORM_FIELDS = ("name", "kind", "kpi", "grain", "basis", "threshold", "severity", "regions", "channels", "source",
               "users", "roles")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    """Two notifications for the Ile-de-France director and one for the company-wide director."""
    url = make_app_store(tmp_path_factory.mktemp("alerts"))
    engine = get_engine(url)
    with using_database(url):
        u = users()
        log_load(engine, "ads", dt.datetime(2026, 10, 1, 8))
        load(engine, flat(dt.date(2026, 9, 21), dt.date(2026, 9, 30), {"FR-IDF": 4.0, "FR-ARA": 9.0}),
             source="leads", at=dt.datetime(2026, 10, 1, 8))
        for source in ("ads", "leads"):
            rule(u["admin"], kind="freshness", source=source, threshold=3, name=f"{source} late",
                 users=[u["director.idf"].id] + ([u["director"].id] if source == "ads" else []))
        from dashapp.alerts.events import run

        run(now=dt.datetime(2026, 10, 6, 9))
    return url


@pytest.fixture
def store(store_url, monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return get_engine(store_url)


def output_of(client, first: str) -> str:
    """The output string dash-renderer sends for the callback whose first output is ``first`` (``id.prop``;
    outputs shared by several callbacks carry a suffix that only the server knows)."""
    for spec in client.get("/_dash-dependencies").json:
        if spec["output"].strip(".").split("...")[0].split("@")[0] == first:
            return spec["output"]
    raise KeyError(first)


def post(client, output: str, inputs: list, state: list | None = None, changed: list[str] | None = None):
    output = output_of(client, output)
    body = {"output": output, "inputs": inputs, "state": state or [],
            "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]}
                        for p in output.strip(".").split("...")] if output.startswith("..") else
            {"id": output.rsplit(".", 1)[0], "property": output.rsplit(".", 1)[1]},
            "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs if isinstance(i, dict)]}
    response = client.post("/_dash-update-component", data=json.dumps(body),
                           headers={"Content-Type": "application/json", **csrf_header(client)})
    assert response.status_code == 200, response.text[:500]
    return response.json["response"]


def listing(client) -> dict:
    return post(client, "alerts-list.children", [{"id": "alerts-version", "property": "data", "value": 0}])


def test_the_bell_counts_unread_notifications_in_the_navbar(dash_app, store):
    client = logged_in_client(dash_app, "director.idf@pilotage.demo")
    layout = json.dumps(client.get("/_dash-layout").json)
    assert '"id": "nav-bell-count"' in layout and '"children": "2"' in layout
    assert "Notifications: 2 unread" in layout
    assert listing(logged_in_client(dash_app, "sales@pilotage.demo"))["nav-bell-count"]["children"] == ""


def test_the_list_says_what_where_and_when_in_the_users_language(dash_app, store):
    client = logged_in_client(dash_app, "director.idf@pilotage.demo")
    switch_language(client, "en")
    english = json.dumps(listing(client)["alerts-list"], ensure_ascii=False)
    assert "ads: no successful load for 5 days (last on 1 Oct 2026); threshold 3 days." in english
    assert "Source: ads" in english and "Warning · leads late" in english
    switch_language(client, "fr")
    french = json.dumps(listing(client)["alerts-list"], ensure_ascii=False)
    assert "ads : aucun chargement réussi depuis 5 jours (dernier le 1 oct. 2026) ; seuil 3 jours." in french
    assert "Avertissement · leads late" in french and "no successful load" not in french


def test_the_link_opens_the_drill_down_on_the_alerts_filters_and_period(store):
    found = texts.notice(kind="target", name="n", kpi="qualified_leads", grain="week", basis="end", threshold=0.05,
                         severity="info", period_start=dt.date(2026, 10, 5), period_end=dt.date(2026, 10, 11),
                         value=90.0, reference=100.0, language="en",
                         detail={"gap": 0.1, "regions": ["FR-IDF"], "channels": ["paid_search"]})
    url = urlsplit(found.link)
    assert url.path == "/explore"
    assert parse_qs(url.query) == {"period": ["custom"], "start": ["2026-10-05"], "end": ["2026-10-11"],
                                   "grain": ["week"], "region": ["FR-IDF"], "channel": ["paid_search"],
                                   "kpi": ["qualified_leads"], "by": ["channel"]}
    assert "missed by 10.0% (tolerance 5.0%)" in found.what


def _event_ids(engine, email_prefix: str) -> list[int]:
    with using_database(str(engine.url)):
        user_id = users()[email_prefix].id
    with engine.connect() as conn:
        return list(conn.execute(select(AlertEvent.id).where(AlertEvent.user_id == user_id, AlertEvent.read_at.is_(
            None))).scalars())


def _clicked(store: str, index) -> dict:
    """A click on a notification's or rule's button as the browser forwards it (into the store of its kind)."""
    return {"id": store, "property": "data", "value": {"index": index, "clicks": 1, "at": 1}}


def _mark(client, event_id: int):
    inputs = [_clicked("alerts-read-clicked", event_id), {"id": "alerts-mark-all", "property": "n_clicks",
                                                           "value": None}]
    return post(client, "alerts-version.data", inputs, [{"id": "alerts-version", "property": "data", "value": 4}],
                changed=["alerts-read-clicked.data"])


def test_marking_read_acts_on_the_users_own_notifications_only(dash_app, store):
    others = _event_ids(store, "director.idf")
    director = logged_in_client(dash_app, "director@pilotage.demo")
    _mark(director, others[0])  # forged: another user's notification
    assert _event_ids(store, "director.idf") == others
    (own,) = _event_ids(store, "director")
    assert _mark(director, own)["alerts-version"]["data"] == 5
    assert _event_ids(store, "director") == []
    assert listing(director)["nav-bell-count"]["children"] == ""


def _save(client, **fields):
    state = [{"id": "alerts-rule-editing", "property": "data", "value": None}]
    state += [{"id": f"alerts-rule-{name}", "property": "value", "value": fields.get(name)} for name in FORM_FIELDS]
    state.append({"id": "alerts-version", "property": "data", "value": 0})
    save = [{"id": "alerts-rule-save", "property": "n_clicks", "value": 1}]
    return post(client, "alerts-rule-feedback.children", save, state)


def test_a_director_saves_a_rule_for_themselves_and_cannot_subscribe_anyone_else(dash_app, store):
    with using_database(str(store.url)):
        u = users()
    client = logged_in_client(dash_app, "director.idf@pilotage.demo")
    with store.connect() as conn:
        before = conn.execute(select(func.count()).select_from(AlertRule)).scalar()
    refused = _save(client, name="Leads", kind="target", kpi="leads", grain="month", users=[u["sales"].id])
    assert refused["alerts-rule-feedback"]["color"] == "danger"
    refused = _save(client, name="Leads", kind="target", kpi="leads", grain="month", roles=["sales"])
    assert refused["alerts-rule-feedback"]["color"] == "danger"
    saved = _save(client, name="Leads IDF", kind="target", kpi="leads", grain="week", basis="pace",
                  threshold=0.1, severity="critical", regions=["FR-IDF"])
    assert saved["alerts-rule-feedback"]["color"] == "success"
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AlertRule)).scalar() == before + 1
    from dashapp.alerts.rules import all_rules

    with using_database(str(store.url)):
        (mine,) = [r for r in all_rules() if r.name == "Leads IDF"]
    assert (mine.users, mine.roles, mine.grain, mine.basis, mine.filters) == (
        (u["director.idf"].id,), (), "week", "pace", {"regions": ["FR-IDF"]})


def test_sales_users_see_the_page_but_cannot_create_rules(dash_app, store):
    client = logged_in_client(dash_app, "sales@pilotage.demo")
    refused = _save(client, name="x", kind="forecast")
    assert refused["alerts-rule-feedback"]["color"] == "danger"
    assert "alerts-list" in listing(client)


def test_this_weeks_digest_in_the_app_is_in_the_users_scope(dash_app, store):
    client = logged_in_client(dash_app, "director.idf@pilotage.demo")
    switch_language(client, "en")  # an earlier test chose French for this user
    shown = json.dumps(post(client, "alerts-digest.children",
                            [{"id": "alerts-digest-show", "property": "n_clicks", "value": 1}]), ensure_ascii=False)
    # Week 39 (21 to 27 September): 7 days of 4 leads in Ile-de-France; the regions of others never appear.
    assert "Last complete week (Mon 21 Sept 2026 – Sun 27 Sept 2026)" in shown
    assert '"Leads"' in shown and '"28"' in shown and '"63"' not in shown and "Auvergne" not in shown


def _edit(client, rule_id: int):
    return post(client, "alerts-rule-editing.data", [_clicked("alerts-rule-edit-clicked", rule_id)],
                changed=["alerts-rule-edit-clicked.data"])


def test_an_owner_edits_their_rule_and_nobody_else_can(dash_app, store):
    from dashapp.alerts.rules import get_rule

    with using_database(str(store.url)):
        u = users()
        mine = rule(u["director"], kind="change", kpi="leads", grain="week", basis="previous", name="Mine")
    owner = logged_in_client(dash_app, "director@pilotage.demo")
    form = _edit(owner, mine)
    assert form["alerts-rule-editing"]["data"] == mine
    assert (form["alerts-rule-name"]["value"], form["alerts-rule-kpi"]["value"]) == ("Mine", "leads")

    other = logged_in_client(dash_app, "director.idf@pilotage.demo")
    assert "alerts-rule-name" not in _edit(other, mine)  # forged: another director's rule is not loaded
    state = [{"id": "alerts-rule-editing", "property": "data", "value": mine}]
    state += [{"id": f"alerts-rule-{name}", "property": "value", "value": value} for name, value in zip(
        FORM_FIELDS, ("Taken", "change", "leads", "week", "previous", 0.5, "info", [], [], None, [], []),
        strict=True)]
    state.append({"id": "alerts-version", "property": "data", "value": 0})
    save = [{"id": "alerts-rule-save", "property": "n_clicks", "value": 1}]
    refused = post(other, "alerts-rule-feedback.children", save, state)
    assert refused["alerts-rule-feedback"]["color"] == "danger"
    assert post(owner, "alerts-rule-feedback.children", save, state)["alerts-rule-feedback"]["color"] == "success"
    with using_database(str(store.url)):
        edited = get_rule(mine)
    assert (edited.name, edited.threshold, edited.severity, edited.users) == ("Taken", 0.5, "info",
                                                                              (u["director"].id,))

"""The admin page: the data team sees ETL runs and their rejected rows, users and the audit
log, and changes users through it (audited); every other role gets nothing, whether it opens
``/admin`` or forges the page's callbacks.

Runs on a store of its own (regions, demo users, and one real ETL load of a file with three
bad rows), because the actions change users.
"""

from __future__ import annotations

import json

import pytest

from dashapp import i18n
from dashapp.auth import audit, users
from etl.pipeline import load_file
from pilotage.store.engine import get_engine

from .app_helpers import _outputs, csrf_header, logged_in_client, make_app_store, response_text, using_database
from .test_app_auth import PASSWORD, client_from_new_address, post_login

ADMIN = "admin@pilotage.demo"
RUN_FILE = "ads-march-secret.csv"
BAD_ADS = """date,campaign,channel,region,impressions,clicks,spend
2024-03-04,c1,paid_search,FR,100,5,10.50
2024-13-45,c1,paid_search,FR,100,5,10.50
2024-03-05,c1,carrier_pigeon,FR,100,5,1
2024-03-06,c1,paid_search,FR,lots,5,1
"""


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("admin")
    url = make_app_store(folder)
    (folder / RUN_FILE).write_text(BAD_ADS, encoding="utf-8")
    with using_database(url):
        report = load_file(folder / RUN_FILE, engine=get_engine(url))
    assert (report.rows_read, report.rows_rejected) == (4, 3)
    return url


@pytest.fixture
def store(store_url, monkeypatch) -> str:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return store_url


@pytest.fixture
def admin(dash_app, store):
    return logged_in_client(dash_app, ADMIN)


def call(client, output: str, inputs: dict, state: dict | None = None, trigger: str | None = None):
    """POST one callback as dash-renderer does; ``inputs`` / ``state``: ``{"id.prop": value}``;
    ``trigger``: the input that changed (default: all of them; "": none, as when the page opens)."""
    def items(values):
        return [{"id": key.rsplit(".", 1)[0], "property": key.rsplit(".", 1)[1], "value": value}
                for key, value in (values or {}).items()]

    body = {"output": output, "outputs": _outputs(output), "inputs": items(inputs), "state": items(state),
            "changedPropIds": [] if trigger == "" else [trigger] if trigger else list(inputs)}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def outputs(response) -> dict:
    assert response.status_code == 200, response.text[:500]
    return response.json.get("response", {})


def callback_outputs(client) -> dict[str, str]:
    """The admin callbacks' output strings as dash-renderer knows them (``/_dash-dependencies``)."""
    found = {}
    for spec in client.get("/_dash-dependencies").json:
        ids = [part.rsplit(".", 1)[0] for part in spec["output"].strip(".").split("...")]
        if any(i.startswith("admin-") for i in ids):  # the admin page's own (not forecast-admin-...)
            found[ids[0]] = spec["output"]
    return found


GRIDS = ("admin-runs-grid", "admin-users-grid", "admin-outbox-grid", "admin-audit-grid")
GRIDS_OUTPUT = "".join(f"...{grid}.rowData" for grid in GRIDS)[1:] + ".."
GRIDS_INPUTS = {"admin-runs-refresh.n_clicks": None, "admin-users-refresh.n_clicks": None,
                "admin-users-version.data": 0, "admin-outbox-refresh.n_clicks": None, "admin-audit-event.value": None,
                "admin-audit-refresh.n_clicks": None}

# The grids' callback as dash_post sends it, a refresh of the runs (for the tests of sessions and errors).
RUNS_REFRESH = (GRIDS_OUTPUT, [{"id": key.rsplit(".", 1)[0], "property": key.rsplit(".", 1)[1],
                                "value": 1 if key == "admin-runs-refresh.n_clicks" else value}
                               for key, value in GRIDS_INPUTS.items()])


def grids(client, trigger: str | None = None, values: dict | None = None) -> dict[str, list]:
    """The grids one answer fills: all of them when the page opens (no trigger), else those ``trigger`` refills;
    ``values``: inputs other than the defaults, ``{"id.prop": value}``."""
    inputs = GRIDS_INPUTS | (values or {})
    body = outputs(call(client, GRIDS_OUTPUT, inputs, trigger=trigger or ""))
    return {grid: body[grid]["rowData"] for grid in GRIDS if grid in body}


USER_ACTIONS_OUTPUT = "..admin-user-feedback.children...admin-user-feedback.color...admin-user-feedback.is_open" \
                      "...admin-users-version.data.."


def user_action(client, trigger: str, email: str, role=None, scope=None):
    buttons = {f"{b}.n_clicks": 1 if f"{b}.n_clicks" == trigger else None
               for b in ("admin-user-save-role", "admin-user-save-scope", "admin-user-disable", "admin-user-enable")}
    state = {"admin-users-grid.selectedRows": [{"email": email}], "admin-user-role.value": role,
             "admin-user-scope.value": scope, "admin-users-version.data": 3}
    response = call(client, USER_ACTIONS_OUTPUT, buttons, state, trigger=trigger)
    children = outputs(response).get("admin-user-feedback", {})
    return children.get("children"), children.get("color"), outputs(response).get("admin-users-version", {})


# --- what the admin sees --------------------------------------------------------------------------

def test_admin_sees_runs_and_the_rows_a_run_rejected(admin):
    assert admin.get("/admin").status_code == 200
    (run,) = [r for r in grids(admin)["admin-runs-grid"] if r["file_name"] == RUN_FILE]
    assert (run["source_type"], run["status"]) == ("ad_performance", "loaded")
    assert (run["rows_read"], run["rows_inserted"], run["rows_rejected"]) == (4, 1, 3)

    rejects = outputs(call(admin, "..admin-rejects-grid.rowData...admin-rejects-title.children..",
                           {"admin-runs-grid.selectedRows": [{"id": run["id"], "key": run["key"]}]}))
    lines = {r["line"]: r for r in rejects["admin-rejects-grid"]["rowData"]}
    assert set(lines) == {3, 4, 5}
    assert (lines[3]["column"], lines[3]["value"]) == ("date (column 1)", "2024-13-45")
    assert (lines[4]["value"], lines[5]["value"]) == ("carrier_pigeon", "lots")
    assert "whole number" in lines[5]["expected"]
    assert rejects["admin-rejects-title"]["children"] == f"Rejected rows of run {run['id']} ({RUN_FILE}): 3"


def test_forged_run_selection_is_harmless(admin):
    for forged in ([{"id": "1 OR 1=1"}], [{"id": 10**9}], "x", [None], None):
        result = outputs(call(admin, "..admin-rejects-grid.rowData...admin-rejects-title.children..",
                              {"admin-runs-grid.selectedRows": forged}))
        assert result["admin-rejects-grid"]["rowData"] == []
        assert result["admin-rejects-title"]["children"] == "No run selected."


def test_admin_sees_users_without_their_password_hashes(admin):
    response = call(admin, GRIDS_OUTPUT, GRIDS_INPUTS, trigger="admin-users-refresh.n_clicks")
    assert set(outputs(response)) == {"admin-users-grid"}          # a refresh refills its own grid only
    rows = {r["email"]: r for r in outputs(response)["admin-users-grid"]["rowData"]}
    assert {"director@pilotage.demo", "director.idf@pilotage.demo", "planner@pilotage.demo",
            "sales@pilotage.demo", ADMIN} <= set(rows)
    idf = rows["director.idf@pilotage.demo"]
    assert (idf["role"], idf["scope"], idf["active"], idf["language"]) == ("Director", "FR-IDF", "yes", "browser")
    assert rows[ADMIN]["scope"] == "all"
    assert "argon2" not in response_text(response) and "password" not in response_text(response)


def test_admin_sees_the_audit_log_filtered_by_event(admin):
    entries = grids(admin)["admin-audit-grid"]
    assert any(e["actor"] == ADMIN and e["event"] == "login" for e in entries)
    assert any(e["event"] == "admin action" for e in entries)  # the demo users' creation
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)

    logins = grids(admin, "admin-audit-event.value", {"admin-audit-event.value": "admin"})
    assert set(logins) == {"admin-audit-grid"}
    rows = logins["admin-audit-grid"]
    assert rows and {e["event"] for e in rows} == {"admin action"}
    assert json.loads(rows[-1]["detail"])["action"] == "add_user"
    # An unknown event is no filter (and no SQL): the latest entries.
    forged = grids(admin, "admin-audit-refresh.n_clicks", {"admin-audit-event.value": "x' OR '1'='1",
                                                          "admin-audit-refresh.n_clicks": 1})
    assert len(forged["admin-audit-grid"]) == len(entries) or len(entries) >= 200


# --- what the admin does ------------------------------------------------------------------------------

def test_admin_changes_role_and_scope_through_the_page_and_it_is_audited(admin):
    email = "target.role@pilotage.demo"
    users.add_user(email, PASSWORD, "director", "FR-IDF", actor="test")
    selected = outputs(call(admin, "..admin-user-selected.children...admin-user-role.value...admin-user-scope.value..",
                            {"admin-users-grid.selectedRows": [{"email": email}]}))
    assert selected["admin-user-role"]["value"] == "director"
    assert selected["admin-user-scope"]["value"] == ["FR-IDF"]

    message, color, version = user_action(admin, "admin-user-save-role.n_clicks", email, role="sales")
    assert color == "success" and message == f"{email}: role changed to Sales manager."
    assert version == {"data": 4}
    message, color, _ = user_action(admin, "admin-user-save-scope.n_clicks", email, scope=["FR-ARA", "FR-PACA"])
    assert color == "success" and "FR-ARA, FR-PACA" in message
    user = users.get_user_by_email(email)
    assert (user.role, user.scope) == ("sales", ("FR-ARA", "FR-PACA"))

    message, color, _ = user_action(admin, "admin-user-save-scope.n_clicks", email, scope=["*"])
    assert users.get_user_by_email(email).scope == ("*",)

    trail = [json.loads(e["detail"]) for e in audit.recent(50, "admin") if e["actor"] == ADMIN]
    mine = [d for d in trail if d["user"] == email]
    assert [d["action"] for d in reversed(mine)] == ["set_role", "set_scope", "set_scope"]
    assert mine[-1]["role"] == "sales" and mine[1]["scope"] == "FR-ARA,FR-PACA"


def test_admin_disables_and_enables_a_user(dash_app, admin):
    email = "target.disable@pilotage.demo"
    users.add_user(email, PASSWORD, "planner", "all", actor="test")
    their_session = logged_in_client(dash_app, email)

    message, color, _ = user_action(admin, "admin-user-disable.n_clicks", email)
    assert color == "success" and "disabled" in message
    assert their_session.get("/_dash-layout").status_code == 401
    assert post_login(client_from_new_address(dash_app), email, PASSWORD).status_code == 401

    message, color, _ = user_action(admin, "admin-user-enable.n_clicks", email)
    assert color == "success" and users.get_user_by_email(email).active
    assert post_login(client_from_new_address(dash_app), email, PASSWORD).status_code == 302
    actions = [json.loads(e["detail"])["action"] for e in audit.recent(50, "admin")
               if e["actor"] == ADMIN and json.loads(e["detail"])["user"] == email]
    assert actions[:2] == ["enable", "disable"]


def test_admin_adds_a_user_who_can_then_log_in(dash_app, admin):
    output = callback_outputs(admin)["admin-new-feedback"]
    state = {"admin-new-email.value": "  New.Analyst@Pilotage.demo ", "admin-new-name.value": "New Analyst",
             "admin-new-password.value": "a-strong-password", "admin-new-role.value": "sales",
             "admin-new-scope.value": ["FR-IDF"], "admin-new-language.value": "fr", "admin-users-version.data": 0}
    result = outputs(call(admin, output, {"admin-new-submit.n_clicks": 1}, state))
    assert result["admin-new-feedback"]["children"] == "new.analyst@pilotage.demo added."
    assert result["admin-new-password"]["value"] == ""  # the password does not stay in the page
    user = users.get_user_by_email("new.analyst@pilotage.demo")
    assert (user.role, user.scope, user.language, user.name) == ("sales", ("FR-IDF",), "fr", "New Analyst")
    assert post_login(client_from_new_address(dash_app), "new.analyst@pilotage.demo",
                      "a-strong-password").status_code == 302
    (entry,) = [e for e in audit.recent(50, "admin") if e["actor"] == ADMIN and "new.analyst" in e["detail"]]
    assert json.loads(entry["detail"])["action"] == "add_user" and "a-strong-password" not in entry["detail"]

    again = outputs(call(admin, output, {"admin-new-submit.n_clicks": 2}, state))
    feedback = again["admin-new-feedback"]
    assert feedback["color"] == "danger" and "already exists" in feedback["children"]
    too_long = outputs(call(admin, output, {"admin-new-submit.n_clicks": 3},
                            {**state, "admin-new-email.value": "long@pilotage.demo",
                             "admin-new-name.value": "n" * 500}))
    assert too_long["admin-new-feedback"]["color"] == "danger" and users.get_user_by_email("long@pilotage.demo") is None
    missing = outputs(call(admin, output, {"admin-new-submit.n_clicks": 3},
                           {**state, "admin-new-email.value": "other@pilotage.demo", "admin-new-scope.value": []}))
    assert missing["admin-new-feedback"]["color"] == "warning"
    assert users.get_user_by_email("other@pilotage.demo") is None


def test_admin_cannot_lock_themselves_out_and_bad_values_are_refused(admin):
    message, color, _ = user_action(admin, "admin-user-disable.n_clicks", ADMIN)
    assert color == "warning" and "yourself" in message
    user_action(admin, "admin-user-save-role.n_clicks", ADMIN, role="sales")
    assert users.get_user_by_email(ADMIN).role == "admin" and users.get_user_by_email(ADMIN).active

    message, color, _ = user_action(admin, "admin-user-save-role.n_clicks", "planner@pilotage.demo", role="superuser")
    assert color == "danger" and users.get_user_by_email("planner@pilotage.demo").role == "planner"
    message, color, _ = user_action(admin, "admin-user-save-scope.n_clicks", "planner@pilotage.demo",
                                    scope=["ATLANTIS"])
    assert color == "danger" and "ATLANTIS" in message
    message, color, _ = user_action(admin, "admin-user-disable.n_clicks", "ghost@pilotage.demo")
    assert color == "warning" and message == "Select a user first."


# --- what the other roles get: nothing ------------------------------------------------------------------

def forged_values(target: str) -> dict[str, object]:
    """The most tempting value for every input and state of the admin callbacks."""
    return {
        "admin-runs-refresh.n_clicks": 1, "admin-runs-grid.selectedRows": [{"id": 1, "key": "1"}],
        "admin-users-refresh.n_clicks": 1, "admin-users-version.data": 1,
        "admin-users-grid.selectedRows": [{"email": target}], "admin-user-role.value": "admin",
        "admin-user-scope.value": ["*"], "admin-audit-event.value": "login", "admin-audit-refresh.n_clicks": 1,
        "admin-new-submit.n_clicks": 1, "admin-user-save-role.n_clicks": 1, "admin-user-save-scope.n_clicks": 1,
        "admin-user-disable.n_clicks": 1, "admin-user-enable.n_clicks": 1,
        "admin-new-email.value": "intruder@pilotage.demo",
        "admin-new-name.value": "Intruder", "admin-new-password.value": "intruder-password",
        "admin-new-role.value": "admin", "admin-new-scope.value": ["*"], "admin-new-language.value": "en",
        "admin-outbox-refresh.n_clicks": 1,
    }


@pytest.mark.parametrize("forger", ["director.idf@pilotage.demo", "planner@pilotage.demo", "sales@pilotage.demo"])
def test_other_roles_get_no_admin_data_even_by_forged_callbacks(dash_app, store, forger):
    """Every admin callback, every trigger, aimed at the forger (promote myself) and at the admin
    (read their details, disable them): a refusal, no data, no change."""
    client = logged_in_client(dash_app, forger)
    assert client.get("/admin").status_code == 403
    state_of = {email: users.get_user_by_email(email) for email in (forger, ADMIN)}
    specs = [s for s in client.get("/_dash-dependencies").json if s["output"] in callback_outputs(client).values()]
    assert len(specs) == 5
    for target in (forger, ADMIN):
        values = forged_values(target)
        for spec in specs:
            inputs = {f"{i['id']}.{i['property']}": values[f"{i['id']}.{i['property']}"] for i in spec["inputs"]}
            state = {f"{s['id']}.{s['property']}": values[f"{s['id']}.{s['property']}"] for s in spec["state"]}
            for trigger in inputs:  # each button of a multi-input callback
                response = call(client, spec["output"], inputs, state, trigger=trigger)
                text = response_text(response)
                assert response.status_code == 403, (spec["output"], text[:300])  # refused before Dash
                assert json.loads(text) == {"error": "forbidden"}
                for secret in (RUN_FILE, ADMIN, "director@pilotage.demo", "Data Team", "carrier_pigeon",
                               "login_failed"):
                    assert secret not in text, (spec["output"], secret)
    for email, before in state_of.items():
        after = users.get_user_by_email(email)
        assert (after.role, after.scope, after.active) == (before.role, before.scope, before.active)
    assert users.get_user_by_email("intruder@pilotage.demo") is None
    assert not [e for e in audit.recent(200, "admin") if e["actor"] == forger]


@pytest.mark.parametrize("forger", ["director.idf@pilotage.demo", "sales@pilotage.demo"])
def test_other_roles_cannot_render_the_admin_page_by_client_navigation(dash_app, store, forger):
    client = logged_in_client(dash_app, forger)
    response = call(client, ".._pages_content.children..._pages_store.data..",
                    {"_pages_location.pathname": "/admin", "_pages_location.search": ""})
    text = response_text(response)
    assert response.status_code == 200 and 'forbidden' in text
    assert "admin-runs-grid" not in text and "admin-users-grid" not in text and "FR-PACA" not in text
    assert any(e["actor"] == forger and "/admin" in e["detail"] for e in audit.recent(20, "forbidden"))


def test_admin_page_uses_only_known_texts(admin, monkeypatch):
    """Render the page and run every admin callback with a ``t`` that notes unknown keys."""
    missing: list[str] = []
    original = i18n.t

    def strict(key, language=None, **values):
        if key not in i18n.MESSAGES:
            missing.append(key)
        return original(key, language, **values)

    monkeypatch.setattr(i18n, "t", strict)
    page = call(admin, ".._pages_content.children..._pages_store.data..",
                {"_pages_location.pathname": "/admin", "_pages_location.search": ""})
    assert "admin-runs-grid" in response_text(page)
    test_admin_sees_runs_and_the_rows_a_run_rejected(admin)
    test_admin_sees_users_without_their_password_hashes(admin)
    test_admin_sees_the_audit_log_filtered_by_event(admin)
    user_action(admin, "admin-user-disable.n_clicks", ADMIN)
    assert missing == []


# --- issue 14: the admin page in French ------------------------------------------------------------------------

def test_rejects_runs_and_dropdowns_read_in_french(admin):
    """The rejects' reasons are stored as codes with parameters and translated when shown; who ran a load
    and its status are translated; the dropdowns' own texts are French."""
    from .app_helpers import switch_language

    switch_language(admin, "fr")
    try:
        (run,) = [r for r in grids(admin)["admin-runs-grid"] if r["file_name"] == RUN_FILE]
        assert (run["status"], run["run_by"]) == ("chargé", "ligne de commande")
        rejects = outputs(call(admin, "..admin-rejects-grid.rowData...admin-rejects-title.children..",
                               {"admin-runs-grid.selectedRows": [{"id": run["id"], "key": run["key"]}]}))
        expected = {r["line"]: r["expected"] for r in rejects["admin-rejects-grid"]["rowData"]}
        assert expected[3].startswith("une date (")
        assert expected[4].startswith("l'une des valeurs national_tv, radio, ")
        assert expected[5] == "un nombre entier >= 0"
        columns = {r["line"]: r["column"] for r in rejects["admin-rejects-grid"]["rowData"]}
        assert columns[3] == "date (colonne 1)"
        title = rejects["admin-rejects-title"]["children"]
        assert title == f"Lignes rejetées du chargement {run['id']} ({RUN_FILE}) : 3"
        page = json.dumps(outputs(call(admin, ".._pages_content.children..._pages_store.data..",
                                       {"_pages_location.pathname": "/admin", "_pages_location.search": ""})),
                          ensure_ascii=False)
        for english in ("expected ", "} selected", "Select...", "No options found", "Unassigned"):
            assert english not in page and english not in json.dumps(rejects, ensure_ascii=False), english
        assert "{num_selected} sélectionné(s)" in page and "Non attribuée (XX)" in page
    finally:
        switch_language(admin, "en")


def test_a_reject_without_a_code_shows_its_stored_reason():
    """Rows rejected before codes were kept (or with a code this version does not know) read as stored."""
    assert i18n.reject_reason(None, None, "expected a number", "fr") == "expected a number"
    assert i18n.reject_reason("reject.from_the_future", "{}", "expected x", "fr") == "expected x"
    assert i18n.reject_reason("reject.choice", "not json", "expected one of a, b", "fr") == "expected one of a, b"
    assert i18n.reject_reason("reject.choice", '{"choices": "a, b"}', "", "fr") == "l'une des valeurs a, b"
    several = json.dumps({"problems": [{"column": "spend", "code": "reject.decimal", "params": {}},
                                       {"column": "clicks", "code": "reject.empty", "params": {}}]})
    assert i18n.reject_reason("reject.several", several, "", "fr") == \
        "spend : un nombre (virgule ou point décimal) ; clicks : une valeur (la cellule est vide)"
    assert i18n.reject_reason("reject.fields", '{"fields": 3, "separator": "\\t", "found": 2}', "", "en") == \
        "3 fields separated by a tab, found 2"


@pytest.mark.parametrize(("run_by", "english", "french"), [
    ("cli", "command line", "ligne de commande"), ("cli:alice@example.org", "command line (alice@example.org)",
                                                   "ligne de commande (alice@example.org)"),
    ("scheduler", "scheduler", "planificateur"), ("alice@example.org", "alice@example.org", "alice@example.org"),
    (None, "–", "–"),
])
def test_who_ran_a_command_reads_in_each_language(run_by, english, french):
    assert (i18n.operator(run_by, "en"), i18n.operator(run_by, "fr")) == (english, french)


def test_admin_sees_the_outbox(admin, store):
    from pilotage import mail

    mail.send("director@pilotage.demo", "Outbox check", "body")  # no SMTP_URL: written to var/outbox
    (row,) = grids(admin, "admin-outbox-refresh.n_clicks", {"admin-outbox-refresh.n_clicks": 1})[
        "admin-outbox-grid"]
    assert (row["to"], row["subject"]) == ("director@pilotage.demo", "Outbox check")

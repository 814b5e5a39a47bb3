"""Saved views and the home page's PDF, over HTTP as the browser posts them: a view keeps its page, filters and
period preset, opens as it was saved (within the user's scope), becomes the user's home (``/`` and the login
land on it), and is the user's own; the PDF is the user's home page (their figures, in their language), a
real PDF, audited as an export."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, select

from dashapp.auth import audit
from pilotage.store.engine import get_engine
from pilotage.store.models import AppUser, SavedView

from .app_helpers import csrf_from, csrf_header, dash_post, logged_in_client
from .test_app_home import HOME_OUTPUT, PAGE_OUTPUT, by_id

SAVE_OUTPUT = "..view-feedback.children...view-feedback.color...view-feedback.is_open.."
MANAGE_OUTPUT = ("..views-list.children...views-pick.options...views-pick.value...views-feedback.children..."
                 "views-feedback.color...views-feedback.is_open..")
IDF_DIRECTOR, DIRECTOR, SALES = "director.idf@pilotage.demo", "director@pilotage.demo", "sales@pilotage.demo"
FRENCH_IDF = "directeur.idf.fr@pilotage.test"


@pytest.fixture
def views_store(app_store):
    yield app_store
    with get_engine(app_store).begin() as conn:
        conn.execute(delete(SavedView))


def save(client, name, path, search, home=False):
    response = dash_post(client, SAVE_OUTPUT, [{"id": "view-save", "property": "n_clicks", "value": 1}],
                         [{"id": "view-name", "property": "value", "value": name},
                          {"id": "view-home", "property": "value", "value": home},
                          {"id": "view-location", "property": "data", "value": {"path": path, "search": search}}])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["view-feedback"]


def manage(client, button, pick):
    inputs = [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
              for b in ("views-set-home", "views-clear-home", "views-delete")]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
               for p in MANAGE_OUTPUT.strip(".").split("...")]
    body = {"output": MANAGE_OUTPUT, "outputs": outputs, "inputs": inputs,
            "changedPropIds": [f"{button}.n_clicks"],
            "state": [{"id": "views-pick", "property": "value", "value": pick}]}
    response = client.post("/_dash-update-component", data=json.dumps(body),
                           headers={"Content-Type": "application/json", **csrf_header(client)})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def views_of(url, email) -> list[dict]:
    with get_engine(url).connect() as conn:
        owner = conn.execute(select(AppUser.id).where(AppUser.email == email)).scalar_one()
        return [dict(r._mapping) for r in conn.execute(select(SavedView).where(SavedView.owner_id == owner)
                                                       .with_only_columns(*SavedView.__table__.c))]


def page_controls(client, url: str) -> dict:
    parts = urlsplit(url)
    response = dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": parts.path},
        {"id": "_pages_location", "property": "search", "value": "?" + parts.query if parts.query else ""}])
    assert response.status_code == 200
    return by_id(response)


def test_a_saved_view_restores_page_filters_and_period_and_becomes_home(dash_app, views_store):
    client = logged_in_client(dash_app, IDF_DIRECTOR)
    search = "?period=last_week&grain=week&region=FR-IDF&kpi=mqls&by=source&evil=%3Cscript%3E"
    feedback = save(client, "  my   Monday view ", "/explore", search, home=True)
    assert feedback["color"] == "success", feedback
    [view] = views_of(views_store, IDF_DIRECTOR)
    assert (view["name"], view["path"], view["is_home"]) == ("my Monday view", "/explore", True)
    assert parse_qs(view["query"].lstrip("?")) == {"period": ["last_week"], "grain": ["week"], "region": ["FR-IDF"],
                                                   "kpi": ["mqls"], "by": ["source"]}  # unknown keys dropped
    # "/" as typed lands on the home view; the overview stays reachable with a query (the navbar's link).
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"] == "/explore" + view["query"]
    assert client.get("/?period=last_month").status_code == 200
    # The view opens as saved: the controls show its filters and period.
    ids = page_controls(client, landing.headers["Location"])
    assert ids["explore-period"]["value"] == "last_week"
    assert ids["explore-grain"]["value"] == "week"
    assert ids["explore-region"]["value"] == ["FR-IDF"]
    assert ids["explore-kpi"]["value"] == "mqls"
    assert ids["explore-by"]["value"] == "source"
    # After login (no "next"), the user lands on it too.
    fresh = dash_app.server.test_client()
    token = csrf_from(fresh.get("/login").text)
    login = fresh.post("/login", data={"email": IDF_DIRECTOR, "password": "pilotage-demo", "csrf_token": token})
    assert login.headers["Location"] == "/"
    assert fresh.get("/").headers["Location"] == "/explore" + view["query"]
    # No home view: "/" is the overview again.
    cleared = manage(client, "views-clear-home", None)
    assert cleared["views-feedback"]["color"] == "success", cleared
    assert client.get("/").status_code == 200, client.get("/").headers.get("Location")
    entries = [json.loads(e["detail"]) for e in audit.recent(10, "view")]
    assert {"saved", "home"} <= {e["action"] for e in entries}


def test_a_view_cannot_widen_the_scope(dash_app, views_store):
    """A view saved with another region's filter opens within the user's scope (the page narrows it)."""
    client = logged_in_client(dash_app, IDF_DIRECTOR)
    save(client, "provence", "/explore", "?period=last_month&region=FR-PACA")
    [view] = views_of(views_store, IDF_DIRECTOR)
    ids = page_controls(client, view["path"] + view["query"])
    assert "FR-PACA" not in (ids["explore-region"]["value"] or [])
    assert all(o["value"] != "FR-PACA" for o in ids["explore-region"]["options"])


def test_views_are_their_owners_and_pages_are_checked(dash_app, views_store):
    director = logged_in_client(dash_app, DIRECTOR)
    save(director, "home month", "/", "?period=last_month")
    [view] = views_of(views_store, DIRECTOR)
    sales = logged_in_client(dash_app, SALES)
    # A forged id of someone else's view is "not found": not deleted, not made home.
    for button in ("views-delete", "views-set-home"):
        answer = manage(sales, button, view["id"])
        assert answer["views-feedback"]["color"] == "danger"
    assert views_of(views_store, DIRECTOR) == [view]
    assert client_listing(sales) == []
    # Pages the role may not open, unknown pages and non-dashboards cannot be saved.
    for path in ("/planning", "/admin", "/nowhere", "//evil.example", None):
        assert save(sales, "x", path, "")["color"] == "danger"
    assert save(director, "", "/", "")["color"] == "danger"  # a name is required
    # The owner replaces it by saving under the same name, then deletes it.
    assert save(director, "home month", "/", "?period=last_week")["color"] == "success"
    [replaced] = views_of(views_store, DIRECTOR)
    assert (replaced["id"], replaced["query"]) == (view["id"], "?period=last_week")
    answer = manage(director, "views-delete", view["id"])
    assert answer["views-feedback"]["color"] == "success" and views_of(views_store, DIRECTOR) == []


def client_listing(client) -> list:
    ids = page_controls(client, "/views")
    return ids["views-pick"]["options"]


@pytest.fixture
def french_idf(dash_app, app_store):
    from dashapp.auth import users

    if users.get_user_by_email(FRENCH_IDF) is None:
        users.add_user(FRENCH_IDF, "mot-de-passe-1", "director", "FR-IDF", language="fr")
    return logged_in_client(dash_app, FRENCH_IDF, "mot-de-passe-1")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_home_pdf_holds_the_users_figures_in_their_language(dash_app, app_store, french_idf):
    from pilotage.settings import get_settings

    if not __import__("pathlib").Path(get_settings().chromium).exists():
        pytest.skip(f"{get_settings().chromium} is missing: apt-get install -y chromium")
    cards = by_id(dash_post(french_idf, HOME_OUTPUT, [{"id": "home-period", "property": "value",
                                                       "value": "last_month"}]))
    values = {k.removeprefix("home-value-"): v["children"] for k, v in cards.items() if k.startswith("home-value-")}
    assert values
    response = dash_post(french_idf, "..home-pdf-download.data...home-pdf-feedback.children..."
                                     "home-pdf-feedback.is_open..",
                         [{"id": "home-pdf", "property": "n_clicks", "value": 1}],
                         [{"id": "home-period", "property": "value", "value": "last_month"}])
    assert response.status_code == 200
    download = response.get_json()["response"]["home-pdf-download"]["data"]
    content = base64.b64decode(download["content"])
    assert content.startswith(b"%PDF")
    assert download["filename"].startswith("vue-d-ensemble-last_month-") and download["filename"].endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout
    text = " ".join(text.decode().replace("\u202f", " ").replace("\u00a0", " ").split())
    for name, value in values.items():
        shown = " ".join(value.replace("\u202f", " ").replace("\u00a0", " ").split())
        assert shown in text, (name, shown)
    assert "Où en est-on" in text and "Île-de-France" in text  # French, and the user's scope
    [entry] = [json.loads(e["detail"]) for e in audit.recent(5, "export") if '"pdf"' in e["detail"]][:1]
    assert entry["page"] == "home" and entry["period"] == "last_month"

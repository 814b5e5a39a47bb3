"""Errors as a user sees them: a database outage or a failing query shows a clear, translated
message in the page (never a stack trace), and the app recovers by itself when the database
is back; an unexpected error in a Flask route shows the generic error page.

The outage is real: the store's file is moved away and a directory put in its place (SQLite
cannot open it), then the file comes back; the same app and session carry on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from dashapp import app as app_module
from dashapp.semantic import admin as admin_data
from pilotage.store.engine import get_engine

from .app_helpers import dash_post, logged_in_client, make_app_store, response_text
from .test_app_admin import RUNS_REFRESH

TRACE_MARKERS = ("Traceback", 'File "', "OperationalError", "sqlite3", "unable to open", "Error:")
DATA_EN = "The figures cannot be loaded right now (the database does not answer)."
DATA_FR = "Les chiffres ne peuvent pas être chargés pour l'instant (la base de données ne répond pas)."
RUNS = RUNS_REFRESH


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return make_app_store(tmp_path_factory.mktemp("errors"))


@pytest.fixture
def store(store_url, monkeypatch) -> str:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return store_url


def side_update(response) -> dict:
    """What the callback set outside its outputs (Dash's ``set_props``): here the global alert."""
    assert response.status_code == 200, response.text[:300]
    return response.json.get("sideUpdate", {}).get("global-error", {})


def assert_no_trace(text: str) -> None:
    for marker in TRACE_MARKERS:
        assert marker not in text, marker


@pytest.fixture
def outage(store):
    """``with outage():`` the store's file is gone (a directory stands in its place)."""
    from contextlib import contextmanager

    path = Path(store.split("///", 1)[1])

    @contextmanager
    def down():
        get_engine(store).dispose()  # as a server restart would: no connection survives
        moved = [(f, f.with_name(f.name + ".away")) for f in path.parent.glob(path.name + "*")]
        for source, target in moved:
            source.rename(target)
        path.mkdir()
        try:
            yield
        finally:
            path.rmdir()
            for source, target in moved:
                target.rename(source)

    return down


def test_database_outage_shows_a_message_then_recovers(dash_app, store, outage):
    client = logged_in_client(dash_app, "admin@pilotage.demo")
    assert "admin-runs-grid" in dash_post(client, *RUNS).json["response"]

    with outage():
        response = dash_post(client, *RUNS)
        alert = side_update(response)
        assert alert["is_open"] is True and alert["children"].startswith(DATA_EN)
        assert response.json["response"] == {}
        assert_no_trace(response_text(response))

        page = client.get("/")
        assert page.status_code == 503 and DATA_EN.split("(")[0] in page.text
        assert_no_trace(page.text)
        assert client.get("/healthz").status_code == 503
        assert client.get("/_dash-layout").status_code == 503

    # The database is back: the same session works again, no restart.
    again = dash_post(client, *RUNS)
    assert again.status_code == 200 and "sideUpdate" not in again.json
    assert isinstance(again.json["response"]["admin-runs-grid"]["rowData"], list)
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/").status_code == 200


def test_outage_message_is_in_the_browser_language(dash_app, store, outage):
    client = dash_app.server.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    from .app_helpers import csrf_from

    token = csrf_from(client.get("/login").text)
    assert client.post("/login", data={"email": "admin@pilotage.demo", "password": "pilotage-demo",
                                       "csrf_token": token}).status_code == 302
    fresh = dash_app.server.test_client()
    fresh.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    fresh_token = csrf_from(fresh.get("/login").text)
    with outage():
        assert side_update(dash_post(client, *RUNS))["children"].startswith(DATA_FR)
        # Logging in during the outage: the same message, no trace.
        login = fresh.post("/login", data={"email": "admin@pilotage.demo", "password": "pilotage-demo",
                                           "csrf_token": fresh_token})
        assert login.status_code == 503 and "la base de données ne répond pas" in login.text
        assert_no_trace(login.text)


def test_a_failing_query_in_a_callback_shows_a_message_and_no_trace(dash_app, store, monkeypatch):
    client = logged_in_client(dash_app, "admin@pilotage.demo")

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT secret_column FROM etl_run", {},
                               sqlite3.OperationalError("disk I/O error in /srv/secret/store.sqlite3"))

    monkeypatch.setattr(admin_data, "etl_runs", broken)
    response = dash_post(client, *RUNS)
    assert side_update(response)["children"].startswith(DATA_EN)
    text = response_text(response)
    assert_no_trace(text)
    assert "secret" not in text and "disk I/O" not in text

    def buggy(*_args, **_kwargs):
        raise ValueError("internal detail 4242")

    monkeypatch.setattr(admin_data, "etl_runs", buggy)
    response = dash_post(client, *RUNS)
    assert side_update(response)["children"] == ("Something went wrong while computing this view. "
                                                 "The data team has been notified.")
    assert "4242" not in response_text(response)
    assert_no_trace(response_text(response))

    monkeypatch.undo()
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store)
    get_settings.cache_clear()
    assert "admin-runs-grid" in dash_post(client, *RUNS).json["response"]


def test_an_error_in_a_flask_route_shows_the_generic_page(dash_app, store, monkeypatch):
    client = logged_in_client(dash_app, "admin@pilotage.demo")

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(app_module, "get_engine", broken)
    response = client.get("/healthz")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and 'id="error-page"' in response.text
    assert "secret-internal-detail" not in response.text
    assert_no_trace(response.text)

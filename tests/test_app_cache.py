"""The query cache: keyed by scope and data version (a new load is seen at once), shared
through Redis when ``REDIS_URL`` is set."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from flask_login import login_user

from dashapp.semantic import queries
from dashapp.semantic.filters import Filters
from etl.pipeline import load_file

from .helpers import write

HEADER = "lead_id,created_at,channel,region\n"
MARCH = Filters(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31), grain="month")


@pytest.fixture
def small_store(engine, monkeypatch):
    """An empty store of each kind, the app pointed at it, and two users of different scopes."""
    from dashapp.auth.users import add_user
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    with engine.begin() as conn:  # one regional sub-tree for the scope test
        conn.exec_driver_sql("INSERT INTO dim_region (code, name, level, parent_code) VALUES "
                             "('FR-IDF', 'Île-de-France', 'region', 'FR'), ('FR-ARA', 'Auvergne', 'region', 'FR')")
    return {
        "all": add_user("all@test.io", "password-1", "director", "all"),
        "idf": add_user("idf@test.io", "password-1", "director", "FR-IDF"),
    }


def _leads(engine, tmp_path, name, rows):
    load_file(write(tmp_path / name, HEADER + "".join(rows)), source="leads", engine=engine)


def test_a_new_load_is_seen_at_once_and_scopes_do_not_share(dash_app, engine, small_store, tmp_path):
    _leads(engine, tmp_path, "a.csv", ["A1,2024-03-04,organic,FR-IDF\n", "A2,2024-03-05,organic,FR-ARA\n"])
    with dash_app.server.test_request_context():
        login_user(small_store["all"])
        assert queries.measures(MARCH)["leads"] == 2
    with dash_app.server.test_request_context():
        login_user(small_store["idf"])
        assert queries.measures(MARCH)["leads"] == 1  # not the all-regions entry from the cache
    _leads(engine, tmp_path, "b.csv", ["B1,2024-03-06,organic,FR-IDF\n"])
    with dash_app.server.test_request_context():
        login_user(small_store["idf"])
        assert queries.measures(MARCH)["leads"] == 2  # the load bumped the data version


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    client.flushdb()
    yield url, client
    client.flushdb()


def test_redis_holds_the_entries_when_configured(engine, small_store, tmp_path, redis_url, monkeypatch):
    from dashapp.app import create_app
    from pilotage.settings import get_settings

    url, client = redis_url
    monkeypatch.setenv("REDIS_URL", url)
    get_settings.cache_clear()
    app = create_app()
    assert app.server.config["CACHE_TYPE"] == "RedisCache"
    _leads(engine, tmp_path, "a.csv", ["A1,2024-03-04,organic,FR-IDF\n"])
    with app.server.test_request_context():
        login_user(small_store["idf"])
        assert queries.measures(MARCH)["leads"] == 1
    keys = client.keys("pilotage:q:*")
    assert keys, "the query result was not stored in Redis"
    with app.server.test_request_context():  # a second worker would read the same entry
        login_user(small_store["idf"])
        assert queries.measures(MARCH)["leads"] == 1
    assert len(client.keys("pilotage:q:*")) == len(keys)


def test_a_rendered_view_is_built_once_per_scope_role_and_language(dash_app, app_store, monkeypatch):
    """The home page's cards are kept in the query cache: the same view for the same regions, role and
    language is not built again; another language, role or scope is built for itself, never served from
    someone else's entry."""
    from sqlalchemy import update

    from dashapp.semantic import overview
    from pilotage.store.engine import get_engine
    from pilotage.store.models import AppUser

    from .app_helpers import logged_in_client, switch_language
    from .test_app_home import post_home

    built = []
    real_view = overview.home_view
    monkeypatch.setattr(overview, "home_view", lambda period: built.append(period) or real_view(period))
    from dashapp.extensions import cache

    period = "quarter_to_date"
    with dash_app.server.app_context():
        cache.clear()  # other tests may have rendered this view already: the first call below must build
    director = logged_in_client(dash_app, "director@pilotage.demo")
    first = post_home(director, period).get_json()["response"]
    assert post_home(director, period).get_json()["response"] == first and len(built) == 1
    # Another director of the same regions shares the entry (no per-person key).
    assert post_home(logged_in_client(dash_app, "admin@pilotage.demo"), period).status_code == 200
    assert len(built) == 2  # the admin's role shows other KPIs: its own entry
    same_scope_and_role = logged_in_client(dash_app, "director@pilotage.demo")
    assert post_home(same_scope_and_role, period).get_json()["response"] == first and len(built) == 2

    switch_language(director, "fr")  # stored on the user: put back as it was (unset) for the other tests
    try:
        french = post_home(director, period).get_json()["response"]
    finally:
        with get_engine().begin() as conn:
            conn.execute(update(AppUser).where(AppUser.email == "director@pilotage.demo").values(language=None))
    assert len(built) == 3 and "Données jusqu'au" in french["home-period-info"]["children"]
    regional = post_home(logged_in_client(dash_app, "director.idf@pilotage.demo"), period).get_json()["response"]
    assert len(built) == 4 and regional["home-cards"] != first["home-cards"]

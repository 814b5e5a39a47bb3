"""Fixtures: a migrated store on SQLite and on PostgreSQL for every test that asks for one.

PostgreSQL is the real server on 127.0.0.1:5432 (``PILOTAGE_TEST_PG_URL`` to change it). Each
test run creates its own database and drops it at the end. Outside CI a missing server skips
those tests; in CI (``CI=true``) it is an error, because CI always has PostgreSQL.

The real exports: excerpts in ``tests/fixtures/exports`` (always there, see its README) and the
full files in :func:`pilotage.settings.shared_data_folder`, which a clone of the repository alone
does not have: tests on the full files are skipped then, in CI too, with the reason in the summary.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pilotage.settings import shared_data_folder
from pilotage.store.engine import get_engine
from pilotage.store.migrate import upgrade
from pilotage.store.models import Base
from pilotage.store.reference import seed_reference

from .helpers import Exports

SHARED_DATA = shared_data_folder()
EXCERPTS = Path(__file__).parent / "fixtures" / "exports"
PG_ADMIN_URL = os.environ.get("PILOTAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Never touch the developer's own store or key."""
    from pilotage.settings import get_settings

    monkeypatch.setenv("PILOTAGE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PILOTAGE_PSEUDONYM_KEY", "test-pseudonym-key")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@contextmanager
def _postgres_database(prefix: str):
    """A new PostgreSQL database for this run, dropped at the end; skipped when PostgreSQL is
    not reachable, except in CI where it must be."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    with _postgres_database("pilotage_test") as url:
        upgrade(get_engine(url))
        yield url


def _clean_postgres(url: str):
    engine = get_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        seed_reference(conn)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """A freshly migrated, empty store (reference rows only), on each backend."""
    if request.param == "sqlite":
        engine = get_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        yield _clean_postgres(request.getfixturevalue("postgres_url"))


@pytest.fixture
def shared_data() -> Path:
    """The folder of the full real exports; the test is skipped, saying why, when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"full real exports not found at {SHARED_DATA} (set PILOTAGE_SHARED_DATA to their folder); "
                    f"the excerpts in tests/fixtures/exports are tested instead")
    return SHARED_DATA


@pytest.fixture(params=["excerpt", "full"])
def exports(request) -> Exports:
    """The real exports: the excerpts kept in the repository (always), then the full files (skipped,
    saying why, when they are absent). Same layout: ``exports / "olist/..."``."""
    if request.param == "excerpt":
        return Exports(EXCERPTS, full=False)
    return Exports(request.getfixturevalue("shared_data"), full=True)


# --- the app: a small demo company in a store of each kind, and logged-in clients ----------

DEMO_LEADS = 30_000


def _fill_demo(url: str) -> str:
    from dashapp.demo_users import ensure_demo_users
    from etl.demo.load import load_demo

    engine = get_engine(url)
    upgrade(engine)
    load_demo(seed=7, leads=DEMO_LEADS, years=3, end=DEMO_END, engine=engine)
    os.environ["DATABASE_URL"] = url
    from pilotage.settings import get_settings

    get_settings.cache_clear()
    try:
        ensure_demo_users()
    finally:
        del os.environ["DATABASE_URL"]
        get_settings.cache_clear()
    return url


DEMO_END = __import__("datetime").date(2026, 10, 31)


@pytest.fixture(scope="session")
def demo_sqlite_url(tmp_path_factory) -> str:
    return _fill_demo(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}")


@pytest.fixture(scope="session")
def demo_postgres_url() -> str:
    with _postgres_database("pilotage_demo") as url:
        yield _fill_demo(url)


@pytest.fixture(scope="session")
def dash_app():
    from dashapp.app import create_app

    return create_app()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_url(request) -> str:
    """The demo store on each backend (for the tests that must hold on both)."""
    return request.getfixturevalue({"sqlite": "demo_sqlite_url", "postgresql": "demo_postgres_url"}[request.param])


@pytest.fixture
def app_store(demo_sqlite_url, monkeypatch) -> str:
    """Point the app at the SQLite demo store (override with ``demo_url`` for both backends)."""
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    get_settings.cache_clear()
    return demo_sqlite_url


@pytest.fixture
def app_store_both(demo_url, monkeypatch) -> str:
    """The app on the demo store of each backend."""
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", demo_url)
    get_settings.cache_clear()
    return demo_url


@pytest.fixture
def login(dash_app, app_store):
    """``login(email)`` -> a Flask test client logged in as that demo user, CSRF header set."""
    from .app_helpers import logged_in_client

    return lambda email, password="pilotage-demo": logged_in_client(dash_app, email, password)

"""Fixtures: a migrated store on SQLite and on PostgreSQL for every test that asks for one.

PostgreSQL is the real server on 127.0.0.1:5432 (``PILOTAGE_TEST_PG_URL`` to change it). Each
test run creates its own database and drops it at the end. Outside CI a missing server skips
those tests; in CI (``CI=true``) it is an error, because CI always has PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from etl.models import Base
from etl.reference import seed_reference
from etl.schema import upgrade
from etl.store import get_engine


def _find_shared_data() -> Path:
    """The real exports: ``PILOTAGE_SHARED_DATA``, else a ``shared/data`` folder beside the
    checkout or beside one of its parents (where a CI clone may sit deeper)."""
    if "PILOTAGE_SHARED_DATA" in os.environ:
        return Path(os.environ["PILOTAGE_SHARED_DATA"]).resolve()
    repo = Path(__file__).resolve().parents[1]
    for folder in repo.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return repo.parent / "shared" / "data"


SHARED_DATA = _find_shared_data()
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


@pytest.fixture(scope="session")
def postgres_url():
    name = f"pilotage_test_{uuid.uuid4().hex[:8]}"
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
    engine = get_engine(url)
    upgrade(engine)
    yield url
    engine.dispose()
    get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
    if not SHARED_DATA.exists():
        pytest.fail(f"the shared exports are expected at {SHARED_DATA} (set PILOTAGE_SHARED_DATA)")
    return SHARED_DATA

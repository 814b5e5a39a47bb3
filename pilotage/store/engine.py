"""The SQL store: one engine per database URL, SQLite tuned for a single-file embedded use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine, event, select

from pilotage.settings import get_settings


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the app read while a load writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


_IMMEDIATE = "pilotage_immediate"


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads then writes (check a row, then update it). On SQLite it takes the write
    lock when it begins: a deferred transaction that read before another connection committed cannot
    upgrade to a writer and fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), whatever
    the busy timeout. Elsewhere, a plain ``engine.begin()``."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured ``DATABASE_URL``), one per URL."""
    return _engine_for(url or get_settings().database_url)


get_engine.cache_clear = lambda: _engine_for.cache_clear()  # for tests that swap stores


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _tune_sqlite)
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins, so that a
        # load's BEGIN covers its DDL on temporary tables too.
        @event.listens_for(engine, "connect")
        def _no_implicit_tx(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def data_version(engine: Engine | None = None) -> str:
    """A value that changes whenever a load lands; caches put it in their keys.

    The last run's id *and* start time: ids alone repeat when a store is emptied and its
    sequences restarted, and a cache must not take the new data for the old."""
    from pilotage.store.models import EtlRun

    engine = engine or get_engine()
    with engine.connect() as conn:
        row = conn.execute(select(EtlRun.id, EtlRun.started_at).order_by(EtlRun.id.desc()).limit(1)).first()
    return f"{row[0]}@{row[1].isoformat()}" if row else "0"

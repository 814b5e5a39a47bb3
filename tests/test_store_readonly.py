"""``pilotage db grant-readonly ROLE``: on the real PostgreSQL, the role reads the marts and their
dimensions, and is refused everything else with "permission denied"."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError
from typer.testing import CliRunner

from pilotage.store.engine import get_engine
from pilotage.store.readonly import READABLE_DIMENSIONS, readable_tables

FORBIDDEN = ("app_user", "audit_log", "plan_scenario", "plan_scenario_cell", "fact_lead", "etl_reject",
             "dim_sales_rep", "forecast_run")


def _cli(args, url, monkeypatch, **env):
    from pilotage.cli import app
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return CliRunner().invoke(app, ["db", "grant-readonly", *args])


@pytest.fixture
def role(postgres_url):
    name = f"pilotage_ro_{uuid.uuid4().hex[:8]}"
    yield name
    with get_engine(postgres_url).begin() as conn:  # a role is cluster-wide: leave none behind
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first():
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))


def _reads(conn, table: str) -> bool:
    """True if SELECT works; False on permission denied (any other error fails the test)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    except ProgrammingError as error:
        savepoint.rollback()
        assert "permission denied" in str(error.orig), error
        return False
    savepoint.commit()
    return True


def _as_role(postgres_url, role):
    """The superuser takes the role's identity, as a NOLOGIN role is used (from a pooler or a view owner)."""
    conn = get_engine(postgres_url).connect()
    conn.execute(text(f'SET ROLE "{role}"'))
    return conn


@pytest.mark.postgres
def test_the_role_reads_the_marts_and_nothing_else(postgres_url, role, monkeypatch):
    result = _cli([role], postgres_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert f"role {role} (created, NOLOGIN)" in result.output
    with _as_role(postgres_url, role) as conn:
        assert all(_reads(conn, table) for table in readable_tables())
        assert {"mart_daily", "mart_monthly", "mart_cohort_monthly"} <= set(readable_tables())
        assert [table for table in FORBIDDEN if _reads(conn, table)] == []
        conn.rollback()


@pytest.mark.postgres
def test_running_again_is_idempotent_and_takes_back_what_was_added_by_hand(postgres_url, role, monkeypatch):
    assert _cli([role], postgres_url, monkeypatch).exit_code == 0
    with get_engine(postgres_url).begin() as conn:
        conn.execute(text(f'GRANT SELECT ON app_user, audit_log TO "{role}"'))
    again = _cli([role], postgres_url, monkeypatch)
    assert again.exit_code == 0, again.output
    assert f"role {role} (updated, NOLOGIN)" in again.output
    with _as_role(postgres_url, role) as conn:
        assert not _reads(conn, "app_user") and not _reads(conn, "audit_log")
        assert _reads(conn, "mart_monthly")
        conn.rollback()


@pytest.mark.postgres
def test_a_login_role_connects_itself_and_is_refused_the_users(postgres_url, role, monkeypatch):
    result = _cli([role, "--login"], postgres_url, monkeypatch, PILOTAGE_READONLY_PASSWORD="bi-tool-secret")
    assert result.exit_code == 0, result.output
    assert "can log in" in result.output
    # The test server trusts loopback, so the password is not checked here; the role's own connection is.
    own = create_engine(postgres_url.replace("postgres@", f"{role}:bi-tool-secret@", 1))
    try:
        with own.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
            assert _reads(conn, "mart_monthly") and _reads(conn, READABLE_DIMENSIONS[1])
            assert not _reads(conn, "app_user") and not _reads(conn, "plan_scenario")
    finally:
        own.dispose()


@pytest.mark.postgres
def test_refuses_a_superuser_and_an_odd_name(postgres_url, monkeypatch):
    superuser = _cli(["postgres"], postgres_url, monkeypatch)
    assert superuser.exit_code == 1 and "superuser" in superuser.output
    odd = _cli(['x"; DROP TABLE app_user; --'], postgres_url, monkeypatch)
    assert odd.exit_code == 1 and "not a plain role name" in odd.output


def test_refuses_sqlite_with_a_clear_message(tmp_path, monkeypatch):
    result = _cli(["bi_reader"], f"sqlite:///{tmp_path / 'store.sqlite3'}", monkeypatch)
    assert result.exit_code == 1
    assert "needs PostgreSQL" in result.output



def test_a_read_then_write_transaction_on_sqlite_is_not_refused_after_another_writer(tmp_path):
    """``writing`` takes SQLite's write lock when it begins: a deferred transaction that read before another
    connection committed fails at once ("database is locked"), whatever the busy timeout; with ``writing``
    the other writer waits its turn and no update is lost."""
    import threading

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from pilotage.store.engine import get_engine, writing

    engine = get_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))

    def add_ten():
        with engine.begin() as other:
            other.execute(text("UPDATE counter SET value = value + 10 WHERE id = 1"))

    def read_then_write(transaction):
        with transaction() as conn:
            value = conn.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one()
            other = threading.Thread(target=add_ten)
            other.start()
            other.join(timeout=0.5)  # a deferred reader does not hold the other writer back
            conn.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})
        other.join()

    with pytest.raises(OperationalError, match="locked"):
        read_then_write(engine.begin)
    read_then_write(lambda: writing(engine))
    with engine.connect() as conn:  # 10 (the first other writer) + 1 + 10: nothing lost
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 21
    engine.dispose()

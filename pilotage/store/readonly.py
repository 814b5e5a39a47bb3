"""A PostgreSQL role for another BI tool: it reads the marts and the dimensions they need, nothing else.

Users, the audit log, sessions, scenarios, leads (pseudonymised, still personal data), ETL rejects (raw
cell values) and sales reps' names stay out of its reach. The grant is an exact list: every run revokes
whatever the role held on the schema's tables first, so running it again after an upgrade that added a
mart (or after someone granted more by hand) leaves the role with this list and no more. No default
privileges are set: a table created later is not readable until ``pilotage db grant-readonly`` runs again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, inspect, text

from pilotage.store.models import Base

# Harmless reference rows the marts' codes point to. Not dim_sales_rep (people's names) nor dim_sales_team.
READABLE_DIMENSIONS = ("dim_calendar", "dim_region", "dim_channel", "dim_campaign", "dim_source")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ReadonlyRoleError(RuntimeError):
    """The role cannot be granted (SQLite store, bad name, a superuser...)."""


@dataclass(frozen=True)
class ReadonlyGrant:
    role: str
    created: bool
    login: bool
    tables: tuple[str, ...]


def readable_tables() -> tuple[str, ...]:
    """Every mart of the schema, and the dimensions listed above."""
    marts = sorted(name for name in Base.metadata.tables if name.startswith("mart_"))
    return (*marts, *READABLE_DIMENSIONS)


def grant_readonly(engine: Engine, role: str, password: str | None = None) -> ReadonlyGrant:
    """Create ``role`` if missing (``LOGIN`` with ``password``, else ``NOLOGIN``) and give it SELECT on
    :func:`readable_tables` only, in one transaction. Idempotent."""
    if engine.dialect.name != "postgresql":
        raise ReadonlyRoleError("a read-only role needs PostgreSQL: an SQLite store is one file, "
                                "give the other tool a copy of it instead")
    if not ROLE_NAME.match(role):
        raise ReadonlyRoleError(f"{role!r} is not a plain role name (lower-case letters, digits, _; 63 at most)")
    tables = readable_tables()
    with engine.begin() as conn:
        existing = conn.execute(text("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).one_or_none()
        if existing is not None and existing.rolsuper:
            raise ReadonlyRoleError(f"{role} is a superuser: it reads everything whatever is granted")
        if role == conn.execute(text("SELECT current_user")).scalar():
            raise ReadonlyRoleError(f"{role} is the role this command connects as (the store's owner)")
        missing = sorted(set(tables) - set(inspect(conn).get_table_names()))
        if missing:
            raise ReadonlyRoleError(f"the store has no {', '.join(missing)}: run `pilotage db upgrade` first")
        dbapi = conn.connection.driver_connection
        from psycopg import sql  # the password is a literal in DDL: psycopg quotes it, no bind parameter exists

        options = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("NOLOGIN")
        verb = "CREATE" if existing is None else "ALTER"
        if existing is None or password:
            conn.exec_driver_sql(sql.SQL(verb + " ROLE {} WITH NOSUPERUSER NOCREATEDB NOCREATEROLE {}").format(
                sql.Identifier(role), options).as_string(dbapi))
        quoted = sql.Identifier(role).as_string(dbapi)
        database = sql.Identifier(conn.execute(text("SELECT current_database()")).scalar()).as_string(dbapi)
        schema = sql.Identifier(conn.execute(text("SELECT current_schema()")).scalar()).as_string(dbapi)
        conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}")
        conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}")
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {quoted}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
        names = ", ".join(f"{schema}.{sql.Identifier(t).as_string(dbapi)}" for t in tables)
        conn.exec_driver_sql(f"GRANT SELECT ON {names} TO {quoted}")
        login = conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    return ReadonlyGrant(role=role, created=existing is None, login=bool(login), tables=tables)

"""Small helpers shared by the tests: write files, and snapshot what the store holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pilotage.store.models import Base

LOG_TABLES = {"etl_run", "etl_reject"}


@dataclass(frozen=True)
class Exports:
    """A folder of real exports: the excerpts kept in the repository, or the full files (``full``)."""

    folder: Path
    full: bool

    def __truediv__(self, relative: str) -> Path:
        path = self.folder / relative
        if not path.is_file():
            pytest.skip(f"{path} not found: this test needs that file")
        return path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def data_snapshot(engine) -> dict[str, int]:
    """Row counts of every data table (the run log excepted: failures are logged there)."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables if table.name not in LOG_TABLES
        }


def scalar(engine, statement):
    with engine.connect() as conn:
        return conn.execute(statement).scalar_one()


def rows(engine, statement):
    with engine.connect() as conn:
        return conn.execute(statement).all()


def migration_round_trip(engine, revision: str, tables: tuple[str, ...]) -> tuple[set[str], list]:
    """Downgrade to ``revision`` then upgrade again: the tables left after the downgrade, and the
    differences between the re-created ``tables`` and what the models describe (empty when they match)."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from pilotage.store.migrate import alembic_config, upgrade

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    left = set(inspect(engine).get_table_names())
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    return left, [d for d in diff if any(t in repr(d) for t in tables)]

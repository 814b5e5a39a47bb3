"""Migrating the store: ``pilotage db upgrade`` runs Alembic to head, then seeds reference rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from pilotage.store.engine import get_engine
from pilotage.store.reference import seed_reference

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Revisions that recreate marts: a store upgraded across one gets its marts rebuilt from the facts.
MART_REBUILDS = ("0002",)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(
    engine: Engine | None = None,
    revision: str = "head",
    rebuild_marts: Callable[[Connection], None] | None = None,
) -> None:
    """Migrate to ``revision`` and seed the reference rows, in one transaction.

    ``rebuild_marts`` is the ETL's mart builder: the store does not know how marts are
    computed, so the caller passes it for upgrades across a revision that recreates them."""
    engine = engine or get_engine()
    config = alembic_config(engine)
    from alembic.runtime.migration import MigrationContext

    with engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        seed_reference(connection)
        after = MigrationContext.configure(connection).get_current_revision()
        crossed = before is not None and any(before < rev <= (after or "") for rev in MART_REBUILDS)
        if crossed and rebuild_marts is not None:
            rebuild_marts(connection)


def current_revision(engine: Engine | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = engine or get_engine()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

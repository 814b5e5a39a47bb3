"""The collaboration tables on SQLite and PostgreSQL: the migration builds what the models describe and drops it
again, a share names a user or a role (never both, never neither), shares and views go with their scenario or
user, an annotation's dates are in order and it outlives its author."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from pilotage.store.models import Annotation, AppUser, PlanScenarioShare, SavedView
from pilotage.store.models.planning import PlanScenario

TABLES = ("plan_scenario_share", "saved_view", "annotation")
NOW = dt.datetime(2026, 12, 7, 9, 0)


def test_migration_creates_and_drops_the_collaboration_tables(engine):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pilotage.store.migrate import alembic_config, upgrade
    from pilotage.store.models import Base

    def tables() -> set[str]:
        return set(inspect(engine).get_table_names())

    assert set(TABLES) <= tables()
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0012")
    assert not set(TABLES) & tables() and "plan_scenario" in tables()
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in TABLES)] == []


def _user(conn, email: str) -> int:
    return conn.execute(insert(AppUser).values(email=email, password_hash="x", role="planner", scope="*",
                                               created_at=NOW).returning(AppUser.id)).scalar_one()


def test_a_share_names_a_user_or_a_role_and_goes_with_its_scenario(engine):
    with engine.begin() as conn:
        owner, reader = _user(conn, "owner@x.test"), _user(conn, "reader@x.test")
        scenario = conn.execute(insert(PlanScenario).values(owner_id=owner, name="s", scope_code="national",
                                                            created_at=NOW, updated_at=NOW)
                                .returning(PlanScenario.id)).scalar_one()
        conn.execute(insert(PlanScenarioShare), [
            {"scenario_id": scenario, "user_id": reader, "role": None, "created_at": NOW},
            {"scenario_id": scenario, "user_id": None, "role": "director", "created_at": NOW}])
    for user_id, role in ((None, None), (reader, "director")):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(PlanScenarioShare).values(scenario_id=scenario, user_id=user_id, role=role,
                                                          created_at=NOW))
    with engine.begin() as conn:  # the reader leaves: their share goes, the role's stays
        conn.execute(delete(AppUser).where(AppUser.id == reader))
        assert conn.execute(select(PlanScenarioShare.role).where(PlanScenarioShare.scenario_id == scenario)
                            ).scalars().all() == ["director"]
        conn.execute(delete(PlanScenario).where(PlanScenario.id == scenario))
        assert conn.execute(select(PlanScenarioShare.id)).all() == []


def test_views_go_with_their_user_and_annotations_outlive_their_author(engine):
    with engine.begin() as conn:
        user = _user(conn, "someone@x.test")
        conn.execute(insert(SavedView).values(owner_id=user, name="Monday", path="/explore", query="?period=last_week",
                                              is_home=True, created_at=NOW, updated_at=NOW))
        conn.execute(insert(Annotation).values(author_id=user, label="TV", start_date=dt.date(2026, 6, 1),
                                               end_date=dt.date(2026, 6, 21), regions="*", created_at=NOW,
                                               updated_at=NOW))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(SavedView).values(owner_id=user, name="Monday", path="/", query="", is_home=False,
                                              created_at=NOW, updated_at=NOW))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Annotation).values(author_id=user, label="backwards", start_date=dt.date(2026, 6, 2),
                                               end_date=dt.date(2026, 6, 1), regions="*", created_at=NOW,
                                               updated_at=NOW))
    with engine.begin() as conn:
        conn.execute(delete(AppUser).where(AppUser.id == user))
        assert conn.execute(select(SavedView.id)).all() == []
        assert conn.execute(select(Annotation.label, Annotation.author_id)).all() == [("TV", None)]

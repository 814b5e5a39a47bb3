"""Media-plan scenarios that planners save in the app.

Written by the app only (``dashapp``, through its semantic layer); ``forecasting`` and ``etl``
never write them. The ETL owns the schema so that one Alembic history describes the store.

- ``plan_scenario``: a named spend plan of one user for one scope (``national`` or a top region
  code), with the media run it was made on (``run_id``: kept as NULL if that run is deleted, the
  cells stay meaningful). A user's names are unique per scope.
- ``plan_scenario_cell``: the planned spend (EUR, never negative) per month and channel.
  Deleting a scenario deletes its cells; deleting a user deletes their scenarios.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

NATIONAL_SCOPE = "national"


class PlanScenario(Base):
    __tablename__ = "plan_scenario"
    __table_args__ = (UniqueConstraint("owner_id", "scope_code", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    scope_code: Mapped[str] = mapped_column(String(32))  # "national" or a top region code
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_run.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PlanScenarioCell(Base):
    __tablename__ = "plan_scenario_cell"
    __table_args__ = (CheckConstraint("spend >= 0", name="spend_not_negative"),)

    scenario_id: Mapped[int] = mapped_column(ForeignKey("plan_scenario.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    spend: Mapped[float] = mapped_column(Double)

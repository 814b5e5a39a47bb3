"""What users create to work together in the app: scenario shares, saved dashboard views and annotations.

Written by the app only (``dashapp``, through its semantic layer). The ETL owns the schema so that one
Alembic history describes the store.

- ``plan_scenario_share``: a saved scenario (``plan_scenario``) made readable by one named user
  (``user_id``) or by every user of a role (``role``): exactly one of the two. Deleting the scenario or
  the user deletes the share; whoever receives it only reads it.
- ``saved_view``: a dashboard view a user named ("my Monday view"): the page's path and its query
  (filters and period preset, the page's URL form). At most one per user is their home (``is_home``),
  where they land after login and on ``/``. Names are unique per user.
- ``annotation``: an event marked on a date range (a TV flight, a campaign launch, a price change) for a
  set of regions (``regions``: comma-separated codes, each with its sub-regions, or ``*`` for the whole
  country) and optionally one channel; drawn on the time series of those regions. The author may edit or
  delete it (an admin any); a deleted author leaves it with no author.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PlanScenarioShare(Base):
    __tablename__ = "plan_scenario_share"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (role IS NULL)", name="user_or_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("plan_scenario.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SavedView(Base):
    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(Text, default="")  # "?period=last_week&region=FR-IDF" or ""
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Annotation(Base):
    __tablename__ = "annotation"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    regions: Mapped[str] = mapped_column(Text)  # "*" or "FR-IDF,FR-ARA"
    channel_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

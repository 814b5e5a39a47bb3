"""Dimensions: the calendar, regions, channels, campaigns, traffic sources and sales reps.

Dimensions are keyed by a short, stable code (``paid_search``, ``FR-IDF``) rather than a
surrogate integer: exports carry codes, facts stay readable, and bulk loads need no lookup.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

REGION_LEVELS = ("country", "region", "area")
CAMPAIGN_COVERAGES = ("national", "local")
CHANNEL_DIRECTIONS = ("inbound", "outbound")


class Calendar(Base):
    """One row per day; weeks are ISO weeks starting on Monday."""

    __tablename__ = "dim_calendar"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    iso_year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[int] = mapped_column(Integer)
    iso_weekday: Mapped[int] = mapped_column(Integer)
    week_start: Mapped[dt.date] = mapped_column(Date, index=True)
    month_start: Mapped[dt.date] = mapped_column(Date, index=True)
    quarter_start: Mapped[dt.date] = mapped_column(Date, index=True)
    is_working_day: Mapped[bool] = mapped_column(Boolean)


class Region(Base):
    """A node of the geography: country > region > area. Scopes are sets of these codes."""

    __tablename__ = "dim_region"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("dim_region.code"), index=True)


class Channel(Base):
    __tablename__ = "dim_channel"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    channel_group: Mapped[str] = mapped_column(String(32))
    is_paid: Mapped[bool] = mapped_column(Boolean)
    direction: Mapped[str] = mapped_column(String(16))


class Campaign(Base):
    __tablename__ = "dim_campaign"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel_code: Mapped[str] = mapped_column(ForeignKey("dim_channel.code"), index=True)
    coverage: Mapped[str] = mapped_column(String(16), default="national")


class Source(Base):
    """A web traffic source ("google / cpc"), attributed to a channel."""

    __tablename__ = "dim_source"

    code: Mapped[str] = mapped_column(String(120), primary_key=True)
    channel_code: Mapped[str] = mapped_column(ForeignKey("dim_channel.code"), index=True)


class SalesTeam(Base):
    __tablename__ = "dim_sales_team"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class SalesRep(Base):
    __tablename__ = "dim_sales_rep"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    team_code: Mapped[str | None] = mapped_column(ForeignKey("dim_sales_team.code"), index=True)

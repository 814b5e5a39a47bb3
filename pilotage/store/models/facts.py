"""Facts at the finest grain the sources give.

Every fact row carries ``source_system`` (the connector that wrote it) so that a corrected
file replaces only what its own source covers. Empty campaign / ad codes are stored as ``''``
(not NULL) because they are part of natural keys.
Amounts are euros, rounded to the cent at load.

Facts name their dimensions by code without database foreign keys: the loader checks every
code before writing (a row with an unknown region is rejected with its reason), and
row-by-row foreign-key triggers would cost more than the whole bulk load.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

LEAD_STAGES = ("created", "mql", "sql", "opportunity", "won", "lost")

# A keyed hash in hexadecimal: its byte order is its natural order, and PostgreSQL compares bytes
# several times faster than by the database's locale (the primary key of a million leads is built
# in half the time, after a first load's COPY). SQLite compares bytes already.
HASHED_KEY = String(64).with_variant(String(64, collation="C"), "postgresql")


class AdPerformance(Base):
    """Ad-platform delivery per day x campaign x region (x ad, when the platform gives it)."""

    __tablename__ = "fact_ad_performance"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    campaign_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    ad_code: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    channel_code: Mapped[str] = mapped_column(String(32))
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    spend: Mapped[float] = mapped_column(Double, default=0.0)
    platform_conversions: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_fact_ad_performance_date", "date"),)


class WebAnalytics(Base):
    """Web analytics per day x source/medium x region."""

    __tablename__ = "fact_web_analytics"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    source_code: Mapped[str] = mapped_column(String(120), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    users: Mapped[int] = mapped_column(Integer, default=0)
    engaged_sessions: Mapped[int] = mapped_column(Integer, default=0)
    conversions: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_fact_web_analytics_date", "date"),)


class Lead(Base):
    """One row per lead. ``lead_key`` is a keyed hash: no e-mail or phone is ever stored."""

    __tablename__ = "fact_lead"

    lead_key: Mapped[str] = mapped_column(HASHED_KEY, primary_key=True)
    source_system: Mapped[str] = mapped_column(String(32))
    channel_code: Mapped[str] = mapped_column(String(32))
    campaign_code: Mapped[str] = mapped_column(String(64), default="")
    source_code: Mapped[str] = mapped_column(String(120), default="")
    region_code: Mapped[str] = mapped_column(String(32))
    rep_code: Mapped[str | None] = mapped_column(String(64))
    sdr_code: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    mql_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sql_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opportunity_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    won_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lost_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    is_qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    qualified_type: Mapped[str | None] = mapped_column(String(32))
    deal_value: Mapped[float | None] = mapped_column(Double)
    monthly_amount: Mapped[float | None] = mapped_column(Double)


class Subscription(Base):
    """A customer's subscription state for one month (MRR, and whether it churned then)."""

    __tablename__ = "fact_subscription"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_key: Mapped[str] = mapped_column(HASHED_KEY, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32))
    channel_code: Mapped[str] = mapped_column(String(32))
    mrr: Mapped[float] = mapped_column(Double, default=0.0)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    is_churned: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_fact_subscription_month", "month"),)


class MediaPlan(Base):
    """Planned spend per month x channel x region x national/local."""

    __tablename__ = "fact_media_plan"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    coverage: Mapped[str] = mapped_column(String(16), primary_key=True)
    planned_spend: Mapped[float] = mapped_column(Double)


class Target(Base):
    """A target for one KPI over one period and scope (``region_code`` 'all' = everywhere)."""

    __tablename__ = "fact_target"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    value: Mapped[float] = mapped_column(Double)


class Cost(Base):
    """Non-media acquisition costs per month x category (salaries, tools, agencies)."""

    __tablename__ = "fact_cost"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True, default="all")
    amount: Mapped[float] = mapped_column(Double)


class ExternalSeries(Base):
    """Daily open-data series (e.g. the Covid stringency index), by geography code."""

    __tablename__ = "fact_external_series"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    geo: Mapped[str] = mapped_column(String(32), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Double)


class MediaExperiment(Base):
    """A lift test (e.g. a geo holdout): the incremental leads a channel brought in some regions over a
    period, with the test's interval. The media models take it as a prior on their own lift."""

    __tablename__ = "media_experiment"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    regions: Mapped[str] = mapped_column(String(400), primary_key=True)  # "*" or "FR-IDF;FR-ARA", sorted
    start_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    end_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    incremental_leads: Mapped[float] = mapped_column(Double)
    lo: Mapped[float] = mapped_column(Double)
    hi: Mapped[float] = mapped_column(Double)
    spend: Mapped[float | None] = mapped_column(Double, nullable=True)
    notes: Mapped[str] = mapped_column(String(400), default="")

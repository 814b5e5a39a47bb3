"""Marts: the pre-aggregated tables that the app and the forecaster read.

``mart_daily`` / ``mart_monthly`` follow the *activity* convention: each funnel count sits
on the date its stage was reached (a lead won in March counts as won in March whatever
month it was created). ``mart_cohort_monthly`` follows the *cohort* convention: counts
sit on the lead's creation month. Both are rebuilt for the dates a load touched.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# Measures shared by the daily and monthly activity marts, in column order.
ACTIVITY_MEASURES = (
    "impressions", "clicks", "spend", "platform_conversions",
    "sessions", "engaged_sessions", "web_conversions",
    "leads", "qualified_leads", "mqls", "sqls", "opportunities", "won", "lost",
    "won_value", "new_mrr",
    # The open pipeline as movements: GPMRR at a month's end is the running sum of what
    # opened minus what closed (won or lost) up to that month.
    "pipeline_opened", "pipeline_opened_mrr", "pipeline_closed", "pipeline_closed_mrr",
)
FLOAT_MEASURES = frozenset({"spend", "won_value", "new_mrr", "pipeline_opened_mrr", "pipeline_closed_mrr"})
COHORT_MEASURES = (
    "leads", "qualified_leads", "mqls", "sqls", "opportunities", "won", "lost",
    "won_value", "new_mrr", "days_to_won",
)
# pipeline_closed: opportunities closed (won or lost) in the month, the win rate's denominator.
REP_MEASURES = ("leads", "opportunities", "won", "lost", "pipeline_closed", "won_value")


def _measure_columns(names):
    return {
        name: mapped_column(Double if name in FLOAT_MEASURES or name == "days_to_won" else Integer,
                            default=0, nullable=False)
        for name in names
    }


class _ActivityMart:
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_code: Mapped[str] = mapped_column(String(120), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)


class MartDaily(_ActivityMart, Base):
    __tablename__ = "mart_daily"
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    locals().update(_measure_columns(ACTIVITY_MEASURES))


class MartMonthly(_ActivityMart, Base):
    __tablename__ = "mart_monthly"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    locals().update(_measure_columns(ACTIVITY_MEASURES))


class MartCohortMonthly(_ActivityMart, Base):
    __tablename__ = "mart_cohort_monthly"
    cohort_month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    locals().update(_measure_columns(COHORT_MEASURES))


class MartRepMonthly(Base):
    """Per sales rep and month, activity convention: the sales leaderboard reads it."""

    __tablename__ = "mart_rep_monthly"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rep_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    locals().update(_measure_columns(REP_MEASURES))


class MartSubscriptionMonthly(Base):
    __tablename__ = "mart_subscription_monthly"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    mrr: Mapped[float] = mapped_column(Double, default=0.0)
    new_customers: Mapped[int] = mapped_column(Integer, default=0)
    new_mrr: Mapped[float] = mapped_column(Double, default=0.0)
    churned_customers: Mapped[int] = mapped_column(Integer, default=0)
    churned_mrr: Mapped[float] = mapped_column(Double, default=0.0)

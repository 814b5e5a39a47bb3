"""The sources the store is fed by, and how fresh each must be: the one place cadences are declared.

A *feed* is a fact table as one source system fills it (``fact_lead`` from ``olist``, from the demo...).
Its freshness is the last date its rows cover, compared with the day it is read: a feed is late when that
date is more than ``cadence_days`` old (for monthly facts, counted from the end of the last month covered).
The ETL records on each run the feeds it wrote (``etl_run.feeds``), so the last load of each feed is known;
the data-health page (``dashapp/semantic/health.py``) and any alert read the cadences from here, the ETL and
the app both depending on the store, never on each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import AdPerformance, Cost, ExternalSeries, Lead, MediaPlan, Subscription, WebAnalytics


@dataclass(frozen=True)
class Feed:
    table: str  # the fact table
    date_column: str  # the date its rows cover
    grain: str  # "day" or "month"
    cadence_days: int  # how old the last date covered may be before the feed is late
    region_column: str | None = "region_code"  # None: the feed is not regional (scoped users never see it)


FEEDS: tuple[Feed, ...] = (
    # Daily exports (CRM, ad platforms, web analytics): yesterday's rows are expected today; one day of slack.
    Feed(Lead.__tablename__, "created_at", "day", 2),
    Feed(AdPerformance.__tablename__, "date", "day", 2),
    Feed(WebAnalytics.__tablename__, "date", "day", 2),
    # Monthly exports: last month is expected within the first ten days of this one.
    Feed(Subscription.__tablename__, "month", "month", 10),
    Feed(Cost.__tablename__, "month", "month", 40, region_column=None),
    # The media plan looks ahead: it must cover the current month (its end may not be in the past).
    Feed(MediaPlan.__tablename__, "month", "month", 0),
    # Open data is published weekly at best.
    Feed(ExternalSeries.__tablename__, "date", "day", 14, region_column=None),
)
BY_TABLE = {feed.table: feed for feed in FEEDS}


def feed_label(table: str, source_system: str) -> str:
    """How a run records a feed it wrote (``etl_run.feeds`` holds them comma-separated)."""
    return f"{table}:{source_system}"

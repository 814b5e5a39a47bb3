"""Data-quality findings: values a load kept but that look wrong against their own history.

A finding never blocks a row (the row is loaded, the marts include it); it tells the data
team where to look: file, line, column, the value, and the range its series made expected.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Double, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

FINDING_SEVERITIES = ("warning", "critical")


class DataQualityFinding(Base):
    __tablename__ = "data_quality_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("etl_run.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    line: Mapped[int] = mapped_column(Integer)  # 0 for rows that come from no file line (the demo)
    table_name: Mapped[str] = mapped_column(String(64))
    column: Mapped[str] = mapped_column(String(120))
    # The series the value was compared with, e.g. "campaign_code=search-brand, region_code=FR";
    # region and channel apart so that the dashboards can apply a user's scope.
    series_key: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(String(32))
    channel_code: Mapped[str | None] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Double)
    typical: Mapped[float] = mapped_column(Double)  # the series' median around that date
    expected_low: Mapped[float] = mapped_column(Double)
    expected_high: Mapped[float] = mapped_column(Double)
    rule: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

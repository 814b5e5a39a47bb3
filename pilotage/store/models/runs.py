"""The ETL run log and the rows a run rejected, with why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Double, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

RUN_STATUSES = ("loaded", "refused", "failed")


class EtlRun(Base):
    __tablename__ = "etl_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_type: Mapped[str] = mapped_column(String(500))  # a mapping load: "leads (mapping <file name>)"
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_s: Mapped[float] = mapped_column(Double, default=0.0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_deleted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    run_by: Mapped[str | None] = mapped_column(String(120))
    # The feeds the run wrote, "table:source_system" comma-separated (pilotage/store/feeds.py): the last load
    # of each source; None for runs that wrote no fact (rebuilds, privacy operations) or predate the column.
    feeds: Mapped[str | None] = mapped_column(Text)


class EtlReject(Base):
    """A quarantined input row: where it was, what was wrong, and the row as read."""

    __tablename__ = "etl_reject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("etl_run.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    line: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(120))
    value: Mapped[str | None] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)  # in English, as the command line prints it
    raw: Mapped[str | None] = mapped_column(Text)
    # The same reason as a code and its parameters (JSON), which the app translates (``reject.*`` keys of
    # its catalogue); None for rows rejected before codes were kept (the app then shows ``expected``).
    code: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[str | None] = mapped_column(Text)

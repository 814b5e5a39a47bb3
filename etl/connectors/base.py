"""What a connector is, and the table loads that every connector shares.

A connector recognises a file by its columns, checks its structure, and turns its rows
into canonical fact rows (with rejects for the rows it cannot use). How those rows are
loaded, with which keys and which mart dates, is decided once here, per fact table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from etl.errors import FileRefused
from etl.loading import TableLoad
from etl.validation import Field, apply_aliases, missing_columns, validate
from pilotage.input import RawTable
from pilotage.input.columns import Conventions
from pilotage.store.models import (
    AdPerformance,
    Campaign,
    Channel,
    Cost,
    ExternalSeries,
    Lead,
    MediaExperiment,
    MediaPlan,
    Region,
    SalesRep,
    Source,
    Subscription,
    Target,
    WebAnalytics,
)
from pilotage.store.reference import UNASSIGNED_REGION, UNKNOWN_TEAM


@dataclass
class LoadOptions:
    region: str = UNASSIGNED_REGION  # for files without a region column
    country: str = "FRA"  # for wide open-data files, the row to keep
    source_system: str | None = None  # override the connector's own name
    # How the file writes dates and numbers when its values cannot tell (--date-order, --decimal, mapping)
    conventions: Conventions = field(default_factory=Conventions)


@dataclass
class Batch:
    """Everything one file brings: table loads in order, rejects, and rows left aside."""

    loads: list[TableLoad]
    rows_read: int
    rejects: list[dict] = field(default_factory=list)
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


class Connector:
    """A source format. Subclasses set the class attributes and implement ``prepare``."""

    name: str = ""
    description: str = ""
    order: int = 50  # files are loaded by ascending order (leads before the deals that complete them)
    signature: frozenset[str] = frozenset()  # columns that identify this format
    fields: list[Field] = []

    def detect(self, columns: list[str]) -> bool:
        lowered = {c.strip().lower() for c in columns}
        return bool(self.signature) and {s.lower() for s in self.signature} <= lowered

    def check_structure(self, raw: RawTable, fields: list[Field] | None = None) -> pd.DataFrame:
        """Refuse the whole file if a required column is missing."""
        fields = self.fields if fields is None else fields
        frame = apply_aliases(raw.frame, fields)
        missing = missing_columns(list(frame.columns), fields)
        if missing:
            raise FileRefused(
                raw.file_name,
                f"required column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"missing for format {self.name!r}; the header has: {', '.join(raw.columns)}",
            )
        return frame

    def validate(self, raw: RawTable, options: LoadOptions | None = None, fields: list[Field] | None = None):
        frame = self.check_structure(raw, fields)
        conventions = options.conventions if options else Conventions()
        return validate(frame, self.fields if fields is None else fields, raw.column_ref, conventions, raw.file_name)

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        raise NotImplementedError


# --- one place per fact table: its key, coverage, references and mart dates -------------

def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].dropna().astype(str)


def campaigns_load(frame: pd.DataFrame) -> TableLoad:
    """Campaigns first seen in a file are created (insert-if-missing)."""
    rows = frame[["campaign_code", "channel_code"]].copy()
    if "campaign_name" in frame.columns:
        rows["name"] = frame["campaign_name"].where(frame["campaign_name"].astype(str) != "", rows["campaign_code"])
    else:
        rows["name"] = rows["campaign_code"]
    rows["coverage"] = frame["coverage"] if "coverage" in frame.columns else "national"
    rows = rows[rows["campaign_code"].astype(str) != ""].drop_duplicates("campaign_code")
    return TableLoad(Campaign.__table__, rows.rename(columns={"campaign_code": "code"}).reset_index(drop=True),
                     key=("code",), update=False, references={"channel_code": Channel.__table__})


def reps_load(codes: pd.Series, team: str = UNKNOWN_TEAM) -> TableLoad:
    codes = codes[codes.astype(str) != ""].drop_duplicates()
    frame = pd.DataFrame({"code": codes.values, "name": codes.values, "team_code": team})
    return TableLoad(SalesRep.__table__, frame, key=("code",), update=False)


def sources_load(frame: pd.DataFrame) -> TableLoad:
    rows = frame[["source_code", "channel_code"]].drop_duplicates("source_code")
    return TableLoad(Source.__table__, rows.rename(columns={"source_code": "code"}).reset_index(drop=True),
                     key=("code",), update=False, references={"channel_code": Channel.__table__})


def regions_load(rows: list[dict]) -> TableLoad:
    return TableLoad(Region.__table__, pd.DataFrame(rows), key=("code",), update=False)


def ad_performance_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(
        AdPerformance.__table__, frame, key=("source_system", "date", "campaign_code", "region_code", "ad_code"),
        # Two platforms can share a source system name; a file covers its own channels' days.
        replace_scope=("source_system", "date", "channel_code"), date_columns=("date",),
        references={"region_code": Region.__table__, "channel_code": Channel.__table__},
    )


def web_analytics_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(
        WebAnalytics.__table__, frame, key=("source_system", "date", "source_code", "region_code"),
        replace_scope=("source_system", "date"), date_columns=("date",),
        references={"region_code": Region.__table__},
    )


LEAD_DATE_COLUMNS = ("created_at", "mql_at", "sql_at", "opportunity_at", "won_at", "lost_at")


def leads_load(frame: pd.DataFrame, must_exist: str | None = None, must_exist_code: str | None = None,
               unique_key: bool = False) -> TableLoad:
    references = {"region_code": Region.__table__, "channel_code": Channel.__table__}
    return TableLoad(
        Lead.__table__, frame, key=("lead_key",), must_exist=must_exist, must_exist_code=must_exist_code,
        date_columns=LEAD_DATE_COLUMNS, unique_key=unique_key,
        references={k: v for k, v in references.items() if k in frame.columns},
    )


def subscriptions_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(
        Subscription.__table__, frame, key=("source_system", "customer_key", "month"),
        replace_scope=("source_system", "month"), date_columns=("month",),
        references={"region_code": Region.__table__, "channel_code": Channel.__table__},
    )


def media_plan_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(
        MediaPlan.__table__, frame, key=("source_system", "month", "channel_code", "region_code", "coverage"),
        replace_scope=("source_system", "month"),
        references={"region_code": Region.__table__, "channel_code": Channel.__table__},
    )


def targets_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(
        Target.__table__, frame,
        key=("source_system", "period_start", "grain", "kpi", "region_code", "channel_code"),
        replace_scope=("source_system", "period_start", "grain"),
    )


def costs_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(Cost.__table__, frame, key=("source_system", "month", "category", "region_code"),
                     replace_scope=("source_system", "month"))


def external_series_load(frame: pd.DataFrame) -> TableLoad:
    return TableLoad(ExternalSeries.__table__, frame, key=("source_system", "series", "geo", "date"),
                     replace_scope=("source_system", "series", "geo"))


def experiments_load(frame: pd.DataFrame) -> TableLoad:
    """Lift tests: a file replaces its source's experiments (a corrected file drops what it no longer has)."""
    return TableLoad(MediaExperiment.__table__, frame,
                     key=("source_system", "channel_code", "regions", "start_date", "end_date"),
                     replace_scope=("source_system",), references={"channel_code": Channel.__table__},
                     code_lists={"regions": Region.__table__})

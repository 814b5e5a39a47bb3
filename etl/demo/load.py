"""``pilotage demo``: generate the demo company and load it like any export.

Each fact table goes through :func:`etl.pipeline.apply_batch` with the table loads every
connector uses, so the demo takes the same bulk path, refreshes the marts the same way and
leaves the same run log as a file would; loading it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from etl.connectors.base import (
    Batch,
    ad_performance_load,
    costs_load,
    external_series_load,
    leads_load,
    media_plan_load,
    subscriptions_load,
    targets_load,
    web_analytics_load,
)
from etl.loading import TableLoad, upsert
from etl.pipeline import RunReport, apply_batch
from pilotage.store.engine import get_engine
from pilotage.store.models import Campaign, Region, SalesRep, SalesTeam, Source

from .generate import SOURCE_SYSTEM, DemoCompany, generate

# Fact tables in load order, each with the table load its connectors use.
FACT_LOADS: tuple[tuple[str, Callable[[pd.DataFrame], TableLoad]], ...] = (
    ("ad_performance", ad_performance_load),
    ("web_analytics", web_analytics_load),
    ("leads", leads_load),
    ("subscriptions", subscriptions_load),
    ("media_plan", media_plan_load),
    ("targets", targets_load),
    ("costs", costs_load),
    ("external_series", external_series_load),
)


def dimension_loads(company: DemoCompany) -> list[TableLoad]:
    """Insert-if-missing loads of the demo's dimensions, parents first (teams before reps)."""
    tables = ((Region, company.regions), (SalesTeam, company.teams), (SalesRep, company.reps),
              (Campaign, company.campaigns), (Source, company.sources))
    return [TableLoad(model.__table__, frame, key=("code",), update=False) for model, frame in tables]


def ensure_dimensions(company: DemoCompany, engine: Engine) -> int:
    """Add the dimension rows the store lacks, never overwriting what a person edited;
    return how many were added."""
    with engine.begin() as conn:
        return sum(upsert(conn, load).inserted for load in dimension_loads(company))


def frame_sha256(frame: pd.DataFrame) -> str:
    """A fingerprint of a generated table for the run log, as a file's checksum would be."""
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashes.tobytes()).hexdigest()


def load_demo(seed: int = 42, leads: int | None = None, years: int = 3, end: dt.date | None = None,
              engine: Engine | None = None) -> list[RunReport]:
    """Generate the demo company and load it, one run per fact table; print a summary."""
    engine = engine or get_engine()
    clock = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("generating the demo company", total=len(FACT_LOADS) + 2)
        company = generate(seed=seed, leads=leads, years=years, end=end)
        progress.update(task, advance=1, description="loading the dimensions")
        new_dimension_rows = ensure_dimensions(company, engine)
        progress.advance(task)
        reports = []
        for name, make_load in FACT_LOADS:
            progress.update(task, description=f"loading {name.replace('_', ' ')}")
            frame = getattr(company, name)
            batch = Batch(loads=[make_load(frame)], rows_read=len(frame))
            reports.append(apply_batch(batch, engine, source_type=SOURCE_SYSTEM,
                                       file_name=f"demo seed={seed} {name}", sha=frame_sha256(frame)))
            progress.advance(task)
    _print_summary(company, reports, new_dimension_rows, time.perf_counter() - clock)
    return reports


def _print_summary(company: DemoCompany, reports: list[RunReport], new_dimension_rows: int,
                   seconds: float) -> None:
    truth = company.truth
    table = Table(title=f"Demo company {truth['company']} (seed {truth['seed']}), "
                        f"{company.start} to {company.end}")
    for column in ("run", "table", "rows", "inserted", "updated", "unchanged", "deleted", "rejected",
                   "seconds"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for report in reports:
        c = report.counts
        table.add_row(str(report.run_id), report.file_name.rsplit(" ", 1)[-1], f"{report.rows_read:,}",
                      f"{c.inserted:,}", f"{c.updated:,}", f"{c.unchanged:,}", f"{c.deleted:,}",
                      f"{report.rows_rejected:,}", f"{report.duration_s:.2f}")
    table.caption = (f"{new_dimension_rows} new dimension rows; plan until {truth['plan_end']}; "
                     f"{seconds:.1f} s in all")
    # Wide when piped (CI logs, scripts): rich would otherwise wrap at 80 columns.
    Console(width=None if sys.stdout.isatty() else 200).print(table)

"""One load = one file = one transaction: read, validate, upsert, refresh marts, log the run.

A refused file (wrong structure) and a failed load both leave the data as it was; they are
still written to the run log, in a transaction of their own, so the data team sees them. Once a
load has committed, the other layers' after-load steps run (:func:`pilotage.hooks.after_load`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert

from etl.connectors import Batch, LoadOptions, connector_for
from etl.errors import EtlError, FileRefused
from etl.loading import Copying, LoadCounts, TableLoad, file_dates, upsert
from etl.marts import (
    LeadMarts,
    refresh_activity,
    refresh_cohorts,
    refresh_reps,
    refresh_subscriptions,
    sum_lead_marts,
)
from etl.quality import SPECS, find_outliers, record_findings
from pilotage.hooks import after_load
from pilotage.input import InputError, peek_columns, read_table
from pilotage.operator import cli_operator
from pilotage.store.engine import get_engine
from pilotage.store.feeds import feed_label
from pilotage.store.models import EtlReject, EtlRun, Lead, Subscription


@dataclass
class RunReport:
    run_id: int | None
    file_name: str
    source_type: str
    status: str
    rows_read: int = 0
    counts: LoadCounts = field(default_factory=LoadCounts)
    skipped: int = 0
    duration_s: float = 0.0
    message: str = ""
    notes: list[str] = field(default_factory=list)
    findings: int = 0  # data-quality findings: rows kept but far from their series (etl/quality.py)

    @property
    def rows_rejected(self) -> int:
        return len({r["line"] for r in self.counts.rejects})


def change_note(counts: LoadCounts) -> str:
    """'values changed in 12 existing rows: deal_value 10, created_at 2' (most changed first),
    or '' when the load changed no existing row."""
    if not counts.changed_values:
        return ""
    columns = sorted(counts.changed_values.items(), key=lambda item: (-item[1], item[0]))
    rows = "row" if counts.updated == 1 else "rows"
    return (f"values changed in {counts.updated:,} existing {rows}: "
            + ", ".join(f"{column} {changed:,}" for column, changed in columns))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _run_by() -> str:
    """``cli:$PILOTAGE_OPERATOR`` or ``cli``, never the system login (see pilotage.operator)."""
    return cli_operator()


def load_file(path: Path, source: str | None = None, mapping: Path | None = None,
              options: LoadOptions | None = None, engine: Engine | None = None, sheet: str | None = None,
              run_by: str | None = None) -> RunReport:
    """Load one file; raise :class:`FileRefused`, :class:`InputError` or :class:`EtlError` if nothing
    was loaded."""
    engine = engine or get_engine()
    options = options or LoadOptions()
    started, clock = _now(), time.perf_counter()
    path = Path(path)
    source_type, sha = source or (f"mapping:{mapping.name}" if mapping else "?"), ""
    try:
        try:
            raw = read_table(path, sheet=sheet)
        except InputError as error:
            raise FileRefused.of(error) from None
        sha = raw.sha256
        connector = connector_for(raw, source=source, mapping=mapping)
        source_type = connector.name
        batch = connector.prepare(raw, options)
        return apply_batch(batch, engine, source_type, path.name, sha, started, clock, run_by)
    except FileRefused as refused:
        _log_failure(engine, source_type, path.name, sha, "refused", refused.reason, started, clock, run_by)
        raise
    except InputError as refused:  # a column whose date order or decimal mark cannot be decided
        _log_failure(engine, source_type, path.name, sha, "refused", refused.describe(), started, clock, run_by)
        raise
    except EtlError:
        raise
    except Exception as error:
        _log_failure(engine, source_type, path.name, sha, "failed", f"{type(error).__name__}: {error}",
                     started, clock, run_by)
        raise EtlError(f"{path.name}: load failed, nothing was written ({type(error).__name__}: {error})") from error


def apply_batch(batch: Batch, engine: Engine, source_type: str, file_name: str, sha: str = "",
                started: dt.datetime | None = None, clock: float | None = None,
                run_by: str | None = None, on_step=None) -> RunReport:
    """Write a prepared batch in one transaction; the run is logged in the same one."""
    started = started or _now()
    clock = clock or time.perf_counter()
    report = RunReport(None, file_name, source_type, "loaded", rows_read=batch.rows_read,
                       skipped=batch.skipped, notes=list(batch.notes))
    report.counts.rejects.extend(batch.rejects)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Room for the hash joins and aggregations of a large file (this transaction only).
            conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        touched: dict[str, set] = {}  # fact table -> the dates its rows moved on
        written: dict[str, pd.DataFrame | None] = {}  # fact table -> its whole content, when the load holds it
        copying: list[Copying] = []  # first loads PostgreSQL is still copying (see etl.loading.Copying)
        try:
            early_findings = _write_and_sum(conn, batch, file_name, touched, written, copying, report, on_step)
        except BaseException:
            _abandon(copying)
            raise
        for pending in copying:
            pending.wait()
        findings = early_findings + find_outliers(
            conn, [load for load in batch.loads if written.get(load.table.name) is None], file_name, written)
        report.findings = len(findings)
        report.duration_s = time.perf_counter() - clock
        report.run_id = conn.execute(insert(EtlRun).values(
            source_type=source_type, file_name=file_name, file_sha256=sha, status="loaded",
            started_at=started, duration_s=report.duration_s, rows_read=report.rows_read,
            rows_inserted=report.counts.inserted, rows_updated=report.counts.updated,
            rows_unchanged=report.counts.unchanged, rows_deleted=report.counts.deleted,
            rows_rejected=report.rows_rejected, rows_skipped=report.skipped,
            # What a reload changed is kept in the run's message, so the run log shows it.
            message="; ".join([*report.notes, *filter(None, [change_note(report.counts)])]) or None,
            run_by=run_by or _run_by(), feeds=_feeds(batch.loads),
        ).returning(EtlRun.id)).scalar_one()
        if report.counts.rejects:
            conn.execute(insert(EtlReject), [
                dict(run_id=report.run_id, file_name=file_name, line=r["line"], column=r["column"],
                     value=None if r.get("value") is None else str(r["value"])[:2000],
                     expected=r["expected"], raw=r.get("raw"), code=r.get("code"),
                     params=json.dumps(r["params"], ensure_ascii=False) if r.get("params") else None)
                for r in sorted(report.counts.rejects, key=lambda r: r["line"])
            ])
        record_findings(conn, report.run_id, findings)
    report.notes.extend(after_load(engine))
    return report


def _feeds(loads) -> str | None:
    """The feeds (fact table and source system) a batch wrote, as the run log keeps them."""
    labels = sorted({feed_label(load.table.name, str(system)) for load in loads
                     if load.table.name.startswith("fact_") and "source_system" in load.frame.columns
                     for system in load.frame["source_system"].dropna().unique()})
    return ",".join(labels) or None


class _Ahead:
    """What follows the write of a fact load, computed from its rows on a thread of its own while
    the server writes them (copies a first load, or compares a reload with the store): the lead
    marts, summed over every date of the file, then the data-quality findings. Used when the rows
    turn out to be the table's whole content (:attr:`etl.loading.LoadCounts.written`), else dropped.
    The thread does not use the connection."""

    def __init__(self, load: TableLoad, rows: pd.DataFrame, file_name: str):
        self.rows = rows
        self._marts: LeadMarts | None = None
        self._findings: list[dict] = []
        self._error: BaseException | None = None
        self._summed = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(load, file_name), name="pilotage-ahead", daemon=True)
        self._thread.start()

    def _run(self, load: TableLoad, file_name: str) -> None:
        try:
            if load.table.name == Lead.__tablename__:
                self._marts = sum_lead_marts(self.rows, file_dates(self.rows, load.date_columns))
            self._summed.set()  # the marts first: a first load's copying thread writes them next
            self._findings = find_outliers(None, [load], file_name, {load.table.name: self.rows})
        except BaseException as error:  # handed to the loader's thread by the methods below
            self._error = error
        finally:
            self._summed.set()

    def lead_marts(self, days) -> LeadMarts:
        """The lead marts on ``days`` (the dates the load touched) and their months."""
        self._summed.wait()
        self._raise()
        return self._marts.on(days)

    def findings(self) -> list[dict]:
        self._thread.join()
        self._raise()
        return self._findings

    def drop(self) -> None:
        """Let a computation of no use end (its error aside) before the load's next steps."""
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


def _write_and_sum(conn, batch: Batch, file_name: str, touched: dict, written: dict, copying: list,
                   report: RunReport, on_step) -> list[dict]:
    """Write the batch's loads and refresh the marts; returns the data-quality findings of the tables
    whose whole content the load holds.

    A fact load's marts and findings are computed from its rows while the server writes them
    (:class:`_Ahead`). While PostgreSQL copies a first load, the writing of its marts is handed to
    the copying thread (which writes them before it builds the table's indexes: the server goes on
    without waiting). The connection is not used here until the copies are done."""
    aheads: list[tuple[str, _Ahead]] = []

    def compute_ahead(load: TableLoad):
        if load.table.name not in SPECS and load.table.name != Lead.__tablename__:
            return None
        return lambda rows: aheads.append((load.table.name, _Ahead(load, rows, file_name)))

    for load in batch.loads:
        for pending in copying:  # the next load uses the connection
            pending.wait()
        copying.clear()
        counts = upsert(conn, load, background=True, ahead=compute_ahead(load))
        if counts.copying:
            copying.append(counts.copying)
        if on_step:
            on_step(load.table.name)
        # Dimension rows are bookkeeping: only fact rows count towards the run's figures.
        if load.date_columns or not load.table.name.startswith("dim_"):
            report.counts.add(counts)
        else:
            report.counts.rejects.extend(counts.rejects)
        name = load.table.name
        touched.setdefault(name, set()).update(counts.touched_dates)
        # A table loaded twice in one batch: the second load's rows are not the table's whole content.
        written[name] = counts.written if name not in written else None
    # An ahead is used when its rows are the table's whole content (a table loaded twice is neither).
    used = {name: ahead for name, ahead in aheads if written.get(name) is ahead.rows}
    for name, ahead in aheads:
        if used.get(name) is not ahead:
            ahead.drop()
    leads = used.get(Lead.__tablename__)
    summed = None if leads is None else leads.lead_marts(touched.get(Lead.__tablename__, set()))

    def refresh_marts() -> None:
        lead_dates = touched.get(Lead.__tablename__, set())
        refresh_activity(conn, touched, leads=summed)
        refresh_cohorts(conn, lead_dates, leads=summed)
        refresh_reps(conn, lead_dates, leads=summed)
        refresh_subscriptions(conn, touched.get(Subscription.__tablename__, set()))

    if copying:
        copying[-1].then(refresh_marts)
    else:  # while the rule may still be running beside
        refresh_marts()
    return [finding for load in batch.loads if load.table.name in used
            for finding in used[load.table.name].findings()]


def _abandon(copying: list) -> None:
    """After a failure: let the copies end (the transaction is rolled back), their own errors aside."""
    for pending in copying:
        pending.release()
        try:
            pending.wait()
        except BaseException:  # the first failure is the one reported
            pass


def rebuild_marts(engine: Engine, run_by: str | None = None) -> int:
    """Rebuild every mart from the facts and log it as a run (the app's caches key on the last run).

    Returns the run's id. One transaction: a failure leaves the marts as they were.
    """
    from etl.marts import rebuild_all

    started, clock = _now(), time.perf_counter()
    with engine.begin() as conn:
        rebuild_all(conn)
        run_id = conn.execute(insert(EtlRun).values(
            source_type="marts", file_name="(rebuild of every mart)", file_sha256="", status="loaded",
            started_at=started, duration_s=time.perf_counter() - clock, message="marts rebuilt from the facts",
            run_by=run_by or _run_by(),
        ).returning(EtlRun.id)).scalar_one()
    after_load(engine)
    return run_id


def _log_failure(engine, source_type, file_name, sha, status, message, started, clock, run_by) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(insert(EtlRun).values(
                source_type=source_type, file_name=file_name, file_sha256=sha or "", status=status,
                started_at=started, duration_s=time.perf_counter() - clock, message=message[:4000],
                run_by=run_by or _run_by()))
    except Exception:  # the store itself may be what failed; the caller reports the error
        pass


def load_order(paths: list[Path], source: str | None = None, mapping: Path | None = None) -> list[Path]:
    """Order files so that each comes after what it depends on (leads before their deals).
    Files whose header cannot be read keep their place and fail on their own load."""
    from etl.connectors import BY_NAME, CONNECTORS

    def rank(path: Path) -> int:
        if mapping is not None:
            return 50
        if source in BY_NAME:
            return BY_NAME[source].order
        columns = peek_columns(Path(path))
        matches = [c for c in CONNECTORS if c.detect(columns)]
        return max(matches, key=lambda c: len(c.signature)).order if matches else 99

    return sorted(paths, key=rank)

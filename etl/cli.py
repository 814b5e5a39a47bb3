"""``pilotage etl ...``: load files, list runs, show rejected rows, describe the formats.

Exit codes: 0 every file loaded (some rows may be rejected, see the summary); 1 a file was
refused or failed (nothing of it was written); 2 bad usage; 3 rows were rejected and
``--fail-on-rejects`` was given.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.connectors import BY_NAME, FORMATS, LoadOptions
from etl.errors import EtlError
from etl.pipeline import change_note, load_file, load_order
from pilotage.input.columns import DATE_ORDERS, DECIMALS, Conventions
from pilotage.input.errors import InputError
from pilotage.store.engine import get_engine
from pilotage.store.models import DataQualityFinding, EtlReject, EtlRun
from pilotage.store.reference import UNASSIGNED_REGION

app = typer.Typer(help="Load exports into the store and inspect the runs.", no_args_is_help=True)
# Wide tables when piped (CI logs, scripts): rich would otherwise wrap at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True)

EXIT_REFUSED, EXIT_REJECTS = 1, 3
DateOrder = enum.Enum("DateOrder", {order: order for order in DATE_ORDERS}, type=str)
Decimal = enum.Enum("Decimal", {mark: mark for mark in DECIMALS}, type=str)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="CSV, TSV or XLSX files", exists=False)],
    source: Annotated[str | None, typer.Option(help=f"source type: {', '.join(BY_NAME)} (default: detected)")] = None,
    mapping: Annotated[Path | None, typer.Option(help="TOML mapping of another CRM's columns")] = None,
    region: Annotated[str, typer.Option(help="region code for files without a region column")] = UNASSIGNED_REGION,
    country: Annotated[str, typer.Option(help="country kept from wide open-data files")] = "FRA",
    source_system: Annotated[str | None, typer.Option(help="name of the system the file comes from")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first)")] = None,
    fail_on_rejects: Annotated[bool, typer.Option(help="exit with code 3 if any row is rejected")] = False,
    date_order: Annotated[DateOrder | None, typer.Option(
        help="how dates such as 02/01/2018 are written, when no value of their column tells "
             "(a day above 12 decides on its own)")] = None,
    decimal: Annotated[Decimal | None, typer.Option(
        help="the decimal mark of numbers such as 1,234, when no value of their column tells")] = None,
) -> None:
    """Load files, each in one transaction, and print a summary table."""
    conventions = Conventions(date_order=date_order and date_order.value, decimal=decimal and decimal.value)
    options = LoadOptions(region=region, country=country, source_system=source_system, conventions=conventions)
    reports, failures = [], []
    ordered = load_order(paths, source=source, mapping=mapping)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        overall = progress.add_task("loading", total=len(ordered))
        for path in ordered:
            progress.update(overall, description=f"loading {path.name}")
            try:
                reports.append(load_file(path, source=source, mapping=mapping, options=options, sheet=sheet))
            except (EtlError, InputError) as error:
                failures.append(str(error))
            progress.advance(overall)
    _print_summary(reports)
    for failure in failures:
        errors.print(f"[bold red]error[/] {failure}", highlight=False)
    if failures:
        raise typer.Exit(EXIT_REFUSED)
    if fail_on_rejects and any(r.rows_rejected for r in reports):
        raise typer.Exit(EXIT_REJECTS)


def _print_summary(reports) -> None:
    if not reports:
        return
    table = Table(title="Loaded")
    for column in ("run", "file", "source", "read", "inserted", "updated", "unchanged", "deleted",
                   "rejected", "skipped", "seconds"):
        table.add_column(column, justify="right" if column not in ("file", "source") else "left")
    for r in reports:
        c = r.counts
        table.add_row(str(r.run_id), r.file_name, r.source_type, f"{r.rows_read:,}", f"{c.inserted:,}",
                      f"{c.updated:,}", f"{c.unchanged:,}", f"{c.deleted:,}", f"{r.rows_rejected:,}",
                      f"{r.skipped:,}", f"{r.duration_s:.2f}")
    console.print(table)
    for r in reports:
        for note in r.notes:
            console.print(f"{r.file_name}: {note}", highlight=False)
        if r.counts.changed_values:
            # A reload that rewrites stored dates or amounts must not pass unnoticed.
            console.print(f"[yellow]{r.file_name}: {change_note(r.counts)}[/]", highlight=False)
        if r.rows_rejected:
            console.print(f"{r.file_name}: {r.rows_rejected} rejected rows, see `pilotage etl rejects {r.run_id}`",
                          highlight=False)
        if r.findings:
            console.print(f"{r.file_name}: {r.findings} data-quality findings (rows kept), "
                          f"see `pilotage etl quality {r.run_id}`", highlight=False)


@app.command()
def runs(limit: Annotated[int, typer.Option(help="how many recent runs")] = 20) -> None:
    """List the most recent runs."""
    with Session(get_engine()) as session:
        rows = session.scalars(select(EtlRun).order_by(EtlRun.id.desc()).limit(limit)).all()
    table = Table(title="ETL runs")
    for column in ("run", "started (UTC)", "status", "source", "file", "read", "ins.", "upd.", "unch.", "del.",
                   "rej.", "seconds", "message"):
        table.add_column(column)
    for run in rows:
        table.add_row(str(run.id), f"{run.started_at:%Y-%m-%d %H:%M:%S}", run.status, run.source_type,
                      run.file_name, str(run.rows_read), str(run.rows_inserted), str(run.rows_updated),
                      str(run.rows_unchanged), str(run.rows_deleted), str(run.rows_rejected),
                      f"{run.duration_s:.2f}", (run.message or "")[:80])
    console.print(table)


@app.command()
def rejects(run: Annotated[int, typer.Argument(help="run id (see `pilotage etl runs`)")],
            limit: Annotated[int, typer.Option(help="rows to show")] = 50) -> None:
    """Show the rows a run rejected: line, column, value and what was expected."""
    with Session(get_engine()) as session:
        found = session.get(EtlRun, run)
        if found is None:
            errors.print(f"no run {run}")
            raise typer.Exit(EXIT_REFUSED)
        rows = session.scalars(select(EtlReject).where(EtlReject.run_id == run)
                               .order_by(EtlReject.line).limit(limit)).all()
    table = Table(title=f"Run {run}: {found.file_name}, {found.rows_rejected} rejected rows")
    for column in ("file", "line", "column", "value", "expected"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.file_name, str(r.line), r.column, r.value or "", r.expected)
    console.print(table)


@app.command()
def quality(run: Annotated[int | None, typer.Argument(help="run id (default: the last run)")] = None,
            limit: Annotated[int, typer.Option(help="findings to show")] = 50) -> None:
    """Show the values a run kept but flagged: far outside what their own series made expected."""
    with Session(get_engine()) as session:
        run = run if run is not None else session.scalar(select(func.max(EtlRun.id)))
        found = session.get(EtlRun, run) if run is not None else None
        if found is None:
            errors.print(f"no run {run}" if run is not None else "no run yet")
            raise typer.Exit(EXIT_REFUSED)
        total = session.scalar(select(func.count()).where(DataQualityFinding.run_id == run))
        rows = session.scalars(select(DataQualityFinding).where(DataQualityFinding.run_id == run)
                               .order_by(DataQualityFinding.line, DataQualityFinding.id).limit(limit)).all()
    table = Table(title=f"Run {run}: {found.file_name}, {total} data-quality findings")
    for column in ("file", "line", "column", "series", "date", "value", "expected range", "severity"):
        table.add_column(column, justify="right" if column in ("line", "value") else "left")
    for f in rows:
        table.add_row(f.file_name, str(f.line), f.column, f.series_key, f"{f.date}", _number(f.value),
                      f"{_number(f.expected_low)} to {_number(f.expected_high)}", f.severity)
    console.print(table)


def _number(value: float) -> str:
    return f"{value:,.2f}".removesuffix(".00")


@app.command()
def formats() -> None:
    """Describe the canonical formats and the real exports Pilotage reads."""
    for name, fields in FORMATS.items():
        table = Table(title=f"format {name}")
        for column in ("column", "type", "required", "may be empty", "notes"):
            table.add_column(column)
        for f in fields:
            table.add_row(f.name, f.kind, "yes" if f.required else "no", "yes" if f.nullable else "no",
                          f.description or (f.expected() if f.kind == "choice" else ""))
        console.print(table)
    console.print("Real exports: " + "; ".join(f"{c.name}: {c.description}" for c in BY_NAME.values()
                                              if c.name not in FORMATS))


@app.command("rebuild-marts")
def rebuild_marts() -> None:
    """Rebuild every mart from the facts (logged as a run, so the app sees the new figures at once)."""
    from etl.pipeline import rebuild_marts as rebuild

    run_id = rebuild(get_engine())
    console.print(f"marts rebuilt (run {run_id})")


# --- pilotage privacy ... -----------------------------------------------------------------------------

privacy_app = typer.Typer(help="Personal data: retention, erasure and access (docs/privacy.md).",
                          no_args_is_help=True)


def _privacy_summary(report) -> None:
    verb = "would anonymise" if report.dry_run else "anonymised"
    console.print(f"{report.action}: {verb} {report.leads:,} leads and {report.subscriptions:,} subscription rows; "
                  f"{'would clear' if report.dry_run else 'cleared'} {report.rejects:,} rejected input rows"
                  + (f" (leads created before {report.cutoff})" if report.cutoff else "")
                  + (f"; run {report.run_id}, audit log written" if report.run_id else ""), highlight=False)


@privacy_app.command("purge")
def privacy_purge(
    older_than: Annotated[int, typer.Option("--older-than", min=1, help="retention in months: older leads are "
                                            "anonymised")],
    dry_run: Annotated[bool, typer.Option(help="count what would change, change nothing")] = False,
    by: Annotated[str | None, typer.Option(help="who runs it, for the audit log")] = None,
) -> None:
    """Anonymise the leads created more than MONTHS ago; the marts keep their totals."""
    from etl.privacy import purge

    _privacy_summary(purge(get_engine(), older_than, dry_run=dry_run, by=by))


@privacy_app.command("erase")
def privacy_erase(
    email: Annotated[str | None, typer.Option(help="the person's e-mail address")] = None,
    lead_id: Annotated[str | None, typer.Option(help="or their id in the CRM (leads loaded with a lead_id)")] = None,
    dry_run: Annotated[bool, typer.Option(help="count what would change, change nothing")] = False,
    by: Annotated[str | None, typer.Option(help="who runs it, for the audit log")] = None,
) -> None:
    """Erase one person: their rows found through the keyed hash are anonymised, the marts refreshed, audited."""
    from etl.privacy import erase

    try:
        report = erase(get_engine(), email=email, lead_id=lead_id, dry_run=dry_run, by=by)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    _privacy_summary(report)
    if not (report.leads or report.subscriptions or report.rejects):
        errors.print("no row of the store belongs to that person", highlight=False)


@privacy_app.command("export")
def privacy_export(
    email: Annotated[str | None, typer.Option(help="the person's e-mail address")] = None,
    lead_id: Annotated[str | None, typer.Option(help="or their id in the CRM (leads loaded with a lead_id)")] = None,
    output: Annotated[Path | None, typer.Option(help="JSON file, or a folder for CSV (default: stdout)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="one CSV file per table in the --output folder")] = False,
    by: Annotated[str | None, typer.Option(help="who runs it, for the audit log")] = None,
) -> None:
    """Export every row the store holds about one person (JSON, or CSV per table); the access is audited."""
    import json

    import pandas as pd

    from etl.privacy import export

    if csv and output is None:
        raise typer.BadParameter("--csv writes files: give the --output folder")
    try:
        report = export(get_engine(), email=email, lead_id=lead_id, by=by)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if csv:
        output.mkdir(parents=True, exist_ok=True)
        for table, rows in report.rows.items():
            pd.DataFrame(rows).to_csv(output / f"{table}.csv", index=False)
        errors.print(f"{', '.join(f'{len(r)} {t}' for t, r in report.rows.items())} written to {output}",
                     highlight=False)
        return
    text = json.dumps({"subject": email or lead_id, **report.rows}, ensure_ascii=False, indent=2, default=str)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        errors.print(f"written to {output}", highlight=False)

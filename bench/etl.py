"""ETL benchmark: 1 M leads and 3 years of daily ad data as canonical CSV files, loaded into
SQLite and PostgreSQL, next to PostgreSQL's own COPY of the same rows in the same run.

    .venv/bin/python bench/etl.py [--leads 1000000] [--keep] [--backends postgresql]

What is timed for Pilotage is the whole ``pilotage etl load`` path of one file: read,
validate every cell, pseudonymise, load in one transaction, refresh the marts and log the
run; first into an empty store, then again with the same file (nothing changes), then with a
corrected file (1% of the rows changed). The reference is ``COPY ... FROM STDIN (FORMAT
csv)`` of the same file into a table with the file's columns, typed, and the same indexes as
the fact table (primary key on the natural key, plus the lead creation date), timed before
and after the Pilotage loads; the faster of the two is the reference. A second table gives, for
the PostgreSQL loads of the leads file, the seconds of each step (read, typing, pseudonymising,
writing, marts, data-quality rule; a first load's COPY overlaps the last two).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.demo.export import write_canonical_csv  # noqa: E402
from etl.demo.generate import generate  # noqa: E402
from etl.demo.load import ensure_dimensions  # noqa: E402
from etl.pipeline import load_file  # noqa: E402
from pilotage.store.engine import get_engine  # noqa: E402
from pilotage.store.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("PILOTAGE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
END = dt.date(2026, 10, 31)
console = Console(width=140)

# The reference tables: the CSV's own columns, typed, with the fact table's indexes.
REFERENCE_DDL = {
    "leads": ("""CREATE TABLE ref_leads (lead_id text PRIMARY KEY, created_at timestamp, channel text,
                 region text, campaign text, source text, rep text, sdr text, segment text,
                 mql_at timestamp, sql_at timestamp, opportunity_at timestamp, won_at timestamp,
                 lost_at timestamp, qualified text, qualified_type text, deal_value double precision,
                 monthly_amount double precision)""",
              "CREATE INDEX ix_ref_leads_created_at ON ref_leads (created_at)"),
    "ad_performance": ("""CREATE TABLE ref_ad_performance (date date, campaign text, channel text,
                 region text, ad text, campaign_name text, coverage text, impressions integer,
                 clicks integer, spend double precision, conversions integer,
                 PRIMARY KEY (date, campaign, region, ad))""",
                       "CREATE INDEX ix_ref_ad_performance_date ON ref_ad_performance (date)"),
}


def fresh_postgres(name: str) -> str:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def copy_reference(url: str, table: str, path: Path) -> float:
    """Seconds for PostgreSQL to COPY the CSV file into its reference table."""
    engine = create_engine(url)
    header = path.open().readline().strip()
    with engine.begin() as conn:
        for statement in REFERENCE_DDL[table]:
            conn.exec_driver_sql(statement)
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cpu = server_cpu(url.rsplit("/", 1)[1])
        start = time.perf_counter()
        # An empty ad name is part of the key, as Pilotage stores it (not NULL).
        not_null = ", FORCE_NOT_NULL (ad)" if table == "ad_performance" else ""
        with cursor.copy(f"COPY ref_{table} ({header}) FROM STDIN WITH (FORMAT csv, HEADER true{not_null})") as copy, \
                path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
    seconds = time.perf_counter() - start
    database = url.rsplit("/", 1)[1]
    console.print(f"COPY of {path.name}: {seconds:.1f} s, server CPU {server_cpu(database) - cpu:.1f} s "
                  f"(load average {Path('/proc/loadavg').read_text().split()[0]})", highlight=False)
    engine.dispose()
    return seconds


def time_copy(files: dict[str, Path]) -> dict[str, float]:
    """COPY's seconds per file, each into a fresh reference table."""
    reference_db = "pilotage_bench_copy"
    reference_url = fresh_postgres(reference_db)
    seconds = {name: copy_reference(reference_url, name, path) for name, path in files.items()}
    drop_postgres(reference_db)
    return seconds


def corrected_copy(path: Path, directory: Path, column: str) -> Path:
    """The same file with 1% of the rows changed (a corrected export)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = frame.index[::100]
    frame.loc[changed, column] = (pd.to_numeric(frame.loc[changed, column], errors="coerce").fillna(0) + 1).astype(str)
    target = directory / f"{path.stem}_corrected.csv"
    frame.to_csv(target, index=False)
    return target


# Where a load spends its time: the steps of etl.pipeline, timed by wrapping what it calls.
STEPS = {
    "read the file": ("etl.pipeline", "read_table"),
    "type and check every cell": ("etl.connectors.base", "validate"),
    "pseudonymise the ids (waiting for the child that hashes them, for a large file)": (
        "etl.connectors.canonical", "pseudonymise", "start_pseudonymising", "pseudonyms"),
    "write the rows (start of a first load's COPY, or staging and compare)": ("etl.pipeline", "upsert"),
    "COPY (a first load's rows on a thread of their own, or a reload's into its staging table)": (
        "etl.loading", "copy_rows"),
    "sum the lead marts in memory": ("etl.pipeline", "sum_lead_marts"),
    "write the marts": ("etl.pipeline", "refresh_activity", "refresh_cohorts", "refresh_reps",
                        "refresh_subscriptions"),
    "data-quality rule": ("etl.pipeline", "find_outliers", "record_findings"),
}
step_seconds: dict[str, float] = {}
step_cpu: dict[str, float] = {}  # the same steps' CPU seconds on the calling thread (load does not inflate them)
# (step, thread, start, end) of each call, from the start of the load: the steps overlap on threads
step_spans: list[tuple[str, str, float, float]] = []
load_started = [0.0]


def _time_steps() -> None:
    import functools
    import importlib

    for step, (module_name, *names) in STEPS.items():
        module = importlib.import_module(module_name)
        for name in names:
            function = getattr(module, name)

            @functools.wraps(function)
            def timed(*args, _function=function, _step=step, **kwargs):
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    return _function(*args, **kwargs)
                finally:
                    end = time.perf_counter()
                    step_seconds[_step] = step_seconds.get(_step, 0.0) + end - start
                    step_cpu[_step] = step_cpu.get(_step, 0.0) + time.thread_time() - cpu
                    step_spans.append((_step, threading.current_thread().name, start - load_started[0],
                                       end - load_started[0]))

            setattr(module, name, timed)


def _span(spans: list[tuple[str, str, float, float]], thread: str) -> str:
    """A step's first start and last end on ``thread`` (seconds from the start of the load), and the
    seconds its calls took when it is called more than once (the pseudonyms are started, then collected)."""
    on_thread = [span for span in spans if span[1] == thread]
    start, end = min(span[2] for span in on_thread), max(span[3] for span in on_thread)
    busy = f" ({sum(span[3] - span[2] for span in on_thread):.1f} s)" if len(on_thread) > 1 else ""
    return f"{start:.1f}-{end:.1f}{busy}"


def server_cpu(database: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to ``database`` (their process
    title names it), read from /proc: the server's share of a load, which the load average does not
    inflate."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f" {database} " not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def loader_cpu() -> float:
    """CPU seconds of this process (every thread) and of its finished children."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_load(path: Path, engine, database: str | None) -> tuple[float, object, dict[str, float], dict[str, float]]:
    step_seconds.clear()
    step_cpu.clear()
    step_spans.clear()
    load_started[0] = time.perf_counter()
    server = server_cpu(database) if database else 0.0
    start, cpu = time.perf_counter(), loader_cpu()
    report = load_file(path, engine=engine)
    seconds = time.perf_counter() - start
    cpu = {**step_cpu, "loader (all threads and child processes)": loader_cpu() - cpu}
    if database:
        cpu["server (PostgreSQL backend)"] = server_cpu(database) - server
    return seconds, report, list(step_spans), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"],
                        help="the stores to load (postgresql alone for a COPY comparison)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pilotage-bench-"))

    start = time.perf_counter()
    company = generate(seed=7, leads=args.leads, years=3, end=END)
    files = write_canonical_csv(company, work, tables=("leads", "ad_performance"))
    rows = {name: sum(1 for _ in path.open()) - 1 for name, path in files.items()}
    corrected = {"leads": corrected_copy(files["leads"], work, "deal_value"),
                 "ad_performance": corrected_copy(files["ad_performance"], work, "impressions")}
    console.print(f"generated {rows['leads']:,} leads and {rows['ad_performance']:,} ad rows "
                  f"({', '.join(f'{p.name} {p.stat().st_size / 1e6:.0f} MB' for p in files.values())}) "
                  f"in {time.perf_counter() - start:.1f} s", highlight=False)

    results, breakdowns, cpu_seconds = [], {}, {}
    console.print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}", highlight=False)
    _time_steps()
    copy_seconds = time_copy(files)

    for backend in args.backends:
        if backend == "sqlite":
            url = f"sqlite:///{work / 'bench.sqlite3'}"
        else:
            url = fresh_postgres("pilotage_bench")
        engine = get_engine(url)
        upgrade(engine)
        ensure_dimensions(company, engine)
        for name, path in files.items():
            for label, file in (("first load", path), ("same file again", path), ("corrected (1%)", corrected[name])):
                seconds, report, steps, cpu = time_load(file, engine,
                                                        "pilotage_bench" if backend == "postgresql" else None)
                assert report.rows_rejected == 0, report.counts.rejects[:3]
                breakdowns[(backend, name, label)] = (seconds, steps)
                cpu_seconds[(backend, name, label)] = cpu
                results.append((f"Pilotage on {backend}", name, label, rows[name], seconds,
                                copy_seconds[name]))
        engine.dispose()
        if backend == "postgresql":
            drop_postgres("pilotage_bench")

    # COPY again after the loads, and the faster of the two is the reference: on a shared
    # machine one slow COPY would flatter every ratio.
    copy_seconds = {name: min(seconds, again) for (name, seconds), again in
                    zip(copy_seconds.items(), time_copy(files).values(), strict=True)}
    results = [(loader, name, label, count, seconds, None if reference is None else copy_seconds[name])
               for loader, name, label, count, seconds, reference in results]
    results[:0] = [("PostgreSQL COPY (reference, best of 2)", name, "first load", rows[name], seconds, None)
                   for name, seconds in copy_seconds.items()]

    table = Table(title=f"ETL load, {rows['leads']:,} leads and {rows['ad_performance']:,} ad rows (2 cores)")
    for column in ("loader", "file", "case", "rows", "seconds", "rows/s", "vs COPY"):
        table.add_column(column, justify="left" if column in ("loader", "file", "case") else "right")
    for loader, name, label, count, seconds, reference in results:
        ratio = "" if reference is None else f"{reference / seconds:.0%}"
        table.add_row(loader, name, label, f"{count:,}", f"{seconds:.1f}", f"{count / seconds:,.0f}", ratio)
    console.print(table)
    console.print("vs COPY = COPY's seconds / Pilotage's seconds for the same file "
                  "(100% = as fast as COPY; the goal is 50%).")

    steps = Table(title=f"Where the loads of {rows['leads']:,} leads spend their time on PostgreSQL: "
                        "each step's seconds from the start of the load, and its thread")
    cases = [key for key in breakdowns if key[0] == "postgresql" and key[1] == "leads"]
    steps.add_column("step")
    for _backend, _name, label in cases:
        steps.add_column(label, justify="right")
    for step in STEPS:
        cells = []
        for key in cases:
            spans = [span for span in breakdowns[key][1] if span[0] == step]
            cells.append("\n".join(f"{thread.removeprefix('pilotage-')}: {_span(spans, thread)}"
                                   for thread in dict.fromkeys(span[1] for span in spans)))
        steps.add_row(step, *cells)
    steps.add_row("whole load", *(f"{breakdowns[key][0]:.1f}" for key in cases))
    console.print(steps)
    console.print("Threads: MainThread, the loader's; copy, a first load's COPY (it then writes the marts and "
                  "builds the table's indexes); ahead, the lead marts' sums and the data-quality rule, computed "
                  "while the server writes. 'write the rows' includes the dimension rows (new campaigns, reps).")

    cpu = Table(title=f"CPU seconds of the loads of {rows['leads']:,} leads (calling thread per step; "
                      "loader and server in total)")
    cpu.add_column("step")
    cases = [key for key in cpu_seconds if key[1] == "leads"]
    for backend, _name, label in cases:
        cpu.add_column(f"{backend}: {label}", justify="right")
    names = list(dict.fromkeys(step for key in cases for step in cpu_seconds[key]))
    for step in names:
        cpu.add_row(step, *(f"{cpu_seconds[key][step]:.1f}" if step in cpu_seconds[key] else "" for key in cases))
    console.print(cpu)
    console.print(f"load average at the end: {Path('/proc/loadavg').read_text().strip()}", highlight=False)
    if args.keep:
        console.print(f"files kept in {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

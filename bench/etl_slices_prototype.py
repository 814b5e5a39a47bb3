"""Prototype (issue 9 point 4): how much of a first load's time does a COPY fed in slices win?
Not the product's path: a measurement of the two steps it would overlap.

    .venv/bin/python bench/etl_slices_prototype.py [--leads 1000000] [--slices 100000 200000] [--repeat 2]

On one file of canonical leads, in one run, in alternation: (whole) every cell typed by
etl.validation.validate, then the typed rows sent with ``COPY`` (CSV written by pyarrow, 50,000 rows
a write, as etl.loading); (sliced) each column's date order and decimal mark decided on the whole
column first (pilotage.input.columns, as the rule requires), then slice k + 1 typed in this thread
while a thread copies slice k (a queue of two). The table has the file's columns, no key or index,
so that only typing and the COPY are timed (the product's key and index are built after its copy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import queue
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.etl import drop_postgres, fresh_postgres  # noqa: E402
from etl.connectors import connector_for  # noqa: E402
from etl.demo.export import write_canonical_csv  # noqa: E402
from etl.demo.generate import generate  # noqa: E402
from etl.validation import validate  # noqa: E402
from pilotage.input import LINE, read_table  # noqa: E402
from pilotage.input.columns import Conventions, date_order, decimal_mark  # noqa: E402
from pilotage.store.engine import get_engine  # noqa: E402

DDL = """CREATE TABLE slices_leads (lead_id text, email text, created_at timestamp, channel text,
    region text, campaign text, source text, rep text, sdr text, segment text, mql_at timestamp,
    sql_at timestamp, opportunity_at timestamp, won_at timestamp, lost_at timestamp, qualified boolean,
    qualified_type text, deal_value double precision, monthly_amount double precision)"""
WRITE_ROWS = 50_000
CSV = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")


def _whole_seconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps with no fraction of a second as seconds: the CSV then writes "2024-03-31 14:05:00",
    not "2024-03-31 14:05:00.000000", and PostgreSQL parses a file a tenth smaller (as etl.loading's
    CSV COPY did, before its binary COPY)."""
    seconds = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "M" and values.dt.tz is None:
            ticks = values.to_numpy(dtype="datetime64[us]")
            whole = ticks[~np.isnat(ticks)].astype(np.int64) % 1_000_000 == 0
            if whole.all():
                seconds[column] = values.astype("datetime64[s]")
    return frame.assign(**seconds) if seconds else frame


def csv_bytes(typed, columns) -> bytes:
    sink = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_pandas(_whole_seconds(typed[columns]), preserve_index=False), sink,
                     write_options=CSV)
    return sink.getvalue()


def decided(connector, frame) -> Conventions:
    """Each column's date order and decimal mark, from the whole column."""
    orders, decimals = {}, {}
    for spec in connector.fields:
        if spec.name not in frame.columns:
            continue
        text = frame[spec.name].astype(str)
        if spec.kind in ("date", "datetime"):
            stripped = text.str.strip()
            order = date_order(stripped[stripped != ""])
            if order:
                orders[spec.name] = order
        elif spec.kind in ("integer", "decimal"):
            decimals[spec.name] = decimal_mark(text)
    return Conventions(date_orders=orders, decimals=decimals)


def load(cursor, raw, connector, frame, size: int | None) -> float:
    """Type and COPY; returns the seconds until typing was done."""
    start = time.perf_counter()
    if size is None:
        typed = validate(frame, connector.fields, raw.column_ref, Conventions(), raw.file_name).frame
        typing = time.perf_counter() - start
        columns = [c for c in typed.columns if c != LINE]
        with cursor.copy(f"COPY slices_leads ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            for first in range(0, len(typed), WRITE_ROWS):
                copy.write(csv_bytes(typed.iloc[first:first + WRITE_ROWS], columns))
        return typing
    conventions = decided(connector, frame)
    slices, errors, copier = queue.Queue(maxsize=2), [], None

    def copy_slices(columns):
        try:
            with cursor.copy(f"COPY slices_leads ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                while (typed := slices.get()) is not None:
                    copy.write(csv_bytes(typed, columns))
        except BaseException as error:  # handed to the main thread below
            errors.append(error)
            while slices.get() is not None:
                pass

    for first in range(0, len(frame), size):
        typed = validate(frame.iloc[first:first + size], connector.fields, raw.column_ref, conventions,
                         raw.file_name).frame
        if copier is None:
            copier = threading.Thread(target=copy_slices, args=([c for c in typed.columns if c != LINE],))
            copier.start()
        slices.put(typed)
    typing = time.perf_counter() - start
    slices.put(None)
    copier.join()
    if errors:
        raise errors[0]
    return typing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--slices", type=int, nargs="+", default=[100_000, 200_000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pilotage-slices-"))
    try:
        files = write_canonical_csv(generate(seed=7, leads=args.leads, years=3, end=dt.date(2026, 10, 31)),
                                    work, tables=("leads",))
        raw = read_table(files["leads"])
        connector = connector_for(raw, source="leads")
        frame = connector.check_structure(raw)
        engine = get_engine(fresh_postgres("pilotage_slices"))
        print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
        for _ in range(args.repeat):
            for size in [None, *args.slices]:
                with engine.begin() as conn:
                    conn.exec_driver_sql(DDL)
                    cursor = conn.connection.driver_connection.cursor()
                    wall, cpu = time.perf_counter(), time.process_time()
                    typing = load(cursor, raw, connector, frame, size)
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                    rows = conn.exec_driver_sql("SELECT count(*) FROM slices_leads").scalar_one()
                    conn.exec_driver_sql("DROP TABLE slices_leads")
                label = "whole, then COPY" if size is None else f"slices of {size:,}"
                print(f"{label:>18}: {wall:.2f} s (typing done at {typing:.2f} s), loader CPU {cpu:.2f} s, "
                      f"{rows:,} rows, load average {Path('/proc/loadavg').read_text().split()[0]}")
        engine.dispose()
        drop_postgres("pilotage_slices")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

"""Prototype (issue 9 point 4): could typing in SQL after a COPY of the raw text reach half of
COPY's throughput for 1 M leads on PostgreSQL? Not the product's path: a measurement.

    .venv/bin/python bench/etl_sql_prototype.py [--leads 1000000]

Times, on one file of canonical leads (ISO dates, as bench/etl.py writes them), in one run:
the reference ``COPY`` into a typed table with the fact table's keys (as bench/etl.py), and a
first load that

1. streams the file's bytes with ``COPY`` into a TEMP table of text columns (a serial gives
   each row its line), while a Python thread reads the id and date columns with pyarrow,
   decides each date column's order (pilotage.input.columns.date_order, as today) and hashes
   the distinct ids with the product's keyed BLAKE2b (etl.pseudonymise);
2. ``COPY``s the (id, pseudonym) pairs into a TEMP table;
3. finds the rows a check refuses (regular expressions on the decided formats, codes against
   the dimensions), then types and inserts the others in one ``INSERT .. SELECT`` joined with the
   pseudonyms (the fact table's key and date index built after, as today's first load);
4. meanwhile, on a second Python thread, reads the file again typed by pyarrow, sums the lead
   marts (etl.marts.sum_lead_marts) and applies the data-quality rule (the marts refreshed by
   etl.marts' own SQL took 40 s for 1 M leads in a first try: slower than summing in Python);
5. writes the marts.

Then, in the same run: the floor of the design (the raw COPY and one INSERT .. SELECT with plain
casts, no check, no join, no index) and today's path (etl.pipeline.load_file) on the same file.
Each step's wall seconds are printed, with the server's and this process's CPU seconds.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.etl import END, REFERENCE_DDL, drop_postgres, fresh_postgres  # noqa: E402
from etl.connectors.base import LEAD_DATE_COLUMNS, UNKNOWN_TEAM, leads_load  # noqa: E402
from etl.demo.export import write_canonical_csv  # noqa: E402
from etl.demo.generate import generate  # noqa: E402
from etl.demo.load import ensure_dimensions  # noqa: E402
from etl.loading import _indexes_built_after  # noqa: E402
from etl.marts import refresh_activity, refresh_cohorts, refresh_reps, sum_lead_marts  # noqa: E402
from etl.pipeline import load_file  # noqa: E402
from etl.pseudonymise import pseudonymise  # noqa: E402
from etl.quality import find_outliers  # noqa: E402
from pilotage.input import LINE  # noqa: E402
from pilotage.input.columns import date_order  # noqa: E402
from pilotage.store.engine import get_engine  # noqa: E402
from pilotage.store.migrate import upgrade  # noqa: E402
from pilotage.store.models import Lead  # noqa: E402

TIMESTAMP = r"^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$"
NUMBER = r"^\s*\d+(\.\d+)?\s*$"
TRUE = "('1','true','yes','y','oui','o','vrai','x')"
FALSE = "('0','false','no','n','non','faux','')"
CHOICES = "('test_drive','stock_request','quote','callback','mql','other')"


def _ts(column: str) -> str:
    return f"CASE WHEN btrim(s.{column}) ~ '{TIMESTAMP}' THEN btrim(s.{column})::timestamp END"


def _num(column: str) -> str:
    return f"CASE WHEN s.{column} ~ '{NUMBER}' THEN round(s.{column}::numeric, 2)::float8 END"


def _bad_ts(column: str, required: bool) -> str:
    empty = f"btrim(s.{column}) = ''"
    return (empty if required else "false") + f" OR (btrim(s.{column}) <> '' AND btrim(s.{column}) !~ '{TIMESTAMP}')"


def python_side(path: Path, result: dict) -> None:
    """Decisions and pseudonyms: what stays in Python, on its own thread."""
    start, cpu = time.perf_counter(), time.thread_time()
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        include_columns=["lead_id", *LEAD_DATE_COLUMNS, "channel", "region", "deal_value", "monthly_amount"],
        column_types={c: "string" for c in ["lead_id", *LEAD_DATE_COLUMNS, "deal_value", "monthly_amount"]},
        strings_can_be_null=False))
    frame = table.to_pandas()
    result["read"] = time.perf_counter() - start
    for column in LEAD_DATE_COLUMNS:
        values = frame[column].str.strip()
        date_order(values[values != ""], None, file=path.name, column=column)
    result["decide"] = time.perf_counter() - start - result["read"]
    ids = pd.Series(frame["lead_id"].unique())
    result["distinct_ids"] = len(ids)
    result["keys"] = pd.DataFrame({"lead_id": ids, "lead_key": pseudonymise(ids, "canonical")})
    result["hash"] = time.perf_counter() - start - result["read"] - result["decide"]
    result["frame"] = frame
    result["cpu"] = time.thread_time() - cpu


def quality_side(path: Path, keys: pd.DataFrame, result: dict) -> None:
    """While the server types and inserts: the file read again, typed by pyarrow (C, threads), the
    lead marts summed (etl.marts.sum_lead_marts) and the data-quality rule applied, in Python."""
    start, cpu = time.perf_counter(), time.thread_time()
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types={**{c: pa.timestamp("s") for c in LEAD_DATE_COLUMNS}, "deal_value": pa.float64(),
                      "monthly_amount": pa.float64(), "qualified": pa.bool_()},
        strings_can_be_null=True))
    frame = table.to_pandas()
    lead_key = frame["lead_id"].map(keys.set_index("lead_id")["lead_key"])
    typed = pd.DataFrame({
        "lead_key": lead_key, "source_system": "canonical", "channel_code": frame["channel"],
        "campaign_code": frame["campaign"].fillna(""), "source_code": frame["source"].fillna(""),
        "region_code": frame["region"], "rep_code": frame["rep"], "sdr_code": frame["sdr"],
        "segment": frame["segment"], **{c: frame[c] for c in LEAD_DATE_COLUMNS},
        "is_qualified": frame["qualified"].fillna(False).astype(bool), "qualified_type": frame["qualified_type"],
        "deal_value": frame["deal_value"].round(2), "monthly_amount": frame["monthly_amount"].round(2),
        LINE: frame.index.to_numpy() + 2})
    result["typed"] = time.perf_counter() - start
    days = set()
    for column in LEAD_DATE_COLUMNS:
        days.update(d.date() for d in typed[column].dropna().dt.normalize().unique())
    result["days"] = days
    result["summed"] = sum_lead_marts(typed, days)
    result["marts"] = time.perf_counter() - start - result["typed"]
    result["findings"] = len(find_outliers(None, [leads_load(typed)], "leads.csv", {"fact_lead": typed}))
    result["quality"] = time.perf_counter() - start - result["typed"] - result["marts"]
    result["cpu"] = time.thread_time() - cpu


def server_cpu(conn) -> float:
    """CPU seconds of this connection's backend so far (from /proc, the server is local)."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def copy_reference(url: str, path: Path) -> tuple[float, float]:
    """bench/etl.py's reference COPY (typed table, same keys), with the server's CPU seconds."""
    engine = get_engine(url)
    header = path.open().readline().strip()
    with engine.begin() as conn:
        for statement in REFERENCE_DDL["leads"]:
            conn.exec_driver_sql(statement)
    with engine.begin() as conn:
        cursor, cpu = conn.connection.driver_connection.cursor(), server_cpu(conn)
        start = time.perf_counter()
        with cursor.copy(f"COPY ref_leads ({header}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - start
        cpu = server_cpu(conn) - cpu
    engine.dispose()
    return seconds, cpu


def sql_load(path: Path, engine) -> dict:
    steps: dict[str, float] = {}
    header = path.open().readline().strip().split(",")
    columns = ", ".join(f'"{c}" text' for c in header)
    start = time.perf_counter()
    mark = start
    python: dict = {}

    server: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = now - mark
        mark = now
        cpu = server_cpu(conn)
        server[name] = cpu - server.get("_last", cpu0)
        server["_last"] = cpu

    with engine.begin() as conn:
        cpu0 = server_cpu(conn)
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        conn.exec_driver_sql(f"CREATE TEMP TABLE raw_leads ({columns}, line bigserial) ON COMMIT DROP")
        thread = threading.Thread(target=python_side, args=(path, python))
        thread.start()
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY raw_leads ({', '.join(header)}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                         f"FORCE_NOT_NULL ({', '.join(header)}))") as copy, \
                path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        lap("1. COPY the raw text (Python: read ids/dates, decide, hash, in parallel)")
        thread.join()
        lap("   waiting for the Python thread")
        conn.exec_driver_sql("CREATE TEMP TABLE lead_keys (lead_id text, lead_key text) ON COMMIT DROP")
        with cursor.copy("COPY lead_keys FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(python["keys"].to_csv(index=False, header=False).encode())
        conn.exec_driver_sql("ANALYZE raw_leads; ANALYZE lead_keys")
        lap("2. COPY the (id, pseudonym) pairs")
        quality: dict = {}
        checker = threading.Thread(target=quality_side, args=(path, python["keys"], quality))
        checker.start()
        bad = " OR ".join([
            "(s.lead_id = '')",
            *(f"({_bad_ts(c, c == 'created_at')})" for c in LEAD_DATE_COLUMNS),
            "(lower(btrim(s.channel)) NOT IN (SELECT code FROM dim_channel))",
            "(s.region NOT IN (SELECT code FROM dim_region))",
            f"(lower(btrim(s.qualified)) NOT IN {TRUE} AND lower(btrim(s.qualified)) NOT IN {FALSE})",
            f"(btrim(s.qualified_type) <> '' AND lower(btrim(s.qualified_type)) NOT IN {CHOICES})",
            f"(s.deal_value <> '' AND s.deal_value !~ '{NUMBER}')",
            f"(s.monthly_amount <> '' AND s.monthly_amount !~ '{NUMBER}')",
        ])
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE bad_lines ON COMMIT DROP AS SELECT s.line FROM raw_leads s WHERE {bad}")
        rejected = conn.exec_driver_sql("SELECT count(*) FROM bad_lines").scalar()
        lap("3a. find the rows a check refuses")
        conn.exec_driver_sql("""INSERT INTO dim_sales_rep (code, name, team_code) SELECT DISTINCT r, r, %(team)s FROM
            (SELECT rep AS r FROM raw_leads UNION SELECT sdr FROM raw_leads) x WHERE r <> ''
            ON CONFLICT DO NOTHING""", {"team": UNKNOWN_TEAM})
        with _indexes_built_after(conn, Lead.__table__, 1_000_000):
            conn.exec_driver_sql(f"""INSERT INTO fact_lead (lead_key, source_system, channel_code, campaign_code,
                source_code, region_code, rep_code, sdr_code, segment, {', '.join(LEAD_DATE_COLUMNS)},
                is_qualified, qualified_type, deal_value, monthly_amount)
                SELECT k.lead_key, 'canonical', lower(btrim(s.channel)), s.campaign, s.source, s.region,
                    nullif(s.rep, ''), nullif(s.sdr, ''), nullif(s.segment, ''),
                    {', '.join(_ts(c) for c in LEAD_DATE_COLUMNS)},
                    lower(btrim(s.qualified)) IN {TRUE}, nullif(lower(btrim(s.qualified_type)), ''),
                    {_num('deal_value')}, {_num('monthly_amount')}
                FROM raw_leads s JOIN lead_keys k USING (lead_id)
                WHERE NOT EXISTS (SELECT 1 FROM bad_lines b WHERE b.line = s.line)""")
            lap("3b. type and insert (INSERT .. SELECT)")
        lap("3c. build the key and date indexes")
        checker.join()
        lap("4. waiting for the marts' sums and the quality rule (Python thread)")
        days, summed = quality["days"], quality["summed"]
        refresh_activity(conn, {"fact_lead": days}, leads=summed)
        refresh_cohorts(conn, days, leads=summed)
        refresh_reps(conn, days, leads=summed)
        lap("5. write the marts")
        cpu1 = server_cpu(conn)
    steps["commit"] = time.perf_counter() - mark
    steps["total"] = time.perf_counter() - start
    steps["server CPU"] = cpu1 - cpu0
    for name, cpu in server.items():
        if name != "_last":
            steps[f"   server CPU in {name[:40]}"] = cpu
    steps["python CPU: read/decide/hash thread"] = python["cpu"]
    steps["python CPU: typed read, marts, rule thread"] = quality["cpu"]
    steps[f"(python thread: read {python['read']:.1f} s, decide {python['decide']:.1f} s, "
          f"hash {python['distinct_ids']:,} ids {python['hash']:.1f} s; rejected {rejected}, "
          f"findings {quality['findings']}; thread 2: typed read {quality['typed']:.1f} s, "
          f"marts' sums {quality['marts']:.1f} s, rule {quality['quality']:.1f} s)"] = 0.0
    return steps


def floor(engine, path: Path) -> dict[str, tuple[float, float]]:
    """The least this design can cost: the raw COPY, then one INSERT .. SELECT with plain casts (no
    check, no pseudonym join, no index) into a table shaped like the reference's. (seconds, server CPU)."""
    header = path.open().readline().strip().split(",")
    plain = {c: f"nullif({c}, '')::timestamp" for c in LEAD_DATE_COLUMNS} | {
        "deal_value": "nullif(deal_value, '')::float8", "monthly_amount": "nullif(monthly_amount, '')::float8"}
    measured = {}
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TEMP TABLE raw_floor ({', '.join(f'{c} text' for c in header)}) ON COMMIT DROP")
        conn.exec_driver_sql(REFERENCE_DDL["leads"][0].replace("ref_leads", "floor_leads").replace(
            " PRIMARY KEY", ""))
        cursor = conn.connection.driver_connection.cursor()
        cpu, start = server_cpu(conn), time.perf_counter()
        with cursor.copy(f"COPY raw_floor FROM STDIN WITH (FORMAT csv, HEADER true, "
                         f"FORCE_NOT_NULL ({', '.join(header)}))") as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        measured["COPY the raw text into a TEMP table"] = (time.perf_counter() - start, server_cpu(conn) - cpu)
        cpu, start = server_cpu(conn), time.perf_counter()
        conn.exec_driver_sql(f"INSERT INTO floor_leads ({', '.join(header)}) SELECT "
                             f"{', '.join(plain.get(c, c) for c in header)} FROM raw_floor")
        measured["INSERT .. SELECT, plain casts, no check/join/index"] = (
            time.perf_counter() - start, server_cpu(conn) - cpu)
        conn.exec_driver_sql("DROP TABLE floor_leads")
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="a canonical leads file already written (skips generation)")
    args = parser.parse_args()
    company = generate(seed=7, leads=args.leads, years=3, end=END)
    if args.file:
        path = args.file
    else:
        directory = Path(tempfile.mkdtemp(prefix="pilotage-proto-"))
        path = write_canonical_csv(company, directory, tables=("leads",))["leads"]
    rows = sum(1 for _ in path.open()) - 1
    copies = []
    for attempt in range(2):
        url = fresh_postgres("etl_sql_proto_copy")
        copies.append(copy_reference(url, path))
        drop_postgres("etl_sql_proto_copy")
        if attempt == 0:
            url = fresh_postgres("etl_sql_proto")
            engine = get_engine(url)
            upgrade(engine)
            ensure_dimensions(company, engine)
            cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
            steps = sql_load(path, engine)
            steps["python CPU (whole process, user)"] = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu
            with engine.connect() as conn:
                count = conn.exec_driver_sql("SELECT count(*) FROM fact_lead").scalar()
            least = floor(engine, path)
            engine.dispose()
            drop_postgres("etl_sql_proto")
            # Today's path (etl.pipeline.load_file, Python typing) on the same file, in the same run.
            engine = get_engine(fresh_postgres("etl_sql_proto"))
            upgrade(engine)
            ensure_dimensions(company, engine)
            start = time.perf_counter()
            load_file(path, engine=engine)
            today = time.perf_counter() - start
            engine.dispose()
            drop_postgres("etl_sql_proto")
    copy_seconds = min(seconds for seconds, _cpu in copies)
    print(f"{rows:,} leads; COPY reference {copies[0][0]:.1f} s / {copies[1][0]:.1f} s (best {copy_seconds:.1f} s; "
          f"server CPU {copies[0][1]:.1f} / {copies[1][1]:.1f} s); "
          f"fact rows written {count:,}")
    for name, seconds in steps.items():
        print(f"{name:<75} {seconds:6.1f}" if seconds else name)
    print(f"ratio vs COPY: {copy_seconds / steps['total']:.0%} (goal 50%)")
    print(f"today's path (load_file) on the same file: {today:.1f} s, {copy_seconds / today:.0%} of COPY")
    print("the floor of the design (seconds, server CPU seconds):")
    for name, (seconds, cpu) in least.items():
        print(f"   {name:<60} {seconds:6.1f} {cpu:6.1f}")
    total = sum(seconds for seconds, _cpu in least.values())
    print(f"   {'both':<60} {total:6.1f} {sum(cpu for _s, cpu in least.values()):6.1f}"
          f"  -> at most {copy_seconds / total:.0%} of COPY")


if __name__ == "__main__":
    main()

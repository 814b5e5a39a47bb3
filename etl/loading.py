"""Bulk upserts through a staging table, with inserted / updated / unchanged / deleted counts.

Why a staging table: the rows of a file are copied in bulk (PostgreSQL ``COPY``, SQLite
``executemany``) into a temporary table, then a handful of set-based statements compare
them with the store. Nothing is done row by row in Python and the whole file lands, or
not, in the caller's one transaction.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    update,
)

from pilotage.input import LINE

COPY_ROWS = 50_000  # rows per slice sent to COPY
PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # binary COPY: signature, flags, no header extension
PGCOPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
NULL_FIELD = (-1).to_bytes(4, "big", signed=True)  # a NULL in binary COPY: its length, -1, and no value
POSTGRES_EPOCH_DAYS = 10_957  # 2000-01-01, the origin of PostgreSQL's binary dates, in days since 1970
POSTGRES_EPOCH_MICROS = POSTGRES_EPOCH_DAYS * 86_400 * 1_000_000
BUILD_INDEXES_AFTER = 100_000  # rows of a first load from which its table's indexes are built after the copy
NEW_ROW = "_new_row"  # in the table of changes: 1 for a row to add (no fact column starts with "_")


@dataclass
class TableLoad:
    """What to do with one table of a batch.

    ``key``: the natural key. ``replace_scope``: columns whose values the file covers; rows
    of the store in that coverage but absent from the file are deleted (a corrected file
    replaces what it covers). ``update``: False for insert-if-missing (dimensions).
    ``must_exist``: reason for rejecting rows whose key the store does not have yet (files
    that only complete existing rows, like closed deals for known leads); ``must_exist_code``
    the same reason as a code the app translates (``reject.*``).
    ``references``: column -> (dimension table, reason) checked before loading.
    ``code_lists``: column -> dimension table, for a column holding ``;``-separated codes or ``*`` (all):
    a row naming any unknown code is rejected.
    ``date_columns``: columns whose dates feed the marts.
    ``unique_key``: the connector knows that no key is given twice (the process hashing a large
    file's ids saw each once), so the loader does not look for duplicates.
    """

    table: Table
    frame: pd.DataFrame
    key: tuple[str, ...]
    replace_scope: tuple[str, ...] = ()
    update: bool = True
    must_exist: str | None = None
    must_exist_code: str | None = None
    references: dict[str, Table] = field(default_factory=dict)
    code_lists: dict[str, Table] = field(default_factory=dict)
    date_columns: tuple[str, ...] = ()
    unique_key: bool = False


@dataclass
class LoadCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejects: list[dict] = field(default_factory=list)
    touched_dates: set[dt.date] = field(default_factory=set)
    # Column -> how many existing rows had that value changed by this load (a reload that
    # moves dates or amounts must be visible, not only counted as "updated").
    changed_values: dict[str, int] = field(default_factory=dict)
    # The table's whole content after this load, when that is exactly this load's rows: a first
    # load into an empty table, or a file that holds every row of its table (a whole export
    # loaded again). The marts and the quality rule read them from here instead of reading the
    # store back. None otherwise.
    written: pd.DataFrame | None = None
    # A first load's COPY still running on its own thread (see :class:`Copying`); None when done.
    copying: Copying | None = None

    def add(self, other: LoadCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rejects.extend(other.rejects)
        self.touched_dates |= other.touched_dates
        for column, changed in other.changed_values.items():
            self.changed_values[column] = self.changed_values.get(column, 0) + changed


class Copying:
    """The COPY of a first load into an empty PostgreSQL table, on a thread of its own.

    The server reads the rows on one core while the caller computes, from the same rows in
    memory, what follows the write (the lead marts, the data-quality rule) on the other. The
    caller may hand the thread one more piece of work on the connection (:meth:`then`: writing
    those marts), which it runs once the rows are in and before it builds the table's indexes, so
    that the server never waits for the caller; or say there is none (:meth:`release`). The caller
    must not use the connection before :meth:`wait`, which re-raises the thread's error (the
    transaction is then rolled back as for any failure)."""

    def __init__(self, conn: Connection, target: Table, frame: pd.DataFrame, columns: list[str], key):
        self._error: BaseException | None = None
        self._handed: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, args=(conn, target, frame, columns, key),
                                        name="pilotage-copy", daemon=True)
        self._thread.start()

    def _run(self, *args) -> None:
        try:
            first_copy(*args, between=self._handed_work)
        except BaseException as error:  # handed to the caller's thread by wait()
            self._error = error

    def _handed_work(self) -> None:
        work = self._handed.get()
        if work is not None:
            work()

    def then(self, work) -> None:
        """Run ``work()`` on this thread after the rows, before the indexes."""
        self._handed.put(work)

    def release(self) -> None:
        """No work to hand (a caller that fails must call it, or the thread waits for ever)."""
        self._handed.put(None)

    def wait(self) -> None:
        self.release()  # a thread past its rows already took what it was handed
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def first_copy(conn: Connection, target: Table, frame: pd.DataFrame, columns: list[str], key,
               between=None) -> None:
    """Copy ``frame`` into ``target``, an empty table (a fact table's first load, an empty mart);
    ``between()``, if given, runs after the rows and before the indexes are built."""
    with _indexes_built_after(conn, target, len(frame)) as built_after:
        # A small copy goes in key order, so that the primary-key index fills page after page
        # instead of at random; a large one's key index is built after it (the server sorts).
        copy_rows(conn, target, frame, columns, order_by=() if built_after else key)
        if between is not None:
            between()


def upsert(conn: Connection, load: TableLoad, count_rows: bool = True, background: bool = False,
           ahead=None) -> LoadCounts:
    """Apply ``load`` inside the caller's transaction and return what changed.

    ``background``: a first load into an empty PostgreSQL table is copied on a thread of its own
    (``counts.copying``; the caller waits for it before using the connection again). ``ahead``:
    called with the rows to write (the rejected ones out) before they are written, when they may be
    the table's whole content (see ``counts.written``): the caller may start computing from them
    while the server writes and compares."""
    counts = LoadCounts()
    frame = load.frame
    if not load.unique_key:
        frame, counts.rejects = _reject_duplicates(frame, load.key)
    for column, dimension in load.references.items():
        frame, rejected = _reject_unknown_codes(conn, frame, column, dimension)
        counts.rejects.extend(rejected)
    for column, dimension in load.code_lists.items():
        frame, rejected = _reject_unknown_codes(conn, frame, column, dimension, listed=True)
        counts.rejects.extend(rejected)
    if frame.empty:
        return counts

    target = load.table
    columns = [c for c in frame.columns if c != LINE]
    if LINE not in frame.columns:  # rows a connector derived (the demo's) have no source line
        frame = frame.assign(**{LINE: 0})
    # The very rows counts.written will hold, if they are the table's whole content.
    if ahead is not None and load.update and not load.must_exist:
        ahead = partial(ahead, frame)
    else:
        ahead = None
    if not load.must_exist and is_empty(conn, target):
        # First load into this table: nothing to compare with, copy straight into it (what is computed
        # ahead starts at once: the copying thread writes the marts it sums before building the keys).
        if ahead is not None:
            ahead()
        counts.inserted = len(frame)
        counts.touched_dates = file_dates(frame, load.date_columns)
        counts.written = frame
        if background and conn.dialect.name == "postgresql":
            counts.copying = Copying(conn, target, frame, columns, load.key)  # last: nothing may fail after it
        else:
            first_copy(conn, target, frame, columns, load.key)
        return counts
    staging = _create_staging(conn, target, columns, load.key)
    copy_rows(conn, staging, frame, [*columns, LINE])
    if ahead is not None:  # after the copy, which it would slow down: it has the server's compare to run beside
        ahead()
    _index_staging(conn, staging, load.key)

    key_match = and_(*(target.c[k] == staging.c[k] for k in load.key))
    if load.must_exist:
        missing = select(staging.c[LINE], *(staging.c[k] for k in load.key)).where(
            ~exists().where(key_match))
        for row in conn.execute(missing):
            counts.rejects.append({"line": row[0], "column": load.key[0], "value": str(row[1]),
                                   "expected": load.must_exist, "raw": None,
                                   "code": load.must_exist_code or "reject.must_exist",
                                   "params": {"column": load.key[0]}})
        conn.execute(delete(staging).where(~exists().where(key_match)))

    value_columns = [c for c in columns if c not in load.key] if load.update else []
    if value_columns:
        # One join of file and store finds the rows to add and the rows to change (a reload of the
        # same file: none of either, and nothing more is read).
        changes = _stage_changes(conn, target, staging, load, value_columns)
        existing = changes.c[NEW_ROW] == 0
        flags = [func.coalesce(func.sum(case((existing, changes.c[f"changed_{c}"]), else_=0)), 0)
                 for c in value_columns]
        added, updated, *per_column = conn.execute(select(
            func.coalesce(func.sum(changes.c[NEW_ROW]), 0), func.coalesce(func.sum(one_if(existing)), 0), *flags,
        ).select_from(changes)).one()
        counts.updated = updated
        counts.changed_values = {c: n for c, n in zip(value_columns, per_column, strict=True) if n}
        if load.date_columns and (updated or added):
            counts.touched_dates |= _changed_dates(conn, changes, load)
        if updated:
            change_match = and_(*(target.c[k] == changes.c[k] for k in load.key))
            conn.execute(update(target).where(change_match, existing).values(
                {c: changes.c[c] for c in value_columns}))
        if load.date_columns and load.replace_scope:
            counts.touched_dates |= _dropped_dates(conn, target, staging, load, key_match)
        if added:
            # In key order: the primary-key index then fills page after page instead of at random.
            conn.execute(insert(target).from_select(columns, select(*(changes.c[c] for c in columns)).where(
                changes.c[NEW_ROW] == 1).order_by(*(changes.c[k] for k in load.key))))
        counts.inserted = added
        changes.drop(conn)
    else:
        if load.date_columns:
            counts.touched_dates |= _added_dates(conn, target, staging, load, key_match)
        result = conn.execute(
            insert(target).from_select(columns, select(*(staging.c[c] for c in columns)).where(
                ~exists().where(key_match)).order_by(*(staging.c[k] for k in load.key))),
            execution_options={"preserve_rowcount": True})
        counts.inserted = result.rowcount
    staged = conn.execute(select(func.count()).select_from(staging)).scalar_one()
    counts.unchanged = staged - counts.inserted - counts.updated

    if load.replace_scope:
        counts.deleted = _delete_uncovered(conn, target, staging, load)
    staging.drop(conn)
    # Every staged row is now in the table with the file's values (inserted, updated or equal): if
    # the table holds no other row, the file is its whole content.
    if load.update and not load.must_exist and staged == conn.execute(
            select(func.count()).select_from(target)).scalar_one():
        counts.written = frame
    return counts


@contextmanager
def _indexes_built_after(conn: Connection, table: Table, rows: int):
    """Around a bulk copy into an empty PostgreSQL table: its primary key and secondary indexes
    dropped, then built once the rows are in (yields whether they are). Rows reach an index in
    random order, which costs PostgreSQL more than the copy itself; a build sorts them once, on the
    server's core, where sorting the rows in Python beforehand cost the loader two seconds per
    million. The key's uniqueness is checked by the build (duplicates were rejected before). Inside
    the load's transaction: a failure brings the indexes back, and until the commit other sessions
    wait for the table (empty before this load) instead of reading it."""
    if conn.dialect.name != "postgresql" or rows < BUILD_INDEXES_AFTER:
        yield False
        return
    primary = conn.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = %(table)s::regclass AND contype = 'p'",
        {"table": table.name}).scalar()
    if primary:
        conn.exec_driver_sql(f'ALTER TABLE {table.name} DROP CONSTRAINT "{primary}"')
    for index in table.indexes:
        index.drop(conn)
    yield True
    if primary:
        keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD CONSTRAINT "{primary}" PRIMARY KEY ({keys})')
    for index in table.indexes:
        index.create(conn)


def is_empty(conn: Connection, table: Table) -> bool:
    return conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None


def file_dates(frame: pd.DataFrame, date_columns) -> set[dt.date]:
    dates: set[dt.date] = set()
    for column in date_columns:
        if column in frame.columns:
            # The distinct days first: a Python date per row would cost a second per million rows.
            days = pd.to_datetime(frame[column]).dropna().dt.normalize().unique()
            dates.update(day.date() for day in days)
    return dates


def _lines(frame: pd.DataFrame) -> pd.Series:
    """Source line numbers (0 for rows a connector derived, such as dimension rows)."""
    return frame[LINE] if LINE in frame.columns else pd.Series(0, index=frame.index)


def _reject_duplicates(frame: pd.DataFrame, key: tuple[str, ...]) -> tuple[pd.DataFrame, list[dict]]:
    if len(key) == 1 and frame[key[0]].is_unique:  # one hash table, where duplicated() builds two
        return frame, []
    duplicated = frame.duplicated(list(key), keep="first")
    if not duplicated.any():
        return frame, []
    first_line = frame[~duplicated].set_index(list(key))[LINE] if LINE in frame.columns else None
    rejects = []
    for _, row in frame[duplicated].iterrows():
        key_values = tuple(row[k] for k in key)
        where = ""
        if first_line is not None:
            lookup = key_values if len(key) > 1 else key_values[0]
            where = f" (first seen on line {int(first_line.loc[lookup])})"
        rejects.append({
            "line": int(row[LINE]) if LINE in frame.columns else 0,
            "column": ", ".join(key),
            "value": " | ".join(str(v) for v in key_values),
            "expected": f"a unique {', '.join(key)}: this key appears twice in the file{where}",
            "raw": None, "code": "reject.duplicate_key" if first_line is not None else "reject.duplicate_key_nowhere",
            "params": {"columns": ", ".join(key), "line": "" if first_line is None else int(
                first_line.loc[key_values if len(key) > 1 else key_values[0]])},
        })
    return frame[~duplicated], rejects


def _reject_unknown_codes(conn, frame, column, dimension, listed: bool = False) -> tuple[pd.DataFrame, list[dict]]:
    """Rows whose code (or, ``listed``, any code of a ``;``-separated list other than ``*``) the
    dimension does not have."""
    known = set(conn.execute(select(dimension.primary_key.columns[0])).scalars())
    values = frame[column]
    if listed:
        unknown = values.notna() & values.map(
            lambda codes: any(c not in known for c in str(codes).split(";") if c != "*")).astype(bool)
    else:
        unknown = ~values.isin(known) & values.notna()
    if not unknown.any():
        return frame, []
    listed = ", ".join(sorted(known)[:20]) + (" ..." if len(known) > 20 else "")
    rejects = [
        {"line": int(line), "column": column, "value": str(value),
         "expected": f"a known {dimension.name.removeprefix('dim_')} code ({listed})", "raw": None,
         "code": "reject.unknown_code", "params": {"dimension": dimension.name.removeprefix("dim_"), "known": listed}}
        for line, value in zip(_lines(frame)[unknown], values[unknown], strict=True)
    ]
    return frame[~unknown], rejects


def _create_staging(conn: Connection, target: Table, columns: list[str], key) -> Table:
    staging = Table(
        f"stg_{target.name}", MetaData(),
        *(Column(c, target.c[c].type) for c in columns),
        Column(LINE, Integer),
        prefixes=["TEMPORARY"],
    )
    staging.drop(conn, checkfirst=True)
    staging.create(conn)
    return staging


def _index_staging(conn: Connection, staging: Table, key) -> None:
    """PostgreSQL hash-joins the staging table once it knows its size; SQLite joins by
    nested loops and needs an index on the key."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {staging.name}")
    else:
        Index(f"ix_{staging.name}_key", *(staging.c[k] for k in key)).create(conn)


def copy_rows(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str],
              order_by: tuple[str, ...] = ()) -> None:
    """Bulk-insert ``frame``'s ``columns`` into ``table`` (sorted by ``order_by``, if given):
    ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table, frame[columns], columns, order_by)
    else:
        rows = frame.sort_values(list(order_by)) if order_by else frame
        _insert_many(conn, table, rows[columns], columns)


def _copy_postgres(conn, staging, frame, columns, order_by=()) -> None:
    """COPY in PostgreSQL's binary format, which the server reads in about two thirds of the time
    it parses the same rows as CSV (timestamps and doubles are taken as they are, not parsed).

    Each slice of rows is built a column at a time by pyarrow (no Python loop per row or per
    value: psycopg's ``Copy.write_row`` dumps each row in Python, far too slow for a million rows)
    and sent by psycopg's writer thread, so the server reads one slice while the next is built.
    A column type that cannot be sent this way is refused before anything is sent."""
    from psycopg.copy import QueuedLibpqWriter

    senders = [_binary_sender(staging.c[c]) for c in columns]
    table = pa.Table.from_pandas(frame, preserve_index=False)  # NaN of a float column becomes NULL, as in CSV
    if order_by:  # sorted by pyarrow: it gathers a million rows' string columns in about half pandas' time
        keys = pa.table({c: table[c].cast(table[c].type.value_type) if pa.types.is_dictionary(table[c].type)
                         else table[c] for c in order_by})
        table = table.take(pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in order_by]))
    cursor = conn.connection.driver_connection.cursor()
    if cursor.connection.info.encoding != "utf-8":  # binary text is taken in the client encoding
        raise ValueError(f"binary COPY sends text as UTF-8, the connection uses {cursor.connection.info.encoding}")
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {staging.name} ({quoted}) FROM STDIN WITH (FORMAT binary)",
                     writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(PGCOPY_HEADER)
        for batch in table.to_batches(max_chunksize=COPY_ROWS):
            copy.write(_binary_rows(batch, senders))
        copy.write(PGCOPY_TRAILER)


def _binary_rows(batch: pa.RecordBatch, senders) -> memoryview:
    """The rows of ``batch`` in COPY's binary format: per row the field count, then its fields
    (NULL: a length of -1), joined by pyarrow a whole column at a time."""
    fields = [send(values) for values, send in zip(batch.columns, senders, strict=True)]
    rows = pc.binary_join_element_wise(pa.scalar(len(fields).to_bytes(2, "big")), *fields, b"",
                                       null_handling="replace", null_replacement=NULL_FIELD)
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=rows.offset * 4)
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


def _fixed_width(records: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Each element of ``records`` as its bytes, a binary array over the same memory (no copy),
    NULL where ``valid`` is False."""
    size = records.dtype.itemsize
    offsets = np.arange(0, (len(records) + 1) * size, size, dtype=np.int32)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.binary(), len(records), [bitmap, pa.py_buffer(offsets), pa.py_buffer(records)])


def _send_text(values: pa.Array) -> pa.Array:
    """UTF-8 text after its length; NULL's length -1 is in the field, not left to the join, whose
    one replacement of NULL must not follow an empty string's length."""
    text = pc.cast(values, pa.large_string()).cast(pa.large_binary()).cast(pa.binary())
    lengths = _fixed_width(pc.binary_length(text).fill_null(-1).to_numpy().astype(">i4"))
    return pc.binary_join_element_wise(lengths, text, b"", null_handling="replace", null_replacement=b"")


def _binary_sender(column: Column):
    """The function turning a column of values into ``column``'s fields in binary COPY: its length
    then its value in the type's binary format, NULL where null. Refuses a type it does not know,
    and timestamptz: its binary value is UTC where the CSV text of a naive timestamp was read in
    the session's time zone."""
    sql_type = column.type
    if isinstance(sql_type, String):  # Text too
        return _send_text
    if isinstance(sql_type, DateTime) and not sql_type.timezone:
        return _send_timestamps
    if isinstance(sql_type, Date):
        return _send_dates
    if isinstance(sql_type, Boolean):
        return lambda values: _send_numbers(pc.cast(values, pa.bool_()), pa.uint8(), "u1")
    if isinstance(sql_type, Double):
        return lambda values: _send_numbers(values, pa.float64(), ">f8")
    for integer, arrow_type, width in ((BigInteger, pa.int64(), ">i8"), (SmallInteger, pa.int16(), ">i2"),
                                       (Integer, pa.int32(), ">i4")):
        if isinstance(sql_type, integer):
            return lambda values, arrow_type=arrow_type, width=width: _send_numbers(values, arrow_type, width)
    raise TypeError(f"binary COPY cannot send column {column.name} of type {sql_type!r}")


def _send_numbers(values: pa.Array, arrow_type: pa.DataType, width: str) -> pa.Array:
    """Numbers cast (safely: an int4 column refuses a value it cannot hold, as the server would)
    to ``arrow_type``, each after its length and written as ``width``, a big-endian numpy type."""
    typed = pc.cast(values, arrow_type)
    records = np.empty(len(typed), dtype=[("length", ">i4"), ("value", width)])
    records["length"] = np.dtype(width).itemsize
    records["value"] = typed.fill_null(0).to_numpy(zero_copy_only=False)
    return _fixed_width(records, typed.is_valid().to_numpy(zero_copy_only=False))


def _naive(values: pa.Array) -> pa.Array:
    """Timestamps with a time zone as their local time there, as the CSV COPY stored them (the
    CSV writer wrote "...+0100", an offset a column without time zone ignores)."""
    if pa.types.is_timestamp(values.type) and values.type.tz is not None:
        return pc.local_timestamp(values)
    return values


def _send_timestamps(values: pa.Array) -> pa.Array:
    """Microseconds since 2000-01-01. A value with a fraction of a microsecond is refused by
    the cast (the server would have rounded it)."""
    micros = pc.cast(_naive(values), pa.timestamp("us")).cast(pa.int64())
    return _send_numbers(pc.subtract(micros, POSTGRES_EPOCH_MICROS), pa.int64(), ">i8")


def _send_dates(values: pa.Array) -> pa.Array:
    """Days since 2000-01-01; a timestamp gives its day, as the server reads "2024-03-31 14:05:00"
    into a date."""
    days = pc.cast(_naive(values), pa.date32()).cast(pa.int32())
    return _send_numbers(pc.subtract(days, POSTGRES_EPOCH_DAYS), pa.int32(), ">i4")


def _sqlite_column(series: pd.Series, sql_type) -> list:
    """Values as SQLAlchemy's SQLite types store them, so staging and target compare equal."""
    type_name = type(sql_type).__name__
    if pd.api.types.is_datetime64_any_dtype(series):
        text_format = "%Y-%m-%d" if type_name == "Date" else "%Y-%m-%d %H:%M:%S.%f"
        formatted = series.dt.strftime(text_format)
        return formatted.where(series.notna(), None).tolist()
    if series.dtype == bool or type_name == "Boolean":
        return [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else int(bool(v))
                for v in series.tolist()]
    values = series.astype(object).where(series.notna(), None)
    return values.tolist()


def _insert_many(conn, staging, frame, columns) -> None:
    data = [_sqlite_column(frame[c], staging.c[c].type) for c in columns]
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()
    cursor.executemany(f"INSERT INTO {staging.name} ({quoted}) VALUES ({placeholders})", zip(*data, strict=True))
    cursor.close()


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def one_if(condition):
    """1 where ``condition`` holds, else 0 (a flag to sum)."""
    return case((condition, 1), else_=0)


def _stage_changes(conn, target, staging, load: TableLoad, value_columns) -> Table:
    """The rows this load adds or changes, in a temporary table: their key, new values, old dates
    (NULL for a new row), 1 in :data:`NEW_ROW` for a row to add, and one 0/1 flag per value column.
    The (outer) join of file and store is done once; the counts, the touched dates, the update and
    the insert then read this table, which a reload that changes little keeps small."""
    old_dates = [c for c in load.date_columns if c in target.c]
    changes = Table(
        f"chg_{target.name}", MetaData(),
        *(Column(c, target.c[c].type) for c in [*load.key, *value_columns]),
        *(Column(f"old_{c}", target.c[c].type) for c in old_dates),
        Column(NEW_ROW, Integer),
        *(Column(f"changed_{c}", Integer) for c in value_columns),
        prefixes=["TEMPORARY"],
    )
    changes.drop(conn, checkfirst=True)
    changes.create(conn)
    missing = target.c[load.key[0]].is_(None)  # a key column is never NULL in the store
    differs = {c: target.c[c].is_distinct_from(staging.c[c]) for c in value_columns}
    rows = select(
        *(staging.c[c] for c in [*load.key, *value_columns]),
        *(target.c[c] for c in old_dates),
        one_if(missing),
        *(one_if(differs[c]) for c in value_columns),
    ).select_from(staging.outerjoin(target, and_(*(target.c[k] == staging.c[k] for k in load.key)))).where(
        or_(missing, *differs.values()))
    conn.execute(insert(changes).from_select([c.name for c in changes.c], rows))
    return changes


def _changed_dates(conn, changes: Table, load: TableLoad) -> set[dt.date]:
    """Every date of an added or changed row, as it was and as it will be: both sides' mart rows move."""
    columns = [changes.c[c] for c in load.date_columns if c in changes.c]
    columns += [changes.c[f"old_{c}"] for c in load.date_columns if f"old_{c}" in changes.c]
    days = union_all(*(select(func.date(c).label("day")) for c in columns)).subquery()
    return _dates(conn, select(days.c.day).distinct())


def _added_dates(conn, target, staging, load: TableLoad, key_match) -> set[dt.date]:
    """The dates of rows the load adds, and of rows a corrected file drops from its coverage.
    Unchanged rows touch nothing, so reloading a file that did not change costs no mart refresh."""
    staged = [c for c in load.date_columns if c in staging.c]
    touched: set[dt.date] = set()
    if staged:
        added = select(*(staging.c[c] for c in staged)).where(~exists().where(key_match)).cte("added_rows")
        days = union_all(*(select(func.date(added.c[c]).label("day")) for c in staged)).subquery()
        touched |= _dates(conn, select(days.c.day).distinct())
    if load.replace_scope:
        touched |= _dropped_dates(conn, target, staging, load, key_match)
    return touched


def _dropped_dates(conn, target, staging, load: TableLoad, key_match) -> set[dt.date]:
    """The dates of the store's rows in the file's coverage that the file no longer has."""
    touched: set[dt.date] = set()
    with _hash_joins(conn):
        for column in load.date_columns:
            touched |= _dates(conn, select(func.date(target.c[column])).where(
                _in_scope(target, staging, load), ~exists().where(key_match)).distinct())
    return touched


def _dates(conn, query) -> set[dt.date]:
    return {_as_date(d) for d in conn.execute(query).scalars()} - {None}


def _in_scope(target, staging, load: TableLoad):
    scope = load.replace_scope
    covered = select(*(staging.c[c] for c in scope)).distinct()
    if len(scope) == 1:
        return target.c[scope[0]].in_(covered)
    return tuple_(*(target.c[c] for c in scope)).in_(covered)


@contextmanager
def _hash_joins(conn: Connection):
    """PostgreSQL: no nested loops for a statement comparing the whole file with the store. A fact
    table without statistics yet (loaded moments ago) can otherwise be planned as a few rows and
    joined by a loop over the file per row: a corrected file of 19 k ad rows took minutes."""
    if conn.dialect.name != "postgresql":
        yield
        return
    nested_loops = conn.exec_driver_sql("SHOW enable_nestloop").scalar()
    conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    yield  # (after a failure the transaction is rolled back, with the setting)
    conn.exec_driver_sql(f"SET LOCAL enable_nestloop = {'on' if nested_loops == 'on' else 'off'}")


def _delete_uncovered(conn, target, staging, load: TableLoad) -> int:
    key_match = and_(*(target.c[k] == staging.c[k] for k in load.key))
    with _hash_joins(conn):
        result = conn.execute(delete(target).where(_in_scope(target, staging, load), ~exists().where(key_match)))
    return result.rowcount

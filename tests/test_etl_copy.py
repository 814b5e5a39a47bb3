"""The binary COPY into PostgreSQL stores exactly what the CSV COPY it replaced stored: NULLs, NaN,
empty strings, non-ASCII text, timestamps before 2000 and with microseconds, dates, negative
numbers, booleans."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

from etl import loading
from etl.loading import copy_rows
from pilotage.store.engine import get_engine

pytestmark = pytest.mark.postgres

TYPES = {"id": Integer, "name": String(80), "note": Text, "segment": String(10), "at": DateTime,
         "at_seconds": DateTime, "at_zone": DateTime, "day": Date, "day_of_time": Date, "day_zone": Date,
         "amount": Double, "count": Integer, "small": SmallInteger, "big": BigInteger, "flag": Boolean,
         "nothing": DateTime, "nobody": String(10)}


def every_type() -> pd.DataFrame:
    nat = pd.NaT
    at = pd.to_datetime(["1999-12-31 23:59:59.123456", "1969-07-20 20:17:40", None, "2024-03-31 14:05:00",
                         "2000-01-01 00:00:00.000001", "1900-02-28 12:00:00"], format="ISO8601")
    return pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "name": ["plain", "", None, "é€😀 中文", 'quote " comma , newline \n tab \t backslash \\', "NULL"],
        "note": ["x" * 300, "", "ü", None, " ", "\\N"],
        "segment": pd.Categorical(["a", None, "b", "a", "", "b"]),
        "at": at,
        "at_seconds": pd.to_datetime(["2024-01-01 00:00:01", None, "1970-01-01", "1999-12-31 23:59:59",
                                      "2000-01-01", "1800-01-01"], format="ISO8601").astype("datetime64[s]"),
        "at_zone": at.tz_localize("Europe/Paris"),
        "day": [dt.date(2024, 2, 29), None, dt.date(1999, 12, 31), dt.date(1950, 1, 1), dt.date(2000, 1, 1),
                dt.date(2000, 1, 2)],
        "day_of_time": pd.to_datetime(["1999-12-31 14:00", "1969-12-31 23:59:59", None, "2024-03-31",
                                       "2000-01-01", "1901-06-01 06:00"], format="ISO8601"),
        "day_zone": at.tz_localize("Asia/Tokyo"),
        "amount": [1.5, -2.25, np.nan, 1e300, -0.0, 0.1 + 0.2],
        "count": pd.array([0, -1, None, 2_147_483_647, -2_147_483_648, 7], dtype="Int64"),
        "small": [0, -32768, 32767, 1, -1, 2],
        "big": [0, -(2**63), 2**63 - 1, 1, -1, 2],
        "flag": [True, False, None, True, False, None],
        "nothing": [nat] * 6,
        "nobody": [None] * 6,
    })


def copied(conn, name: str, frame: pd.DataFrame, copy) -> list[str]:
    """``frame`` copied by ``copy`` into a new table, read back as each row's text."""
    table = Table(name, MetaData(), *(Column(c, TYPES[c]) for c in frame.columns), prefixes=["TEMPORARY"])
    table.create(conn)
    copy(conn, table, frame)
    return conn.execute(text(f"SELECT {name}::text FROM {name} ORDER BY id")).scalars().all()


def copy_csv(conn, table, frame) -> None:
    """The CSV COPY this module used before: every value quoted, NULLs bare."""
    sink = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), sink,
                     write_options=pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(sink.getvalue())


@pytest.fixture
def pg(postgres_url):
    engine = get_engine(postgres_url)
    with engine.connect() as conn:
        yield conn
        conn.rollback()


@pytest.mark.parametrize("order_by", [(), ("name", "id")])
def test_binary_copy_stores_what_the_csv_copy_stored(pg, order_by, monkeypatch):
    monkeypatch.setattr(loading, "COPY_ROWS", 4)  # more than one slice
    frame = every_type()
    binary = copied(pg, "copy_binary", frame, lambda conn, table, f: copy_rows(conn, table, f, list(f.columns),
                                                                                order_by))
    assert binary == copied(pg, "copy_csv", frame, copy_csv)
    values = pg.execute(text("SELECT name, note, amount, at, day_of_time, flag FROM copy_binary ORDER BY id")).all()
    assert [v.name for v in values][:3] == ["plain", "", None]  # "" stays "", not NULL
    assert values[2].amount is None  # NaN is stored as NULL
    assert values[0].at == dt.datetime(1999, 12, 31, 23, 59, 59, 123456)
    assert values[0].day_of_time == dt.date(1999, 12, 31)


def test_an_empty_frame_copies_no_row(pg):
    assert copied(pg, "copy_empty", every_type().iloc[:0], lambda conn, table, f: copy_rows(
        conn, table, f, list(f.columns))) == []


@pytest.mark.parametrize("sql_type", [JSON, DateTime(timezone=True)])
def test_a_type_the_binary_copy_cannot_send_is_refused_before_any_row(pg, sql_type):
    table = Table("copy_refused", MetaData(), Column("id", Integer), Column("value", sql_type),
                  prefixes=["TEMPORARY"])
    table.create(pg)
    with pytest.raises(TypeError, match="value"):
        copy_rows(pg, table, pd.DataFrame({"id": [1], "value": [None]}), ["id", "value"])

"""Outliers are flagged, not swallowed: the data-quality rule applied at load.

Every numeric measure of the fact rows a load wrote is compared with its own series (the
store's history plus the batch itself, read back in the load's transaction). The row is
always kept; a value far from what its neighbours make expected becomes a finding (file,
line, column, value, expected range) that the data team lists with ``pilotage etl quality``.

The rule, for one value x of one series:

- neighbours: the same series' values around its date, the value itself excluded: the same
  weekday within 8 weeks either side for daily facts (weekly patterns are strong), 6 periods
  either side for monthly ones, the 15 closest deals either side for lead amounts;
- fewer than ``min_values`` neighbours: no finding (a history too short to judge);
- m = their median, s = max(1.4826 * MAD, 1.2533 * mean absolute deviation, REL_FLOOR * |m|):
  MAD is 0 on series mostly equal to one value (a constant fee, on/off bursts), the mean
  absolute deviation still sees their spread, and the relative floor keeps a constant series
  from flagging an ordinary raise; neighbours all 0 leave no scale at all: no finding;
- counts (clicks, sessions...): s is at least sqrt(mean + 1), their Poisson-like noise;
- a finding when |x - m| > k * s; expected range m +- k * s, never below 0 when the
  neighbours are all non-negative. "critical" beyond CRITICAL * s.

k = 8 (20 for deal amounts) and REL_FLOOR = 0.5 aim at gross errors (a typo's extra digits, cents taken for euros,
a unit mix-up), not at a good or bad day: a constant series accepts up to 5 times its level.
Everything is vectorised: one sort and a (rows x neighbours) matrix per measure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Integer, String, insert, or_, select, type_coerce

from etl.loading import TableLoad
from pilotage.input import LINE
from pilotage.store.models import DataQualityFinding

REL_FLOOR = 0.5
JUDGED_AT_ONCE = 16_384  # values judged in one block of matrices (see _judge)
CRITICAL = 50.0
MAD_TO_SIGMA, MEAN_AD_TO_SIGMA = 1.4826, 1.2533  # scale factors for a normal distribution


@dataclass(frozen=True)
class Window:
    """Which neighbours a value is compared with."""

    description: str
    neighbours: int  # at most this many on each side
    max_days: int  # and no further apart than this
    by_weekday: bool
    min_values: int
    k: float = 8.0  # how many robust spreads away from the median a value is flagged


SAME_WEEKDAY = Window("same weekday, 8 weeks either side", 8, 56, True, 6)
NEAR_DAYS = Window("14 days either side", 14, 14, False, 10)
NEAR_PERIODS = Window("6 periods either side", 6, 731, False, 6)
# Deal amounts are no time series but a mix of segments (a fleet deal is worth several used
# cars): more neighbours, and a wider band (a constant series then accepts 11 times its level).
NEAR_DEALS = Window("30 closest deals either side within a year", 30, 366, False, 20, k=20.0)


@dataclass(frozen=True)
class SeriesSpec:
    """How one fact table's measures form series: ordered by ``date``, one per ``key``."""

    date: str
    key: tuple[str, ...]
    measures: tuple[str, ...]
    window: Window


SPECS: dict[str, SeriesSpec] = {
    "fact_ad_performance": SeriesSpec(
        "date", ("source_system", "channel_code", "region_code", "campaign_code", "ad_code"),
        ("spend", "impressions", "clicks", "platform_conversions"), SAME_WEEKDAY),
    "fact_web_analytics": SeriesSpec(
        "date", ("source_system", "source_code", "region_code"),
        ("sessions", "users", "engaged_sessions", "conversions"), SAME_WEEKDAY),
    "fact_lead": SeriesSpec(
        "created_at", ("source_system", "channel_code", "region_code"), ("deal_value", "monthly_amount"),
        NEAR_DEALS),
    "fact_subscription": SeriesSpec("month", ("source_system", "customer_key"), ("mrr",), NEAR_PERIODS),
    "fact_media_plan": SeriesSpec(
        "month", ("source_system", "channel_code", "region_code", "coverage"), ("planned_spend",), NEAR_PERIODS),
    "fact_target": SeriesSpec(
        "period_start", ("source_system", "grain", "kpi", "region_code", "channel_code"), ("value",), NEAR_PERIODS),
    "fact_cost": SeriesSpec("month", ("source_system", "category", "region_code"), ("amount",), NEAR_PERIODS),
    "fact_external_series": SeriesSpec("date", ("source_system", "series", "geo"), ("value",), NEAR_DAYS),
}


def rule_text(window: Window, values: int) -> str:
    return (f"median +- {window.k:g} x robust spread (MAD) of {values} values of the same series, "
            f"{window.description}")


def find_outliers(conn: Connection, loads: list[TableLoad], file_name: str,
                  written: dict[str, pd.DataFrame | None] | None = None) -> list[dict]:
    """The findings of a batch whose loads were just applied (same transaction). ``written``: per
    table, its whole content when the load holds it (nothing to read back)."""
    findings = []
    for load in loads:
        spec = SPECS.get(load.table.name)
        if spec is not None and not load.frame.empty:
            findings += _table_findings(conn, load, spec, file_name, (written or {}).get(load.table.name))
    return findings


def record_findings(conn: Connection, run_id: int, findings: list[dict]) -> None:
    if findings:
        created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        conn.execute(insert(DataQualityFinding), [dict(f, run_id=run_id, created_at=created) for f in findings])


def _table_findings(conn: Connection, load: TableLoad, spec: SeriesSpec, file_name: str,
                    written: pd.DataFrame | None = None) -> list[dict]:
    measures = [m for m in spec.measures if m in load.frame.columns]
    if not measures:
        return []
    if written is not None:  # the rows as loaded, each with its line
        stored = _written_rows(written, load, spec, measures)
    else:
        stored = _series_rows(conn, load, spec, measures)
        if stored.empty:
            return []
        key = list(load.key)
        batch = load.frame.drop_duplicates(key, keep="first")  # the loader kept the first of duplicates
        batch = pd.DataFrame({**{k: _normalise(batch[k], load.table.c[k].type) for k in key},
                              LINE: batch[LINE].to_numpy() if LINE in batch.columns else 0})
        stored = stored.merge(batch, on=key, how="left")  # rows the load rejected are not in the store
    if stored.empty:
        return []
    judged = stored[LINE].notna().to_numpy()
    if not judged.any():
        return []
    days = (stored[spec.date].dt.floor("D") - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    groups = stored.groupby(list(spec.key), sort=False, observed=True).ngroup().to_numpy()
    if spec.window.by_weekday:
        groups = groups * 7 + (days + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
    findings, whole = [], None
    for measure in measures:
        values = stored[measure].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(values)
        if present.all():  # the usual case: every measure shares one neighbourhood
            whole = whole or _neighbourhood(days, groups, judged, spec.window)
            hood = whole
        else:
            hood = _neighbourhood(days[present], groups[present], judged[present], spec.window)
        counts = isinstance(load.table.c[measure].type, Integer)
        flagged = _judge(values[present], hood, spec.window, counts)
        rows = stored[present].iloc[flagged["index"]]
        for (_, row), *figures in zip(rows.iterrows(), flagged["value"], flagged["median"], flagged["low"],
                                      flagged["high"], flagged["z"], flagged["count"], strict=True):
            findings.append(_finding(row, measure, figures, load.table.name, spec, file_name))
    return findings


def _series_rows(conn: Connection, load: TableLoad, spec: SeriesSpec, measures: list[str]) -> pd.DataFrame:
    """The stored rows of the batch's series around its dates, with their key, series and measures."""
    table, frame = load.table, load.frame
    columns = list(dict.fromkeys([*load.key, *spec.key, spec.date, *measures]))
    # Dates read as they come (text on SQLite) and parsed by pandas at once: SQLAlchemy's
    # per-value date conversion would cost more than the whole rule.
    dates = {c for c in columns if isinstance(table.c[c].type, Date | DateTime)}
    query = select(*(type_coerce(table.c[c], String).label(c) if c in dates else table.c[c] for c in columns))
    query = query.where(or_(*(table.c[m].is_not(None) for m in measures)))
    if spec.date in frame.columns:
        dates = pd.to_datetime(frame[spec.date]).dropna()
        if dates.empty:
            return pd.DataFrame()
        margin = dt.timedelta(days=spec.window.max_days + 1)
        query = query.where(table.c[spec.date] >= (dates.min() - margin).to_pydatetime(),
                            table.c[spec.date] <= (dates.max() + margin).to_pydatetime())
    if "source_system" in frame.columns and "source_system" in table.c:
        query = query.where(table.c.source_system.in_(frame["source_system"].astype(str).unique().tolist()))
    stored = pd.read_sql(query, conn)
    if stored.empty:
        return stored
    for column in {*load.key, *spec.key, spec.date}:
        stored[column] = _normalise(stored[column], table.c[column].type)
    return stored


def _written_rows(written: pd.DataFrame, load: TableLoad, spec: SeriesSpec, measures: list[str]) -> pd.DataFrame:
    """What :func:`_series_rows` reads back, taken from the load's rows when they are the table's
    whole content (every row is then in the batch's series and dates)."""
    columns = list(dict.fromkeys([*load.key, *spec.key, spec.date, *measures]))
    measured = written[measures].notna().any(axis=1).to_numpy()
    stored = written.loc[measured, columns].reset_index(drop=True)
    for column in {*load.key, *spec.key, spec.date}:
        stored[column] = _normalise(stored[column], load.table.c[column].type)
    stored[LINE] = written.loc[measured, LINE].to_numpy() if LINE in written.columns else 0
    return stored


def _normalise(series: pd.Series, sql_type) -> pd.Series:
    """Key values comparable between a connector's frame and the rows read back from the store."""
    if isinstance(sql_type, Date | DateTime):
        return pd.to_datetime(series).astype("datetime64[us]")
    return series.astype(str)


@dataclass
class _Neighbourhood:
    """For each judged value (at ``at`` in the sorted order): where its neighbours are."""

    order: np.ndarray  # sorts the values by series, then date
    at: np.ndarray
    positions: np.ndarray  # (judged values x 2 * reach) positions in the sorted order
    near: np.ndarray  # which of those are neighbours (same series, close enough)
    count: np.ndarray


def _neighbourhood(days: np.ndarray, groups: np.ndarray, judged: np.ndarray, window: Window) -> _Neighbourhood:
    """Neighbours of the judged values with enough of them; all index arithmetic, no loop."""
    order = np.lexsort((days, groups))
    days, groups = days[order], groups[order]
    at = np.flatnonzero(judged[order])
    offsets = np.r_[-window.neighbours:0, 1:window.neighbours + 1]
    blocks = []  # a block of judged values at a time, as _judge does, for the processor's cache
    for start in range(0, max(len(at), 1), JUDGED_AT_ONCE):
        block = at[start:start + JUDGED_AT_ONCE]
        positions = block[:, None] + offsets
        inside = (positions >= 0) & (positions < len(order))
        np.clip(positions, 0, len(order) - 1, out=positions)
        blocks.append((positions, inside & (groups[positions] == groups[block][:, None])
                       & (np.abs(days[positions] - days[block][:, None]) <= window.max_days)))
    positions, near = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
    count = near.sum(axis=1)
    enough = count >= window.min_values
    return _Neighbourhood(order, at[enough], positions[enough], near[enough], count[enough])


def _judge(values: np.ndarray, hood: _Neighbourhood, window: Window, counts: bool) -> dict[str, np.ndarray]:
    """The positions (in ``values``) of judged values outside their neighbours' range, with figures.

    ``counts``: the values are counts (clicks, sessions...), whose noise around a small mean is
    Poisson-like: the spread is then at least sqrt(mean + 1), so 3 conversions on a day that
    usually has none is no finding. Judged a block of values at a time: a block's matrices
    (values x neighbours) stay in the processor's cache, where a whole file's do not (a third
    faster on 156 k deals)."""
    values = values[hood.order]
    blocks = []
    for start in range(0, max(len(hood.at), 1), JUDGED_AT_ONCE):
        rows = slice(start, start + JUDGED_AT_ONCE)
        block = _Neighbourhood(hood.order, hood.at[rows], hood.positions[rows], hood.near[rows], hood.count[rows])
        blocks.append(_judge_block(values, block, window, counts))
    return {name: np.concatenate([block[name] for block in blocks]) for name in blocks[0]}


def _judge_block(values: np.ndarray, hood: _Neighbourhood, window: Window, counts: bool) -> dict[str, np.ndarray]:
    """:func:`_judge` of the values at ``hood.at`` (``values`` in ``hood.order`` already)."""
    near, count = hood.near, hood.count
    neighbours = np.where(near, values[hood.positions], np.nan)
    median = _row_median(neighbours, count)
    deviation = np.abs(neighbours - median[:, None])
    mean_deviation = np.where(near, deviation, 0.0).sum(axis=1) / np.maximum(count, 1)
    scale = np.maximum.reduce([MAD_TO_SIGMA * _row_median(deviation, count), MEAN_AD_TO_SIGMA * mean_deviation,
                               REL_FLOOR * np.abs(median)])
    if counts:
        mean = np.where(near, neighbours, 0.0).sum(axis=1) / np.maximum(count, 1)
        scale = np.maximum(scale, np.sqrt(np.maximum(mean, 0.0) + 1.0))
    x = values[hood.at]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(x - median) / scale
    pick = np.flatnonzero((scale > 0) & (z > window.k))
    low = median[pick] - window.k * scale[pick]
    non_negative = np.where(near[pick], neighbours[pick], np.inf).min(axis=1, initial=np.inf) >= 0
    return {"index": hood.order[hood.at[pick]], "value": x[pick], "median": median[pick],
            "low": np.where(non_negative, np.maximum(low, 0.0), low),
            "high": median[pick] + window.k * scale[pick], "z": z[pick], "count": count[pick]}


def _row_median(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Median of each row's ``count`` non-NaN values (np.sort puts NaN last): much faster
    than np.nanmedian on many short rows."""
    ordered = np.sort(matrix, axis=1)
    rows = np.arange(len(matrix))
    return (ordered[rows, (count - 1) // 2] + ordered[rows, count // 2]) / 2


def _finding(row: pd.Series, measure: str, figures, table_name: str, spec: SeriesSpec, file_name: str) -> dict:
    value, median, low, high, z, count = figures
    series = ", ".join(f"{c}={row[c]}" for c in spec.key if c != "source_system")
    region = row.get("region_code", row.get("geo"))
    return {
        "file_name": file_name, "line": int(row[LINE]), "table_name": table_name, "column": measure,
        "series_key": series, "region_code": None if region is None else str(region),
        "channel_code": None if row.get("channel_code") is None else str(row["channel_code"]),
        "date": pd.Timestamp(row[spec.date]).date(), "value": float(value), "typical": round(float(median), 2),
        "expected_low": round(float(low), 2), "expected_high": round(float(high), 2),
        "rule": rule_text(spec.window, int(count)), "severity": "critical" if z > CRITICAL else "warning",
    }

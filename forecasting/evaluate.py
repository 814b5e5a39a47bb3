"""``pilotage forecast evaluate``: the same selection, scored on the final window of any monthly data.

Input: a CSV (or XLSX) in long format ``unique_id, ds, y`` (one row per series and month; ``ds`` any date
within the month, usually its first day). For each series the final ``H`` points are held out;
the median combination (:func:`forecasting.selection.forecast_median`) forecasts them with 80%
and 95% conformal intervals calibrated on its rolling-origin backtest inside the training part.
With ``candidates``, the per-series selection among those candidates is used instead.

Output (one row per series, then a summary row ``unique_id = "ALL"``): ``unique_id, method,
n_obs`` (points in the input), ``mase`` (seasonal period ``m`` = 12, scaled on the training
part), ``smape`` (percent), ``coverage80, coverage95`` (share of the ``H`` held-out points inside
the intervals), then ``backtest_mase`` (the winner's, inside the training part), ``naive_mase``
(seasonal naive on the same final window) and ``short_series``. The summary holds the means
(``n_obs``: the total). The optional forecasts file has ``unique_id, ds, yhat, lo80, hi80, lo95,
hi95`` for the final window, so that anyone can score them independently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.candidates import CANDIDATES, seasonal_naive
from forecasting.metrics import coverage, mase, smape
from forecasting.selection import SeriesInput, forecast_many
from pilotage.input import LINE, InputError, read_table
from pilotage.input.columns import REWRITE_HINT, parse_numbers

COLUMNS = ("unique_id", "ds", "y")
MIN_TRAIN = 8
LEVELS = (0.8, 0.95)


@dataclass
class Series:
    unique_id: str
    months: pd.PeriodIndex
    y: np.ndarray


def read_series(path: str | Path) -> list[Series]:
    """Read and check a long-format monthly CSV or XLSX; series in order of first appearance.
    Read by the input layer (encoding and separator decided from the file); bad input raises its
    :class:`InputError` naming the file, line and column."""
    raw = read_table(Path(path))
    raw.refuse_rejects()
    name = str(path)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        found = ", ".join(raw.columns) or "none"
        raise InputError(name, f"missing column(s) {', '.join(missing)} (expected unique_id, ds, y; found {found})",
                         line=1)
    if raw.frame.empty:
        raise InputError(name, "no rows")
    line = raw.frame[LINE].to_numpy()
    uid = raw.frame["unique_id"].str.strip()
    empty = uid == ""
    if empty.any():
        raise InputError(name, "empty", line=int(line[np.argmax(empty.to_numpy())]), column="unique_id")
    ds_text = raw.frame["ds"].str.strip()
    ds = pd.to_datetime(ds_text, errors="coerce", format="ISO8601")
    bad = ds.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(name, f"{ds_text.iloc[i]!r} is not a date (YYYY-MM-DD)", line=int(line[i]), column="ds",
                         value=ds_text.iloc[i])
    y_text = raw.frame["y"].str.strip()
    y = parse_numbers(y_text, file=name, column="y", hint=REWRITE_HINT)  # one decimal mark for the column
    bad = ~np.isfinite(y.to_numpy(dtype=float))
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(name, f"{y_text.iloc[i]!r} is not a number", line=int(line[i]), column="y",
                         value=y_text.iloc[i])
    frame = pd.DataFrame({"uid": uid.to_numpy(), "ds": ds.to_numpy(), "month": ds.dt.to_period("M").to_numpy(),
                          "y": y.to_numpy(dtype=float), "line": line})
    dup = frame.duplicated(["uid", "month"], keep=False).to_numpy()
    if dup.any():
        rows = frame[dup]
        first = rows.iloc[0]
        same = rows[(rows.uid == first.uid) & (rows.month == first.month)]
        lines = ", ".join(str(v) for v in same.line.tolist()[:5])
        what = "duplicate rows" if same.ds.nunique() == 1 else "several dates in one month: ds is not monthly"
        raise InputError(name, f"lines {lines}: {what} for series {first.uid!r} in {first.month}",
                         line=int(same.line.iloc[-1]))
    out = []
    for key, group in frame.groupby("uid", sort=False):
        group = group.sort_values("month")
        months = pd.PeriodIndex(group.month.to_numpy(), freq="M")
        steps = np.diff(months.asi8)
        if (steps != 1).any():
            j = int(np.argmax(steps != 1))
            raise InputError(name, f"series {key!r} is not monthly without gaps: {months[j]} is followed by "
                             f"{months[j + 1]}", line=int(group.line.iloc[j + 1]), column="ds")
        out.append(Series(str(key), months, group.y.to_numpy(dtype=float)))
    return out


def evaluate(
    series: list[Series],
    horizon: int,
    season_length: int = 12,
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    source: str = "input",
    candidates: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics per series (plus the ``ALL`` row) and the final window's forecasts."""
    if horizon < 1:
        raise InputError("--horizon", "must be at least 1")
    options = {}
    if candidates:
        unknown = [c for c in candidates if c not in CANDIDATES]
        if unknown:
            raise InputError("--candidates",
                             f"unknown candidate(s) {', '.join(unknown)}; known: {', '.join(CANDIDATES)}")
        options["candidates"] = tuple(candidates)
    for s in series:
        if len(s.y) < horizon + MIN_TRAIN:
            raise InputError(
                source, f"series {s.unique_id!r} has {len(s.y)} months; a horizon of {horizon} needs at least "
                f"{horizon + MIN_TRAIN} ({MIN_TRAIN} to train on)"
            )
    inputs = [SeriesInput(s.unique_id, s.y[:-horizon]) for s in series]
    results = forecast_many(inputs, horizon, n_jobs=n_jobs, progress=progress, season_length=season_length,
                            levels=LEVELS, **options)
    rows, fc_rows = [], []
    for s, r in zip(series, results, strict=True):
        train, test = s.y[:-horizon], s.y[-horizon:]
        naive = seasonal_naive.fit_predict(train, horizon, season_length)
        rows.append({
            "unique_id": s.unique_id, "method": r.method, "n_obs": len(s.y),
            "mase": mase(test, r.yhat, train, season_length), "smape": smape(test, r.yhat),
            "coverage80": coverage(test, *r.intervals[0.8]), "coverage95": coverage(test, *r.intervals[0.95]),
            "backtest_mase": r.backtest_mase, "naive_mase": mase(test, naive, train, season_length),
            "short_series": r.short_series,
        })
        months = s.months[-horizon:]
        fc_rows.append(pd.DataFrame({
            "unique_id": s.unique_id, "ds": months.to_timestamp().strftime("%Y-%m-%d"), "yhat": r.yhat,
            "lo80": r.intervals[0.8][0], "hi80": r.intervals[0.8][1],
            "lo95": r.intervals[0.95][0], "hi95": r.intervals[0.95][1],
        }))
    metrics = pd.DataFrame(rows)
    summary = {"unique_id": "ALL", "method": "", "n_obs": int(metrics.n_obs.sum())}
    for col in ("mase", "smape", "coverage80", "coverage95", "backtest_mase", "naive_mase"):
        summary[col] = float(metrics[col].mean())
    summary["short_series"] = bool(metrics.short_series.any())
    metrics = pd.concat([metrics, pd.DataFrame([summary])], ignore_index=True)
    forecasts = pd.concat(fc_rows, ignore_index=True) if fc_rows else pd.DataFrame(
        columns=["unique_id", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"])
    return metrics, forecasts


def evaluate_file(
    input_path: str | Path,
    horizon: int,
    output: str | Path,
    forecasts_path: str | Path | None = None,
    season_length: int = 12,
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    candidates: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read ``input_path``, evaluate, write the metrics (and forecasts) CSV; return the metrics."""
    series = read_series(input_path)
    metrics, forecasts = evaluate(series, horizon, season_length, n_jobs, progress, source=str(input_path),
                                  candidates=candidates)
    metrics.to_csv(output, index=False, float_format="%.6g")
    if forecasts_path is not None:
        forecasts.to_csv(forecasts_path, index=False, float_format="%.10g")
    return metrics

"""The response model on any wide file: ``pilotage plan evaluate --input media.csv --target COLUMN``.

A wide file has one row per period (and region), weekly or monthly:

- a date column named ``date`` (else ``time``, ``week`` or ``month``): the period's start, ISO dates
  (``2024-01-01``) or months (``2024-01``); monthly dates are read as their month;
- the target column (leads, conversions...);
- one ``<channel>_spend`` column per channel (EUR; an empty cell is no spend);
- optional controls: by default every other column whose cells are all numbers, except the media
  metrics of a spend channel (``<channel>_impression(s)``, ``_click(s)``, ``_reach``, ``_grp(s)``,
  ``_view(s)``, ``_contact(s)``), which follow spend rather than explain the target, and columns
  named after the target (``revenue_per_conversion`` for ``conversions``), which are derived from
  it; ``controls`` names them instead;
- an optional ``region`` column: the file is a geo panel. ``plan evaluate`` then fits the pooled geo
  model (:mod:`.geo`) on every region at once (``WideData.panel``, one row per region and period
  required) and scores it by region and nationally; ``WideData.y`` and ``spend`` still hold the
  national sums (controls averaged per period). ``region`` picks one region instead (no panel).

``frequency="month"`` turns a weekly file into months (each week counted in the month it starts in,
incomplete first and last months dropped). Bad input raises :class:`WideFileError`, which names the
file, line, column and what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.planning.fit import Holdout, fit_response, holdout_evaluation, infer_frequency
from forecasting.planning.geo import REASON_TEXT as GEO_REASON_TEXT
from forecasting.planning.geo import REMEDIES, GeoHoldout, GeoModel, fit_geo, geo_holdout
from forecasting.planning.model import ResponseModel
from pilotage.input import LINE, InputError, read_table
from pilotage.input.columns import REWRITE_HINT, parse_numbers

DATE_COLUMNS = ("date", "time", "week", "month")
SPEND_SUFFIX = "_spend"
MEDIA_METRICS = ("impression", "impressions", "click", "clicks", "reach", "grp", "grps", "view", "views", "contact",
                 "contacts")
REASON_TEXT = {"no_spend": "no spend", "few_periods": "spend in too few periods",
               "constant_spend": "spend too constant", "uncertain": "too uncertain"}
MIN_WEEKS_IN_MONTH = 4
DEFAULT_HOLDOUT = 0.2  # share of the history held out by ``plan evaluate``


class WideFileError(InputError):
    """Bad wide file: names the file, line (the header is line 1), column and what was expected."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None, column: str | None = None,
                 expected: str | None = None):
        self.path, self.problem = str(path), problem
        super().__init__(str(path), problem + (f" (expected {expected})" if expected else ""), line=line,
                         column=column)
        self.expected = expected  # what was expected, short ("a number"); ``problem`` says what was found


@dataclass
class WideData:
    """A wide file read and checked: one row per period, regions pooled."""

    path: Path
    target: str
    periods: list[dt.date]
    frequency: str
    y: np.ndarray  # (T,)
    channels: list[str]
    spend: np.ndarray  # (T, C)
    control_names: list[str]
    controls: np.ndarray  # (T, J)
    regions: list[str] = field(default_factory=list)  # the regions pooled (empty without a region column)
    ignored: list[str] = field(default_factory=list)  # columns left out (media metrics, text)
    panel: RegionPanel | None = None  # by region, when the file has a region column and none is picked


@dataclass
class RegionPanel:
    """The file by region: every region has every period (the same periods as the national sums)."""

    y: np.ndarray  # (R, T)
    spend: np.ndarray  # (R, T, C)
    controls: np.ndarray  # (R, T, J)


def _read_table(path: Path) -> pd.DataFrame:
    """The file's cells as stripped text, indexed by their line in the file (the header is line 1)."""
    try:
        table = read_table(path)
        table.refuse_rejects()
    except InputError as error:
        raise WideFileError(path, error.expected, error.line, error.column, "a CSV or XLSX table") from None
    raw = table.frame.set_index(LINE)
    raw.index.name = None
    if raw.empty:
        raise WideFileError(path, "no rows")
    return raw.apply(lambda c: c.str.strip())


def _numbers(path: Path, raw: pd.DataFrame, column: str, empty: float | None = None) -> np.ndarray:
    """A column as floats; ``empty`` fills empty cells (``None``: an empty cell is an error)."""
    text = raw[column]
    try:  # the decimal mark is the column's, decided from all its values
        values = parse_numbers(text, file=str(path), column=column, hint=REWRITE_HINT).to_numpy(dtype=float)
    except InputError as error:
        raise WideFileError(path, error.expected, None, column, "numbers with one decimal mark") from None
    blank = (text == "").to_numpy()
    if empty is not None:
        values = np.where(blank, empty, values)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        what = "an empty cell" if blank[i] else f"{text.iloc[i]!r}"
        raise WideFileError(path, f"{what} is not a number", int(text.index[i]), column, "a number")
    return values


def _is_numeric(raw: pd.DataFrame, column: str) -> bool:
    text = raw[column]
    try:
        values = parse_numbers(text)
    except InputError:  # numbers, but their decimal mark is undecided: refused when read
        return bool((text != "").all())
    return bool((text != "").all() and values.notna().all())


def _media_metric(column: str, channels: list[str]) -> bool:
    lower = column.lower()
    return any(re.fullmatch(re.escape(c.lower()) + r"_(" + "|".join(MEDIA_METRICS) + ")", lower) for c in channels)


def _derived(column: str, target: str) -> bool:
    """A column named after the target (``revenue_per_conversion`` for ``conversions``) is not a driver of it."""
    stem = target.lower().removesuffix("s")
    return len(stem) >= 3 and stem in column.lower()


def _dates(path: Path, raw: pd.DataFrame, column: str) -> pd.Series:
    text = raw[column]
    dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise WideFileError(path, f"{text.iloc[i]!r} is not a date", int(text.index[i]), column,
                            "a date such as 2024-01-01")
    return dates


def _check_steps(path: Path, periods: list[dt.date], lines: np.ndarray, frequency: str, column: str) -> None:
    """Periods one week or one month apart, without gaps or repeats."""
    for j in range(1, len(periods)):
        a, b = periods[j - 1], periods[j]
        if frequency == "week":
            ok = (b - a).days == 7
        else:
            ok = (b.year - a.year) * 12 + b.month - a.month == 1
        if not ok:
            what = "repeats" if a == b else f"follows {a.isoformat()}"
            raise WideFileError(path, f"{b.isoformat()} {what}", int(lines[j]), column,
                                f"one row per {frequency} without gaps")


def _to_months(periods: list[dt.date], y: np.ndarray, spend: np.ndarray,
               controls: np.ndarray) -> tuple[list[dt.date], np.ndarray, np.ndarray, np.ndarray]:
    """Weeks to months: sums of target and spend, means of controls; incomplete edge months dropped."""
    month = pd.PeriodIndex([pd.Period(p, freq="M") for p in periods])
    frame = pd.DataFrame(np.column_stack([y, spend, controls]), index=month)
    sums = frame.iloc[:, :1 + spend.shape[1]].groupby(level=0).sum()
    means = frame.iloc[:, 1 + spend.shape[1]:].groupby(level=0).mean()
    counts = frame.groupby(level=0).size()
    keep = np.ones(len(counts), dtype=bool)
    keep[0] = counts.iloc[0] >= MIN_WEEKS_IN_MONTH
    keep[-1] = counts.iloc[-1] >= MIN_WEEKS_IN_MONTH
    sums, means = sums[keep], means[keep]
    return ([p.to_timestamp().date() for p in sums.index], sums.iloc[:, 0].to_numpy(),
            sums.iloc[:, 1:].to_numpy(), means.to_numpy())


def read_wide(path: str | Path, target: str, date_column: str | None = None, controls: list[str] | None = None,
              region: str | None = None, frequency: str | None = None) -> WideData:
    """Read and check a wide file (see the module's docstring); regions are pooled unless ``region`` picks one."""
    path = Path(path)
    raw = _read_table(path)
    by_lower = {c.lower(): c for c in raw.columns}
    found = ", ".join(raw.columns)
    if date_column is None:
        date_column = next((by_lower[c] for c in DATE_COLUMNS if c in by_lower), None)
        if date_column is None:
            raise WideFileError(path, f"no date column (found {found})", 1, None, "a column named date, time, week "
                                "or month")
    elif date_column not in raw.columns:
        raise WideFileError(path, f"no column {date_column!r} (found {found})", 1, date_column, "the date column")
    if target not in raw.columns:
        raise WideFileError(path, f"no target column {target!r} (found {found})", 1, target, "the target column")
    region_column = by_lower.get("region")
    spend_columns = [c for c in raw.columns if c.lower().endswith(SPEND_SUFFIX) and c not in (target, date_column)]
    if not spend_columns:
        raise WideFileError(path, f"no spend column (found {found})", 1, None,
                            "one column named <channel>_spend per channel")
    channels = [c[: -len(SPEND_SUFFIX)] for c in spend_columns]
    taken = {target, date_column, region_column, *spend_columns}
    if controls is None:
        ignored = [c for c in raw.columns if c not in taken and (_media_metric(c, channels) or not _is_numeric(raw, c)
                                                                 or _derived(c, target))]
        control_names = [c for c in raw.columns if c not in taken and c not in ignored]
    else:
        control_names = list(controls)
        for c in control_names:
            if c not in raw.columns or c in taken:
                raise WideFileError(path, f"{c!r} cannot be a control (found {found})", 1, c,
                                    "a numeric column other than the date, target, region and spend")
        ignored = [c for c in raw.columns if c not in taken and c not in control_names]

    lines = raw.index.to_numpy()
    if region_column is not None:
        if region is not None:
            keep = (raw[region_column] == region).to_numpy()
            if not keep.any():
                raise WideFileError(path, f"no row of region {region!r}", None, region_column, "a region of the file")
            raw, lines = raw[keep], lines[keep]
    elif region is not None:
        raise WideFileError(path, "no region column", 1, None, "a column named region")
    dates = _dates(path, raw, date_column)
    y = _numbers(path, raw, target)
    spend = np.column_stack([_numbers(path, raw, c, empty=0.0) for c in spend_columns])
    negative = spend < 0
    if negative.any():
        i, j = np.argwhere(negative)[0]
        raise WideFileError(path, f"negative spend {spend[i, j]:g}", int(lines[i]), spend_columns[j],
                            "spend of 0 or more")
    x = np.column_stack([_numbers(path, raw, c) for c in control_names]) if control_names else np.zeros((len(y), 0))

    day = dates.dt.normalize()
    periods_all = [d.date() for d in day]
    freq = infer_frequency(sorted(set(periods_all)))
    if freq == "month":
        periods_all = [p.replace(day=1) for p in periods_all]
    regions: list[str] = []
    frame = pd.DataFrame({"period": periods_all, "line": lines})
    if region_column is not None and region is None:
        frame["region"] = raw[region_column].to_numpy()
        regions = sorted(frame["region"].unique())
    keys = ["period", "region"] if "region" in frame else ["period"]
    dup = frame.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise WideFileError(path, f"a second row for {frame.period.iloc[i].isoformat()}"
                            + (f" and region {frame.region.iloc[i]!r}" if regions else ""), int(frame.line.iloc[i]),
                            date_column, "one row per period" + (" and region" if regions else ""))
    values = pd.DataFrame(np.column_stack([y, spend, x]))
    values["period"] = periods_all
    summed = values.groupby("period").sum().sort_index()  # pooled regions: sums of target and spend
    averaged = values.groupby("period").mean().sort_index()  # ... and means of the controls
    periods = list(summed.index)
    first_line = frame.groupby("period").line.min().reindex(periods).to_numpy()
    _check_steps(path, periods, first_line, freq, date_column)
    c = spend.shape[1]
    y_t = summed.iloc[:, 0].to_numpy(dtype=float)
    spend_t = summed.iloc[:, 1:1 + c].to_numpy(dtype=float)
    x_t = averaged.iloc[:, 1 + c:].to_numpy(dtype=float)
    panel = _panel(path, frame, values, regions, periods, c, date_column) if regions else None
    if frequency == "month" and freq == "week":
        if panel is not None:
            parts = [_to_months(periods, panel.y[r], panel.spend[r], panel.controls[r]) for r in range(len(regions))]
            panel = RegionPanel(np.stack([p[1] for p in parts]), np.stack([p[2] for p in parts]),
                                np.stack([p[3] for p in parts]))
        periods, y_t, spend_t, x_t = _to_months(periods, y_t, spend_t, x_t)
        freq = "month"
    elif frequency not in (None, freq):
        raise WideFileError(path, f"a {freq}ly file cannot be read as {frequency}s", None, date_column,
                            "weekly dates to aggregate to months")
    return WideData(path, target, periods, freq, y_t, channels, spend_t, control_names, x_t, regions, ignored, panel)


def _panel(path: Path, frame: pd.DataFrame, values: pd.DataFrame, regions: list[str], periods: list[dt.date],
           c: int, date_column: str) -> RegionPanel:
    """Rows to (region, period) arrays; a region missing a period is refused (the geo fit needs them all)."""
    index = pd.MultiIndex.from_product([regions, periods], names=["region", "period"])
    table = values.drop(columns="period").set_axis(pd.MultiIndex.from_arrays(
        [frame["region"].to_numpy(), frame["period"].to_numpy()], names=["region", "period"])).reindex(index)
    missing = table.isna().any(axis=1).to_numpy()
    if missing.any():
        region, period = index[int(np.argmax(missing))]
        raise WideFileError(path, f"region {region!r} has no row for {period.isoformat()}", None, date_column,
                            "one row per period and region")
    cube = table.to_numpy(dtype=float).reshape(len(regions), len(periods), -1)
    return RegionPanel(cube[:, :, 0], cube[:, :, 1:1 + c], cube[:, :, 1 + c:])


# --- evaluation ------------------------------------------------------------------------------------


@dataclass
class ChannelFigures:
    """One channel's figures over the whole history (80% bootstrap intervals)."""

    channel: str
    spend: float  # EUR over the history
    spend_share: float
    contribution: float  # incremental units over the history
    contribution_share: float  # of all fitted units
    contribution_share_interval: tuple[float, float]
    average_cost: float  # EUR per incremental unit over the history
    average_cost_interval: tuple[float, float]
    marginal_cost: float  # EUR per incremental unit for the next EUR at the recent spend
    marginal_cost_interval: tuple[float, float]
    identified: bool
    reason: str  # a code of UNIDENTIFIED_REASONS (GEO_REASONS for the geo model), "" when identified
    detail: str = ""  # e.g. the channel a confounded one moves with
    remedy: str = ""  # what would identify it


@dataclass
class WideEvaluation:
    """``plan evaluate``'s result: holdout accuracy, then the model on the whole history, per channel."""

    data: WideData
    holdout: Holdout
    model: ResponseModel
    channels: list[ChannelFigures]
    seconds: float

    def to_dict(self) -> dict:
        d = self.data
        return {"input": str(d.path), "target": d.target, "frequency": d.frequency, "periods": len(d.periods),
                "first": d.periods[0].isoformat(), "last": d.periods[-1].isoformat(), "regions": d.regions,
                "controls": d.control_names, "ignored": d.ignored,
                "holdout": {"periods": self.holdout.n_test, "mape": self.holdout.mape, "r2": self.holdout.r2},
                "fit": {k: self.model.stats.get(k) for k in ("r2", "mape", "n_boot", "seconds")},
                "channels": [vars(c) for c in self.channels], "seconds": self.seconds}

    def format_report(self) -> str:
        d, h = self.data, self.holdout
        unit = d.target
        lines = [
            f"{d.path.name}: {len(d.periods)} {d.frequency}s ({d.periods[0].isoformat()} to "
            f"{d.periods[-1].isoformat()}), target {unit}, {len(d.channels)} channels"
            + (f", {len(d.regions)} regions pooled" if d.regions else ""),
            f"controls: {', '.join(d.control_names) or 'none'}" + (f"; left out: {', '.join(d.ignored)}"
                                                                      if d.ignored else ""),
            f"holdout (last {h.n_test} {d.frequency}s, fitted on the {h.n_train} before): MAPE {h.mape:.1f}%, "
            f"R2 {h.r2:.2f}",
            f"whole history: R2 {self.model.stats['r2']:.2f}, MAPE {self.model.stats['mape']:.1f}%, "
            f"{self.model.stats['n_boot']} bootstrap draws, 80% intervals in brackets",
            "",
        ]
        header = (f"{'channel':<22}{'spend share':>12}{'contribution share':>30}"
                  f"{'EUR per incremental ' + unit + ' (average)':>42}{'(marginal)':>14}  identified")
        lines.append(header)
        for c in self.channels:
            lo, hi = c.contribution_share_interval
            alo, ahi = c.average_cost_interval
            flag = "yes" if c.identified else f"no: {REASON_TEXT.get(c.reason, c.reason)}"
            lines.append(f"{c.channel:<22}{c.spend_share:>12.1%}{c.contribution_share:>12.1%} "
                         f"[{lo:>6.1%} - {hi:>6.1%}]{_money(c.average_cost):>22} "
                         f"[{_money(alo):>8} - {_money(ahi):>8}]{_money(c.marginal_cost):>14}  {flag}")
        return "\n".join(lines)


def _money(value: float) -> str:
    """Three significant digits at least (costs per conversion can be cents), "-" when infinite."""
    if not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def channel_figures(model: ResponseModel | GeoModel) -> list[ChannelFigures]:
    """Per channel: spend, contribution and costs with their 80% intervals, and the identification flag
    (national figures: a geo model's are the sums of its regions')."""
    shares = model.contribution_shares()
    average = model.average_cost()
    total_spend = model.spend.reshape(-1, len(model.channels)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        contribution = np.where(np.isfinite(average) & (average > 0), total_spend / average, 0.0)
    marginal = model.marginal_cost()
    share_lo, share_hi = model.interval(model.contribution_shares)
    avg_lo, avg_hi = model.interval(model.average_cost)
    marg_lo, marg_hi = model.interval(lambda p: model.marginal_cost(params=p))
    details = getattr(model, "details", None) or [""] * len(model.channels)
    out = []
    for i, name in enumerate(model.channels):
        out.append(ChannelFigures(
            name, float(total_spend[i]), float(total_spend[i] / max(total_spend.sum(), 1e-12)),
            float(contribution[i]), float(shares[i]), (float(share_lo[i]), float(share_hi[i])), float(average[i]),
            (float(avg_lo[i]), float(avg_hi[i])), float(marginal[i]), (float(marg_lo[i]), float(marg_hi[i])),
            bool(model.identified[i]), model.reasons[i], details[i], REMEDIES.get(model.reasons[i], "")))
    return out


@dataclass
class GeoEvaluation:
    """``plan evaluate`` on a geo file: holdout by region and nationally, then the geo model per channel."""

    data: WideData
    holdout: GeoHoldout
    model: GeoModel
    channels: list[ChannelFigures]
    seconds: float

    def to_dict(self) -> dict:
        d, h = self.data, self.holdout
        return {"input": str(d.path), "target": d.target, "frequency": d.frequency, "periods": len(d.periods),
                "first": d.periods[0].isoformat(), "last": d.periods[-1].isoformat(), "regions": d.regions,
                "controls": d.control_names, "ignored": d.ignored,
                "holdout": {"periods": h.n_test, "region_mape": h.region_mape, "region_r2": h.region_r2,
                            "national_mape": h.national_mape, "national_r2": h.national_r2},
                "fit": {k: self.model.stats.get(k) for k in ("r2", "mape", "r2_region", "mape_region", "n_boot",
                                                              "seconds")},
                "identified": sum(c.identified for c in self.channels),
                "unattributed_share": self.model.unattributed_share(),
                "channels": [vars(c) for c in self.channels], "seconds": self.seconds}

    def format_report(self) -> str:
        d, h, stats = self.data, self.holdout, self.model.stats
        unit = d.target
        lines = [
            f"{d.path.name}: {len(d.regions)} regions x {len(d.periods)} {d.frequency}s ({d.periods[0].isoformat()} "
            f"to {d.periods[-1].isoformat()}), target {unit}, {len(d.channels)} channels, pooled geo model",
            f"controls: {', '.join(d.control_names) or 'none'}" + (f"; left out: {', '.join(d.ignored)}"
                                                                      if d.ignored else ""),
            f"holdout: last {h.n_test} {d.frequency}s, fitted on the {h.n_train} before",
            f"holdout by region: MAPE {h.region_mape:.1f}%, R2 {h.region_r2:.2f}",
            f"holdout national: MAPE {h.national_mape:.1f}%, R2 {h.national_r2:.2f}",
            f"whole history: R2 {stats['r2_region']:.2f} by region, {stats['r2']:.2f} national; "
            f"{stats['n_boot']} bootstrap draws (time blocks, curve shape re-estimated), 80% intervals in brackets",
            f"identified: {sum(c.identified for c in self.channels)} of {len(self.channels)} channels; "
            f"unattributed (channels not identified): {self.model.unattributed_share():.1%} of {unit}",
            "",
            f"{'channel':<22}{'spend share':>12}{'share of ' + unit:>28}{'EUR per incremental ' + unit:>34}"
            f"{'(marginal)':>14}  identified",
        ]
        for c in self.channels:
            lo, hi = c.contribution_share_interval
            alo, ahi = c.average_cost_interval
            if c.identified:
                flag = "yes"
            else:
                flag = f"no: {GEO_REASON_TEXT.get(c.reason, c.reason)}" + (f" ({c.detail})" if c.detail else "")
                flag += f"; needs {c.remedy}" if c.remedy else ""
            lines.append(f"{c.channel:<22}{c.spend_share:>12.1%}{c.contribution_share:>10.1%} "
                         f"[{lo:>6.1%} - {hi:>6.1%}]{_money(c.average_cost):>14} "
                         f"[{_money(alo):>8} - {_money(ahi):>8}]{_money(c.marginal_cost):>14}  {flag}")
        return "\n".join(lines)


def evaluate_file(path: str | Path, target: str, holdout: float = DEFAULT_HOLDOUT, date_column: str | None = None,
                  controls: list[str] | None = None, region: str | None = None, frequency: str | None = None,
                  n_boot: int = 100, seed: int = 0, n_jobs: int = 1) -> WideEvaluation | GeoEvaluation:
    """Holdout accuracy (fit on the first part, predict the last ``holdout`` given its spend), then the
    model on the whole history with ``n_boot`` bootstrap draws for the per-channel figures.

    A file with a region column (and no ``region`` picked) is fitted with the pooled geo model
    (:mod:`.geo`) and scored on the held-out last dates of every region and of their sum."""
    clock = time.perf_counter()
    data = read_wide(path, target, date_column, controls, region, frequency)
    if not 0 < holdout < 1:
        raise WideFileError(path, f"holdout {holdout} is not a share", None, None, "a share between 0 and 1")
    n_test = int(round(len(data.y) * holdout))
    if n_test < 1 or len(data.y) - n_test < 12:
        raise WideFileError(path, f"{len(data.y)} {data.frequency}s are too few for a holdout of {holdout:.0%}",
                            None, None, "at least 12 periods to fit and 1 to test")
    if data.panel is not None:
        p = data.panel
        args = (p.y, p.spend, data.periods, data.channels, data.regions, p.controls, data.control_names,
                data.frequency)
        held = geo_holdout(*args, holdout=holdout, seed=seed)
        geo = fit_geo(*args, n_boot=n_boot, seed=seed, n_jobs=n_jobs)
        geo.stats.update({"holdout_region_mape": held.region_mape, "holdout_region_r2": held.region_r2,
                          "holdout_national_mape": held.national_mape, "holdout_national_r2": held.national_r2})
        return GeoEvaluation(data, held, geo, channel_figures(geo), time.perf_counter() - clock)
    args = (data.y, data.spend, data.periods, data.channels, data.controls, data.control_names, data.frequency)
    held = holdout_evaluation(*args, holdout=holdout, n_boot=0, seed=seed)
    model = fit_response(*args, n_boot=n_boot, seed=seed, n_jobs=n_jobs)
    model.stats.update({"holdout_mape": held.mape, "holdout_r2": held.r2, "holdout_periods": held.n_test})
    return WideEvaluation(data, held, model, channel_figures(model), time.perf_counter() - clock)

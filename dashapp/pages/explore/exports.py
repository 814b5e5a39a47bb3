"""Every visual of the drill-down as the data it shows (raw values under the headers the page shows), for its
CSV and Excel buttons (:func:`dashapp.callbacks.export.register_export`)."""

from __future__ import annotations

import pandas as pd

from ... import i18n
from ...semantic import breakdowns, drilldown
from ...semantic.drilldown import as_date, number
from ...semantic.filters import Filters
from . import figures

VISUALS = ("series", "funnel", "leaderboard", "heatmap", "cohort", "activity", "grid")


def series_frame(filters: Filters, name: str, language: str) -> pd.DataFrame:
    """The series chart's lines: each bucket's actual, target and last year's value."""
    t = i18n.t
    frame, grain, target, last_year = drilldown.series_lines(filters, name)
    out = pd.DataFrame({"period": [as_date(p) for p in frame["period"]], "actual": [number(v) for v in frame["value"]]})
    for column, extra in (("target", target), ("last_year", last_year)):
        if extra is not None and not extra.empty:
            values = {as_date(p): number(v) for p, v in zip(extra["period"], extra[extra.columns[-1]], strict=True)}
            out[column] = [values.get(p) for p in out["period"]]
        else:
            out[column] = None
    out["period"] = [p.isoformat() for p in out["period"]]
    return out.rename(columns={"period": t(f"explore.grain.{grain}", language).capitalize(),
                               "actual": t("common.actual", language), "target": t("common.target", language),
                               "last_year": t("common.last_year", language)})


def funnel_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The funnel table: each stage, its count, and the rate into it (a fraction)."""
    t = i18n.t
    rows = [[t(f"kpi.{s['stage']}", language), s["count"], t(f"kpi.{s['ratio_name']}", language)
             if s["ratio_name"] else "", s["ratio"]] for s in drilldown.funnel_steps(filters)]
    return pd.DataFrame(rows, columns=[t("explore.funnel.stage", language), t("explore.funnel.count", language),
                                       t("explore.funnel.ratio", language), t("explore.export.rate", language)])


def leaderboard_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The leaderboard as shown (top 10 by won value), raw values under its headers."""
    rows = [figures.leaderboard_values(row, language) for row in drilldown.leaderboard_rows(filters)]
    return pd.DataFrame(rows, columns=[header for _, header, _ in figures.leaderboard_columns(language)])


def heatmap_frame(filters: Filters, language: str) -> pd.DataFrame:
    """The heatmap as shown: a row per channel, a column per month (ISO date of its first day)."""
    months, channels, z = drilldown.heatmap_cells(filters)
    names = breakdowns.channel_names(language)
    return pd.DataFrame([[names.get(c, c), *row] for c, row in zip(channels, z, strict=True)],
                        columns=[i18n.t("explore.by.channel", language), *(m.isoformat() for m in months)])


def stage_frame(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A cohort or activity table: a row per month, a column per stage."""
    out = frame.copy()
    out["period"] = [p.isoformat() for p in out["period"]]
    return out.rename(columns={"period": i18n.t("explore.cohort.month", language),
                               **{s: i18n.t(f"kpi.{s}", language) for s in drilldown.COHORT_STAGES}})


def grid_frame(filters: Filters, by: str, language: str, column_state=None) -> pd.DataFrame:
    """Exactly the grid: its rows in its sort order, its columns and headers, then the total row."""
    rows, total = breakdowns.grid_data(filters, by, language)
    columns = figures.grid_columns(by, language)
    data = [[row[c["field"]] for c in columns] for row in [*breakdowns.sort_rows(rows, column_state), total]]
    return pd.DataFrame(data, columns=[c["headerName"] for c in columns])


def frame_of(visual: str, filters: Filters, language: str, kpi: str, by: str, column_state) -> tuple[pd.DataFrame,
                                                                                                       str]:
    """(data, sheet name) of one visual."""
    t = i18n.t
    frames = {
        "series": lambda: (series_frame(filters, kpi, language), t(f"kpi.{kpi}", language)),
        "funnel": lambda: (funnel_frame(filters, language), t("explore.funnel.title", language)),
        "leaderboard": lambda: (leaderboard_frame(filters, language), t("explore.leaderboard.title", language)),
        "heatmap": lambda: (heatmap_frame(filters, language), t("explore.export.heatmap_sheet", language)),
        "cohort": lambda: (stage_frame(drilldown.cohort_frames(filters)[0], language),
                           t("explore.cohort.title", language)),
        "activity": lambda: (stage_frame(drilldown.cohort_frames(filters)[1], language),
                             t("explore.activity.title", language)),
        "grid": lambda: (grid_frame(filters, by, language, column_state), t("explore.export.sheet", language)),
    }
    return frames[visual]()


def audit_detail(filters: Filters, **extra) -> dict:
    return {"start": filters.start.isoformat(), "end": filters.end.isoformat(), "period": filters.period,
            "grain": filters.grain, "regions": list(filters.regions), "channels": list(filters.channels),
            "campaigns": list(filters.campaigns), "sources": list(filters.sources), **extra}

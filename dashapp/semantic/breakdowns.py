"""The drill-down's breakdown grid: a row per channel, campaign, region or source, and its total.

The rows are what the grid shows and what its export writes (in the grid's sort order, which the browser
sends back: :func:`sort_rows` accepts only the grid's own columns). Every KPI of a row is computed by
:func:`metrics.value` from the row's summed measures, so rows and total are consistent; a cost per unit
without spend is blank (None), not 0.00 EUR.
"""

from __future__ import annotations

from pilotage.store.models import ACTIVITY_MEASURES

from .. import i18n
from . import metrics, queries
from .filters import Filters
from .queries import channel_names as channel_names  # the drill-down's exports name channels with it
from .scope import region_tree

# The grid's columns: the funnel's counts in stage order, qualified leads beside them, then costs.
COUNT_COLUMNS = ("leads", "mqls", "sqls", "opportunities", "won", "qualified_leads")
COST_COLUMNS = ("spend", "cost_per_lead", "cost_per_qualified_lead", "cost_per_opportunity", "cac", "leads_per_k_eur")
GRID_COLUMNS = (*COUNT_COLUMNS, *COST_COLUMNS)
# Media spend is recorded per channel and campaign, never per traffic source: by source, costs would all
# sit on the "(none)" row, so the source breakdown shows the funnel only.
COLUMNS_BY = {"source": COUNT_COLUMNS}
SORTABLE = ("label", *GRID_COLUMNS)
MAX_SORT_KEYS = 20


def columns_of(by: str) -> tuple[str, ...]:
    """The KPI columns of the breakdown ``by``."""
    return COLUMNS_BY.get(by, GRID_COLUMNS)


def campaign_names(language: str) -> dict[str, str]:
    return {o["value"]: o["label"] for o in queries.filter_options(language)["campaigns"]}


def labels(by: str, codes, language: str) -> dict[str, str]:
    """Each code's name in the user's language (the code itself if unnamed, "(none)" for an empty one)."""
    if by == "channel":
        names = channel_names(language)
    elif by == "campaign":
        names = campaign_names(language)
    elif by == "region":
        tree = region_tree()
        names = {code: i18n.region_name(code, tree.names.get(code), language) for code in codes}
    else:
        names = {}
    none = i18n.t("explore.grid.none", language)
    return {code: (names.get(code) or code or none) for code in codes}


def rounded(name: str, value: float | None) -> float | int | None:
    """A KPI value as the grid holds it: counts whole, ratios to 4 places, amounts to cents."""
    if value is None:
        return None
    unit = metrics.get(name).unit
    if unit == "count":
        return int(round(value))
    return round(value, 4 if unit == "ratio" else 2)


def grid_row(key: str, label: str, measures: dict, language: str, columns: tuple[str, ...]) -> dict:
    """One row: raw values for sorting and the export, texts for the cells (a cost per unit without
    spend is blank, not 0.00 EUR: :mod:`metrics` gives None)."""
    values = {c: rounded(c, metrics.value(c, measures)) for c in columns}
    return {"key": key, "label": label, **values,
            "_text": {c: "" if values[c] is None else i18n.kpi_value(c, values[c], language) for c in columns}}


def grid_data(filters: Filters, by: str, language: str) -> tuple[list[dict], dict]:
    """The grid's rows (scoped, labelled, most leads first) and its total row."""
    frame = queries.breakdown(filters, by)
    columns = columns_of(by)
    rows = []
    if frame.empty:
        totals = {m: 0.0 for m in ACTIVITY_MEASURES}
    else:
        names = labels(by, frame[by], language)
        rows = [grid_row(record[by], names[record[by]], record, language, columns)
                for record in frame.to_dict("records")]
        rows.sort(key=lambda r: (-r["leads"], r["label"]))
        totals = frame.sum(numeric_only=True).to_dict()
    return rows, grid_row("", i18n.t("explore.grid.total", language), totals, language, columns)


def sort_rows(rows: list[dict], column_state) -> list[dict]:
    """Rows in the grid's sort order; an untrusted sort model may only name the grid's columns."""
    if not isinstance(column_state, list):
        return rows
    keys = []
    for entry in column_state[:MAX_SORT_KEYS * 5]:
        if not isinstance(entry, dict) or entry.get("colId") not in SORTABLE or entry.get("sort") not in ("asc",
                                                                                                          "desc"):
            continue
        index = entry.get("sortIndex")
        keys.append((index if isinstance(index, int) else 0, entry["colId"], entry["sort"]))
    ordered = list(rows)
    for _, column, direction in sorted(keys, reverse=True)[:MAX_SORT_KEYS]:  # least significant first
        present = [r for r in ordered if r.get(column) is not None]
        missing = [r for r in ordered if r.get(column) is None]
        present.sort(key=lambda r, c=column: r[c], reverse=direction == "desc")
        ordered = present + missing  # empty cells last, as the grid shows them
    return ordered

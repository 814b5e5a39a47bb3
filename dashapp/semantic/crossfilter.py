"""Cross-filtering rules: what a click on a visual filters the page on, and what a shared link's regions become.

A click names a heatmap cell (its channel code and month) or a breakdown's row (its key): the result is the raw
filter values to put in the page's controls, which then go through the same validation and scope as any input.
A link may name regions outside the user's scope: they are dropped, and the page says so (:func:`scope_request`).
"""

from __future__ import annotations

from pilotage.dates import month_end

from . import queries
from .scope import outside_scope


def heatmap_click(click) -> dict:
    """A heatmap cell clicked -> its channel and its whole month as a custom period; {} when it names none."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    channel, month = point.get("y"), point.get("x")
    if not (isinstance(channel, str) and isinstance(month, str)):
        return {}
    month = queries.filters_from({"period": "custom", "start": month, "end": month}).start.replace(day=1)
    return {"channel": [channel], "period": "custom", "start": month.isoformat(), "end": month_end(month).isoformat()}


def row_click(cell, by, breakdowns) -> dict:
    """A breakdown grid's label cell clicked -> that row's channel, campaign, region or source; else {}."""
    if not (isinstance(cell, dict) and cell.get("colId") == "label"):
        return {}
    key = cell.get("rowId")
    if isinstance(key, str) and key and by in breakdowns:
        return {by: [key]}
    return {}


def scope_request(requested) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes asked for outside the user's access, regions kept from the request) -- kept empty means the
    page shows the user's whole scope instead."""
    outside = outside_scope(requested)
    if not outside:
        return (), ()
    return outside, tuple(queries.filters_from({"region": requested}).regions)

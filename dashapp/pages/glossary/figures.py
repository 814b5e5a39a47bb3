"""The glossary's table: one row per KPI of :func:`metrics.glossary`, its texts from the catalogue."""

from __future__ import annotations

from dash import html

from ... import i18n
from ...semantic import metrics
from . import ids


def kpi_rows(language: str) -> list[html.Tr]:
    t = i18n.t
    rows = []
    for kpi in metrics.glossary():
        rows.append(html.Tr([
            html.Th(t(f"kpi.{kpi.name}", language), scope="row", id=ids.kpi(kpi.name)),
            html.Td(t(f"kpi.definition.{kpi.name}", language), id=ids.definition(kpi.name)),
            html.Td(t(f"kpi.timing_short.{kpi.timing}", language), id=ids.timing(kpi.name),
                    title=t(f"kpi.timing.{kpi.timing}", language)),
            html.Td(t(f"kpi.direction.{kpi.direction}", language)),
            html.Td(t(f"stage.{kpi.stage}", language)),
        ]))
    return rows

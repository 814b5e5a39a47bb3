"""The glossary's layout: the KPI table, leading and lagging, the badge rule once per direction, periods."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from ... import i18n
from ...layout.cards import badge_rule
from ...semantic import metrics
from . import ids
from .figures import kpi_rows


def layout(**_query) -> html.Div:
    language = i18n.current_language()
    t = i18n.t
    headers = [t(f"glossary.column.{c}", language) for c in ("kpi", "definition", "timing", "direction", "stage")]
    return html.Div([
        html.H1(t("glossary.title", language), className="h3 mb-2"),
        html.P(t("glossary.intro", language), className="text-muted"),
        dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])), html.Tbody(kpi_rows(language))],
                  size="sm", striped=True, responsive=True, className="small", id=ids.TABLE),
        html.H2(t("glossary.timing.title", language), className="h5 mt-4"),
        html.Ul([html.Li(t(f"kpi.timing.{timing}", language)) for timing in metrics.TIMINGS]),
        html.H2(t("glossary.badges.title", language), className="h5 mt-4"),
        html.Ul([html.Li(badge_rule(name, language), id=ids.rule(direction))
                 for direction, name in _one_kpi_per_direction().items()], id=ids.RULES),
        html.H2(t("glossary.periods.title", language), className="h5 mt-4"),
        html.P(t("glossary.periods.text", language), id=ids.PERIODS),
    ], id=ids.PAGE)


def _one_kpi_per_direction() -> dict[str, str]:
    """A KPI of each direction, to say the badge rule once per direction."""
    found: dict[str, str] = {}
    for name, kpi in metrics.KPIS.items():
        found.setdefault(kpi.direction, name)
    return {d: found[d] for d in metrics.DIRECTIONS if d in found}

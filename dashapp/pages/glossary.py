"""The glossary (``/glossary``, every role): each KPI's definition, unit, direction, whether it is a
leading or a lagging indicator and its funnel stage, the badge rule and how periods are compared.

Everything is read from :mod:`dashapp.semantic.metrics` (through the ``kpi.definition.*`` keys the
i18n catalogue builds from it): the page holds no second copy of a definition, so it says what the
cards' and the drill-down's tooltips say.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from .. import i18n
from ..layout.cards import badge_rule
from ..semantic import metrics
from . import guarded

PATH = "/glossary"


def kpi_rows(language: str) -> list[html.Tr]:
    t = i18n.t
    rows = []
    for kpi in metrics.glossary():
        rows.append(html.Tr([
            html.Th(t(f"kpi.{kpi.name}", language), scope="row", id=f"glossary-{kpi.name}"),
            html.Td(t(f"kpi.definition.{kpi.name}", language), id=f"glossary-definition-{kpi.name}"),
            html.Td(t(f"kpi.timing_short.{kpi.timing}", language), id=f"glossary-timing-{kpi.name}",
                    title=t(f"kpi.timing.{kpi.timing}", language)),
            html.Td(t(f"kpi.direction.{kpi.direction}", language)),
            html.Td(t(f"stage.{kpi.stage}", language)),
        ]))
    return rows


def layout(**_query) -> html.Div:
    language = i18n.current_language()
    t = i18n.t
    headers = [t(f"glossary.column.{c}", language) for c in ("kpi", "definition", "timing", "direction", "stage")]
    return html.Div([
        html.H1(t("glossary.title", language), className="h3 mb-2"),
        html.P(t("glossary.intro", language), className="text-muted"),
        dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])), html.Tbody(kpi_rows(language))],
                  size="sm", striped=True, responsive=True, className="small", id="glossary-table"),
        html.H2(t("glossary.timing.title", language), className="h5 mt-4"),
        html.Ul([html.Li(t(f"kpi.timing.{timing}", language)) for timing in metrics.TIMINGS]),
        html.H2(t("glossary.badges.title", language), className="h5 mt-4"),
        html.Ul([html.Li(badge_rule(name, language), id=f"glossary-rule-{direction}")
                 for direction, name in _one_kpi_per_direction().items()], id="glossary-rules"),
        html.H2(t("glossary.periods.title", language), className="h5 mt-4"),
        html.P(t("glossary.periods.text", language), id="glossary-periods"),
    ], id="glossary-page")


def _one_kpi_per_direction() -> dict[str, str]:
    """A KPI of each direction, to say the badge rule once per direction."""
    found: dict[str, str] = {}
    for name, kpi in metrics.KPIS.items():
        found.setdefault(kpi.direction, name)
    return {d: found[d] for d in metrics.DIRECTIONS if d in found}


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="Glossary", title=lambda **_: "Pilotage · " + i18n.t("nav.glossary"),
                       layout=guarded(PATH, layout))

"""What the home page draws from the view the semantic layer returned (:func:`overview.home_view`): the cards,
the AARRR summary and the period line, the data-health line, and the same cards and summary as export tables.
No data access here."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from ... import i18n
from ...layout import cards
from ...layout.periods import period_sentence
from ...semantic.overview import HomeView
from . import ids


def period_info(view: HomeView, language: str) -> str:
    return period_sentence(view.comparison, view.data_end, language)


def screen(view: HomeView, language: str) -> tuple:
    """The cards, the AARRR summary and the period line (the outputs of the period switch, in that order)."""
    return (cards.kpi_cards(view.cards, language, view.marks), cards.funnel_summary(view.funnel, language),
            period_info(view, language))


def health_line(figures: dict | None, language: str):
    """The one line: late sources by name, then gaps, duplicates and outliers; nothing without figures (roles
    that do not see data health)."""
    if figures is None:
        return None
    state, numbers = i18n.health_line(figures, language)
    return html.P([html.Strong(i18n.t("health.line.label", language)), f" {state}; {numbers} · ",
                   dcc.Link(i18n.t("health.line.open", language), href="/health")],
                  className="small mb-2" + (" text-danger" if figures["late"] else " text-muted"), id=ids.HEALTH_LINE)


def cards_frame(view: HomeView, language: str) -> pd.DataFrame:
    """The KPI cards as a table: raw values (ratios as fractions), the state in words."""
    t = i18n.t
    return pd.DataFrame([[t(f"kpi.{c.name}", language), c.value, c.target, c.attainment, c.vs_previous,
                          c.vs_last_year, t(f"home.state.{c.state}", language)] for c in view.cards],
                        columns=[t(f"home.export.{k}", language) for k in (
                            "kpi", "value", "target", "attainment", "vs_previous", "vs_last_year", "state")])


def funnel_frame(view: HomeView, language: str) -> pd.DataFrame:
    t = i18n.t
    return pd.DataFrame([[t(f"stage.{s.stage}", language), t(f"kpi.{s.kpi}", language), s.value, s.rate,
                          t(f"kpi.{s.rate_of}", language) if s.rate_of else ""] for s in view.funnel],
                        columns=[t(f"home.export.{k}", language) for k in ("stage", "kpi", "value", "rate", "rate_of")])

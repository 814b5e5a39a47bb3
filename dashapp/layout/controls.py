"""Controls every page shares, in the user's language.

``dcc.Dropdown`` writes its own texts ("Select...", "2 selected", "Search", "No options found") in English
unless it is given them: every dropdown of the app is built here so that a French page has none.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n


def dropdown_labels(language: str | None = None) -> dict[str, str]:
    t = i18n.t
    return {"select_all": t("dropdown.select_all", language), "deselect_all": t("dropdown.deselect_all", language),
            "selected_count": t("dropdown.selected_count", language), "search": t("dropdown.search", language),
            "clear_search": t("dropdown.clear", language), "clear_selection": t("dropdown.clear", language),
            "no_options_found": t("dropdown.no_options", language)}


def dropdown(language: str | None = None, **props) -> dcc.Dropdown:
    """A ``dcc.Dropdown`` whose own texts (and its default placeholder, "Select...") are in the user's language."""
    props.setdefault("placeholder", i18n.t("dropdown.placeholder", language))
    return dcc.Dropdown(labels=dropdown_labels(language), **props)


EXPORT_FORMATS = ("csv", "xlsx")


def export_id(page: str, visual: str, fmt: str) -> dict:
    """The pattern-matching id of a visual's export button: one callback per page answers them all
    (:func:`dashapp.callbacks.export.register_export`)."""
    return {"type": "export", "page": page, "visual": visual, "format": fmt}


def download_id(page: str) -> str:
    """The page's one ``dcc.Download`` (``page``: its short name, as in :func:`export_id`)."""
    return f"{page}-download"


def export_buttons(page: str, visual: str, language: str | None = None, gap: str = "me-1") -> html.Div:
    """The CSV and Excel buttons of a visual (its image is the chart's own "download image" button)."""
    style = {"size": "sm", "color": "secondary", "outline": True}
    return html.Div([dbc.Button(i18n.t(f"export.{fmt}", language), id=export_id(page, visual, fmt),
                                title=i18n.t(f"export.{fmt}.title", language),
                                className=gap if fmt != EXPORT_FORMATS[-1] else None, **style)
                     for fmt in EXPORT_FORMATS], className="d-flex export-buttons")


def graph_config(filename: str | None = None) -> dict:
    """A ``dcc.Graph``'s config: no Plotly logo; the "download image" button saves a PNG named like the
    data exports (``filename`` without extension)."""
    config: dict = {"displaylogo": False}
    if filename:
        config["toImageButtonOptions"] = {"format": "png", "filename": filename, "scale": 2}
    return config


def chart_slot(graph, height: int):
    """A chart's room held before Plotly has drawn it (``dcc.Graph`` renders nothing until its script has
    loaded): the page does not jump, and what is below the fold stays below it until the user scrolls."""
    return html.Div(graph, style={"minHeight": f"{height}px"})

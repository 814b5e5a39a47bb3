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


def export_buttons(prefix: str, csv_label: str, xlsx_label: str, gap: str = "me-1") -> html.Div:
    """The CSV and Excel buttons of a table (ids ``<prefix>-export-csv`` and ``<prefix>-export-xlsx``)."""
    style = {"size": "sm", "color": "secondary", "outline": True}
    return html.Div([dbc.Button(csv_label, id=f"{prefix}-export-csv", className=gap, **style),
                     dbc.Button(xlsx_label, id=f"{prefix}-export-xlsx", **style)])

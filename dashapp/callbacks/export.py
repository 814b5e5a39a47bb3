"""One export mechanism for every visual of every page.

Each visual carries CSV and Excel buttons with pattern-matching ids
(:func:`dashapp.layout.controls.export_id`: ``{"type": "export", "page", "visual", "format"}``); each page
registers one callback here that answers all of its buttons. The page's ``build`` function gets the
visual's name and the page's controls (filters, KPI... as ``State``) and recomputes the data on the
server from the semantic layer, with the user's scope: the figures the browser holds are never read.
Every export is audited (:func:`dashapp.exports.download`). A visual's image is the chart's own
"download image" button, named like the data files (:func:`dashapp.layout.controls.graph_config`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from dash import ALL, Input, Output, ctx, no_update, set_props
from dash.exceptions import PreventUpdate

from .. import exports, i18n
from ..layout.controls import EXPORT_FORMATS, download_id, export_id

log = logging.getLogger("pilotage.export")


@dataclass(frozen=True)
class Export:
    """What a page's ``build`` returns for one visual: the data as shown, the file's name without its
    extension (:func:`exports.filename`), the workbook's sheet name and what the audit log records."""

    frame: pd.DataFrame
    name: str
    sheet: str
    detail: dict = field(default_factory=dict)


class InvalidExport(ValueError):
    """A forged or stale export request (a visual, KPI or breakdown the page does not have)."""


class UnknownVisual(InvalidExport):
    """A forged export naming no visual of the page."""


def requested(clicks, trigger) -> tuple[str, str]:
    """(visual, format) of the button pressed; PreventUpdate for anything else (a button created
    without a click, a forged format)."""
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in (clicks or [])):
        raise PreventUpdate
    visual, fmt = trigger.get("visual"), trigger.get("format")
    if not isinstance(visual, str) or fmt not in EXPORT_FORMATS:
        raise PreventUpdate
    return visual, fmt


def register_export(app, page: str, build: Callable[..., Export], *states) -> None:
    """The page's one export callback (``app`` is its :func:`role_checked` app): ``build(visual,
    language, *state_values) -> Export`` raises :class:`InvalidExport` (:class:`UnknownVisual`) for a name it
    does not know."""

    @app.callback(Output(download_id(page), "data"), Input(export_id(page, ALL, ALL), "n_clicks"), *states,
                  prevent_initial_call=True)
    def export(clicks, *values):
        visual, fmt = requested(clicks, ctx.triggered_id)
        language = i18n.current_language()
        try:
            result = build(visual, language, *values)
        except InvalidExport as error:  # a message in the page, no file, no stack trace (a forged name is no bug)
            log.warning("refused an export on %s: %s", page, error)
            set_props("global-error", {"children": i18n.t("export.invalid", language), "is_open": True})
            return no_update
        return exports.download(result.frame, fmt, language, result.name, result.sheet,
                                {"page": page, "visual": visual, **result.detail})

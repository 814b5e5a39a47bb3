"""The home page's callbacks: the period switch redraws the cards, the AARRR summary and the period line (and
the data-health line); the PDF button prints the same view; the export buttons send the cards or the summary.

The first screen needs none of them: the page's layout draws it on the server with :func:`.views.show` (the same
cached answer the switch gets), so the browser paints it with the page (``prevent_initial_call``). The period is
untrusted and cleaned by :func:`overview.clean_period`; the role and the scope come from the logged-in user on
the server (the semantic layer applies the scope); every callback is registered through :func:`role_checked`
with the page's roles. ``download_pdf`` prints :func:`overview.home_view` through :mod:`dashapp.pdf` and audits
it as an export; the exports go through the one export callback (:func:`register_export`).
"""

from __future__ import annotations

import logging

from dash import Input, Output, State, dcc, no_update
from flask_login import current_user

from ... import exports, i18n, pdf
from ...auth import audit
from ...auth.callbacks import role_checked
from ...callbacks.export import Export, UnknownVisual, register_export
from ...layout.shell import scope_label
from ...semantic import health, overview
from . import NAME, PATH, figures, ids, views

log = logging.getLogger("pilotage.home")

# Keeps the period in the URL (?period=...) without reloading the page, so a link or a
# refresh reopens the same view; replaceState does not make Dash Pages re-render.
SYNC_URL_JS = """
function(period) {
    const url = new URL(window.location.href);
    url.searchParams.set("period", period);
    window.history.replaceState(window.history.state, "", url);
    return [];
}
"""


def update_health_line(_period):
    """The data-health line of directors and admins (their scope), current again when the period changes."""
    return figures.health_line(health.visible_summary(), i18n.current_language())


def download_pdf(_clicks, period):
    """The home page as the user sees it (scope, role, language, period) as a PDF file; audited as an export."""
    language = i18n.current_language()
    view = overview.home_view(period)
    user_line = f"{current_user.name} · {i18n.t(f'role.{current_user.role}', language)} · " + i18n.t(
        "nav.scope", language, scope=scope_label(current_user))
    try:
        content = pdf.print_pdf(pdf.home_html(view, language, user_line, figures.period_info(view, language)))
    except pdf.PdfUnavailable as error:
        log.warning("home PDF failed: %s", error)
        return no_update, i18n.t("pdf.unavailable", language), True
    audit.record("export", current_user.email, {"page": "home", "format": "pdf", "period": view.period,
                                                "kpis": [c.name for c in view.cards], "bytes": len(content)})
    name = f"{i18n.t('pdf.filename', language)}-{view.period}-{view.filters.start.isoformat()}_" \
           f"{view.filters.end.isoformat()}.pdf"
    return dcc.send_bytes(content, name, type="application/pdf"), "", False


def export_view(visual: str, language: str, period) -> Export:
    """The cards or the AARRR summary of the period, recomputed in the user's scope."""
    frames = {"cards": (figures.cards_frame, "home.cards"), "funnel": (figures.funnel_frame, "home.funnel.title")}
    if visual not in frames:
        raise UnknownVisual(visual)
    view = overview.home_view(period)
    make, sheet = frames[visual]
    name = exports.filename(NAME, visual, (view.filters.start.isoformat(), view.filters.end.isoformat()))
    return Export(make(view, language), name, i18n.t(sheet, language),
                  {"period": view.period, "start": view.filters.start.isoformat(),
                   "end": view.filters.end.isoformat()})


def register_callbacks(app) -> None:
    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    register_export(app, NAME, export_view, State(ids.PERIOD, "value"))
    app.callback(Output(ids.CARDS, "children"), Output(ids.FUNNEL, "children"), Output(ids.PERIOD_INFO, "children"),
                 Input(ids.PERIOD, "value"), prevent_initial_call=True)(views.show)
    app.callback(Output(ids.HEALTH, "children"), Input(ids.PERIOD, "value"),
                 prevent_initial_call=True)(update_health_line)
    app.callback(Output(ids.PDF_DOWNLOAD, "data"), Output(ids.PDF_FEEDBACK, "children"),
                 Output(ids.PDF_FEEDBACK, "is_open"), Input(ids.PDF, "n_clicks"), State(ids.PERIOD, "value"),
                 prevent_initial_call=True)(download_pdf)
    app.clientside_callback(SYNC_URL_JS, Input(ids.PERIOD, "value"), prevent_initial_call=True)

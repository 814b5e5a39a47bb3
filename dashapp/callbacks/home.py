"""The home page's callback: a period in; the role's KPI cards, the AARRR summary and the
period line out.

The period is the only input and it is untrusted: anything but the home periods falls back to
the last complete month. The role and the scope come from the logged-in user on the server (the
query layer applies the scope). Queries per call: one ``measures`` per window (current, and the
like-for-like previous and last-year windows of :func:`queries.compared`), one ``targets``, and
each card's 13-month trend (:func:`queries.monthly_trend`, the series the drill-down draws); all
cached per scope and data version.

``download_pdf`` prints the same view (:func:`home_view`) as a PDF through :mod:`dashapp.pdf` and audits it as
an export; the sparklines shade the annotations the user sees (:mod:`dashapp.semantic.annotations`). The
cards and the summary are exported (CSV, Excel) through the one export callback (:func:`register_export`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
from dash import Input, Output, State, dcc, no_update
from flask_login import current_user

from pilotage.dates import add_months, month_start

from .. import exports, i18n, pdf
from ..auth import audit
from ..auth.callbacks import role_checked
from ..layout import cards
from ..layout.periods import period_sentence
from ..layout.shell import scope_label
from ..semantic import annotations, metrics, queries
from ..semantic.filters import Filters
from ..semantic.periods import Comparison
from .export import Export, UnknownVisual, register_export
from .rendered import rendered

log = logging.getLogger("pilotage.home")
HOME_PERIODS = ("last_week", "week_to_date", "last_month", "quarter_to_date")
DEFAULT_PERIOD = "last_month"
TREND_MONTHS = 13

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


@dataclass(frozen=True)
class HomeView:
    period: str
    filters: Filters
    comparison: Comparison
    cards: list[cards.KpiCardData]
    funnel: list[cards.FunnelStage]
    marks: tuple = ()  # the annotations of the trend months the user may see


def clean_period(value) -> str:
    """One of the home periods; anything else (forged, missing) is the default."""
    return value if isinstance(value, str) and value in HOME_PERIODS else DEFAULT_PERIOD


def role_kpis() -> tuple[str, ...]:
    """The current user's home KPIs (none for an unknown role: deny by default)."""
    return metrics.HOME_KPIS.get(getattr(current_user, "role", None), ())


def explore_href(name: str, period: str) -> str:
    return f"/explore?kpi={name}&period={period}"


def trend_filters() -> Filters:
    """The last 13 complete months before the data's end (the same window for every period)."""
    end = month_start(queries.today()) - dt.timedelta(days=1)
    start = add_months(month_start(end), -(TREND_MONTHS - 1))
    return queries.filters_from({"period": "custom", "start": start.isoformat(), "end": end.isoformat(),
                                 "grain": "month"})


def _funnel(current: dict) -> list[cards.FunnelStage]:
    """AARRR: each count stage with its conversion from the stage before; retention (a stock)
    with the churn rate (complete months) instead."""
    stages, before = [], None
    for stage, name in metrics.AARRR.items():
        value = metrics.value(name, current)
        if metrics.get(name).unit == "count" and before is not None:
            stages.append(cards.FunnelStage(stage, name, value, metrics.conversion(value, before[1]), before[0]))
        elif stage == "retention":
            stages.append(cards.FunnelStage(stage, name, value, metrics.value("churn_rate", current)))
        else:
            stages.append(cards.FunnelStage(stage, name, value))
        before = (name, value) if metrics.get(name).unit == "count" else None
    return stages


def home_view(period) -> HomeView:
    """Everything the home page shows for ``period``, scope applied by the query layer."""
    period = clean_period(period)
    names = role_kpis()
    filters = queries.filters_from({"period": period, "grain": "month"})
    previous, last_year, comparison = queries.compared(filters)
    current = queries.measures(filters)
    before, year_ago = queries.measures(previous), queries.measures(last_year)
    goals = queries.targets(filters, tuple(names)) if names else {}
    trend = trend_filters() if names else None
    kpi_cards = []
    for name in names:
        value, target = metrics.value(name, current), goals.get(name)
        kpi_cards.append(cards.KpiCardData(
            name=name, value=value, target=target, attainment=metrics.attainment(value, target),
            vs_previous=metrics.change(value, metrics.value(name, before)),
            vs_last_year=metrics.change(value, metrics.value(name, year_ago)),
            state=metrics.state(name, value, target), href=explore_href(name, period),
            trend=queries.monthly_trend(trend, name)))
    marks = tuple(annotations.visible(start=trend.start, end=trend.end)) if trend is not None else ()
    return HomeView(period, filters, comparison, kpi_cards, _funnel(current), marks)


def period_info(view: HomeView, language: str) -> str:
    return period_sentence(view.comparison, queries.data_end(), language)


def update_home(period):
    language = i18n.current_language()
    view = home_view(period)
    return (cards.kpi_cards(view.cards, language, view.marks), cards.funnel_summary(view.funnel, language),
            period_info(view, language))


def update_health_line(_period):
    """The data-health line of directors and admins (their scope); the period does not change it."""
    from ..pages.health.figures import health_line
    from ..semantic.health import visible_summary

    return health_line(visible_summary(), i18n.current_language())


def download_pdf(_clicks, period):
    """The home page as the user sees it (scope, role, language, period) as a PDF file; audited as an export."""
    language = i18n.current_language()
    view = home_view(period)
    user_line = f"{current_user.name} · {i18n.t(f'role.{current_user.role}', language)} · " + i18n.t(
        "nav.scope", language, scope=scope_label(current_user))
    try:
        content = pdf.print_pdf(pdf.home_html(view, language, user_line, period_info(view, language)))
    except pdf.PdfUnavailable as error:
        log.warning("home PDF failed: %s", error)
        return no_update, i18n.t("pdf.unavailable", language), True
    audit.record("export", current_user.email, {"page": "home", "format": "pdf", "period": view.period,
                                                "kpis": [c.name for c in view.cards], "bytes": len(content)})
    name = f"{i18n.t('pdf.filename', language)}-{view.period}-{view.filters.start.isoformat()}_" \
           f"{view.filters.end.isoformat()}.pdf"
    return dcc.send_bytes(content, name, type="application/pdf"), "", False


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


def export_view(visual: str, language: str, period) -> Export:
    """The cards or the AARRR summary of the period, recomputed in the user's scope."""
    from ..pages.home import NAME

    frames = {"cards": (cards_frame, "home.cards"), "funnel": (funnel_frame, "home.funnel.title")}
    if visual not in frames:
        raise UnknownVisual(visual)
    view = home_view(period)
    make, sheet = frames[visual]
    name = exports.filename(NAME, visual, (view.filters.start.isoformat(), view.filters.end.isoformat()))
    return Export(make(view, language), name, i18n.t(sheet, language),
                  {"period": view.period, "start": view.filters.start.isoformat(),
                   "end": view.filters.end.isoformat()})


def register_callbacks(app) -> None:
    from ..pages.home import NAME, PATH

    app = role_checked(app, PATH)  # every callback requires a role that may open the page
    register_export(app, NAME, export_view, State("home-period", "value"))
    app.callback(
        Output("home-cards", "children"), Output("home-funnel", "children"), Output("home-period-info", "children"),
        Input("home-period", "value"),
    )(rendered(update_home))
    app.callback(Output("home-health", "children"), Input("home-period", "value"))(update_health_line)
    app.callback(Output("home-pdf-download", "data"), Output("home-pdf-feedback", "children"),
                 Output("home-pdf-feedback", "is_open"), Input("home-pdf", "n_clicks"), State("home-period", "value"),
                 prevent_initial_call=True)(download_pdf)
    app.clientside_callback(SYNC_URL_JS, Input("home-period", "value"), prevent_initial_call=True)

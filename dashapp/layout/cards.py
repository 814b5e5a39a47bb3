"""The home page's building blocks: a KPI card, its sparkline and the AARRR funnel summary.

Pure layout: these functions receive figures already computed by the query and metrics
layers (:mod:`dashapp.semantic.overview`) and only format them. A card's state is shown by
its border colour *and* a text badge, so that it does not rely on colour alone; the badge's
tooltip says the one rule behind it (:func:`badge_rule`), the title's tooltip what the KPI is
(its definition in :mod:`metrics`, leading or lagging).
"""

from __future__ import annotations

import base64
import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..semantic import metrics, overview
from ..semantic.overview import FunnelStage, KpiCardData

# metrics.state -> Bootstrap contextual colour
STATE_COLOURS = {"green": "success", "amber": "warning", "red": "danger", "none": "secondary"}
SPARK_COLOUR = "#0d6efd"
SPARK_FILL = "rgba(13,110,253,0.08)"
SPARK_HEIGHT = 48
EVENT_FILL = "rgba(111,66,193,0.15)"  # annotations, as on the drill-down's charts


def _spark_x(day: dt.date, first: dt.date, last: dt.date) -> float:
    """A date's place on the sparkline's 0..100 width (the first month at 0, the last at 100)."""
    return 100 * (day - first).days / max((last - first).days, 1)


def _spark_svg(points: list[tuple[dt.date, float]], marks=()) -> str:
    """The line and its area down to zero as a small SVG, stretched to the card's width (the stroke keeps its
    width): what Plotly drew, without loading Plotly (4.8 MB of script) for eight lines of 13 points. The
    annotations of those months are shaded behind the line, cut to its months."""
    first, last = points[0][0], points[-1][0]
    values = [v for _, v in points]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    line = " ".join(f"{_spark_x(m, first, last):.2f},{SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * (v - low) / span:.2f}"
                    for m, v in points)
    zero = SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * (0.0 - low) / span
    shades = ""
    for mark in overview.marks_between(marks, first, last):
        left = _spark_x(max(mark.start, first), first, last)
        right = _spark_x(min(mark.end + dt.timedelta(days=1), last), first, last)
        shades += f'<rect x="{left:.2f}" y="0" width="{max(right - left, 0.5):.2f}" height="{SPARK_HEIGHT}" ' \
                  f'fill="{EVENT_FILL}"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 {SPARK_HEIGHT}" preserveAspectRatio="none">'
            f'{shades}<polygon points="0,{zero:.2f} {line} 100,{zero:.2f}" fill="{SPARK_FILL}"/>'
            f'<polyline points="{line}" fill="none" stroke="{SPARK_COLOUR}" stroke-width="2" '
            f'stroke-linejoin="round" vector-effect="non-scaling-stroke"/></svg>')


def sparkline(name: str, trend, language: str, marks=()) -> html.Img | html.Div:
    """A tiny line of the KPI's last months, no axes; hover lists each month and its value, and the annotations
    shaded behind it. The months, values and annotations also ride along as ``data-months`` / ``data-values`` /
    ``data-events`` (ISO dates, numbers, ``event-<id>``) for whoever reads the page."""
    points = [(month, float(value)) for month, value in trend if value is not None]
    if len(points) < 2:
        return html.Div(i18n.t("home.trend.none", language), className="text-muted small fst-italic",
                        style={"height": f"{SPARK_HEIGHT}px"})
    labels = [f"{i18n.date(m, 'MMM y', language)}: {i18n.kpi_value(name, v, language)}" for m, v in points]
    shown = overview.marks_between(marks, points[0][0], points[-1][0])
    labels += [f"▌ {m.label}" for m in shown]
    svg = base64.b64encode(_spark_svg(points, shown).encode()).decode()
    return html.Img(id=f"home-spark-{name}", src=f"data:image/svg+xml;base64,{svg}", title="\n".join(labels),
                    alt=" · ".join(labels), className="mt-1 d-block w-100", style={"height": f"{SPARK_HEIGHT}px"},
                    **{"data-months": ",".join(m.isoformat() for m, _ in points),
                       "data-values": ",".join(repr(v) for _, v in points),
                       "data-events": ",".join(f"event-{m.id}" for m in shown)})


def badge_rule(name: str, language: str) -> str:
    """The badge rule for this KPI's direction, as its tooltip says it."""
    return i18n.t(f"badge.rule.{metrics.get(name).direction}", language,
                  tolerance=i18n.percent(metrics.TOLERANCE, 0, language))


def kpi_help(name: str, language: str) -> str:
    """What a KPI is: its definition and whether it is a leading or a lagging indicator."""
    kpi = metrics.get(name)
    return f"{i18n.t(f'kpi.definition.{name}', language)} {i18n.t(f'kpi.timing.{kpi.timing}', language)}"


def badge_parts(name: str, state: str, badge_id: str, language: str) -> list:
    """The state as a text badge (Bootstrap's badge classes on a plain span: what ``dbc.Badge`` draws, for less
    work in the browser), and the rule behind it in a tooltip (``{badge_id}-rule``)."""
    rule = badge_rule(name, language) if state != "none" else i18n.t("badge.rule.none", language)
    classes = f"badge rounded-pill bg-{STATE_COLOURS.get(state, 'secondary')}"
    classes += " text-dark" if state == "amber" else ""
    return [html.Span(i18n.t(f"home.state.{state}", language), className=classes, id=badge_id),
            dbc.Tooltip(rule, target=badge_id, id=f"{badge_id}-rule", placement="bottom")]


def state_badge(name: str, state: str, badge_id: str, language: str) -> html.Span:
    """The badge and its tooltip in one span (where the caller places one element)."""
    return html.Span(badge_parts(name, state, badge_id, language))


def _change(name: str, change: float | None, label_key: str, language: str) -> html.Div:
    """``▲ +4.2 % vs previous period``, green when it is an improvement for this KPI (no colour for a budget)."""
    label = i18n.t(label_key, language)
    if change is None:
        return html.Div(["–", " ", label], className="small text-muted")
    better = metrics.better(name, change)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "▶"
    colour = "text-muted" if better is None else "text-success" if better else "text-danger"
    verdict = "" if better is None else i18n.t("home.change.better" if better else "home.change.worse", language)
    return html.Div([
        html.Span(f"{arrow} {i18n.percent(change, 1, language, signed=True)}", className=colour), " ", label,
        *([html.Span(f" ({verdict})", className="visually-hidden")] if verdict else []),
    ], className="small")


def _target_line(card: KpiCardData, language: str) -> html.Div:
    if card.target is None:
        return html.Div(i18n.t("home.no_target", language), className="small text-muted")
    return html.Div([
        f"{i18n.t('common.target', language)} {i18n.kpi_value(card.name, card.target, language)}",
        " · ",
        html.Strong(i18n.t("common.of_target", language, value=i18n.percent(card.attainment, 1, language))),
    ], className="small", id=f"home-target-{card.name}")


def kpi_card(card: KpiCardData, language: str, marks=()) -> dcc.Link:
    """One KPI: value, target, changes, sparkline and state; the whole card opens its drill-down. Plain elements
    with Bootstrap's classes (one ``card card-body`` element, not ``dbc.Card`` > ``dbc.CardBody``): a page of
    cards is some 200 Dash components, and each costs the browser's renderer work."""
    colour = STATE_COLOURS.get(card.state, "secondary")
    title = i18n.t(f"kpi.{card.name}", language)
    body = html.Div([
        html.Div([
            html.H3(title, className="h6 mb-0 text-muted", id=f"home-title-{card.name}"),
            dbc.Tooltip(kpi_help(card.name, language), target=f"home-title-{card.name}", id=f"home-help-{card.name}",
                        placement="top"),
            *badge_parts(card.name, card.state, f"home-state-{card.name}", language),
        ], className="d-flex justify-content-between align-items-start gap-2"),
        html.Div(i18n.kpi_value(card.name, card.value, language), id=f"home-value-{card.name}",
                 className="fs-3 fw-semibold my-1"),
        _target_line(card, language),
        _change(card.name, card.vs_previous, "common.vs_previous", language),
        _change(card.name, card.vs_last_year, "common.vs_last_year", language),
        sparkline(card.name, card.trend, language, marks),
    ], className=f"card card-body h-100 shadow-sm border-{colour} border-2 state-{card.state}",
        style={"borderLeftWidth": "6px"})
    return dcc.Link(body, href=card.href, id=f"home-card-{card.name}", title=i18n.t("home.open", language, kpi=title),
                    className="text-reset text-decoration-none d-block h-100")


def kpi_cards(cards: list[KpiCardData], language: str, marks=()) -> html.Section:
    if not cards:
        return html.Section(dbc.Alert(i18n.t("home.no_kpis", language), color="info"))
    return html.Section(
        html.Div([html.Div(kpi_card(card, language, marks), className="col-12 col-sm-6 col-xl-3") for card in cards],
                 className="row g-3"),
        **{"aria-label": i18n.t("home.cards", language)})


def funnel_summary(stages: list[FunnelStage], language: str) -> html.Div:
    """AARRR, left to right: each stage's figure and its conversion from the stage before."""
    columns = []
    for stage in stages:
        if stage.rate is None and stage.stage == "retention":
            rate = i18n.t("home.funnel.churn_none", language)
        elif stage.rate is None:
            rate = "–" if stage.rate_of is not None else ""
        elif stage.rate_of is None:
            rate = i18n.t("home.funnel.churn", language, value=i18n.percent(stage.rate, 1, language))
        else:
            rate = i18n.t("home.funnel.conversion", language, value=i18n.percent(stage.rate, 2, language),
                          previous=i18n.t(f"kpi.{stage.rate_of}", language).lower())
        columns.append(html.Div(html.Div([
            html.Div(i18n.t(f"stage.{stage.stage}", language), className="text-uppercase small fw-bold text-primary"),
            html.Div(i18n.t(f"kpi.{stage.kpi}", language), className="small text-muted"),
            html.Div(i18n.kpi_value(stage.kpi, stage.value, language), className="fs-5 fw-semibold",
                     id=f"home-funnel-{stage.stage}"),
            html.Div(rate, className="small"),
        ], className="border rounded p-2 h-100 bg-light"), className="col-6 col-md mb-2"))
    return html.Div(columns, className="row g-2")

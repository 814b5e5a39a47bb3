"""The drill-down filter bar and its URL form.

The filter state lives in the page address (``/explore?period=last_quarter&grain=week&region=FR-IDF``)
so that a copied link reopens the same view. Both directions go through the query layer's
validation (:func:`queries.filters_from`): a URL is as untrusted as a forged POST, so unknown
codes are dropped and regions are narrowed to the user's scope before a control shows them.
Named periods stay relative in the URL (``last_month`` means the last complete month when the
link is opened); a custom period carries its dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import i18n
from ..semantic import metrics, queries
from ..semantic.filters import GRAINS, PERIODS, Filters
from .controls import dropdown

DEFAULT_KPI = "leads"
GRID_BREAKDOWNS = ("channel", "source", "campaign", "region")
DEFAULT_BY = "channel"
CODE_KEYS = ("region", "channel", "campaign", "source")  # URL keys; Filters attributes add an "s"

# Element ids (browser tests and callbacks use these names).
URL = "explore-url"
PERIOD = "explore-period"
DATES = "explore-dates"
GRAIN = "explore-grain"
REGION = "explore-region"
CHANNEL = "explore-channel"
CAMPAIGN = "explore-campaign"
SOURCE = "explore-source"
KPI = "explore-kpi"
BY = "explore-by"
FILTER_CONTROLS = ((PERIOD, "value"), (DATES, "start_date"), (DATES, "end_date"), (GRAIN, "value"),
                   (REGION, "value"), (CHANNEL, "value"), (CAMPAIGN, "value"), (SOURCE, "value"))


# --- state <-> URL -----------------------------------------------------------------------------

def raw_filters(period=None, start=None, end=None, grain=None, region=None, channel=None, campaign=None,
                source=None) -> dict:
    """The controls' values as the raw dict :func:`queries.filters_from` validates."""
    return {"period": period, "start": start, "end": end, "grain": grain, "region": region, "channel": channel,
            "campaign": campaign, "source": source}


def _as_text(value) -> str | None:
    return value if isinstance(value, str) else None


def state_from_query(query: Mapping) -> tuple[Filters, str, str]:
    """A URL's query (already split, untrusted) -> validated filters, KPI and breakdown.

    An unknown KPI or breakdown in a link falls back to the default: a stale link still opens."""
    raw = {key: query.get(key) for key in ("period", "start", "end", "grain", *CODE_KEYS)}
    for key in CODE_KEYS:  # "a,b" or ["a", "b"] or ["a,b", "c"]
        value = raw[key]
        if isinstance(value, list):
            raw[key] = [code for item in value if isinstance(item, str) for code in item.split(",")]
    filters = queries.filters_from(raw)
    kpi = _as_text(query.get("kpi"))
    by = _as_text(query.get("by"))
    return filters, kpi if kpi in metrics.KPIS else DEFAULT_KPI, by if by in GRID_BREAKDOWNS else DEFAULT_BY


def requested_regions(query: Mapping) -> list[str]:
    """The region codes a URL asks for, as given (before validation drops those outside the scope)."""
    value = query.get("region")
    items = value if isinstance(value, list) else [value]
    return [code for item in items if isinstance(item, str) for code in item.split(",") if code]


def query_string(filters: Filters, kpi: str, by: str) -> str:
    """The canonical ``?...`` of a view; dates only for a custom period, codes comma-separated."""
    pairs: list[tuple[str, str]] = [("period", filters.period)]
    if filters.period == "custom":
        pairs += [("start", filters.start.isoformat()), ("end", filters.end.isoformat())]
    pairs.append(("grain", filters.grain))
    for key in CODE_KEYS:
        codes = getattr(filters, key + "s")
        if codes:
            pairs.append((key, ",".join(codes)))
    pairs += [("kpi", kpi), ("by", by)]
    return "?" + urlencode(pairs)


def control_values(filters: Filters, kpi: str, by: str) -> dict:
    """What each control of the bar shows for a view."""
    return {"period": filters.period, "start": filters.start.isoformat(), "end": filters.end.isoformat(),
            "grain": filters.grain, "region": list(filters.regions), "channel": list(filters.channels),
            "campaign": list(filters.campaigns), "source": list(filters.sources), "kpi": kpi, "by": by}


# --- the bar -----------------------------------------------------------------------------------

def _field(label_key: str, control, width: dict, language: str, control_id: str) -> dbc.Col:
    return dbc.Col([dbc.Label(i18n.t(label_key, language), html_for=control_id, className="small mb-1"), control],
                   **width, className="mb-2")


def _multi(control_id: str, options: list[dict], value: list[str], placeholder_key: str, language: str):
    return dropdown(language, id=control_id, options=options, value=value, multi=True, clearable=True,
                    placeholder=i18n.t(placeholder_key, language))


def kpi_options(language: str) -> list[dict]:
    return [{"label": i18n.t(f"kpi.{name}", language), "value": name} for name in metrics.KPIS]


def filter_bar(values: dict, language: str) -> html.Div:
    """Period, dates, grain, region, channel, campaign, source and KPI; options scoped to the user."""
    options = queries.filter_options(language)
    fr = language == "fr"
    return html.Div([
        dbc.Row([
            _field("explore.filter.period", dropdown(
                language, id=PERIOD, value=values["period"], clearable=False, searchable=False,
                options=[{"label": i18n.t(f"period.{p}", language), "value": p} for p in PERIODS]),
                {"md": 6, "lg": 3}, language, PERIOD),
            _field("explore.filter.dates", dcc.DatePickerRange(
                id=DATES, start_date=values["start"], end_date=values["end"], first_day_of_week=1,
                display_format="DD/MM/YYYY" if fr else "D MMM YYYY", minimum_nights=0, clearable=False),
                {"md": 6, "lg": 3}, language, DATES),
            _field("explore.filter.grain", dbc.RadioItems(
                id=GRAIN, value=values["grain"], inline=True,
                options=[{"label": i18n.t(f"grain.{g}", language), "value": g} for g in GRAINS]),
                {"md": 6, "lg": 3}, language, GRAIN),
            _field("explore.filter.kpi", dropdown(
                language, id=KPI, value=values["kpi"], clearable=False, options=kpi_options(language)),
                {"md": 6, "lg": 3}, language, KPI),
        ], className="g-2"),
        dbc.Row([
            _field("explore.filter.region", _multi(REGION, options["regions"], values["region"],
                                                   "explore.filter.all_regions", language),
                   {"md": 6, "lg": 3}, language, REGION),
            _field("explore.filter.channel", _multi(CHANNEL, options["channels"], values["channel"],
                                                    "explore.filter.all", language),
                   {"md": 6, "lg": 3}, language, CHANNEL),
            _field("explore.filter.campaign", _multi(CAMPAIGN, options["campaigns"], values["campaign"],
                                                     "explore.filter.all", language),
                   {"md": 6, "lg": 3}, language, CAMPAIGN),
            _field("explore.filter.source", _multi(SOURCE, options["sources"], values["source"],
                                                   "explore.filter.all", language),
                   {"md": 6, "lg": 3}, language, SOURCE),
        ], className="g-2"),
        html.Small(i18n.t("explore.share", language), className="text-muted"),
    ], id="explore-filters", className="border rounded p-2 mb-3 bg-light")

"""The routes of the read API: each reads the semantic layer as the token's user, as the pages do.

Filters come from the query string and are checked more strictly than the pages' (which fall back to a
default): a value the API cannot use is refused with a message that names it, and a region outside the
user's scope is refused (403), never replaced by the whole scope or silently dropped.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import request
from flask_login import current_user

from .. import i18n
from ..auth import audit
from ..auth.guard import api_error, api_language
from ..semantic import forecasts, metrics, planning, queries
from ..semantic.filters import BREAKDOWNS, GRAINS, PERIODS, Filters, _date
from ..semantic.planning import sharing
from ..semantic.scope import allowed_regions, region_tree
from . import ApiError, Param, blueprint, endpoint, paginate

ALL_ROLES_PAGE = "/"
FILTERS = (
    Param("period", "A named period, relative to the last day with data (default: last_month); `custom` with "
          "start and end.", {"type": "string", "enum": list(PERIODS)}),
    Param("start", "First day of a custom period (ISO date; with end).", {"type": "string", "format": "date"}),
    Param("end", "Last day of a custom period, included (ISO date; with start).",
          {"type": "string", "format": "date"}),
    Param("regions", "Comma-separated region codes, each with its sub-regions: only regions of the user's scope "
          "(another is refused with 403).", {"type": "string", "example": "FR-IDF"}),
    Param("channels", "Comma-separated channel codes.", {"type": "string", "example": "paid_search,paid_social"}),
    Param("campaigns", "Comma-separated campaign codes (of the user's scope).", {"type": "string"}),
    Param("sources", "Comma-separated source codes (of the user's scope).", {"type": "string"}),
)
KPIS_PARAM = Param("kpis", "Comma-separated KPI names (default: every KPI); see the glossary page.",
                   {"type": "string", "example": "leads,qualified_leads,cost_per_qualified_lead"})


PLANNING_STATUS = {"not_found": 404, "no_run": 404, "no_model": 404, "scope": 403, "shared_national": 403,
                   "shared_outside": 403}


@blueprint.errorhandler(planning.PlanningError)
def _planning_error(error: planning.PlanningError):
    """The planning page's refusals, with its messages (``planning.error.*``)."""
    return api_error(PLANNING_STATUS.get(error.code, 400), error.code, f"planning.error.{error.code}", **error.values)


def _codes(name: str) -> tuple[str, ...]:
    raw = request.args.get(name)
    if raw is None:
        return ()
    codes = tuple(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    if not codes:
        raise ApiError(400, "parameter", "api.error.parameter", parameter=name, value=raw[:50])
    return codes


def api_filters(grain: str | None = None) -> Filters:
    """The query string's filters, validated; a region outside the user's scope is a 403 (audited)."""
    args = request.args
    period = args.get("period")
    if period is not None and period not in PERIODS:
        raise ApiError(400, "parameter", "api.error.parameter", parameter="period", value=period[:50])
    start, end = args.get("start"), args.get("end")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (len(value) != 10 or _date(value) is None):
            raise ApiError(400, "parameter", "api.error.parameter", parameter=name, value=value[:50])
    if (start is None) != (end is None) or (start is not None and period not in (None, "custom")) or \
            (period == "custom" and start is None):
        raise ApiError(400, "period", "api.error.period")
    regions = _codes("regions")
    outside = sorted(set(regions) - allowed_regions())
    if outside:
        audit.record("forbidden", current_user.email, {"api": request.path, "regions": outside[:20]})
        raise ApiError(403, "region_scope", "api.error.region_scope", codes=", ".join(outside[:20]))
    known = queries.known_codes()
    raw = {"period": "custom" if start else (period or "last_month"), "start": start, "end": end,
           "grain": grain, "regions": list(regions)}
    for name in ("channels", "campaigns", "sources"):
        codes = _codes(name)
        unknown = sorted(set(codes) - known[name])
        if unknown:
            raise ApiError(400, "unknown_value", "api.error.unknown_value", parameter=name,
                           values=", ".join(unknown[:20]))
        raw[name] = list(codes)
    return queries.filters_from(raw)


def described(filters: Filters) -> dict:
    return {"period": filters.period, "start": filters.start, "end": filters.end, "grain": filters.grain,
            "regions": list(filters.regions), "channels": list(filters.channels),
            "campaigns": list(filters.campaigns), "sources": list(filters.sources)}


def kpi_names(default: tuple[str, ...], allowed=None) -> tuple[str, ...]:
    names = _codes("kpis") or default
    unknown = [n for n in names if n not in metrics.KPIS or (allowed is not None and not allowed(n))]
    if unknown:
        raise ApiError(400, "unknown_value", "api.error.unknown_value", parameter="kpis", values=", ".join(unknown))
    return names


@endpoint("/me", page=ALL_ROLES_PAGE, summary="The token's user: role, regions and language")
def me():
    """Who the token acts as, read from the store on this request (a changed role or scope shows at once)."""
    return {"email": current_user.email, "name": current_user.name, "role": current_user.role,
            "scope": list(current_user.scope), "regions": sorted(allowed_regions()),
            "language": current_user.language}


@endpoint("/kpis", page="/explore", summary="KPIs over a period and filters, with targets and comparisons",
          params=(*FILTERS, KPIS_PARAM), paginated=True)
def kpis():
    """Each KPI's value over the period (the home cards' and the drill-down's figure), its target, the share of
    target and the badge state, and the like-for-like previous and last-year values (same windows as the pages)."""
    language = api_language()
    filters = api_filters()
    names = kpi_names(tuple(metrics.KPIS))
    previous, last_year, comparison = queries.compared(filters)
    current, before, year_ago = queries.measures(filters), queries.measures(previous), queries.measures(last_year)
    goals = queries.targets(filters, names)
    rows = []
    for name in names:
        kpi = metrics.get(name)
        value, target = metrics.value(name, current), goals.get(name)
        prior, ago = metrics.value(name, before), metrics.value(name, year_ago)
        rows.append({"kpi": name, "label": i18n.t(f"kpi.{name}", language), "unit": kpi.unit,
                     "direction": kpi.direction, "value": value, "target": target,
                     "attainment": metrics.attainment(value, target), "state": metrics.state(name, value, target),
                     "previous": prior, "vs_previous": metrics.change(value, prior), "last_year": ago,
                     "vs_last_year": metrics.change(value, ago)})
    return {"filters": described(filters), "comparison": {
        "window": asdict(comparison.window), "partial": comparison.partial,
        "previous": asdict(comparison.previous), "last_year": asdict(comparison.last_year)}, **paginate(rows)}


@endpoint("/series", page="/explore", summary="One KPI over time", paginated=True, params=(
    *FILTERS, Param("kpi", "The KPI's name.", {"type": "string", "example": "leads"}, required=True),
    Param("grain", "day, week (ISO, from Monday) or month; stocks and monthly KPIs are always monthly.",
          {"type": "string", "enum": list(GRAINS)})))
def series():
    """The KPI per period bucket, as the drill-down's chart and the home cards' trends read it."""
    name = request.args.get("kpi")
    if name is None:
        raise ApiError(400, "parameter", "api.error.missing_parameter", parameter="kpi")
    if name not in metrics.KPIS:
        raise ApiError(400, "unknown_value", "api.error.unknown_value", parameter="kpi", values=name[:50])
    grain = request.args.get("grain")
    if grain is not None and grain not in GRAINS:
        raise ApiError(400, "parameter", "api.error.parameter", parameter="grain", value=grain[:50])
    filters = api_filters(grain)
    frame, used = queries.kpi_series(filters, name)
    rows = [{"period": period, "value": value} for period, value in zip(frame["period"], frame["value"], strict=True)]
    return {"kpi": name, "grain": used, "filters": described(filters), **paginate(rows)}


@endpoint("/breakdowns/<by>", page="/explore", summary="KPIs by channel, campaign, region or source",
          paginated=True, params=(
              Param("by", "channel, campaign, region or source.", {"type": "string", "enum": list(BREAKDOWNS)},
                    where="path"),
              *FILTERS, Param("kpis", "Comma-separated KPI names that add up over the period's activity "
                              "(default: all of them).", {"type": "string", "example": "leads,spend,cost_per_lead"})))
def breakdown(by: str):
    """One row per value of the dimension (in the user's scope), with each KPI over the period."""
    if by not in BREAKDOWNS:
        raise ApiError(400, "parameter", "api.error.parameter", parameter="by", value=by[:50])
    names = kpi_names(tuple(n for n in metrics.KPIS if queries.is_activity_kpi(n)), queries.is_activity_kpi)
    filters = api_filters()
    frame = queries.breakdown(filters, by)
    labels = {o["value"]: o["label"].strip("\u2003") for o in queries.filter_options(api_language())[by + "s"]}
    rows = [{by: row[by], "label": labels.get(row[by], row[by]), **{n: metrics.value(n, row) for n in names}}
            for row in (frame.sort_values(by).to_dict("records") if not frame.empty else [])]
    return {"by": by, "filters": described(filters), **paginate(rows)}


@endpoint("/forecast", page="/forecast", summary="The forecast of record of qualified leads", paginated=True,
          params=(Param("view", "total (the forecast of record, with overrides), channel or region.",
                        {"type": "string", "enum": list(forecasts.VIEWS), "default": "total"}),))
def forecast():
    """The champion run's forecast for the user's scope, as the forecast page shows it: one row per line and
    month, with intervals where the line is one stored series and the drivers; on the total, the planners'
    override in force."""
    view = request.args.get("view", "total")
    if view not in forecasts.VIEWS:
        raise ApiError(400, "parameter", "api.error.parameter", parameter="view", value=view[:50])
    run = forecasts.champion_run()
    if run is None:
        raise ApiError(404, "no_forecast", "forecast.no_run")
    frame = forecasts.forecast_frame(run["id"], view)
    record = forecasts.record(run["id"]) if view == "total" else None
    overrides = (record.overrides or {}) if record is not None else {}
    names = forecasts.channel_names(api_language()) if view == "channel" else region_tree().names
    rows = [{"line": r["group"], "label": names.get(r["group"], r["group"]) if view != "total" else r["group"],
             "month": r["month"], **{c: r[c] for c in forecasts.VALUE_COLUMNS},
             **({"override": overrides.get(r["month"], {}).get("value")} if view == "total" else {})}
            for r in frame.to_dict("records")]
    return {"run": run, "view": view, "scopes": list(record.scopes) if record is not None else None,
            **paginate(rows)}


@endpoint("/scenarios", page="/planning", roles=planning.READ_ROLES, paginated=True,
          summary="The user's saved media scenarios, and those shared with them",
          params=(Param("scope", "A planning scope (national or a top region the user sees whole); default: "
                        "every scope of the user.", {"type": "string"}),))
def scenarios():
    """The scenarios the user saved on the planning page (planners and admins), newest first per scope, then
    those shared with them or their role that their scope lets them read (``shared``: true, read only)."""
    scope = request.args.get("scope")
    scopes = [planning.checked_scope(scope)] if scope is not None else planning.scope_options()
    own = [{"scope": code, **row, "shared": False} for code in scopes for row in planning.list_scenarios(code)] \
        if current_user.role in planning.WRITE_ROLES else []
    shared = [{"scope": row["scope_code"], "id": row["id"], "name": row["name"], "owner": row["owner"],
               "updated_at": row["updated_at"], "total_spend": row["total_spend"], "shared": True}
              for row in sharing.shared_with_me() if row["readable"] and row["scope_code"] in scopes]
    return paginate(own + shared)


@endpoint("/scenarios/<int:scenario_id>", page="/planning", roles=planning.READ_ROLES,
          summary="One saved scenario (the user's, or one shared with them): its plan and predicted qualified leads",
          params=(Param("scenario_id", "The scenario's id.", {"type": "integer"}, where="path"),))
def scenario(scenario_id: int):
    """The plan (spend per month and channel, the current plan's figure for months it did not hold) and its
    prediction by the champion response model on the forecast of record, as the planning page shows it. A
    scenario shared with the user is read as the page's "shared with me" card reads it: only when its scope is
    one the user may read (else 403 with the page's message)."""
    own = None
    if current_user.role in planning.WRITE_ROLES:
        try:
            own = planning.own_scenario_scope(scenario_id)
        except planning.PlanningError as error:
            if error.code != "not_found":
                raise
    if own is not None:
        row, plan, missing = planning.load_scenario(own, scenario_id)
        simulation, scope, shared = planning.simulate_plan(own, plan), own, False
    else:
        opened = sharing.open_shared(scenario_id)
        row = {"id": opened.id, "name": opened.name, "owner": opened.owner}
        plan, missing, simulation, scope, shared = opened.plan, opened.missing, opened.simulation, opened.scope, True
    cells = [{"month": month, "channel": channel, "spend": float(spend)}
             for month, values in plan.iterrows() for channel, spend in values.items()]
    return {**row, "scope": scope, "shared": shared, "months_from_current_plan": missing, "cells": cells,
            "prediction": {
                "months": simulation.months, "leads": simulation.leads, "bands": simulation.bands,
                "total": simulation.total, "total_bands": simulation.total_bands,
                "spend_total": simulation.spend_total, "cost_per_lead": simulation.cost_per_lead}}

"""The canonical formats: one per fact table, the format any export can be mapped onto.

Each format is a list of fields (documented in the README and by ``pilotage etl formats``,
with a sample under ``etl/formats/samples/``) and a function that turns validated rows
into fact rows. Region and channel codes must be known to the store; campaigns, traffic
sources and sales reps seen for the first time are created.
"""

from __future__ import annotations

import pandas as pd

from etl.pseudonymise import normalise_email, pseudonymise, pseudonyms, start_pseudonymising
from etl.validation import Field, apply_aliases, reject_rows
from pilotage.input import LINE, RawTable
from pilotage.store.reference import CHANNEL_CODES

from .base import (
    LEAD_DATE_COLUMNS,
    Batch,
    Connector,
    LoadOptions,
    ad_performance_load,
    campaigns_load,
    costs_load,
    experiments_load,
    external_series_load,
    leads_load,
    media_plan_load,
    reps_load,
    sources_load,
    subscriptions_load,
    targets_load,
    web_analytics_load,
)

CHANNEL = Field("channel", "choice", choices=CHANNEL_CODES, description="channel code (see `pilotage etl formats`)")
REGION = Field("region", "code", description="region code known to the store")
QUALIFIED_TYPES = ("test_drive", "stock_request", "quote", "callback", "mql", "other")

FORMATS: dict[str, list[Field]] = {
    "leads": [
        Field("lead_id", "text", required=False, nullable=True, default="",
              description="the CRM's id of the lead (hashed at load)"),
        Field("email", "text", required=False, nullable=True, default="",
              description="used only when there is no lead_id, hashed at load, never stored"),
        Field("created_at", "datetime", description="when the lead was created"),
        CHANNEL, REGION,
        Field("campaign", "text", required=False, nullable=True, default=""),
        Field("source", "text", required=False, nullable=True, default="", description="e.g. google / cpc"),
        Field("rep", "text", required=False, nullable=True, description="sales rep who owns the lead"),
        Field("sdr", "text", required=False, nullable=True, description="sales development rep who qualified it"),
        Field("segment", "text", required=False, nullable=True),
        *(Field(stage, "datetime", required=False, nullable=True, description=f"when the lead reached {stage[:-3]}")
          for stage in LEAD_DATE_COLUMNS[1:]),
        Field("qualified", "boolean", required=False, nullable=True, default=False,
              description="a bottom-of-funnel request (test drive, stock, quote...)"),
        Field("qualified_type", "choice", required=False, nullable=True, choices=QUALIFIED_TYPES),
        Field("deal_value", "decimal", required=False, nullable=True, minimum=0, description="EUR, when won"),
        Field("monthly_amount", "decimal", required=False, nullable=True, minimum=0,
              description="monthly recurring EUR, when won"),
    ],
    "ad_performance": [
        Field("date", "date"), Field("campaign", "text"), CHANNEL, REGION,
        Field("ad", "text", required=False, nullable=True, default=""),
        Field("campaign_name", "text", required=False, nullable=True, default=""),
        Field("coverage", "choice", required=False, nullable=True, default="national", choices=("national", "local")),
        Field("impressions", "integer", minimum=0), Field("clicks", "integer", minimum=0),
        Field("spend", "decimal", minimum=0, description="EUR"),
        Field("conversions", "integer", required=False, nullable=True, default=0, minimum=0),
    ],
    "web_analytics": [
        Field("date", "date"), Field("source", "text", description="source / medium"), CHANNEL, REGION,
        Field("sessions", "integer", minimum=0),
        Field("users", "integer", required=False, nullable=True, default=0, minimum=0),
        Field("engaged_sessions", "integer", required=False, nullable=True, default=0, minimum=0),
        Field("conversions", "integer", required=False, nullable=True, default=0, minimum=0),
    ],
    "subscriptions": [
        Field("customer_id", "text"), Field("month", "date"), REGION, CHANNEL,
        Field("mrr", "decimal", minimum=0, description="EUR per month; for a churned month, the MRR lost"),
        Field("is_new", "boolean", required=False, nullable=True, default=False),
        Field("churned", "boolean", required=False, nullable=True, default=False),
    ],
    "media_plan": [
        Field("month", "date"), CHANNEL, REGION,
        Field("coverage", "choice", required=False, nullable=True, default="national", choices=("national", "local")),
        Field("planned_spend", "decimal", minimum=0, description="EUR"),
    ],
    "targets": [
        Field("period_start", "date"),
        Field("grain", "choice", choices=("month", "quarter", "year")),
        Field("kpi", "code", description="a KPI name of the metrics layer (e.g. qualified_leads)"),
        Field("region", "code", required=False, nullable=True, default="all", description="'all' or a region code"),
        Field("channel", "code", required=False, nullable=True, default="", description="empty for all channels"),
        Field("value", "decimal"),
    ],
    "costs": [
        Field("month", "date"),
        Field("category", "choice", choices=("salaries", "tools", "agencies", "other")),
        Field("region", "code", required=False, nullable=True, default="all"),
        Field("amount", "decimal", minimum=0, description="EUR"),
    ],
    "external_series": [
        Field("date", "date"), Field("series", "code"),
        Field("region", "code", description="geography code (country, region)"), Field("value", "decimal"),
    ],
    "experiments": [
        CHANNEL,
        Field("regions", "text", description="region codes separated by ';', or '*' for the whole country"),
        Field("start", "date", description="first day of the test"), Field("end", "date", description="last day"),
        Field("incremental_leads", "decimal", description="leads the channel brought over the test (measured lift)"),
        Field("lo", "decimal", description="lower bound of the test's 80 % interval"),
        Field("hi", "decimal", description="upper bound of the test's 80 % interval"),
        Field("spend", "decimal", required=False, nullable=True, minimum=0, description="EUR spent in the test"),
        Field("notes", "text", required=False, nullable=True, default="", aliases=("source",),
              description="who ran it and how (e.g. geo holdout, agency)"),
    ],
}

SIGNATURES = {
    "leads": frozenset({"created_at", "channel", "region"}),
    "ad_performance": frozenset({"date", "campaign", "impressions", "clicks", "spend"}),
    "web_analytics": frozenset({"date", "source", "sessions"}),
    "subscriptions": frozenset({"customer_id", "month", "mrr"}),
    "media_plan": frozenset({"month", "channel", "planned_spend"}),
    "targets": frozenset({"period_start", "grain", "kpi", "value"}),
    "costs": frozenset({"month", "category", "amount"}),
    "external_series": frozenset({"date", "series", "value"}),
    "experiments": frozenset({"channel", "regions", "incremental_leads", "lo", "hi"}),
}


def _month_start(series: pd.Series) -> pd.Series:
    return series.dt.to_period("M").dt.to_timestamp()


def _round_cents(series: pd.Series) -> pd.Series:
    return series.astype(float).round(2)


class CanonicalConnector(Connector):
    order = 40

    def __init__(self, name: str):
        self.name = name
        self.fields = FORMATS[name]
        self.signature = SIGNATURES[name]
        self.description = f"canonical {name.replace('_', ' ')} format"
        if name == "leads":
            self.order = 30

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        from etl.errors import FileRefused

        if self.name == "leads":
            present = {c.strip().lower() for c in raw.columns}
            if not present & {"lead_id", "email"}:
                raise FileRefused(raw.file_name, "format 'leads' needs a 'lead_id' or an 'email' column")
        source_system = options.source_system or "canonical"
        # The leads' ids are hashed by a child process while this one types the cells.
        hashing = start_pseudonymising(_lead_identity(raw), source_system) if self.name == "leads" else None
        validated = self.validate(raw, options)
        frame, rejects = validated.frame, list(validated.rejects)
        frame = frame.assign(source_system=source_system)
        build = getattr(self, f"_build_{self.name}")
        loads, more_rejects = build(frame, source_system, hashing) if hashing else build(frame, source_system)
        return Batch(loads=loads, rows_read=len(raw.frame) + len(raw.rejects),
                     rejects=[*raw.rejects, *rejects, *more_rejects])

    # One builder per format: rename to fact columns and pick the table loads.
    def _build_leads(self, frame, source_system, hashing):
        no_id = frame["lead_id"].astype(str) == ""
        frame, rejects = reject_rows(frame, no_id & (frame["email"].astype(str) == ""), "lead_id",
                                     "a lead_id or an email to identify the lead", code="reject.lead_identity")
        stages = frame[list(LEAD_DATE_COLUMNS)]
        too_early = pd.Series(False, index=frame.index)
        for stage in LEAD_DATE_COLUMNS[1:]:
            too_early |= stages[stage].notna() & (stages[stage] < stages["created_at"])
        frame, early = reject_rows(frame, too_early, "created_at",
                                   "every stage date (mql_at ... lost_at) on or after created_at",
                                   code="reject.stage_order")
        both = frame["won_at"].notna() & frame["lost_at"].notna()
        frame, won_lost = reject_rows(frame, both, "lost_at", "a lead that is won or lost, not both",
                                      code="reject.won_and_lost")
        keys = pseudonyms(hashing)
        if len(keys) != len(frame):
            keys = keys.loc[frame.index]
        # Column by column: a frame built from a dict would first copy the six date columns into one block.
        facts = pd.DataFrame(index=frame.index).assign(**{
            "lead_key": keys,
            "source_system": source_system,
            "channel_code": frame["channel"], "campaign_code": frame["campaign"],
            "source_code": frame["source"], "region_code": frame["region"],
            "rep_code": frame["rep"].replace("", None), "sdr_code": frame["sdr"].replace("", None),
            "segment": frame["segment"].replace("", None),
            **{stage: frame[stage] for stage in LEAD_DATE_COLUMNS},
            "is_qualified": frame["qualified"].astype(bool),
            "qualified_type": frame["qualified_type"].replace("", None),
            "deal_value": _round_cents(frame["deal_value"]),
            "monthly_amount": _round_cents(frame["monthly_amount"]),
            LINE: frame[LINE],
        })
        # Each distinct code once, in order of first appearance, before the dimension loads look at them.
        reps = pd.concat([facts["rep_code"].drop_duplicates(), facts["sdr_code"].drop_duplicates()]).dropna()
        loads = [reps_load(reps)]
        campaigns = facts[["campaign_code", "channel_code"]].drop_duplicates("campaign_code")
        with_campaign = campaigns[campaigns["campaign_code"] != ""]
        if not with_campaign.empty:
            loads.insert(0, campaigns_load(with_campaign))
        loads.append(leads_load(facts, unique_key=hashing.distinct))
        return loads, [*rejects, *early, *won_lost]

    def _build_ad_performance(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "date": frame["date"], "campaign_code": frame["campaign"],
            "region_code": frame["region"], "ad_code": frame["ad"], "channel_code": frame["channel"],
            "impressions": frame["impressions"], "clicks": frame["clicks"],
            "spend": _round_cents(frame["spend"]), "platform_conversions": frame["conversions"],
            LINE: frame[LINE],
        })
        clicks_over = facts["clicks"] > facts["impressions"]
        facts, rejects = reject_rows(facts, clicks_over, "clicks", "clicks <= impressions",
                                     code="reject.clicks_over_impressions",
                                     params={"clicks": "clicks", "impressions": "impressions"})
        campaigns = frame.loc[facts.index].rename(columns={"campaign": "campaign_code", "channel": "channel_code"})
        return [campaigns_load(campaigns), ad_performance_load(facts)], rejects

    def _build_web_analytics(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "date": frame["date"], "source_code": frame["source"],
            "region_code": frame["region"], "sessions": frame["sessions"], "users": frame["users"],
            "engaged_sessions": frame["engaged_sessions"], "conversions": frame["conversions"],
            LINE: frame[LINE],
        })
        sources = frame.rename(columns={"source": "source_code", "channel": "channel_code"})
        return [sources_load(sources), web_analytics_load(facts)], []

    def _build_subscriptions(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system,
            "customer_key": pseudonymise(frame["customer_id"], source_system),
            "month": _month_start(frame["month"]), "region_code": frame["region"],
            "channel_code": frame["channel"], "mrr": _round_cents(frame["mrr"]),
            "is_new": frame["is_new"].astype(bool), "is_churned": frame["churned"].astype(bool),
            LINE: frame[LINE],
        })
        return [subscriptions_load(facts)], []

    def _build_media_plan(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "month": _month_start(frame["month"]),
            "channel_code": frame["channel"], "region_code": frame["region"], "coverage": frame["coverage"],
            "planned_spend": _round_cents(frame["planned_spend"]), LINE: frame[LINE],
        })
        return [media_plan_load(facts)], []

    def _build_targets(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "period_start": frame["period_start"], "grain": frame["grain"],
            "kpi": frame["kpi"], "region_code": frame["region"], "channel_code": frame["channel"],
            "value": frame["value"].astype(float), LINE: frame[LINE],
        })
        return [targets_load(facts)], []

    def _build_costs(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "month": _month_start(frame["month"]),
            "category": frame["category"], "region_code": frame["region"],
            "amount": _round_cents(frame["amount"]), LINE: frame[LINE],
        })
        return [costs_load(facts)], []

    def _build_external_series(self, frame, source_system):
        facts = pd.DataFrame({
            "source_system": source_system, "series": frame["series"], "geo": frame["region"],
            "date": frame["date"], "value": frame["value"].astype(float), LINE: frame[LINE],
        })
        return [external_series_load(facts)], []

    def _build_experiments(self, frame, source_system):
        frame, reversed_ = reject_rows(frame, frame["end"] < frame["start"], "end", "an end on or after start",
                                       code="reject.experiment_dates")
        frame, crossed = reject_rows(frame, frame["lo"] > frame["hi"], "lo", "lo <= hi",
                                     code="reject.experiment_interval")
        outside = (frame["incremental_leads"] < frame["lo"]) | (frame["incremental_leads"] > frame["hi"])
        frame, off = reject_rows(frame, outside, "incremental_leads", "incremental_leads between lo and hi",
                                 code="reject.experiment_estimate")
        regions = frame["regions"].map(_region_list)
        frame, empty = reject_rows(frame.assign(regions=regions), regions == "", "regions",
                                   "region codes separated by ';', or '*'", code="reject.experiment_regions")
        facts = pd.DataFrame({
            "source_system": source_system, "channel_code": frame["channel"], "regions": frame["regions"],
            "start_date": frame["start"].dt.date, "end_date": frame["end"].dt.date,
            "incremental_leads": frame["incremental_leads"].astype(float), "lo": frame["lo"].astype(float),
            "hi": frame["hi"].astype(float), "spend": _round_cents(frame["spend"]),
            "notes": frame["notes"].astype(str).str.slice(0, 400), LINE: frame[LINE],
        })
        return [experiments_load(facts)], [*reversed_, *crossed, *off, *empty]


def _lead_identity(raw: RawTable) -> pd.Series:
    """What identifies each lead of the file, as the validated cells give it: its ``lead_id``, or
    ``email:`` and its normalised address when it has none (rows with neither are rejected later)."""
    frame = apply_aliases(raw.frame, FORMATS["leads"])
    empty = pd.Series("", index=frame.index, dtype="str")
    lead_id = frame["lead_id"].astype(str).str.strip() if "lead_id" in frame.columns else empty
    email = normalise_email(frame["email"]) if "email" in frame.columns else empty
    return lead_id.mask(lead_id == "", "email:" + email)


def _region_list(text: str) -> str:
    """``;``-separated codes, sorted and without repeats (one experiment, one key), or ``*``."""
    codes = sorted({c.strip() for c in str(text).split(";") if c.strip()})
    return "*" if "*" in codes else ";".join(codes)


CANONICAL_CONNECTORS = [CanonicalConnector(name) for name in FORMATS]

"""The Olist marketing funnel (public CRM export): marketing qualified leads, then closed deals.

Two files: the MQL file creates leads (first contact = creation = MQL date, every row is an
MQL, so the qualified flag is "mql"); the closed-deals file completes known leads with the
won date, the reps and the declared monthly revenue. Deals are loaded after leads and a deal
whose lead is not in the store is rejected, not invented.
"""

from __future__ import annotations

import pandas as pd

from etl.loading import TableLoad
from etl.pseudonymise import pseudonymise
from etl.validation import Field
from pilotage.input import LINE, RawTable
from pilotage.store.models import SalesTeam

from .base import Batch, Connector, LoadOptions, leads_load, regions_load, reps_load

SOURCE_SYSTEM = "olist"
COUNTRY = {"code": "BR", "name": "Brazil", "level": "country", "parent_code": None}

# Olist's `origin` -> Pilotage channel. An empty origin is the CRM saying "unknown".
ORIGIN_CHANNELS = {
    "organic_search": "organic_search", "paid_search": "paid_search", "social": "social",
    "unknown": "unknown", "": "unknown", "direct_traffic": "direct", "email": "email",
    "referral": "referral", "other": "other", "display": "display",
    "other_publicities": "other_advertising",
}


def _region(options: LoadOptions) -> tuple[str, list[TableLoad]]:
    """Olist is a Brazilian marketplace: without --region, its leads go to Brazil."""
    from pilotage.store.reference import UNASSIGNED_REGION

    if options.region and options.region != UNASSIGNED_REGION:
        return options.region, []
    return COUNTRY["code"], [regions_load([COUNTRY])]


class OlistLeads(Connector):
    name = "olist_mql"
    description = "Olist marketing qualified leads (mql_id, first_contact_date, landing_page_id, origin)"
    order = 20
    signature = frozenset({"mql_id", "first_contact_date", "origin"})
    fields = [
        Field("mql_id", "text"),
        Field("first_contact_date", "date"),
        Field("landing_page_id", "text", required=False, nullable=True, default=""),
        Field("origin", "choice", nullable=True, default="", choices=tuple(k for k in ORIGIN_CHANNELS if k)),
    ]

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        validated = self.validate(raw, options)
        frame = validated.frame
        region, region_loads = _region(options)
        facts = pd.DataFrame({
            "lead_key": pseudonymise(frame["mql_id"], SOURCE_SYSTEM),
            "source_system": SOURCE_SYSTEM,
            "channel_code": frame["origin"].map(ORIGIN_CHANNELS),
            "campaign_code": "",
            "source_code": "",
            "region_code": region,
            "created_at": frame["first_contact_date"],
            "mql_at": frame["first_contact_date"],
            "is_qualified": True,
            "qualified_type": "mql",
            LINE: frame[LINE],
        })
        return Batch(loads=[*region_loads, leads_load(facts)], rows_read=len(raw.frame) + len(raw.rejects),
                     rejects=[*raw.rejects, *validated.rejects])


class OlistClosedDeals(Connector):
    name = "olist_deals"
    description = "Olist closed deals (mql_id, sdr_id, sr_id, won_date, business_segment, declared_monthly_revenue)"
    order = 60
    signature = frozenset({"mql_id", "won_date", "sr_id", "sdr_id"})
    fields = [
        Field("mql_id", "text"),
        Field("seller_id", "text", required=False, nullable=True, default=""),
        Field("sdr_id", "text"),
        Field("sr_id", "text"),
        Field("won_date", "datetime"),
        Field("business_segment", "text", required=False, nullable=True, default=""),
        Field("declared_monthly_revenue", "decimal", required=False, nullable=True, minimum=0),
    ]

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        validated = self.validate(raw, options)
        frame = validated.frame
        facts = pd.DataFrame({
            "lead_key": pseudonymise(frame["mql_id"], SOURCE_SYSTEM),
            "rep_code": frame["sr_id"],
            "sdr_code": frame["sdr_id"],
            "segment": frame["business_segment"].replace("", None),
            "won_at": frame["won_date"],
            "monthly_amount": frame["declared_monthly_revenue"].astype(float).round(2),
            LINE: frame[LINE],
        })
        teams = TableLoad(SalesTeam.__table__, pd.DataFrame([
            {"code": "olist_sdr", "name": "Olist sales development reps"},
            {"code": "olist_sr", "name": "Olist sales reps"},
        ]), key=("code",), update=False)
        return Batch(
            loads=[teams, reps_load(facts["sdr_code"], "olist_sdr"), reps_load(facts["rep_code"], "olist_sr"),
                   leads_load(facts, must_exist="an mql_id of a lead already loaded "
                              "(load olist_marketing_qualified_leads_dataset.csv first)",
                              must_exist_code="reject.olist_mql_first")],
            rows_read=len(raw.frame) + len(raw.rejects),
            rejects=[*raw.rejects, *validated.rejects],
        )

"""The Facebook ads campaign export (one row per ad and day, with audience columns).

Kept at its finest grain: the ad is part of the key. Campaigns are ``fb-<xyz_campaign_id>``
on the paid social channel. The export has no geography: rows go to ``--region``.
"""

from __future__ import annotations

import pandas as pd

from etl.validation import Field, reject_rows
from pilotage.input import LINE, RawTable

from .base import Batch, Connector, LoadOptions, ad_performance_load, campaigns_load

SOURCE_SYSTEM = "facebook_ads"
CHANNEL = "paid_social"


class FacebookAds(Connector):
    name = "facebook_ads"
    description = "Facebook ads export (Date, ad_id, xyz_campaign_id, Impressions, Clicks, Spent, ...)"
    order = 40
    signature = frozenset({"ad_id", "xyz_campaign_id", "impressions", "clicks", "spent"})
    fields = [
        Field("Date", "date", aliases=("reporting_start",)),
        Field("ad_id", "text"),
        Field("xyz_campaign_id", "text"),
        Field("fb_campaign_id", "text", required=False, nullable=True, default=""),
        Field("Impressions", "integer", minimum=0),
        Field("Clicks", "integer", minimum=0),
        Field("Spent", "decimal", minimum=0),
        Field("Total_Conversion", "integer", required=False, nullable=True, default=0, minimum=0),
        Field("Approved_Conversion", "integer", required=False, nullable=True, default=0, minimum=0),
    ]

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        validated = self.validate(raw, options)
        frame = validated.frame
        facts = pd.DataFrame({
            "source_system": options.source_system or SOURCE_SYSTEM,
            "date": frame["Date"],
            "campaign_code": "fb-" + frame["xyz_campaign_id"].astype(str),
            "region_code": options.region,
            "ad_code": frame["ad_id"].astype(str),
            "channel_code": CHANNEL,
            "impressions": frame["Impressions"],
            "clicks": frame["Clicks"],
            "spend": frame["Spent"].astype(float).round(2),
            "platform_conversions": frame["Total_Conversion"],
            LINE: frame[LINE],
        })
        facts, rejects = reject_rows(facts, facts["clicks"] > facts["impressions"], "Clicks",
                                     "Clicks <= Impressions", raw.column_ref, code="reject.clicks_over_impressions",
                                     params={"clicks": "Clicks", "impressions": "Impressions"})
        campaigns = pd.DataFrame({
            "campaign_code": facts["campaign_code"], "channel_code": CHANNEL,
            "campaign_name": "Facebook campaign " + facts["campaign_code"].str.removeprefix("fb-"),
        })
        return Batch(loads=[campaigns_load(campaigns), ad_performance_load(facts)],
                     rows_read=len(raw.frame) + len(raw.rejects),
                     rejects=[*raw.rejects, *validated.rejects, *rejects])

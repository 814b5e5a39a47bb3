"""Reference data every store starts with: the channel catalogue, France (the home market)
and the "unassigned" region for exports that carry no geography.

Channels are a closed list (a KPI per channel must mean the same everywhere); an export
with another channel name maps onto these, through its connector or a mapping file.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from pilotage.store.models import Channel, Region, SalesTeam

UNASSIGNED_REGION = "XX"
HOME_COUNTRY = {"code": "FR", "name": "France", "level": "country", "parent_code": None}

# code, English name, French name, group, paid, direction
CHANNELS = (
    ("national_tv", "National TV", "TV nationale", "tv", True, "outbound"),
    ("radio", "Radio", "Radio", "radio", True, "outbound"),
    ("local_press", "Local press", "Presse locale", "press", True, "outbound"),
    ("paid_search", "Paid search", "Référencement payant", "search", True, "inbound"),
    ("paid_social", "Paid social", "Social payant", "social", True, "outbound"),
    ("display", "Display", "Display", "display", True, "outbound"),
    ("other_advertising", "Other advertising", "Autre publicité", "other", True, "outbound"),
    ("organic", "Organic & referral", "Organique & sites référents", "organic", False, "inbound"),
    ("organic_search", "Organic search", "Référencement naturel", "organic", False, "inbound"),
    ("referral", "Referral", "Sites référents", "organic", False, "inbound"),
    ("direct", "Direct", "Accès direct", "organic", False, "inbound"),
    ("social", "Organic social", "Social organique", "social", False, "inbound"),
    ("email", "E-mail", "E-mail", "crm", False, "outbound"),
    ("other", "Other", "Autre", "other", False, "inbound"),
    ("unknown", "Unknown", "Inconnu", "other", False, "inbound"),
)
CHANNEL_CODES = tuple(row[0] for row in CHANNELS)
UNKNOWN_TEAM = "unassigned"


def seed_reference(conn: Connection) -> None:
    """Insert the catalogue rows that are missing; never overwrite what a person edited."""
    existing = set(conn.execute(select(Channel.code)).scalars())
    rows = [
        dict(code=c, name_en=en, name_fr=fr, channel_group=g, is_paid=p, direction=d)
        for c, en, fr, g, p, d in CHANNELS if c not in existing
    ]
    if rows:
        conn.execute(Channel.__table__.insert(), rows)
    regions = [dict(code=UNASSIGNED_REGION, name="Unassigned", level="country", parent_code=None), HOME_COUNTRY]
    known = set(conn.execute(select(Region.code)).scalars())
    missing = [r for r in regions if r["code"] not in known]
    if missing:
        conn.execute(Region.__table__.insert(), missing)
    if conn.execute(select(SalesTeam.code).where(SalesTeam.code == UNKNOWN_TEAM)).first() is None:
        conn.execute(SalesTeam.__table__.insert(), [dict(code=UNKNOWN_TEAM, name="Unassigned")])

"""Personal data duties (etl/privacy.py, ``pilotage privacy``): purge, erase and export on SQLite and PostgreSQL.

The store is hand-made: leads identified by e-mail (the canonical format), one of them also a customer, and
a rejected row that kept an address. Totals of every mart per day and region must be the same before and
after a purge or an erasure (the rows are anonymised, not deleted), the marts must still be what a rebuild
from the facts gives, the person must no longer be found, and the audit log must say what was done.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from etl.marts import rebuild_all
from etl.pipeline import load_file
from etl.privacy import ANONYMOUS_PREFIX, erase, export, fingerprint, purge
from pilotage.store.models import (
    ACTIVITY_MEASURES,
    AuditEntry,
    EtlReject,
    EtlRun,
    Lead,
    MartCohortMonthly,
    MartDaily,
    MartRepMonthly,
    MartSubscriptionMonthly,
    Subscription,
)

from .helpers import data_snapshot, rows, scalar, write

ALICE = "Alice.Martin@Example.org"  # written with capitals in the file: the address is normalised first
LEADS = (
    "email,created_at,channel,region,rep,opportunity_at,won_at,deal_value,monthly_amount\n"
    f"{ALICE},2023-01-10 09:00,paid_search,FR,rep-a,2023-01-20,2023-02-05,1200,100\n"
    "bob@example.org,2023-01-10 10:00,paid_search,FR,rep-a,,,,\n"
    "carol@example.org,2025-06-02 11:00,organic,FR,rep-b,2025-06-10,,,\n"
    "alice.martin@example.org,2025-07-01 08:00,organic,FR,rep-b,,,,\n"  # rejected: Alice's key again (kept as value)
    "dave@example.org,,organic,FR,,,,,\n"                                # rejected: no created_at (raw row kept)
)
SUBSCRIPTIONS = (
    "customer_id,month,region,channel,mrr,is_new\n"
    f"{ALICE.lower()},2023-02,FR,paid_search,100,true\n"
    f"{ALICE.lower()},2023-03,FR,paid_search,100,false\n"
    "eve@example.org,2025-06,FR,organic,50,true\n"
)
TODAY = dt.date(2026, 1, 15)


def _store(engine, tmp_path):
    load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    load_file(write(tmp_path / "subs.csv", SUBSCRIPTIONS), source="subscriptions", engine=engine)


def mart_totals(engine) -> dict:
    """Every mart's measures summed per day (or month) and region: what must not move."""
    daily = MartDaily.__table__
    totals = {"daily": sorted(map(tuple, rows(engine, select(
        daily.c.date, daily.c.region_code, *(func.sum(daily.c[m]) for m in ACTIVITY_MEASURES)
    ).group_by(daily.c.date, daily.c.region_code))))}
    for name, table in (("cohort", MartCohortMonthly), ("reps", MartRepMonthly),
                        ("subscriptions", MartSubscriptionMonthly)):
        totals[name] = sorted(map(tuple, rows(engine, select(table))))
    return totals


def _marts_agree_with_facts(engine) -> None:
    before = mart_totals(engine)
    with engine.begin() as conn:
        rebuild_all(conn)
    assert mart_totals(engine) == before


def _audit(engine) -> list[dict]:
    return [json.loads(row.detail) | {"actor": row.actor}
            for row in rows(engine, select(AuditEntry).where(AuditEntry.event == "privacy").order_by(AuditEntry.id))]


def test_purge_anonymises_old_leads_and_keeps_mart_totals(engine, tmp_path):
    _store(engine, tmp_path)
    totals, keys_before = mart_totals(engine), set(rows(engine, select(Lead.lead_key)))
    runs_before = scalar(engine, select(func.count()).select_from(EtlRun))
    assert scalar(engine, select(func.count()).select_from(EtlReject)) == 2

    snapshot = data_snapshot(engine)
    dry = purge(engine, 24, dry_run=True, today=TODAY)   # before 2024-01-15: Alice's and Bob's 2023 leads
    assert data_snapshot(engine) == snapshot
    assert (dry.leads, dry.subscriptions, dry.cutoff) == (2, 0, dt.date(2024, 1, 15))
    assert set(rows(engine, select(Lead.lead_key))) == keys_before           # a dry run changes nothing
    assert scalar(engine, select(func.count()).select_from(EtlRun)) == runs_before and _audit(engine) == []

    done = purge(engine, 24, today=TODAY, by="dpo@pilotage.test")
    # Rejects of today's runs keep their input, except the one whose value is Alice's old key.
    assert (done.leads, done.rejects) == (2, 1)
    keys = [k for (k,) in rows(engine, select(Lead.lead_key).order_by(Lead.created_at))]
    assert [k.startswith(ANONYMOUS_PREFIX) for k in keys] == [True, True, False]
    assert not set(keys[:2]) & {k for (k,) in keys_before}
    assert mart_totals(engine) == totals
    _marts_agree_with_facts(engine)
    # The 2023 leads can no longer be found from their address; the 2025 one still can.
    assert export(engine, email=ALICE).rows["leads"] == []
    assert len(export(engine, email="carol@example.org").rows["leads"]) == 1
    assert _audit(engine)[0] == {"action": "purge", "actor": "dpo@pilotage.test", "cutoff": "2024-01-15",
                                 "leads": 2, "subscriptions": 0, "rejects": 1, "run_id": done.run_id}
    assert purge(engine, 24, today=TODAY).leads == 0                        # anonymised rows are not purged again
    # Rejected rows of old runs lose what they kept of the input.
    with engine.begin() as conn:
        conn.execute(EtlRun.__table__.update().values(started_at=dt.datetime(2023, 1, 1)))
    assert purge(engine, 24, today=TODAY).rejects == 1                      # Dave's, which kept his address
    assert scalar(engine, select(func.count()).select_from(EtlReject).where(EtlReject.raw.is_not(None))) == 0


def test_erase_finds_the_person_through_the_keyed_hash(engine, tmp_path):
    _store(engine, tmp_path)
    totals = mart_totals(engine)
    alice_keys = {r["lead_key"] for r in export(engine, email=ALICE).rows["leads"]}
    others = set(rows(engine, select(Lead.lead_key, Lead.created_at)))

    dry = erase(engine, email="  alice.martin@EXAMPLE.org ", dry_run=True)
    assert (dry.leads, dry.subscriptions, dry.rejects) == (1, 2, 1)
    assert set(rows(engine, select(Lead.lead_key, Lead.created_at))) == others

    snapshot = data_snapshot(engine)
    done = erase(engine, email=ALICE, by="dpo@pilotage.test")
    assert (done.leads, done.subscriptions) == (1, 2)
    after = {k for (k,) in rows(engine, select(Lead.lead_key))}
    assert not after & alice_keys and len(after) == 3
    assert sum(k.startswith(ANONYMOUS_PREFIX) for k in after) == 1
    customers = {k for (k,) in rows(engine, select(Subscription.customer_key))}
    assert sum(k.startswith(ANONYMOUS_PREFIX) for k in customers) == 1     # Alice's two months, one new key
    assert mart_totals(engine) == totals
    assert data_snapshot(engine) == {**snapshot, "audit_log": snapshot["audit_log"] + 1}   # no row deleted
    _marts_agree_with_facts(engine)
    again = export(engine, email=ALICE)
    assert again.rows == {"leads": [], "subscriptions": [], "rejected_rows": []}
    assert [e["action"] for e in _audit(engine)] == ["export", "erase", "export"]
    entry = _audit(engine)[1]
    assert entry == {"action": "erase", "actor": "dpo@pilotage.test", "subject": fingerprint(ALICE), "leads": 1,
                     "subscriptions": 2, "rejects": 1, "run_id": done.run_id}
    assert "alice" not in json.dumps(_audit(engine)).lower()               # the log keeps no address
    assert erase(engine, email="nobody@example.org").leads == 0


def test_erase_clears_rejected_rows_that_kept_the_address(engine, tmp_path):
    _store(engine, tmp_path)
    report = export(engine, email="dave@example.org")
    assert report.rows["leads"] == [] and len(report.rows["rejected_rows"]) == 1
    assert "dave@example.org" in report.rows["rejected_rows"][0]["raw"]
    done = erase(engine, email="DAVE@example.org")
    assert done.rejects == 1
    assert scalar(engine, select(func.count()).select_from(EtlReject).where(
        func.lower(EtlReject.raw).contains("dave"))) == 0


def test_export_returns_exactly_the_persons_rows(engine, tmp_path):
    _store(engine, tmp_path)
    report = export(engine, email=ALICE, by="dpo@pilotage.test")
    leads = report.rows["leads"]
    assert [(r["created_at"][:10], r["channel_code"], r["deal_value"]) for r in leads] == [
        ("2023-01-10", "paid_search", 1200.0)]
    assert [(r["month"], r["mrr"]) for r in report.rows["subscriptions"]] == [("2023-02-01", 100.0),
                                                                              ("2023-03-01", 100.0)]
    assert [r["value"] for r in report.rows["rejected_rows"]] == [leads[0]["lead_key"]]   # her second line
    bob = export(engine, email="bob@example.org").rows
    assert len(bob["leads"]) == 1 and not {r["lead_key"] for r in bob["leads"]} & {r["lead_key"] for r in leads}
    assert [e["action"] for e in _audit(engine)] == ["export", "export"]


def test_cli(engine, tmp_path, monkeypatch):
    from pilotage.cli import app

    _store(engine, tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    from pilotage.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["privacy", "export", "--email", ALICE])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["leads"]) == 1
    result = runner.invoke(app, ["privacy", "export", "--email", ALICE, "--csv", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0 and (tmp_path / "out" / "subscriptions.csv").read_text().count("\n") == 3
    result = runner.invoke(app, ["privacy", "erase", "--email", ALICE, "--dry-run"])
    assert result.exit_code == 0 and "would anonymise 1 leads" in result.stdout
    result = runner.invoke(app, ["privacy", "erase", "--email", ALICE])
    assert result.exit_code == 0 and "anonymised 1 leads" in result.stdout
    result = runner.invoke(app, ["privacy", "purge", "--older-than", "1", "--dry-run"])
    assert result.exit_code == 0 and "would anonymise 2 leads" in result.stdout   # Bob and Carol
    assert runner.invoke(app, ["privacy", "purge", "--older-than", "0"]).exit_code == 2

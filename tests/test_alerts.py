"""Alert rules on hand-made stores: each kind fires exactly when it should, at each grain, by pace and like
for like; once per condition, then resolved; each recipient in their own scope (forged: an all-regions rule
with regional subscribers); who may create which rule; e-mails queued, sent to a real SMTP server on the
loopback, retried with a back-off."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from pilotage import mail
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine
from pilotage.store.models import (
    AlertEvent,
    DataQualityFinding,
    EtlRun,
    ForecastIntervalState,
    ForecastRun,
    ForecastSeries,
    MailQueue,
    MartDaily,
    MartMonthly,
    Target,
)

from .app_helpers import seed_regions_and_users

CHANNEL = "paid_search"
T0 = dt.datetime(2026, 10, 1, 8, 0)


@pytest.fixture
def store(engine, monkeypatch):
    """The configured store, on SQLite and PostgreSQL: France, three regions and the demo users, no facts."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    seed_regions_and_users(engine)
    from dashapp.alerts.evaluate import _bare_app
    from dashapp.extensions import cache

    with _bare_app().app_context():  # PostgreSQL stores restart their ids: the data version repeats
        cache.clear()
    return engine


def users():
    from dashapp.auth.users import list_users

    return {u.email.split("@")[0]: u for u in list_users()}


def load(engine, daily: dict[tuple[dt.date, str], dict[str, float]], source="leads",
         at: dt.datetime = T0) -> None:
    """Replace the activity marts with ``{(day, region): {measure: value}}`` and log a load (a new data version,
    as a real load does, so that cached figures are read again)."""
    monthly: dict[tuple[dt.date, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (day, region), measures in daily.items():
        for name, value in measures.items():
            monthly[(day.replace(day=1), region)][name] += value
    key = {"channel_code": CHANNEL, "campaign_code": "", "source_code": ""}
    with engine.begin() as conn:
        conn.execute(delete(MartDaily))
        conn.execute(delete(MartMonthly))
        conn.execute(insert(MartDaily), [{"date": d, "region_code": r, **key, **m} for (d, r), m in daily.items()])
        conn.execute(insert(MartMonthly), [{"month": mo, "region_code": r, **key, **dict(m)}
                                           for (mo, r), m in monthly.items()])
    log_load(engine, source, at)


def log_load(engine, source: str, at: dt.datetime, status: str = "loaded") -> int:
    with engine.begin() as conn:
        return conn.execute(insert(EtlRun).values(source_type=source, file_name=f"{source}.csv", file_sha256="0" * 64,
                                                  status=status, started_at=at)).inserted_primary_key[0]


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def flat(first, last, per_day: dict[str, float], measure="leads"):
    """``{(day, region): {measure: per_day[region]}}`` over ``[first, last]``."""
    return {(d, r): {measure: v} for d in days(first, last) for r, v in per_day.items()}


def target(engine, month: dt.date, value: float, kpi="leads", region="all") -> None:
    with engine.begin() as conn:
        conn.execute(insert(Target).values(source_system="test", period_start=month, grain="month", kpi=kpi,
                                           region_code=region, channel_code="", value=value))


def rule(actor, **spec) -> int:
    from dashapp.alerts.rules import RuleSpec, create_rule

    spec.setdefault("name", f"{spec['kind']} rule")
    return create_rule(actor, RuleSpec(**spec))


def run(now=T0):
    from dashapp.alerts.events import run as evaluate

    return evaluate(now=now)


def fired(changes, who=None):
    return [c for c in changes if c.action == "fired" and (who is None or c.user.email.startswith(who + "@"))]


def events(engine, **where):
    statement = select(*AlertEvent.__table__.c)
    for key, value in where.items():
        statement = statement.where(AlertEvent.__table__.c[key] == value)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement.order_by(AlertEvent.id))]


# --- targets: at period end and by pace -------------------------------------------------------------------

def test_a_month_below_target_fires_once_and_is_resolved_when_the_figure_is_corrected(store):
    u = users()
    rule(u["director"], kind="target", kpi="leads", grain="month", threshold=0.05)
    september = dt.date(2026, 9, 1)
    target(store, september, 3000.0)  # 100 a day
    load(store, flat(september, dt.date(2026, 9, 30), {"FR-IDF": 60.0, "FR-ARA": 34.0}))  # 94 a day: 6 % short

    first = run()
    assert [(c.action, c.outcome.value, c.outcome.reference) for c in first] == [("fired", 2820.0, 3000.0)]
    assert first[0].outcome.period_start == september and first[0].outcome.period_end == dt.date(2026, 9, 30)
    again = run()
    assert [c.action for c in again] == ["updated"]  # same condition, same period: no second notification
    assert len(events(store)) == 1

    load(store, flat(september, dt.date(2026, 9, 30), {"FR-IDF": 62.0, "FR-ARA": 34.0}))  # 96 a day: 4 % short
    resolved = run()
    assert [c.action for c in resolved] == ["resolved"]
    (event,) = events(store)
    assert event["state"] == "resolved" and event["resolved_at"] is not None and event["value"] == 2880.0
    assert run() == []  # resolved and still fine: nothing more


def test_a_month_in_progress_is_not_judged_at_period_end_but_by_pace(store):
    u = users()
    rule(u["director"], kind="target", kpi="leads", grain="month", basis="end", name="end")
    pace = rule(u["director"], kind="target", kpi="leads", grain="month", basis="pace", name="pace")
    october = dt.date(2026, 10, 1)
    target(store, october, 3100.0)  # 100 a day over 31 days
    load(store, flat(october, dt.date(2026, 10, 15), {"FR-IDF": 90.0}))  # 15 days at 90: 10 % behind the pace

    changes = run()
    # "end" reads the last complete month (September), which has neither target nor data: nothing to say.
    assert [(c.rule.id, c.outcome.value, round(c.outcome.reference, 6)) for c in changes] == [(pace, 1350.0, 1500.0)]
    assert changes[0].outcome.period_start == october and changes[0].outcome.period_end == dt.date(2026, 10, 15)

    load(store, flat(october, dt.date(2026, 10, 16), {"FR-IDF": 100.0}))  # on pace now
    assert [c.action for c in run()] == ["resolved"]


def test_a_week_to_date_is_held_to_the_same_days_of_the_monthly_target(store):
    u = users()
    rule(u["director"], kind="target", kpi="leads", grain="week", basis="pace", threshold=0.0)
    target(store, dt.date(2026, 10, 1), 3100.0)
    # Data ends on Wednesday 14 October: the week to date is Monday 12 to Wednesday 14, three days of target (300).
    load(store, flat(dt.date(2026, 10, 1), dt.date(2026, 10, 14), {"FR-IDF": 100.0}) |
         {(dt.date(2026, 10, 14), "FR-IDF"): {"leads": 99.0}})
    (change,) = run()
    assert change.outcome.period_start == dt.date(2026, 10, 12) and change.outcome.value == 299.0
    assert change.outcome.reference == pytest.approx(300.0)


# --- changes: previous period, last year, like for like ---------------------------------------------------------

def test_a_week_is_the_last_complete_iso_week_and_compares_with_the_one_before(store):
    u = users()
    rule(u["director"], kind="change", kpi="leads", grain="week", basis="previous", threshold=0.2)
    daily = flat(dt.date(2026, 9, 28), dt.date(2026, 10, 4), {"FR-IDF": 100.0})  # week 40
    daily |= flat(dt.date(2026, 10, 5), dt.date(2026, 10, 11), {"FR-IDF": 75.0})  # week 41: -25 %
    daily |= flat(dt.date(2026, 10, 12), dt.date(2026, 10, 14), {"FR-IDF": 10.0})  # week 42 in progress: ignored
    load(store, daily)
    (change,) = run()
    assert change.outcome.period_start == dt.date(2026, 10, 5) and change.outcome.period_end == dt.date(2026, 10, 11)
    assert (change.outcome.value, change.outcome.reference) == (525.0, 700.0)
    assert change.outcome.detail["change"] == pytest.approx(-0.25)


def test_a_day_compares_with_the_same_weekday_not_the_day_before(store):
    u = users()
    rule(u["director"], kind="change", kpi="leads", grain="day", basis="previous", threshold=0.2)
    # Wednesday 14 October against Wednesday 7 October (same), although Tuesday 13 was twice as busy.
    daily = flat(dt.date(2026, 10, 1), dt.date(2026, 10, 14), {"FR-IDF": 50.0})
    daily[(dt.date(2026, 10, 13), "FR-IDF")] = {"leads": 100.0}
    load(store, daily)
    assert run() == []
    daily[(dt.date(2026, 10, 7), "FR-IDF")] = {"leads": 100.0}  # the previous Wednesday was twice as busy
    load(store, daily)
    (change,) = run()
    assert change.outcome.detail["reference_start"] == "2026-10-07" and change.outcome.value == 50.0


def test_last_year_is_the_same_iso_week_and_a_rise_of_a_cost_is_worse(store):
    u = users()
    rule(u["director"], kind="change", kpi="cost_per_lead", grain="week", basis="last_year", threshold=0.1)
    daily = {}
    for day in days(dt.date(2025, 10, 6), dt.date(2025, 10, 12)):  # 2025-W41
        daily[(day, "FR-IDF")] = {"leads": 10.0, "spend": 100.0}
    for day in days(dt.date(2026, 10, 5), dt.date(2026, 10, 11)):  # 2026-W41: cost per lead 12 instead of 10
        daily[(day, "FR-IDF")] = {"leads": 10.0, "spend": 120.0}
    load(store, daily)
    (change,) = run()
    assert change.outcome.detail["reference_start"] == "2025-10-06"
    assert (change.outcome.value, change.outcome.reference) == (12.0, 10.0)

    rule(u["director"], kind="change", kpi="leads", grain="week", basis="last_year", threshold=0.1, name="leads")
    assert [c.rule.name for c in fired(run())] == []  # same leads: no change; a cost that rose already told


def test_a_week_to_date_compares_with_the_same_weekdays_of_the_week_before(store):
    u = users()
    rule(u["director"], kind="change", kpi="leads", grain="week", basis="previous_to_date", threshold=0.2)
    # Data ends on Wednesday 14 October: Monday to Wednesday (3 x 50) against Monday to Wednesday of the week
    # before (3 x 50), not against that whole week (whose Thursday to Sunday were busy).
    daily = flat(dt.date(2026, 10, 5), dt.date(2026, 10, 14), {"FR-IDF": 50.0})
    daily |= flat(dt.date(2026, 10, 8), dt.date(2026, 10, 11), {"FR-IDF": 500.0})
    load(store, daily)
    assert run() == []
    daily |= flat(dt.date(2026, 10, 12), dt.date(2026, 10, 14), {"FR-IDF": 30.0})  # -40 % on the same weekdays
    load(store, daily)
    (change,) = run()
    assert (change.outcome.period_start, change.outcome.period_end) == (dt.date(2026, 10, 12), dt.date(2026, 10, 14))
    assert (change.outcome.value, change.outcome.reference) == (90.0, 150.0)
    assert change.outcome.detail["reference_end"] == "2026-10-07"


def test_a_rise_of_a_count_is_not_an_alert(store):
    u = users()
    rule(u["director"], kind="change", kpi="leads", grain="month", basis="previous", threshold=0.2)
    load(store, flat(dt.date(2026, 8, 1), dt.date(2026, 8, 31), {"FR-IDF": 10.0}) |
         flat(dt.date(2026, 9, 1), dt.date(2026, 9, 30), {"FR-IDF": 20.0}))
    assert run() == []


# --- each recipient in their own scope ------------------------------------------------------------------------

def test_a_regional_subscriber_of_a_company_wide_rule_is_told_about_their_regions_only(store):
    u = users()
    # An admin subscribes the company-wide director and the Ile-de-France director to one rule with no filter.
    rule(u["admin"], kind="change", kpi="leads", grain="month", basis="previous", threshold=0.2,
         users=[u["director"].id, u["director.idf"].id, u["sales"].id])
    daily = flat(dt.date(2026, 8, 1), dt.date(2026, 8, 31), {"FR-IDF": 100.0, "FR-ARA": 100.0})
    daily |= flat(dt.date(2026, 9, 1), dt.date(2026, 9, 30), {"FR-IDF": 50.0, "FR-ARA": 140.0})
    load(store, daily)

    changes = run()
    # Company: 5,700 against 6,200 (-8 %): nothing. IDF: 1,500 against 3,100 (-52 %): told, with IDF's figures
    # only. ARA/PACA: +35 %: better, nothing.
    assert [(c.user.email, c.outcome.value, c.outcome.reference) for c in changes] == [
        ("director.idf@pilotage.demo", 1500.0, 3100.0)]
    (event,) = events(store)
    assert event["user_id"] == u["director.idf"].id and event["value"] == 1500.0

    from dashapp.alerts.events import notifications

    assert notifications(u["director"].id) == [] and notifications(u["sales"].id) == []


def test_a_subscriber_who_sees_none_of_the_rules_regions_is_told_nothing(store):
    u = users()
    rule(u["admin"], kind="target", kpi="leads", grain="month", filters={"regions": ["FR-ARA"]},
         users=[u["director.idf"].id, u["sales"].id])
    target(store, dt.date(2026, 9, 1), 3000.0, region="FR-ARA")
    load(store, flat(dt.date(2026, 9, 1), dt.date(2026, 9, 30), {"FR-ARA": 10.0, "FR-IDF": 500.0}))
    changes = run()
    assert [(c.user.email, c.outcome.value) for c in changes] == [("sales@pilotage.demo", 300.0)]
    assert changes[0].outcome.detail["regions"] == ["FR-ARA"]


def test_role_subscribers_each_get_their_own_scope(store):
    u = users()
    rule(u["admin"], kind="quality", threshold=1, roles=["director"])
    run_id = log_load(store, "ads", T0)
    with store.begin() as conn:
        conn.execute(insert(DataQualityFinding), [dict(
            run_id=run_id, file_name="ads.csv", line=i + 2, table_name="fact_ad_performance", column="spend",
            series_key="x", region_code=region, channel_code=CHANNEL, date=dt.date(2026, 9, 1 + i), value=1e6,
            typical=100.0, expected_low=0.0, expected_high=300.0, rule="robust", severity="warning",
            created_at=T0) for i, region in enumerate(["FR-IDF", "FR-ARA", "FR-ARA"])])
    counts = {c.user.email: c.outcome.value for c in run()}
    assert counts == {"director@pilotage.demo": 3.0, "director.idf@pilotage.demo": 1.0}


# --- the forecast, the loads ---------------------------------------------------------------------------------

def _forecast(engine, states: dict[str, tuple[float, float, float, float, float]]) -> None:
    """A champion lead run with a total and two region series, and each scope's stored interval state
    ``(actual, lo95, lo80, hi80, hi95)`` for September."""
    with engine.begin() as conn:
        run_id = conn.execute(insert(ForecastRun).values(
            kind="leads", created_at=T0, cutoff=dt.date(2026, 8, 1), run_by="test", code_version="t", status="ok",
            is_champion=True, horizon=6)).inserted_primary_key[0]
        conn.execute(insert(ForecastSeries), [
            dict(run_id=run_id, series_key=key, level=level, region_code=region, method="m", n_obs=36)
            for key, level, region in (("total", "total", None), ("region:FR-IDF", "region", "FR-IDF"),
                                       ("region:FR-ARA", "region", "FR-ARA"))])
        conn.execute(insert(ForecastIntervalState), [dict(
            scope_code=scope, month=dt.date(2026, 9, 1), state="outside" if not lo95 <= actual <= hi95 else "inside",
            run_id=run_id, actual=actual, yhat=(lo80 + hi80) / 2, lo80=lo80, hi80=hi80, lo95=lo95, hi95=hi95,
            trigger="load", computed_at=T0) for scope, (actual, lo95, lo80, hi80, hi95) in states.items()])


def test_an_actual_outside_the_interval_of_record_fires_at_its_level_and_in_the_recipients_scopes(store):
    u = users()
    rule(u["planner"], kind="forecast", basis="95", name="95")
    rule(u["admin"], kind="forecast", basis="80", name="80", users=[u["director.idf"].id, u["director"].id])
    load(store, flat(dt.date(2026, 9, 1), dt.date(2026, 9, 30), {"FR-IDF": 1.0}))
    _forecast(store, {"national": (1000.0, 800.0, 850.0, 950.0, 1100.0),  # outside 80 %, inside 95 %
                      "FR-IDF": (300.0, 350.0, 380.0, 420.0, 450.0),  # outside both
                      "FR-ARA": (500.0, 400.0, 450.0, 550.0, 600.0)})  # inside both
    changes = {(c.rule.name, c.user.email, c.outcome.detail["scope"]) for c in run()}
    assert changes == {("80", "director@pilotage.demo", "national"), ("80", "director.idf@pilotage.demo", "FR-IDF")}


def test_a_source_not_loaded_for_n_days_fires_until_a_load_then_again_after_another_gap(store):
    u = users()
    rule(u["admin"], kind="freshness", source="ads", threshold=3, users=[u["admin"].id])
    log_load(store, "ads", T0)
    log_load(store, "ads", T0 + dt.timedelta(days=1), status="failed")  # a failed load is not a load
    assert fired(run(now=T0 + dt.timedelta(days=2))) == []
    (stale,) = fired(run(now=T0 + dt.timedelta(days=3)))
    assert stale.outcome.value == 3 and stale.outcome.period_start == T0.date()
    assert [c.action for c in run(now=T0 + dt.timedelta(days=4))] == ["updated"]

    log_load(store, "ads", T0 + dt.timedelta(days=5))
    assert [c.action for c in run(now=T0 + dt.timedelta(days=5))] == ["resolved"]
    again = run(now=T0 + dt.timedelta(days=9))
    assert [c.action for c in again] == ["fired"]  # a new gap after a load: told again
    assert len(events(store)) == 1 and events(store)[0]["period_start"] == (T0 + dt.timedelta(days=5)).date()


# --- who may create which rule ----------------------------------------------------------------------------------

def test_who_may_create_which_rule(store):
    from dashapp.alerts.rules import RuleError

    u = users()
    with pytest.raises(RuleError, match="forbidden"):  # a director creates rules for themselves only
        rule(u["director"], kind="target", kpi="leads", users=[u["sales"].id])
    with pytest.raises(RuleError, match="forbidden"):
        rule(u["director"], kind="target", kpi="leads", roles=["sales"])
    with pytest.raises(RuleError, match="forbidden"):  # planners: forecast rules only
        rule(u["planner"], kind="target", kpi="leads")
    with pytest.raises(RuleError, match="forbidden"):  # sales users are only subscribed
        rule(u["sales"], kind="forecast")
    with pytest.raises(RuleError, match="kpi"):
        rule(u["director"], kind="target", kpi="no_such_kpi")
    with pytest.raises(RuleError, match="filter"):
        rule(u["director"], kind="target", kpi="leads", filters={"regions": ["FR-XYZ"]})
    with pytest.raises(RuleError, match="pace_day"):
        rule(u["director"], kind="target", kpi="leads", grain="day", basis="pace")
    from dashapp.alerts.rules import get_rule

    mine = get_rule(rule(u["director"], kind="target", kpi="leads"))
    assert mine.users == (u["director"].id,) and mine.threshold == pytest.approx(0.05)
    forecast = get_rule(rule(u["planner"], kind="forecast"))
    assert (forecast.kpi, forecast.grain, forecast.basis) == ("qualified_leads", "month", "95")


def test_only_a_rules_owner_or_an_admin_may_change_it(store):
    from dashapp.alerts.rules import RuleError, delete_rule, editable_rule, get_rule, may_edit

    u = users()
    mine = get_rule(rule(u["director.idf"], kind="target", kpi="leads"))
    assert may_edit(u["director.idf"], mine) and may_edit(u["admin"], mine)
    assert not may_edit(u["director"], mine) and not may_edit(u["planner"], mine)
    assert editable_rule(u["director.idf"], str(mine.id)) == mine           # ids come from the browser
    for forged in (mine.id, "x", None, 10**9):
        assert editable_rule(u["director"], forged) is None
    with pytest.raises(RuleError, match="not_found"):
        delete_rule(u["director"], mine.id)
    assert get_rule(mine.id) == mine
    delete_rule(u["admin"], mine.id)
    assert get_rule(mine.id) is None


def test_a_rule_form_as_the_browser_sent_it():
    from dashapp.alerts.rules import RuleSpec, form_spec

    spec = form_spec({"name": "Leads", "kind": "target", "kpi": "leads", "grain": None, "basis": None,
                      "threshold": 0.1, "severity": None, "regions": ["FR-IDF", {"x": 1}], "channels": "organic",
                      "source": 3, "users": [4, "5", None], "roles": ["sales", ["nested"]]})
    assert spec == RuleSpec(name="Leads", kind="target", kpi="leads", grain="month", basis="", threshold=0.1,
                            severity="warning", filters={"regions": ["FR-IDF"], "channels": []}, source="",
                            users=[4], roles=["sales"])
    assert form_spec({}).name == "" and form_spec({}).filters == {"regions": [], "channels": []}


# --- e-mail -------------------------------------------------------------------------------------------------

@pytest.fixture
def smtp_inbox():
    from tests.smtp import serve

    yield from serve("alerts@example.fr", "s3cret")


def _fire_one(store, u):
    rule(u["admin"], kind="freshness", source="ads", threshold=3, severity="critical", name="Ads export late",
         users=[u["director.idf"].id, u["director"].id])
    log_load(store, "ads", T0)
    from dashapp.auth.users import set_language

    set_language(u["director.idf"].id, "fr")
    return run(now=T0 + dt.timedelta(days=4))


def test_new_notifications_are_e_mailed_in_the_recipients_language_through_smtp(store, smtp_inbox, monkeypatch):
    from dashapp.alerts.events import set_email_kinds

    u = users()
    set_email_kinds(u["director"].id, ["target"])  # not freshness: in the app only
    monkeypatch.setenv("SMTP_URL", smtp_inbox.url)
    monkeypatch.setenv("PILOTAGE_URL", "https://pilotage.example.fr")
    get_settings.cache_clear()
    assert len(fired(_fire_one(store, u))) == 2
    assert mail.deliver_due(store) == {"sent": 1, "retry": 0, "failed": 0}
    (message,) = smtp_inbox.messages
    assert message["To"] == "director.idf@pilotage.demo"
    assert message["Subject"] == "[Pilotage] Critique : Ads export late"
    body = message.get_content()
    assert "ads : aucun chargement réussi depuis 4 jours" in body and "https://pilotage.example.fr/alerts" in body
    assert smtp_inbox.logins == [("alerts@example.fr", "accepted")]
    run(now=T0 + dt.timedelta(days=5))  # still stale: no second e-mail
    assert mail.deliver_due(store)["sent"] == 0 and len(smtp_inbox.messages) == 1


def test_a_failed_delivery_is_retried_with_a_back_off_then_given_up(store, monkeypatch, caplog):
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens: connection refused
    get_settings.cache_clear()
    u = users()
    _fire_one(store, u)
    now = T0 + dt.timedelta(days=4)
    with store.begin() as conn:
        conn.execute(update(MailQueue).values(next_attempt_at=now))
    assert mail.deliver_due(store, now=now) == {"sent": 0, "retry": 2, "failed": 0}
    assert "could not send" in caplog.text
    assert mail.deliver_due(store, now=now + dt.timedelta(seconds=59))["retry"] == 0  # not due yet
    assert mail.deliver_due(store, now=now + dt.timedelta(minutes=1))["retry"] == 2
    with store.connect() as conn:
        waits = conn.execute(select(MailQueue.next_attempt_at, MailQueue.attempts)).all()
    assert {(at - now - dt.timedelta(minutes=1), n) for at, n in waits} == {(dt.timedelta(minutes=2), 2)}
    later = now
    for _ in range(mail.MAX_ATTEMPTS):
        later += mail.LONGEST_WAIT
        mail.deliver_due(store, now=later)
    with store.connect() as conn:
        assert set(conn.execute(select(MailQueue.status, MailQueue.attempts)).all()) == {("failed",
                                                                                          mail.MAX_ATTEMPTS)}


def test_without_smtp_the_queue_writes_eml_files_to_the_outbox(store):
    u = users()
    _fire_one(store, u)
    assert mail.deliver_due(store)["sent"] == 2
    files = mail.outbox_files()
    assert sorted(f["to"] for f in files) == ["director.idf@pilotage.demo", "director@pilotage.demo"]
    with store.connect() as conn:
        paths = conn.execute(select(MailQueue.file_path)).scalars().all()
    assert all(Path(p).parent == get_settings().var_dir / "outbox" for p in paths)


def test_the_in_process_schedule_runs_each_job_at_its_own_times_in_one_loop():
    from pilotage.schedule import Job, next_daily, next_every, run_jobs

    clock, ran = [dt.datetime(2026, 10, 14, 7, 5)], []

    def sleep(seconds):
        clock[0] += dt.timedelta(seconds=seconds)

    jobs = [Job(lambda: ran.append(("evaluate", clock[0])), lambda now: next_daily(now, 7, 30)),
            Job(lambda: ran.append(("deliver", clock[0])), lambda now: next_every(now, 10))]
    assert run_jobs(jobs, clock=lambda: clock[0], sleep=sleep, max_runs=5) == 5
    at = lambda h, m: dt.datetime(2026, 10, 14, h, m)  # noqa: E731
    # a tie (07:30) runs the first listed first; the delivery keeps its own cadence around the evaluation
    assert ran == [("deliver", at(7, 10)), ("deliver", at(7, 20)), ("evaluate", at(7, 30)), ("deliver", at(7, 30)),
                   ("deliver", at(7, 40))]
    assert next_every(at(7, 40), 10) == at(7, 50)
    assert next_every(dt.datetime(2026, 10, 14, 23, 55), 10) == dt.datetime(2026, 10, 15, 0, 0)
    with pytest.raises(ValueError):
        next_every(at(7, 0), 7)


def test_the_alerts_schedule_sends_a_queued_retry_before_the_next_daily_run(store, monkeypatch):
    from dashapp.alerts import cli
    from pilotage.schedule import run_jobs

    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:9")  # down at first: the message waits for a retry
    get_settings.cache_clear()
    _fire_one(store, users())
    assert mail.deliver_due(store)["retry"] == 2
    monkeypatch.delenv("SMTP_URL")  # back (the outbox), and the back-off has elapsed
    get_settings.cache_clear()
    with store.begin() as conn:
        conn.execute(update(MailQueue).values(next_attempt_at=dt.datetime(2000, 1, 1)))
    evaluations, clock = [], [dt.datetime(2026, 10, 14, 8, 0)]  # the daily run is tomorrow at 07:30
    monkeypatch.setattr(cli, "evaluate_and_deliver", lambda: evaluations.append(clock[0]))

    def sleep(seconds):
        clock[0] += dt.timedelta(seconds=seconds)

    assert run_jobs(cli.schedule_jobs(7, 30, 10), clock=lambda: clock[0], sleep=sleep, max_runs=1) == 1
    assert evaluations == [] and clock[0] == dt.datetime(2026, 10, 14, 8, 10)
    with store.connect() as conn:
        assert conn.execute(select(MailQueue.status, MailQueue.attempts)).all() == [("sent", 2), ("sent", 2)]
    assert len(mail.outbox_files()) == 2


# --- wiring: hooks, dry run, read marks -------------------------------------------------------------------------

def test_the_alerts_run_after_loads_and_trainings_through_entry_points():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["entry-points"]
    for group in ("pilotage.after_load", "pilotage.after_training"):
        assert project[group]["notify_alerts"] == "dashapp.alerts.hooks:after_load"
    # Hooks run in name order: the alerts read the interval state the forecast's hook computes first.
    assert sorted(project["pilotage.after_load"]) == ["forecast_interval_state", "notify_alerts"]


def test_a_load_and_a_training_run_the_declared_hooks(store, monkeypatch):
    """The entry points as ``pyproject.toml`` declares them (an installed checkout has them), run by
    :mod:`pilotage.hooks` as a load and a training run them."""
    from importlib.metadata import EntryPoint

    from pilotage import hooks

    declared = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["entry-points"]
    monkeypatch.setattr(hooks, "entry_points", lambda group: [EntryPoint(name, value, group)
                                                              for name, value in declared.get(group, {}).items()])
    u = users()
    rule(u["admin"], kind="freshness", source="never-loaded", threshold=1, users=[u["admin"].id])
    assert hooks.after_training(store) == []
    assert [e["condition_key"] for e in events(store)] == ["freshness:never-loaded"]
    assert hooks.after_load(store) == []  # the interval state, then the alerts: the same condition, not a new one
    assert len(events(store)) == 1
    mail._outgoing.submit(lambda: None).result()


def test_the_hook_evaluates_the_configured_store_only(store, tmp_path):
    from dashapp.alerts.hooks import after_load

    u = users()
    rule(u["admin"], kind="freshness", source="ads", threshold=0, users=[u["admin"].id])
    other = get_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    after_load(other)  # a test's or a benchmark's store: no rule of the app runs there
    assert events(store) == []
    after_load(store)
    mail._outgoing.submit(lambda: None).result()  # the queued delivery has run
    assert len(events(store)) == 1
    with store.connect() as conn:
        assert conn.execute(select(MailQueue.status)).scalars().all() == ["sent"]


def test_a_dry_run_writes_nothing_and_read_marks_are_per_user(store):
    from dashapp.alerts.events import mark_read, unread_count
    from dashapp.alerts.events import run as evaluate

    u = users()
    _fire_one(store, u)
    assert unread_count(u["director"].id) == 1 and unread_count(u["director.idf"].id) == 1
    other_event = events(store, user_id=u["director.idf"].id)[0]["id"]
    assert mark_read(u["director"].id, [other_event]) == 0  # someone else's event: untouched
    assert mark_read(u["director"].id) == 1 and unread_count(u["director"].id) == 0
    assert unread_count(u["director.idf"].id) == 1

    with store.connect() as conn:
        before = (conn.execute(select(func.count()).select_from(AlertEvent)).scalar(),
                  conn.execute(select(func.count()).select_from(MailQueue)).scalar())
    log_load(store, "ads", T0 + dt.timedelta(days=5))
    dry = evaluate(now=T0 + dt.timedelta(days=5), dry_run=True)
    assert {c.action for c in dry} == {"resolved"}
    with store.connect() as conn:
        assert (conn.execute(select(func.count()).select_from(AlertEvent)).scalar(),
                conn.execute(select(func.count()).select_from(MailQueue)).scalar()) == before
        assert set(conn.execute(select(AlertEvent.state)).scalars()) == {"open"}


def test_the_demo_rules_are_valid_and_created_once(store):
    from dashapp.alerts.demo import ensure_demo_rules
    from dashapp.alerts.rules import all_rules

    created = ensure_demo_rules()
    assert {r.kind for r in all_rules()} == {"target", "change", "forecast", "freshness", "quality"}
    assert len(created) == len(all_rules()) and ensure_demo_rules() == []


ALERT_TABLES = ("alert_rule", "alert_subscription", "alert_event", "alert_preference", "mail_queue")


def test_the_migration_creates_and_drops_the_alert_tables(engine):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from pilotage.store.migrate import alembic_config, upgrade
    from pilotage.store.models import Base

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    assert not set(ALERT_TABLES) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(ALERT_TABLES) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:  # the migration builds exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in ALERT_TABLES)] == []


# --- the Monday digest ----------------------------------------------------------------------------------------

def test_the_digest_of_each_user_holds_their_scopes_figures_in_their_language(store, smtp_inbox, monkeypatch):
    from dashapp.alerts.digest import send_weekly
    from dashapp.alerts.events import set_email_kinds
    from dashapp.auth.users import set_language

    u = users()
    monkeypatch.setenv("SMTP_URL", smtp_inbox.url)
    get_settings.cache_clear()
    # Week 41 (5 to 11 October 2026) is the last complete week (data end on Wednesday 14); week 40 before it;
    # 2025-W41 (6 to 12 October 2025) the same week last year.
    daily = flat(dt.date(2026, 9, 28), dt.date(2026, 10, 4), {"FR-IDF": 10.0, "FR-ARA": 20.0})
    daily |= flat(dt.date(2026, 10, 5), dt.date(2026, 10, 14), {"FR-IDF": 30.0, "FR-ARA": 20.0})
    daily |= flat(dt.date(2025, 10, 6), dt.date(2025, 10, 12), {"FR-IDF": 15.0, "FR-ARA": 40.0})
    load(store, daily)
    target(store, dt.date(2026, 10, 1), 3100.0)
    set_language(u["director.idf"].id, "fr")
    set_email_kinds(u["planner"].id, ["target"])  # opted out of the digest
    set_email_kinds(u["director.idf"].id, ["digest"])  # the digest only: alerts in the app
    rule(u["admin"], kind="freshness", source="ads", threshold=3, users=[u["director.idf"].id])
    run(now=T0 + dt.timedelta(days=13))  # an alert of the week, for the IDF director only

    digests = {d.user.email: d for d in send_weekly(now=T0 + dt.timedelta(days=14))}
    assert [len(d.alerts) for d in digests.values()] == [int(e == "director.idf@pilotage.demo") for e in digests]
    assert set(digests) == {"director@pilotage.demo", "director.idf@pilotage.demo", "sales@pilotage.demo",
                            "admin@pilotage.demo"}
    leads = {email: next(c for c in d.cards if c["kpi"] == "leads") for email, d in digests.items()}
    assert (leads["director.idf@pilotage.demo"]["value"], leads["director.idf@pilotage.demo"]["previous"],
            leads["director.idf@pilotage.demo"]["last_year"]) == (210.0, 70.0, 105.0)
    assert (leads["sales@pilotage.demo"]["value"], leads["sales@pilotage.demo"]["previous"]) == (140.0, 140.0)
    assert (leads["director@pilotage.demo"]["value"], leads["director@pilotage.demo"]["last_year"]) == (350.0, 385.0)
    company = digests["director@pilotage.demo"]
    # 1 to 4 October at 30 a day, 5 to 14 at 50: 620 against 14 days of a 3,100 target.
    assert company.month_cards[0] == {"kpi": "leads", "value": 620.0, "target": pytest.approx(1400.0)}
    assert [(m["code"], m["change"]) for m in company.movers["region"]] == [("FR-IDF", 140.0), ("FR-ARA", 0.0)]

    assert mail.deliver_due(store)["sent"] == 4
    (idf,) = smtp_inbox.to("director.idf@pilotage.demo")
    assert idf["Subject"] == "[Pilotage] Votre semaine : 5 oct. 2026 – 11 oct. 2026"
    text, page = (idf.get_body((part,)).get_content().replace("\u00a0", " ").replace("\u202f", " ")
                  for part in ("plain", "html"))
    assert "Leads | 210 | 70 | +200,0 % | 105 | +100,0 %" in text, text
    assert "<td style='padding:2px 8px'>210</td>" in page and "Île-de-France" in text
    assert "Auvergne" not in text + page  # another region's name or figure never reaches a regional user
    assert "ads : jamais chargée." in text and "Aucune alerte" not in text
    assert "No alert this week." in smtp_inbox.to("director@pilotage.demo")[0].get_body(("plain",)).get_content()
    assert smtp_inbox.to("planner@pilotage.demo") == []


def test_the_schedules_daily_and_on_mondays_at_paris_wall_time():
    from zoneinfo import ZoneInfo

    from pilotage.schedule import next_daily, next_weekly

    paris = ZoneInfo("Europe/Paris")
    assert next_daily(dt.datetime(2026, 10, 14, 7, 30), 7, 30) == dt.datetime(2026, 10, 15, 7, 30)
    assert next_daily(dt.datetime(2026, 10, 14, 7, 29), 7, 30) == dt.datetime(2026, 10, 14, 7, 30)
    # Saturday 24 October 2026 before the clocks go back: Monday 26 at 07:00 Paris time, 06:00 UTC (not 05:00).
    due = next_weekly(dt.datetime(2026, 10, 24, 12, 0, tzinfo=paris))
    assert (due.weekday(), due.hour, due.astimezone(dt.UTC).hour) == (0, 7, 6)
    assert next_weekly(dt.datetime(2026, 10, 26, 7, 0, tzinfo=paris)).day == 2  # strictly after: next Monday

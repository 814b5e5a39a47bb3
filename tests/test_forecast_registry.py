"""The forecast registry: champion rules, promote, rollback, their history; the CLI commands and
their exit codes; the monthly schedule (computed, never slept)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from forecasting import registry
from forecasting.registry import RegistryError, decide_champion, promote, rollback, store_run
from pilotage.schedule import next_run, run_forever, upcoming
from pilotage.store.models import ForecastRun

from .forecast_helpers import fill_store

runner = CliRunner()


def _run(engine, mase: float | None, cutoff: dt.date = dt.date(2025, 12, 1), status: str = "ok",
         by: str = "tester") -> tuple[int, bool, str]:
    """Register a run with a given total backtest MASE and apply the automatic rule."""
    run = dict(kind="leads", created_at=registry.now(), cutoff=cutoff, run_by=by, code_version="test", seed=0,
               status=status, horizon=6, n_series=1, duration_s=0.1, mase=mase, smape=10.0, naive_mase=1.0,
               coverage80=0.8, coverage95=0.95, params={"horizon": 6})
    series = [dict(series_key="total", level="total", channel_code=None, region_code=None, method="ets",
                   variant="", params={}, mase=mase, smape=10.0, naive_mase=1.0, coverage80=0.8, coverage95=0.95,
                   n_obs=36, short_series=False, note="")]
    values = [dict(series_key="total", month=dt.date(2026, 1, 1), yhat=10.0, lo80=8.0, hi80=12.0, lo95=7.0,
                   hi95=13.0, trend=9.0, season=0.5, media=0.5, other=0.0)]
    with engine.begin() as conn:
        run_id = store_run(conn, run, series, values)
        is_champion, decision = decide_champion(conn, run_id, by)
    return run_id, is_champion, decision


def _champion_id(engine) -> int | None:
    current = registry.champion(engine)
    return current["id"] if current else None


def test_a_run_is_champion_only_if_it_beats_the_champion(engine):
    first, is_champion, decision = _run(engine, 0.50)
    assert is_champion and decision == "champion: first run (no champion before)"
    worse, is_champion, decision = _run(engine, 0.60)
    assert not is_champion and "0.600 >= champion run" in decision
    equal, is_champion, _ = _run(engine, 0.50)
    assert not is_champion
    better, is_champion, decision = _run(engine, 0.40)
    assert is_champion and decision == f"champion: total backtest MASE 0.400 < run {first}'s 0.500"
    older, is_champion, decision = _run(engine, 0.10, cutoff=dt.date(2025, 6, 1))
    assert not is_champion and "older than champion" in decision
    unknown, is_champion, _ = _run(engine, None)
    assert not is_champion
    assert _champion_id(engine) == better
    assert [r["id"] for r in registry.list_runs(engine) if r["is_champion"]] == [better]
    assert registry.get_run(engine, worse)["decision"].startswith("not champion")
    events = registry.champion_events(engine)
    assert [(e["run_id"], e["previous_run_id"], e["action"], e["actor"]) for e in events] == [
        (better, first, "auto", "tester"), (first, None, "auto", "tester")]
    assert all(isinstance(e["at"], dt.datetime) for e in events)


def test_promote_and_rollback_are_recorded_with_who_and_why(engine):
    first, _, _ = _run(engine, 0.5)
    second, _, _ = _run(engine, 0.4)
    worse, _, _ = _run(engine, 0.9)
    message = promote(engine, worse, "alice", "the planners prefer its season")
    assert message == f"run {worse} is the champion (was run {second})"
    assert _champion_id(engine) == worse
    # default rollback: the champion before the current one
    assert rollback(engine, None, "bob") == f"run {second} is the champion again (was run {worse})"
    assert _champion_id(engine) == second
    # rollback to any earlier champion
    assert rollback(engine, first, "carol", "data incident in November") == (
        f"run {first} is the champion again (was run {second})")
    events = registry.champion_events(engine)[:3]
    assert [(e["run_id"], e["previous_run_id"], e["actor"], e["action"], e["reason"]) for e in events] == [
        (first, second, "carol", "rollback", "data incident in November"),
        (second, worse, "bob", "rollback", f"rolled back from run {worse}"),
        (worse, second, "alice", "promote", "the planners prefer its season"),
    ]


def test_registry_refuses_what_cannot_be_done(engine):
    with pytest.raises(RegistryError, match="no champion to roll back"):
        rollback(engine, None, "bob")
    first, _, _ = _run(engine, 0.5)
    never, _, _ = _run(engine, 0.7)
    failed, is_champion, _ = _run(engine, 0.1, status="failed")
    assert not is_champion
    with pytest.raises(RegistryError, match="no forecast run 999"):
        promote(engine, 999, "alice")
    with pytest.raises(RegistryError, match="failed: only a successful run"):
        promote(engine, failed, "alice")
    with pytest.raises(RegistryError, match="already the champion"):
        promote(engine, first, "alice")
    with pytest.raises(RegistryError, match="was never champion: use `promote`"):
        rollback(engine, never, "bob")
    with pytest.raises(RegistryError, match="no earlier champion"):
        rollback(engine, None, "bob")
    # two champions are impossible, whatever writes the table
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(ForecastRun).where(ForecastRun.id == never).values(is_champion=True))
    assert _champion_id(engine) == first


# --- the CLI ------------------------------------------------------------------------------

@pytest.fixture
def cli_store(engine, monkeypatch):
    """The CLI pointed at the test store."""
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return engine


def _cli(*arguments: str):
    from pilotage.cli import app

    return runner.invoke(app, ["forecast", *arguments])


FAST = ("--candidates", "seasonal_naive,regression", "--n-jobs", "1")


def test_cli_train_runs_promote_rollback(cli_store):
    fill_store(cli_store)
    first = _cli("train", "--by", "alice", *FAST)
    assert first.exit_code == 0, first.output
    assert "Forecast run 1" in first.output and "channel_region" in first.output
    assert "run 1: champion: first run" in first.output

    second = _cli("train", "--cutoff", "2025-12", "--by", "bob", *FAST)
    assert second.exit_code == 0, second.output
    assert "run 2: not champion" in second.output

    listed = _cli("runs")
    assert listed.exit_code == 0, listed.output
    assert "alice" in listed.output and "bob" in listed.output and "2025-12" in listed.output

    promoted = _cli("promote", "2", "--by", "carol", "--reason", "check")
    assert promoted.exit_code == 0 and "run 2 is the champion (was run 1)" in promoted.output
    rolled = _cli("rollback", "--by", "dave")
    assert rolled.exit_code == 0 and "run 1 is the champion again (was run 2)" in rolled.output
    assert [(e["actor"], e["action"]) for e in registry.champion_events(cli_store)] == [
        ("dave", "rollback"), ("carol", "promote"), ("alice", "auto")]

    for arguments, message in (
        (("promote", "42"), "no forecast run 42"),
        (("promote", "1"), "already the champion"),
        (("rollback", "1"), "already the champion"),
        (("train", "--cutoff", "2031-01", *FAST), "after the last complete month of data (2025-12)"),
        (("train", "--cutoff", "sometime"), "'sometime' is not a month (YYYY-MM)"),
    ):
        result = _cli(*arguments)
        assert result.exit_code == 1, (arguments, result.output)
        assert message in result.output
        assert "Traceback" not in result.output

    media = dict(kind="media", created_at=registry.now(), cutoff=dt.date(2025, 12, 1), run_by="x", code_version="t",
                 seed=0, status="ok", horizon=6, n_series=1, duration_s=0.1, mase=0.1, params={})
    with cli_store.begin() as conn:
        media_run = store_run(conn, media, [], [])
    refused = _cli("promote", str(media_run))
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert _champion_id(cli_store) == 1  # a media run never becomes the lead forecasts' champion


def test_a_training_that_fails_is_registered_and_exits_1(cli_store, monkeypatch):
    fill_store(cli_store)

    def broken(*args, **kwargs):
        raise RuntimeError("worker crashed")

    monkeypatch.setattr("forecasting.training.forecast_many", broken)
    result = _cli("train", "--by", "cron", *FAST)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "training failed (registered as failed run 1): RuntimeError: worker crashed" in result.output
    run = registry.get_run(cli_store, 1)
    assert (run["status"], run["is_champion"], run["run_by"]) == ("failed", False, "cron")
    assert run["message"] == "RuntimeError: worker crashed" and registry.champion(cli_store) is None


def test_cli_on_an_empty_or_unmigrated_store_exits_1_with_a_message(cli_store, tmp_path, monkeypatch):
    empty = _cli("train", *FAST)
    assert empty.exit_code == 1 and "no monthly data" in empty.output
    nothing = _cli("runs")
    assert nothing.exit_code == 0 and "no forecast run yet" in nothing.output
    if cli_store.dialect.name == "sqlite":
        from pilotage.settings import get_settings

        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}")
        get_settings.cache_clear()
        result = _cli("runs")
        assert result.exit_code == 1 and "pilotage db upgrade" in result.output


# --- the schedule -------------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (dt.datetime(2026, 1, 15, 10, 0), dt.datetime(2026, 2, 1, 6, 0)),
    (dt.datetime(2026, 1, 1, 5, 59, 59), dt.datetime(2026, 1, 1, 6, 0)),
    (dt.datetime(2026, 1, 1, 6, 0), dt.datetime(2026, 2, 1, 6, 0)),
    (dt.datetime(2026, 12, 2, 0, 0), dt.datetime(2027, 1, 1, 6, 0)),
    (dt.datetime(2026, 2, 28, 23, 0), dt.datetime(2026, 3, 1, 6, 0)),
])
def test_next_run_is_the_first_of_the_next_month_at_the_hour(now, expected):
    assert next_run(now) == expected


def test_schedule_options_and_bad_values():
    assert next_run(dt.datetime(2026, 3, 10), day=15, hour=23, minute=30) == dt.datetime(2026, 3, 15, 23, 30)
    assert upcoming(dt.datetime(2026, 11, 20), 3) == [dt.datetime(2026, 12, 1, 6), dt.datetime(2027, 1, 1, 6),
                                                      dt.datetime(2027, 2, 1, 6)]
    with pytest.raises(ValueError, match="between 1 and 28"):
        next_run(dt.datetime(2026, 1, 1), day=31)
    with pytest.raises(ValueError, match="hour"):
        next_run(dt.datetime(2026, 1, 1), hour=24)


def test_schedule_loop_runs_the_job_at_each_due_time_and_survives_a_failure():
    clock = [dt.datetime(2026, 1, 20, 12, 0)]
    slept, ran, errors = [], [], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += dt.timedelta(seconds=seconds)

    def job() -> None:
        ran.append(clock[0])
        if len(ran) == 1:
            raise RuntimeError("store down")

    runs = run_forever(job, clock=lambda: clock[0], sleep=sleep, on_error=errors.append, max_runs=3)
    assert runs == 3
    assert ran == [dt.datetime(2026, 2, 1, 6), dt.datetime(2026, 3, 1, 6), dt.datetime(2026, 4, 1, 6)]
    assert [str(e) for e in errors] == ["store down"]
    assert max(slept) <= 3600


def test_cli_schedule_shows_the_next_run_times():
    result = _cli("schedule", "--show", "2", "--hour", "7")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith(" 07:00") and line[8:10] == "01" for line in lines)

"""``pilotage plan ...`` on the demo store: fit, runs, optimise (with a bounds file), promote, rollback,
evaluate; their figures, exit codes and error messages."""

from __future__ import annotations

import re
import sqlite3
import uuid

import numpy as np
import pytest
from sqlalchemy import create_engine, delete, text
from typer.testing import CliRunner

from forecasting.planning import registry
from forecasting.planning.cli import BoundsError, read_bounds
from pilotage.schedule import JobsFailed, chain
from pilotage.store.engine import get_engine
from pilotage.store.models import ForecastRun

from .conftest import PG_ADMIN_URL

runner = CliRunner()
FAST = ("--national-only", "--boot", "4", "--n-jobs", "1")


def _cli(*arguments: str):
    from pilotage.cli import app

    return runner.invoke(app, ["plan", *arguments])


@pytest.fixture
def demo_store(demo_url, tmp_path, monkeypatch):
    """A private copy of the demo store (the session's own is shared by other tests), the CLI pointed at it."""
    from pilotage.settings import get_settings

    admin = None
    if demo_url.startswith("sqlite"):
        copy = tmp_path / "demo-copy.sqlite3"
        source, target = sqlite3.connect(demo_url.split("///", 1)[-1]), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        url = f"sqlite:///{copy}"
    else:
        get_engine(demo_url).dispose()  # a template database must have no open connection
        name = f"pilotage_plan_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{demo_url.rsplit("/", 1)[-1]}"'))
        url = demo_url.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine(url)
    with engine.begin() as conn:  # media runs that other tests left in the shared store
        conn.execute(delete(ForecastRun).where(ForecastRun.kind == "media"))
    yield engine
    get_engine(url).dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _number(pattern: str, output: str) -> float:
    match = re.search(pattern, output)
    assert match, (pattern, output)
    return float(match.group(1).replace(",", ""))


def test_fit_runs_optimise_promote_rollback_on_the_demo(demo_store, tmp_path):
    assert "no media run yet" in _cli("runs").output
    nothing = _cli("optimise", "--budget", "100000")
    assert nothing.exit_code == 1 and "no media run yet: run `pilotage plan fit`" in nothing.output

    fitted = _cli("fit", "--by", "alice", *FAST)
    assert fitted.exit_code == 0, fitted.output
    out = fitted.output
    run, models = registry.champion_models(demo_store)
    first = run["id"]
    assert "national: 36 months 2023-11 to 2026-10" in out and "4 bootstrap draws" in out
    assert f"media run {first}: data to 2026-10, 1 models" in out and "champion: first run" in out
    assert re.search(r"national holdout \(6 months from 2026-05\): MASE \d\.\d{3} \(seasonal naive \d\.\d{3}\)", out)
    model = models["national"]
    assert model.channels == ["display", "local_press", "national_tv", "paid_search", "paid_social", "radio"]
    # each channel's line: its figures with their intervals, or why it is not identified
    average, (low, high) = model.average_cost(), model.interval(model.average_cost, 0.8)
    for c, channel in enumerate(model.channels):
        line = next(row for row in out.splitlines() if f" {channel} " in row)
        if model.identified[c]:
            assert f"{average[c]:,.0f} ({low[c]:,.0f}–{high[c]:,.0f})" in line
        else:
            assert "not identified" in line
    assert f"R² {model.stats['r2']:.2f}" in out

    listed = _cli("runs")
    assert listed.exit_code == 0 and "alice" in listed.output and "2026-10" in listed.output

    # optimise the current plan's budget, radio kept as planned and a floor on national TV
    plan = registry.current_plan(demo_store, "national")
    budget = round(plan.total)
    bounds = tmp_path / "bounds.csv"
    tv = model.channels.index("national_tv")
    floor = float(plan.spend[:, tv].min())
    bounds.write_text(f"channel,min,max,locked\nnational_tv,{floor:.0f},,\nradio,,,yes\n")
    best = _cli("optimise", "--budget", str(budget), "--bounds", str(bounds))
    assert best.exit_code == 0, best.output
    out = best.output
    assert f"Optimised media plan, national, 2026-11 to 2027-04 (media run {first}, data to 2026-10)" in out
    assert _number(r"expected qualified leads: [\d,]+ \(80%: [\d,]+–[\d,]+\) for ([\d,]+) EUR", out) == pytest.approx(
        budget, abs=2)
    optimised = _number(r"expected qualified leads: ([\d,]+)", out)
    current = _number(r"current plan: ([\d,]+)", out)
    assert current == pytest.approx(_simulated(model, plan), abs=1)
    assert optimised >= current  # the plan itself meets the constraints: the optimum cannot do worse
    assert "binding constraints: budget" in out and "locked radio (6 months" in out
    radio = next(row for row in out.splitlines() if row.strip("│ ").startswith("radio"))
    assert "+0%" in radio and f"{plan.spend[:, model.channels.index('radio')].sum():,.0f}" in radio
    assert re.search(r"target: [\d,]+ qualified leads; optimised plan [+-][\d,]+, current plan [+-][\d,]+", out)

    for content, message in (
        ("channel,min,max\nnational_tv,abc,5\n", "line 2, column 2 (min): 'abc' is not an amount in EUR"),
        ("channel,min,max\nradio,1,2\ntv,1,2\n", "line 3, column 1 (channel): unknown channel 'tv'"),
        ("channel,min,max\nradio,500,100\n", "line 2, column 3 (max): maximum 100 EUR is below the minimum 500"),
        ("channel,minimum,max\n", "line 1, column 2: unknown column 'minimum'"),
    ):
        bounds.write_text(content)
        bad = _cli("optimise", "--budget", "100000", "--bounds", str(bounds))
        assert bad.exit_code == 1 and f"{bounds}, {message}" in bad.output.replace("\n", ""), bad.output
        assert "Traceback" not in bad.output
    for arguments, message in (
        (("optimise", "--budget", "1000", "--scope", "FR-IDF"), f"media run {first} has no model for 'FR-IDF'"),
        (("optimise",), "give --budget EUR"),
        (("fit", "--cutoff", "2031-01", *FAST), "after the last complete month of data (2026-10)"),
        (("promote", "999999"), "no forecast run 999999"),
    ):
        result = _cli(*arguments)
        assert result.exit_code == 1 and message in result.output.replace("\n", ""), (arguments, result.output)
        assert "Traceback" not in result.output

    older = _cli("fit", "--cutoff", "2026-06", "--by", "bob", *FAST)
    second = registry.list_runs(demo_store)[0]["id"]
    assert older.exit_code == 0 and f"media run {second}: data to 2026-06" in older.output
    assert "not champion: data cut-off 2026-06 is older" in older.output
    promoted = _cli("promote", str(second), "--by", "carol", "--reason", "check")
    assert promoted.exit_code == 0 and f"run {second} is the champion (was run {first})" in promoted.output
    rolled = _cli("rollback", "--by", "dave")
    assert rolled.exit_code == 0 and f"run {first} is the champion again (was run {second})" in rolled.output


def _simulated(model, plan) -> float:
    from forecasting.planning.scenario import simulate

    return simulate(model, plan.spend, plan.months, controls=plan.controls).total_leads


def test_bounds_files_read_channels_amounts_and_locks(tmp_path):
    channels = ["radio", "display", "paid_search"]
    plan = np.array([[100.0, 200.0, 300.0], [110.0, 210.0, 310.0]])
    path = tmp_path / "bornes.csv"
    path.write_text("Channel;Min;Max;Locked\nradio;1 000,5;;\ndisplay;;2500;oui\npaid_search;0;;750\n\n")
    bounds = read_bounds(path, channels, plan)
    assert bounds.min_spend == {"radio": 1000.5, "paid_search": 0.0}
    assert bounds.max_spend == {"display": 2500.0}
    assert bounds.locked["paid_search"] == 750.0
    np.testing.assert_array_equal(bounds.locked["display"], [200.0, 210.0])
    for content, message in (
        ("", "empty file"),
        ("channel,max\n", "missing column 'min'"),
        ("channel,min,max\nradio,1,2\nradio,3,4\n", "line 3, column 1 (channel): radio already has bounds on line 2"),
        ("channel,min,max\nradio,-5,\n", "line 2, column 2 (min): '-5' must be an amount of 0 EUR or more"),
        ("channel,min,max,locked\nradio,,,maybe\n", "line 2, column 4 (locked): 'maybe' is not an amount"),
        ("channel,min,max\nradio,1,2,3\n", "line 2: 4 values for 3 columns"),
    ):
        path.write_text(content)
        with pytest.raises(BoundsError, match=re.escape(message)):
            read_bounds(path, channels, plan)
    with pytest.raises(BoundsError, match="cannot be read"):
        read_bounds(tmp_path / "missing.csv", channels)


def test_evaluate_a_wide_file(exports, tmp_path):
    source = exports / "mmm/national_all_channels.csv"
    result = _cli("evaluate", "--input", str(source), "--target", "conversions", "--holdout", "0.2", "--boot", "4",
                  "--n-jobs", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    # 20% held out: of 156 weeks the last 31, fitted on the 125 before (the excerpt: 104 = 83 + 21)
    weeks, last, held = (156, "2024-01-15", 31) if exports.full else (104, "2023-01-16", 21)
    assert f"{weeks} weeks (2021-01-25 to {last}), target conversions, 5 channels" in out
    assert re.search(rf"holdout \(last {held} weeks, fitted on the {weeks - held} before\): MAPE \d+\.\d%", out)
    assert all(f"Channel{i}" in out for i in range(5)) and "4 bootstrap draws" in out
    for arguments, message in (
        (("--target", "sales"), "no target column 'sales'"),
        (("--target", "conversions", "--frequency", "year"), "--frequency 'year': month or week"),
    ):
        failed = _cli("evaluate", "--input", str(source), *arguments)
        assert failed.exit_code == 1 and message in failed.output.replace("\n", ""), failed.output
        assert "Traceback" not in failed.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,leads,tv_spend\n2024-01-01,10,100\n2024-02-01,12,lots\n")
    failed = _cli("evaluate", "--input", str(bad), "--target", "leads")
    assert failed.exit_code == 1 and f"{bad}, line 3, column tv_spend" in failed.output.replace("\n", "")


def test_the_monthly_schedule_runs_every_job_even_when_one_fails():
    ran = []

    def leads() -> None:
        ran.append("leads")
        raise RuntimeError("store down")

    def media() -> None:
        ran.append("media")

    def media_without_data() -> None:
        ran.append("media")
        raise ValueError("no data")

    with pytest.raises(RuntimeError, match="store down"):
        chain(leads, media)()
    assert ran == ["leads", "media"]
    with pytest.raises(JobsFailed, match="RuntimeError: store down; ValueError: no data") as raised:
        chain(leads, media_without_data)()
    assert [type(e) for e in raised.value.errors] == [RuntimeError, ValueError]
    chain(media)()
    assert ran == ["leads", "media", "leads", "media", "media"]

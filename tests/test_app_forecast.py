"""The forecast panel: the champion's forecasts as stored, scope that cannot be escaped (a scoped
director's "total" is the sum of their regions' series, never the company's), drivers that add
up to the forecast and are the same in every view, the accuracy card by horizon, the interval
badge, and the admin's registry actions (refused to other roles, audited).

The registry rows are written by hand (known figures) through :mod:`forecasting.registry` into a
copy of the session's demo store, so that other tests never see them; the interval state is then
computed as a training does. The store has no media run: the drivers are the lead forecaster's.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import select, text

from dashapp import i18n
from dashapp.auth import audit
from forecasting import record, registry
from pilotage.store.engine import get_engine
from pilotage.store.models import ForecastValue, Region

from .app_helpers import csrf_header, dash_post, logged_in_client, switch_language
from .forecast_panel_helpers import below_fold, first_screen, whole_panel

PLANNER, DIRECTOR, IDF, ADMIN, SALES = ("planner@pilotage.demo", "director@pilotage.demo",
                                        "director.idf@pilotage.demo", "admin@pilotage.demo", "sales@pilotage.demo")
SOUTH = "director.south@pilotage.demo"
CHANNELS = ("display", "organic_search", "paid_search")


def _months(first: dt.date, n: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(n)]


def _copy(source_url: str, target) -> str:
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def _accuracy_rows(key: str, mase: float) -> list[dict]:
    """Backtest figures by horizon (0: all of them) that say which series and run they belong to."""
    rows = [{"series_key": key, "horizon": 0, "n": 129, "mase": mase, "naive_mase": 1.9, "smape": 12.5,
             "coverage80": 0.79, "coverage95": 0.953}]
    return rows + [{"series_key": key, "horizon": h, "n": 25 - h, "mase": round(mase + 0.01 * h, 4),
                    "naive_mase": round(1.9 + 0.02 * h, 4), "smape": 12.5, "coverage80": 0.8, "coverage95": 0.95,
                    "sum_half80": 100.0 * h, "sum_half95": 160.0 * h} for h in range(1, 7)]


def _run_rows(regions: list[str], first: dt.date, shift: float, mase: float):
    """A run's series, values and accuracy: bottom cells with distinctive figures, every level their exact
    sum, intervals around each value and drivers that add up to it."""
    months = _months(first, 6)
    bottom = {(c, r, m): round(10 + 3.141593 * (ci + 1) + 1.618034 * (ri + 1) + 0.577216 * h + shift, 6)
              for ci, c in enumerate(CHANNELS) for ri, r in enumerate(regions) for h, m in enumerate(months)}
    nodes = [(None, None)] + [(c, None) for c in CHANNELS] + [(None, r) for r in regions] + [
        (c, r) for c in CHANNELS for r in regions]
    series, values, accuracy = [], [], []
    for channel, region in nodes:
        key = ("total" if channel is None and region is None else f"channel:{channel}" if region is None
               else f"region:{region}" if channel is None else f"channel_region:{channel}:{region}")
        level = key.split(":")[0]
        series.append({"series_key": key, "level": level, "channel_code": channel, "region_code": region,
                       "method": "ets" if level == "total" else "theta", "variant": "", "params": {},
                       "mase": mase if level == "total" else 0.81, "smape": 12.5, "naive_mase": 1.0,
                       "coverage80": 0.78, "coverage95": 0.94, "n_obs": 30 if region == "FR-COR" else 36,
                       "short_series": region == "FR-COR", "note": ""})
        accuracy += _accuracy_rows(key, mase - 0.05 if level == "total" else 0.77)
        for month in months:
            yhat = sum(v for (c, r, m), v in bottom.items()
                       if m == month and channel in (None, c) and region in (None, r))
            trend, season, media = round(0.5 * yhat, 6), round(0.2 * yhat, 6), round(0.1 * yhat, 6)
            values.append({"series_key": key, "month": month, "yhat": yhat, "lo80": 0.9 * yhat, "hi80": 1.1 * yhat,
                           "lo95": 0.8 * yhat, "hi95": 1.2 * yhat, "trend": trend, "season": season, "media": media,
                           "other": yhat - trend - season - media})
    return series, values, accuracy


def _store(url: str, runs: bool) -> str:
    engine = get_engine(url)
    if not runs:
        return url
    with engine.connect() as conn:
        regions = sorted(conn.execute(select(Region.code).where(Region.level == "region")).scalars())
        october = conn.execute(text("SELECT SUM(qualified_leads) FROM mart_monthly "
                                    "WHERE month = '2026-10-01'")).scalar()
    base = {"kind": "leads", "created_at": dt.datetime(2026, 11, 2, 8, 0), "run_by": "data@pilotage.demo",
            "code_version": "test", "seed": 0, "status": "ok", "horizon": 6, "n_series": 0, "duration_s": 1.0,
            "smape": 12.5, "naive_mase": 1.0, "coverage80": 0.78, "coverage95": 0.94, "params": {}}
    for cutoff, shift, mase in ((dt.date(2026, 9, 1), 0.0, 0.9), (dt.date(2026, 10, 1), 1.25, 0.7)):
        series, values, accuracy = _run_rows(regions, cutoff.replace(month=cutoff.month + 1), shift, mase)
        if cutoff.month == 9:  # the run that forecast October: its 95% interval misses the actual
            for row in values:
                if row["series_key"] == "total" and row["month"] == dt.date(2026, 10, 1):
                    row.update(lo95=float(october) + 50, hi95=float(october) + 100, lo80=float(october) + 60,
                               hi80=float(october) + 90, yhat=float(october) + 75)
        with engine.begin() as conn:
            run_id = registry.store_run(conn, {**base, "cutoff": cutoff, "mase": mase}, series, values, accuracy)
            registry.decide_champion(conn, run_id, "data@pilotage.demo")
        record.refresh_interval_states(engine, trigger="training")  # as a training does
    return url


@pytest.fixture(scope="module")
def trained_url(demo_sqlite_url, tmp_path_factory) -> str:
    return _store(_copy(demo_sqlite_url, tmp_path_factory.mktemp("forecast") / "trained.sqlite3"), runs=True)


@pytest.fixture(scope="module")
def untrained_url(demo_sqlite_url, tmp_path_factory) -> str:
    return _store(_copy(demo_sqlite_url, tmp_path_factory.mktemp("forecast") / "untrained.sqlite3"), runs=False)


def _point(monkeypatch, url: str) -> None:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture
def store(trained_url, monkeypatch) -> str:
    _point(monkeypatch, trained_url)
    return trained_url


@pytest.fixture(scope="module")
def south_director(trained_url):
    """A director of two regions (created once in the copy)."""
    import os

    from dashapp.auth import users
    from pilotage.settings import get_settings

    os.environ["DATABASE_URL"] = trained_url
    get_settings.cache_clear()
    try:
        users.add_user(SOUTH, "pilotage-demo", "director", ["FR-ARA", "FR-PACA"])
    finally:
        del os.environ["DATABASE_URL"]
        get_settings.cache_clear()
    return SOUTH


def stored(url: str, run_id: int, key: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(ForecastValue).where(ForecastValue.run_id == run_id, ForecastValue.series_key == key)
                            .order_by(ForecastValue.month)
                            .with_only_columns(*ForecastValue.__table__.c)).mappings().all()
    return [dict(r) for r in rows]


def champion_id(url: str) -> int:
    return registry.champion(get_engine(url))["id"]


def panel(client, view="total") -> dict:
    """The first screen and what is below the fold, as a user who scrolled down sees them."""
    return whole_panel(client, view)


def traces(out: dict, output: str = "forecast-chart") -> list[dict]:
    return out[output]["figure"]["data"]


def trace(out: dict, kind: str, group: str = "total") -> dict:
    return next(t for t in traces(out) if t.get("meta", {}).get("kind") == kind and t["meta"].get("group") == group)


# --- what the planner sees -----------------------------------------------------------------------------

def test_the_planner_sees_the_champion_total_with_its_intervals(dash_app, store):
    run = champion_id(store)
    expected = stored(store, run, "total")
    out = panel(logged_in_client(dash_app, PLANNER))
    forecast = trace(out, "forecast")
    assert forecast["y"] == [r["yhat"] for r in expected]
    assert forecast["x"] == [r["month"].isoformat() for r in expected]
    assert trace(out, "lo95")["y"] == [r["lo95"] for r in expected]
    assert trace(out, "hi80")["y"] == [r["hi80"] for r in expected]
    assert {t["meta"]["kind"] for t in traces(out)} >= {"actual", "target", "last_year"}
    assert f"Champion run {run}, data up to Oct 2026" in out["forecast-run-info"]["children"]
    assert out["forecast-notice"]["children"] == ""


def _drivers(out: dict) -> dict[str, list[float]]:
    return {t["meta"]["part"]: t["y"] for t in traces(out, "forecast-drivers") if t["meta"]["kind"] == "driver"}


@pytest.mark.parametrize(("email", "key"), [(PLANNER, "total"), (IDF, "region:FR-IDF")])
def test_the_drivers_add_up_to_the_forecast_and_are_the_same_in_every_view(dash_app, store, email, key):
    rows = stored(store, champion_id(store), key)
    expected = [r["yhat"] for r in rows]
    client = logged_in_client(dash_app, email)
    out = panel(client)
    drivers = _drivers(out)
    # no media run in this store: the lead forecaster's decomposition, web sessions taken out of "other"
    assert list(drivers) == ["trend", "season", "media", "sessions", "other"]
    assert drivers["media"] == [r["media"] for r in rows]
    sums = [sum(values) for values in zip(*drivers.values(), strict=True)]
    assert sums == pytest.approx(expected, abs=1e-9)
    marker = next(t for t in traces(out, "forecast-drivers") if t["meta"]["kind"] == "forecast_total")
    assert marker["y"] == pytest.approx(expected, abs=1e-9)
    for view in ("channel", "region"):
        assert _drivers(panel(client, view)) == drivers


def test_the_accuracy_card_shows_the_backtest_of_the_forecast_shown_by_horizon(dash_app, store):
    out = panel(logged_in_client(dash_app, PLANNER))
    card = json.dumps(out["forecast-accuracy"])
    run = registry.champion(get_engine(store))
    expected = registry.accuracy(get_engine(store), run["id"], ["total"]).set_index("horizon")
    assert f'"children": "{i18n.number(expected.loc[0, "mase"], 2, "en")}", "id": "forecast-acc-mase"' in card
    assert '"children": "1.90", "id": "forecast-acc-naive"' in card and '"id": "forecast-acc-cov95"' in card
    horizons = out["forecast-accuracy"]["children"]["props"]["children"][1]["props"]["children"][1]
    body = horizons["props"]["children"]
    assert [row["props"]["data-horizon"] for row in body] == [str(h) for h in range(1, 7)]
    first = [cell["props"]["children"] for cell in body[0]["props"]["children"]]
    assert first == ["1 mo. ahead", i18n.number(expected.loc[1, "mase"], 2, "en"), "1.92", "80%", "95%", "24"]
    assert "Data cut-off: Oct 2026" in card and "forecast-acc-short" not in card
    region = panel(logged_in_client(dash_app, PLANNER), "region")
    assert "Fewer than 24 months of data: limited candidates (Corse)" in json.dumps(region["forecast-accuracy"])
    lines = json.dumps(region["forecast-accuracy-lines"])
    assert "Theta" in lines and '"data-series": "region:FR-IDF"' in lines
    assert out["forecast-accuracy-lines"]["children"] == ""  # the total view has one line: no table of lines


def test_the_backtest_of_each_channel_has_the_page_width_and_scrolls(dash_app, store):
    """By channel, the table of each line's backtest (eight columns) is not squeezed into the accuracy card
    beside the drivers, where it was cut at the right: it has a card of the page's width and scrolls sideways
    on a narrower screen."""
    out = panel(logged_in_client(dash_app, PLANNER), "channel")
    assert '"forecast-acc-lines"' not in json.dumps(out["forecast-accuracy"])
    card = out["forecast-accuracy-lines"]["children"]
    table = card["props"]["children"]["props"]["children"][1]
    assert table["props"]["id"] == "forecast-acc-lines" and table["props"]["responsive"] is True
    rows = table["props"]["children"][1]["props"]["children"]
    assert {r["props"]["data-series"] for r in rows} >= {f"channel:{c}" for c in CHANNELS}
    assert all(len(r["props"]["children"]) == 8 for r in rows)  # every column is there
    from dashapp.pages import forecast as page

    with dash_app.server.test_request_context("/forecast"):
        from flask_login import login_user

        from dashapp.auth.users import get_user_by_email

        login_user(get_user_by_email(PLANNER))
        tree = page.layout.layout()
    row = next(c for c in tree.children if getattr(c, "id", None) == "forecast-accuracy-lines")
    assert row is not None  # a child of the page itself, not of the accuracy card's column


def test_the_badge_says_when_last_month_fell_outside_the_interval(dash_app, store):
    out = panel(logged_in_client(dash_app, PLANNER))
    badge = out["forecast-badge"]["children"]["props"]
    assert badge["data-state"] == "outside"
    first_run = min(r["id"] for r in registry.list_runs(get_engine(store)))
    text = badge["children"]["props"]["children"]
    assert text.startswith("Oct 2026:") and f"of run {first_run}" in text


def test_the_media_plan_is_the_plan_of_the_forecast_months(dash_app, store):
    out = panel(logged_in_client(dash_app, PLANNER))
    plan = json.dumps(out["forecast-media-plan"])
    with get_engine(store).connect() as conn:
        total = conn.execute(text("SELECT SUM(planned_spend) FROM fact_media_plan WHERE month = '2026-11-01'")).scalar()
    assert "Nov 2026" in plan and "Apr 2027" in plan
    assert json.dumps(i18n.money(total, 0, "en")) in plan


def test_the_channel_view_has_one_line_per_channel_series(dash_app, store):
    run = champion_id(store)
    out = panel(logged_in_client(dash_app, PLANNER), "channel")
    for channel in CHANNELS:
        assert trace(out, "forecast", channel)["y"] == [r["yhat"] for r in stored(store, run, f"channel:{channel}")]
    # the table's last row adds the channels up, month by month
    by_channel = [[r["yhat"] for r in stored(store, run, f"channel:{channel}")] for channel in CHANNELS]
    expected = [i18n.number(sum(month), 0, "en") for month in zip(*by_channel, strict=True)]

    def rows(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("data-group") == "sum":
                yield props["children"]
            yield from rows(props.get("children"))
        elif isinstance(node, list):
            for child in node:
                yield from rows(child)

    (total_row,) = list(rows(out["forecast-table"]["children"]))
    assert [cell["props"]["children"] for cell in total_row[1:]] == expected


# --- scope ----------------------------------------------------------------------------------------------

def _other_numbers(url: str, run: int, own: set[str]) -> set[str]:
    """Every stored forecast figure of a series outside ``own`` regions (company total included)."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(ForecastValue.series_key, ForecastValue.yhat).where(
            ForecastValue.run_id == run)).all()
    return {json.dumps(value) for key, value in rows if key.rsplit(":", 1)[-1] not in own}


def test_the_idf_director_total_is_their_region_series_only(dash_app, store):
    run = champion_id(store)
    client = logged_in_client(dash_app, IDF)
    out = panel(client)
    idf = stored(store, run, "region:FR-IDF")
    assert trace(out, "forecast")["y"] == [r["yhat"] for r in idf]
    assert trace(out, "lo95")["y"] == [r["lo95"] for r in idf]  # one stored series: its intervals
    body = json.dumps(out)
    assert not any(number in body for number in _other_numbers(store, run, {"FR-IDF"}))
    channel = panel(client, "channel")
    assert trace(channel, "forecast", "paid_search")["y"] == [
        r["yhat"] for r in stored(store, run, "channel_region:paid_search:FR-IDF")]
    region = panel(client, "region")
    assert {t["meta"]["group"] for t in traces(region)} == {"FR-IDF"}


@pytest.mark.parametrize("view", ["all", "FR-ARA", ["FR-ARA", "FR-IDF"], {"region": "FR-ARA"}, None, "channel",
                                  "region"])
def test_forged_views_give_the_director_nothing_outside_their_scope(dash_app, store, view):
    run = champion_id(store)
    client = logged_in_client(dash_app, IDF)
    for post in (first_screen, below_fold):
        response = post(client, view, {"run": run - 1, "region": "FR-ARA"})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert not any(number in body for number in _other_numbers(store, run, {"FR-IDF"}))
        assert not any(number in body for number in _other_numbers(store, run - 1, {"FR-IDF"}))


def test_a_two_region_director_sees_the_sum_of_their_regions_without_intervals(dash_app, store, south_director):
    run = champion_id(store)
    out = panel(logged_in_client(dash_app, south_director))
    ara, paca = stored(store, run, "region:FR-ARA"), stored(store, run, "region:FR-PACA")
    assert trace(out, "forecast")["y"] == pytest.approx([a["yhat"] + b["yhat"] for a, b in zip(ara, paca,
                                                                                                 strict=True)])
    assert not [t for t in traces(out) if t["meta"]["kind"].startswith(("lo", "hi"))]
    assert out["forecast-notice"]["children"]["props"]["id"] == "forecast-scope-note"
    badges = out["forecast-badge"]["children"]["props"]["children"]  # one state per region of the scope
    assert [b["props"]["data-scope"] for b in badges] == ["FR-ARA", "FR-PACA"]
    body = json.dumps(out)
    assert not any(number in body for number in _other_numbers(store, run, {"FR-ARA", "FR-PACA"}))


def test_sales_may_not_open_the_forecast_page(dash_app, store):
    assert logged_in_client(dash_app, SALES).get("/forecast").status_code == 403
    assert logged_in_client(dash_app, PLANNER).get("/forecast").status_code == 200


def test_only_the_admin_gets_the_registry_section(dash_app, store):
    from flask_login import login_user

    from dashapp.auth.users import get_user_by_email
    from dashapp.pages import forecast as page

    for email, expected in ((ADMIN, True), (PLANNER, False), (IDF, False)):
        with dash_app.server.test_request_context("/forecast"):
            login_user(get_user_by_email(email))
            assert ("'forecast-admin'" in repr(page.layout.layout())) is expected


def test_no_champion_yet_says_how_to_train(dash_app, untrained_url, monkeypatch):
    _point(monkeypatch, untrained_url)
    out = panel(logged_in_client(dash_app, PLANNER))
    assert "No forecast has been trained yet: run `pilotage forecast train`." in json.dumps(out["forecast-notice"])


# --- admin -------------------------------------------------------------------------------------------------

ADMIN_CALLS = [
    ("..forecast-runs.children...forecast-action-run.options...forecast-compare-a.options..."
     "forecast-compare-b.options..",
     [{"id": "forecast-runs-refresh", "property": "n_clicks", "value": 1},
      {"id": "forecast-admin-version", "property": "data", "value": 0}], []),
    ("forecast-compare.children",
     [{"id": "forecast-compare-a", "property": "value", "value": 1},
      {"id": "forecast-compare-b", "property": "value", "value": 2},
      {"id": "forecast-admin-version", "property": "data", "value": 0}], []),
]


ACTION_OUTPUT = (".." + "...".join(("forecast-admin-feedback.children", "forecast-admin-feedback.color",
                                     "forecast-admin-feedback.is_open", "forecast-admin-version.data",
                                     "forecast-version.data")) + "..")


def act(client, button: str, run):
    """Click promote or rollback with ``run`` chosen (the other button's input is unchanged)."""
    body = {"output": ACTION_OUTPUT, "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                                                 for o in ACTION_OUTPUT.strip(".").split("...")],
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("forecast-promote", "forecast-rollback")],
            "state": [{"id": "forecast-action-run", "property": "value", "value": run},
                      {"id": "forecast-admin-version", "property": "data", "value": 0}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


@pytest.mark.parametrize("email", [PLANNER, DIRECTOR, IDF])
def test_admin_callbacks_are_refused_to_other_roles(dash_app, store, email):
    client = logged_in_client(dash_app, email)
    before = champion_id(store)
    for output, inputs, state in ADMIN_CALLS:
        response = dash_post(client, output, inputs, state)
        assert response.status_code == 403 and response.get_json() == {"error": "forbidden"}
    for button in ("forecast-promote", "forecast-rollback"):
        response = act(client, button, 1)
        assert response.status_code == 403 and response.get_json() == {"error": "forbidden"}
    assert champion_id(store) == before


def test_the_admin_lists_and_compares_runs(dash_app, store):
    client = logged_in_client(dash_app, ADMIN)
    output, inputs, state = ADMIN_CALLS[0]
    out = dash_post(client, output, inputs, state).json["response"]
    rows = json.dumps(out["forecast-runs"])
    assert '"data-run": "2"' in rows and '"data-run": "1"' in rows and "data@pilotage.demo" in rows
    assert [o["value"] for o in out["forecast-action-run"]["options"]] == [2, 1]
    output, inputs, state = ADMIN_CALLS[1]
    compared = dash_post(client, output, inputs, state).json["response"]["forecast-compare"]["children"]
    table, chart = compared["props"]["children"]
    assert json.dumps(table).count("0.900") == 1 and json.dumps(table).count("0.700") == 1
    lines = {t["meta"]["run"]: t["y"] for t in chart["props"]["figure"]["data"]}
    assert lines[1] == [r["yhat"] for r in stored(store, 1, "total")]
    assert lines[2] == [r["yhat"] for r in stored(store, 2, "total")]


def test_the_admin_promotes_and_rolls_back_with_an_audit_trail(dash_app, store):
    client = logged_in_client(dash_app, ADMIN)
    assert champion_id(store) == 2
    out = act(client, "forecast-promote", 1).json["response"]
    assert out["forecast-admin-feedback"]["color"] == "success" and champion_id(store) == 1
    assert panel(client)["forecast-chart"]["figure"]["data"]  # the panel follows the new champion
    assert trace(panel(client), "forecast")["y"] == [r["yhat"] for r in stored(store, 1, "total")]
    out = act(client, "forecast-rollback", None).json["response"]
    assert out["forecast-admin-feedback"]["color"] == "success" and champion_id(store) == 2
    entries = [json.loads(e["detail"]) for e in audit.recent(10, "admin") if e["actor"] == ADMIN]
    assert {"forecast_promote", "forecast_rollback"} <= {e.get("action") for e in entries}
    events = registry.champion_events(get_engine(store))
    assert [(e["action"], e["actor"]) for e in events[:2]] == [("rollback", ADMIN), ("promote", ADMIN)]
    out = act(client, "forecast-promote", 2).json["response"]  # already champion: refused, said so
    assert out["forecast-admin-feedback"]["color"] == "danger" and "already the champion" in json.dumps(out)


# --- the registry in the user's language, rollback to the previous champion ---------------------------------------

def test_every_registry_message_has_its_french_with_the_same_placeholders():
    import string

    from forecasting.api import ACCURACY_LABELS, MISSING_ACCURACY

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for code, english in registry.MESSAGES.items():
        en, fr = i18n.MESSAGES[f"forecast.registry.{code}"]
        assert en == english, code  # the catalogue words what the registry stores, no other text
        assert fields(fr) == fields(english) and fr != english, code
    for kind in ACCURACY_LABELS:
        assert i18n.MESSAGES[f"forecast.registry.label.{kind}"][0] == ACCURACY_LABELS[kind]
        assert i18n.MESSAGES[f"forecast.registry.missing.{kind}"][0] == MISSING_ACCURACY[kind]


def test_registry_decisions_and_results_read_in_french(dash_app, store):
    from dashapp.pages.forecast.figures import registry_text

    first = registry.message("first")
    assert registry_text(first, "en") == first == "champion: first run (no champion before)"
    assert registry_text(first, "fr") == "champion : premier modèle (aucun champion avant lui)"
    better = registry.message("better", label=registry.ACCURACY_LABELS["leads"], mase="0.700", current=1, was="0.900")
    assert registry_text(better, "fr") == "champion : MASE de backtest du total 0,700 < 0,900 pour le modèle n° 1"
    assert registry_text("a text of its own", "fr") == "a text of its own"  # not the registry's: as it is
    client = logged_in_client(dash_app, ADMIN)
    output, inputs, state = ADMIN_CALLS[0]
    english = json.dumps(dash_post(client, output, inputs, state).json["response"]["forecast-runs"],
                         ensure_ascii=False)
    switch_language(client, "fr")
    try:
        french = json.dumps(dash_post(client, output, inputs, state).json["response"]["forecast-runs"],
                            ensure_ascii=False)
    finally:
        switch_language(client, "en")
    assert "champion: first run (no champion before)" in english and "total backtest MASE 0.700" in english
    assert "premier modèle (aucun champion avant lui)" in french and "MASE de backtest du total 0,700" in french
    for word in ("first run", "champion before", "backtest MASE", "run 1"):
        assert word not in french


def test_rollback_restores_the_previous_champion_whatever_the_dropdown_says(dash_app, store):
    """The registry's events say which run was champion before the current one; the run chosen in the
    dropdown (here the champion itself, which the old button refused) plays no part. Results in French."""
    client = logged_in_client(dash_app, ADMIN)
    current = champion_id(store)
    previous = next(e["previous_run_id"] for e in registry.champion_events(get_engine(store))
                    if e["run_id"] == current and e["previous_run_id"] is not None)
    assert previous != current
    switch_language(client, "fr")
    try:
        out = act(client, "forecast-rollback", current).json["response"]
        assert out["forecast-admin-feedback"]["color"] == "success" and champion_id(store) == previous
        assert out["forecast-admin-feedback"]["children"] == (
            f"Fait : le modèle n° {previous} est de nouveau le champion (à la place du n° {current}).")
        out = act(client, "forecast-promote", current).json["response"]  # put back, said in French too
        assert out["forecast-admin-feedback"]["children"] == (
            f"Fait : le modèle n° {current} est le champion (à la place du n° {previous}).")
        out = act(client, "forecast-promote", current).json["response"]
        assert out["forecast-admin-feedback"]["children"] == f"Non fait : le modèle n° {current} est déjà le champion."
    finally:
        switch_language(client, "en")
    assert champion_id(store) == current
    events = registry.champion_events(get_engine(store))
    assert [(e["action"], e["run_id"], e["previous_run_id"]) for e in events[:2]] == [
        ("promote", current, previous), ("rollback", previous, current)]


def test_who_trained_the_run_is_worded_in_the_users_language(dash_app, store):
    """A run started from the command line is stored as ``cli:<operator>`` (pilotage.operator): the page
    says "command line (ops)", "ligne de commande (ops)" in French, not the stored code."""
    engine = get_engine(store)
    run = champion_id(store)
    with engine.begin() as conn:
        was = conn.execute(text("SELECT run_by FROM forecast_run WHERE id = :id"), {"id": run}).scalar()
        conn.execute(text("UPDATE forecast_run SET run_by = 'cli:ops' WHERE id = :id"), {"id": run})
    try:
        client = logged_in_client(dash_app, ADMIN)
        output, inputs, state = ADMIN_CALLS[0]
        english = panel(client)["forecast-run-info"]["children"]
        runs_en = json.dumps(dash_post(client, output, inputs, state).json["response"]["forecast-runs"])
        switch_language(client, "fr")
        try:
            french = panel(client)["forecast-run-info"]["children"]
            runs_fr = json.dumps(dash_post(client, output, inputs, state).json["response"]["forecast-runs"],
                                 ensure_ascii=False)
        finally:
            switch_language(client, "en")
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE forecast_run SET run_by = :by WHERE id = :id"), {"by": was, "id": run})
    assert "by command line (ops)." in english and '"command line (ops)"' in runs_en
    assert "par ligne de commande (ops)." in french and '"ligne de commande (ops)"' in runs_fr
    assert "cli:ops" not in english + runs_en + french + runs_fr

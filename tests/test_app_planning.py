"""The media planning page: the figures it shows are the champion response model's (recomputed here from
the stored model with :mod:`forecasting.planning`, not through the app), a scenario's prediction is the
simulation of the plan in the editor, scenarios are saved, listed, loaded, compared and deleted by their
owner only, scope and role are enforced on the server whatever a forged request sends, the optimiser's
allocation stays within its constraints, and bad uploads get messages that name the line and column.

The media run is trained once (small bootstrap) in a copy of the session's SQLite demo store; the
PostgreSQL demo store gets a copy of that run's row for the scenario tests that run on both backends.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import zipfile

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, select

from dashapp import i18n
from dashapp.auth import audit
from dashapp.pages.planning import callbacks as cb
from forecasting.planning import data as media_data
from forecasting.planning.registry import champion_models, fit_and_register
from forecasting.planning.scenario import simulate
from pilotage.store.engine import get_engine
from pilotage.store.models import ForecastRun
from pilotage.store.models.planning import PlanScenario, PlanScenarioCell

from .app_helpers import (
    callback_key,
    copy_sqlite,
    csrf_header,
    dash_post,
    media_champion_copied,
    multi,
    optimise,
    poll,
    start_optimiser,
    switch_language,
)
from .app_helpers import logged_in_client as _log_in

PLANNER, DIRECTOR, IDF_DIRECTOR, ADMIN, SALES = ("planner@pilotage.demo", "director@pilotage.demo",
                                                 "director.idf@pilotage.demo", "admin@pilotage.demo",
                                                 "sales@pilotage.demo")
OTHER_PLANNER, IDF_PLANNER, CORSE_DIRECTOR = ("planner.two@pilotage.demo", "planner.idf@pilotage.demo",
                                              "director.corse@pilotage.demo")
EXTRA_USERS = ((OTHER_PLANNER, "planner", "*"), (IDF_PLANNER, "planner", "FR-IDF"),
               (CORSE_DIRECTOR, "director", "FR-COR"))
N_BOOT = 8
NATIONAL = "national"

_TRAINED: dict[str, str] = {}


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _add_users(url: str) -> None:
    from dashapp.auth import users
    from pilotage.settings import get_settings

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        known = {u.email for u in users.list_users()}
        for email, role, scope in EXTRA_USERS:
            if email not in known:
                users.add_user(email, "pilotage-demo", role, scope)
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()


_CLIENTS: dict[tuple[str, str], object] = {}


def logged_in_client(dash_app, email: str):
    """A client logged in as ``email`` on the current store, kept for the module (a login hashes a password:
    doing it once per user and store keeps these tests fast)."""
    key = (os.environ.get("DATABASE_URL", ""), email)
    if key not in _CLIENTS:
        _CLIENTS[key] = _log_in(dash_app, email)
    return _CLIENTS[key]


def trained_copy(source_url: str, folder) -> str:
    """A copy of the demo store with a champion media run and the extra users (once per session: the
    browser test serves the same file)."""
    if source_url not in _TRAINED:
        url = copy_sqlite(source_url, folder / "media.sqlite3")
        fit_and_register(get_engine(url), run_by="data@pilotage.demo", seed=0, n_boot=N_BOOT, n_jobs=1)
        _add_users(url)
        _TRAINED[source_url] = url
    return _TRAINED[source_url]


@pytest.fixture(scope="module")
def trained_url(demo_sqlite_url, tmp_path_factory) -> str:
    return trained_copy(demo_sqlite_url, tmp_path_factory.mktemp("planning"))


@pytest.fixture(scope="module")
def trained_postgres(demo_postgres_url, trained_url):
    """The SQLite run's row copied into the PostgreSQL demo store (same data, same seed), removed at the end
    with the scenarios made on it."""
    with media_champion_copied(trained_url, demo_postgres_url):
        _add_users(demo_postgres_url)
        yield demo_postgres_url


def _point(monkeypatch, url: str) -> None:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture
def store(trained_url, monkeypatch) -> str:
    _point(monkeypatch, trained_url)
    return trained_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request, monkeypatch) -> str:
    url = request.getfixturevalue({"sqlite": "trained_url", "postgresql": "trained_postgres"}[request.param])
    _point(monkeypatch, url)
    return url


def model_of(url: str, scope: str = NATIONAL):
    return champion_models(get_engine(url))[1][scope]


# --- posting callbacks as the page does ---------------------------------------------------------------

def scope_input(scope) -> dict:
    return {"id": "planning-scope", "property": "value", "value": scope}


def response(client, outputs, inputs, state=None) -> dict:
    answer = dash_post(client, callback_key(client, outputs), inputs, state)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["response"]


def panel(client, scope=NATIONAL) -> dict:
    return response(client, cb.PANEL_OUTPUTS, [scope_input(scope)])


def below_inputs(scope=NATIONAL) -> list[dict]:
    """What is below the model card is asked for once the browser says it is near the viewport (then per scope)."""
    return [{"id": "planning-below-seen", "property": "data", "value": True}, scope_input(scope)]


def flattened(answer: dict) -> dict:
    """An answer's outputs and the props of every component with an id inside them, by id (as the page holds
    them once rendered: the editor's grid and prediction come inside its body)."""
    found = dict(answer)
    for props in components(answer, "id"):
        if isinstance(props["id"], str):
            found.setdefault(props["id"], props)
    return found


def scope_panel(client, scope=NATIONAL) -> dict:
    """The answer below the model card: experiments, shared scenarios, the editor (its grid and prediction) and
    the writer's cards."""
    return flattened(response(client, cb.BELOW_OUTPUTS, below_inputs(scope)))


def prediction(client, rows, scope=NATIONAL) -> dict:
    """An edit in the grid (its rows as they are after the edit)."""
    return response(client, cb.PREDICTION_OUTPUTS, [{"id": "planning-grid", "property": "cellValueChanged",
                                                      "value": [{"rowIndex": 0}]}],
                    [{"id": "planning-grid", "property": "rowData", "value": rows}, scope_input(scope)])


def edit(dash_app, client, trigger: str, *, scope=NATIONAL, contents=None, filename=None, scenario=None,
         allocation=None, rows=None):
    """Post ``edit_rows`` as the renderer does (its grid output is a duplicate: Dash names it with a hash)."""
    key = next(k for k in dash_app.callback_map if "planning-editor-feedback.children" in k)
    parts = key.strip(".").split("...")
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    values = {"planning-upload": contents, "planning-reset": 1, "planning-load": 1, "planning-opt-use": 1}
    inputs = [{"id": "planning-upload", "property": "contents", "value": values["planning-upload"]}] + [
        {"id": i, "property": "n_clicks", "value": values[i] if i == trigger else None}
        for i in ("planning-reset", "planning-load", "planning-opt-use")]
    body = {"output": key, "outputs": outputs, "inputs": inputs,
            "state": [scope_input(scope), {"id": "planning-upload", "property": "filename", "value": filename},
                      {"id": "planning-scenario", "property": "value", "value": scenario},
                      {"id": "planning-allocation", "property": "data", "value": allocation},
                      {"id": "planning-grid", "property": "rowData", "value": rows}],
            "changedPropIds": [f"{trigger}.{'contents' if trigger == 'planning-upload' else 'n_clicks'}"]}
    return client.post("/_dash-update-component", data=dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def edit_response(dash_app, client, trigger, **kwargs) -> dict:
    answer = edit(dash_app, client, trigger, **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["response"]


def scenario_action(client, button: str, *, scope=NATIONAL, name=None, overwrite=False, rows=None, scenario=None,
                    compared=None):
    inputs = [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
              for b in ("planning-save", "planning-delete")]
    body = {"output": multi(cb.SCENARIO_OUTPUTS),
            "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in cb.SCENARIO_OUTPUTS],
            "inputs": inputs,
            "state": [scope_input(scope), {"id": "planning-name", "property": "value", "value": name},
                      {"id": "planning-overwrite", "property": "value", "value": overwrite},
                      {"id": "planning-grid", "property": "rowData", "value": rows},
                      {"id": "planning-scenario", "property": "value", "value": scenario},
                      {"id": "planning-compare", "property": "value", "value": compared or ["current"]}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return client.post("/_dash-update-component", data=dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def compare(client, values, scope=NATIONAL):
    return dash_post(client, "planning-comparison.children",
                     [{"id": "planning-compare", "property": "value", "value": values}], [scope_input(scope)])


def body_of(answer) -> str:
    return answer.get_data(as_text=True)


def refused(answer) -> bool:
    """Refused with no output of the callback: by the Flask guard (403: the role may not run this
    callback at all) or by the callback's own check (the page's global alert)."""
    body = body_of(answer)
    if answer.status_code == 403:
        return answer.get_json() == {"error": "forbidden"}
    return answer.status_code == 200 and '"global-error"' in body and '"response":{}' in body.replace(" ", "")


def scenarios(url: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(PlanScenario.id, PlanScenario.name,
                                                              PlanScenario.owner_id, PlanScenario.scope_code))]


def cells(url: str, scenario_id: int) -> dict[tuple[dt.date, str], float]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(PlanScenarioCell.month, PlanScenarioCell.channel_code, PlanScenarioCell.spend)
                            .where(PlanScenarioCell.scenario_id == scenario_id)).all()
    return {(pd.Timestamp(m).date(), c): float(v) for m, c, v in rows}


def current_plan(url: str, scope: str = NATIONAL):
    """The plan the page starts from, read with forecasting's own functions (not the app's)."""
    model = model_of(url, scope)
    plan = media_data.current_plan(get_engine(url), scope, model.periods[-1], model.channels, model.controls)
    return model, plan


def traces(figure: dict, kind: str) -> list[dict]:
    return [t for t in figure["data"] if t.get("meta", {}).get("kind") == kind]


def components(tree, prop: str, value=None) -> list[dict]:
    """The props of every component in a callback's answer that has ``prop`` (equal to ``value`` when given)."""
    found = []
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and prop in props and (value is None or props[prop] == value):
            found.append(props)
        for item in tree.values():
            found.extend(components(item, prop, value))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(components(item, prop, value))
    return found


def edited(rows: list[dict], month: str, channel: str, value) -> list[dict]:
    return [{**r, channel: value} if r["month"] == month else dict(r) for r in rows]


# --- the response model --------------------------------------------------------------------------------------

def test_the_channel_table_shows_the_model_figures_and_flags(dash_app, store):
    model = model_of(store)
    out = panel(logged_in_client(dash_app, PLANNER))
    table = dumps(out["planning-channels"])
    shares = model.contribution_shares()
    share_lo, share_hi = model.interval(model.contribution_shares, 0.8)
    marginal = model.marginal_cost()
    assert any(model.identified) and not all(model.identified)  # the demo has both kinds
    for c, channel in enumerate(model.channels):
        (row,) = components(out["planning-channels"], "data-channel", channel)
        text = dumps(row)
        if model.identified[c]:
            share = i18n.t("planning.interval", "en", value=i18n.percent(shares[c], 1, "en"),
                           lo=i18n.percent(share_lo[c], 1, "en"), hi=i18n.percent(share_hi[c], 1, "en"))
            assert dumps(share) in text
            assert dumps(i18n.money(marginal[c], 0, "en"))[:-1] in text
            assert "Identified" in text
        else:
            reason = i18n.t(f"planning.reason.{model.reasons[c]}", "en")
            assert "Not identified" in text and reason in text
            assert i18n.percent(shares[c], 1, "en") not in text  # no confident number for a flagged channel
    assert "Champion media model n° " in out["planning-run-info"]["children"]
    assert f"({len(model.periods)} months): R² {i18n.number(model.stats['r2'], 2, 'en')}" in \
        dumps(out["planning-model-info"])
    assert dumps(i18n.t("planning.model.kind.national", "en")) in dumps(out["planning-model-info"])
    grain = i18n.t("planning.model.fitted_on.month", "en", periods=i18n.number(len(model.periods), language="en"))
    assert dumps(grain) in dumps(out["planning-model-info"])
    assert "planning-channels-table" in table


def test_the_contributions_add_up_to_the_fitted_values(dash_app, store):
    model = model_of(store)
    fitted = model.fitted()
    figure = panel(logged_in_client(dash_app, PLANNER))["planning-contrib"]["figure"]
    assert traces(figure, "baseline")[0]["y"] == pytest.approx(fitted.baseline.tolist())
    bars = {t["meta"]["channel"]: t["y"] for t in traces(figure, "channel")}
    assert list(bars) == model.channels
    for c, channel in enumerate(model.channels):
        assert bars[channel] == pytest.approx(fitted.contributions[:, c].tolist())
    stacked = np.array(traces(figure, "baseline")[0]["y"]) + np.array(list(bars.values())).sum(axis=0)
    assert stacked == pytest.approx(traces(figure, "fitted")[0]["y"])
    assert traces(figure, "actual")[0]["y"] == pytest.approx(model.y.tolist())


def test_the_response_curves_are_the_model_curves_with_their_band(dash_app, store):
    model = model_of(store)
    figure = scope_panel(logged_in_client(dash_app, PLANNER))["planning-curves"]["figure"]
    low, high = model.spend_range()
    for c, channel in enumerate(model.channels):
        curve = next(t for t in traces(figure, "curve") if t["meta"]["channel"] == channel)
        grid = np.array(curve["x"], dtype=float)
        assert curve["y"] == pytest.approx(model.response_curve(channel, grid).tolist())
        band = next(t for t in traces(figure, "band80") if t["meta"]["channel"] == channel)
        expected_lo, expected_hi = model.interval(lambda p, ch=channel, g=grid: model.response_curve(ch, g, p), 0.8)
        assert band["fill"] == "toself" and band["x"] == pytest.approx(grid.tolist() + grid.tolist()[::-1])
        assert band["y"] == pytest.approx(expected_hi.tolist() + expected_lo.tolist()[::-1])  # high, then low back
        point = next(t for t in traces(figure, "current") if t["meta"]["channel"] == channel)
        assert point["x"] == pytest.approx([model.recent_spend()[c]])
        assert grid.max() >= high[c]  # the curve covers the history's spend
    shapes = figure["layout"]["shapes"]
    assert sorted((s["x0"], s["x1"]) for s in shapes) == sorted(zip(low.tolist(), high.tolist(), strict=True))


def test_no_media_run_and_no_model_for_the_scope_are_said(dash_app, demo_sqlite_url, store, monkeypatch):
    out = panel(logged_in_client(dash_app, CORSE_DIRECTOR), "FR-COR")  # Corse has too few leads for a model
    assert "The media model has no model for your scope" in dumps(out["planning-notice"])
    _point(monkeypatch, demo_sqlite_url)  # the session's store has no media run
    out = panel(logged_in_client(dash_app, PLANNER))
    assert "No media model has been trained yet: run `pilotage plan fit`." in dumps(out["planning-notice"])
    assert scope_panel(logged_in_client(dash_app, PLANNER))["planning-grid"]["rowData"] == []


def test_the_page_speaks_french(dash_app, store):
    client = logged_in_client(dash_app, OTHER_PLANNER)
    switch_language(client, "fr")  # the user's setting: put back at the end
    try:
        text = dumps(dash_post(client, multi(cb.PANEL_OUTPUTS), [scope_input(NATIONAL)]).json)
    finally:
        switch_language(client, "en")
    assert "Modèle média champion" in json.loads(text)["response"]["planning-run-info"]["children"]
    model = model_of(store)
    c = model.identified.index(True)
    assert dumps(i18n.money(model.marginal_cost()[c], 0, "fr"))[1:-1] in text  # "356 €" in French


def test_who_trained_the_media_model_and_the_dropdowns_speak_the_users_language(dash_app, store):
    """"trained by" goes through the operator label (a command-line run is "ligne de commande (ops)" in
    French, never the stored ``cli:ops``); the scope, scenario and compare dropdowns have their own texts
    (placeholder, "selected" count, "no options") in the user's language, as every dropdown of the app."""
    engine = get_engine(store)
    with engine.begin() as conn:
        run = conn.execute(select(ForecastRun.id, ForecastRun.run_by).where(ForecastRun.kind == "media",
                                                                            ForecastRun.is_champion.is_(True))).one()
        conn.execute(ForecastRun.__table__.update().where(ForecastRun.id == run.id).values(run_by="cli:ops"))
    client = logged_in_client(dash_app, OTHER_PLANNER)
    try:
        english = panel(client)["planning-run-info"]["children"]
        switch_language(client, "fr")
        try:
            french = panel(client)["planning-run-info"]["children"]
            page = [dash_post(client, ".._pages_content.children..._pages_store.data..", [
                {"id": "_pages_location", "property": "pathname", "value": "/planning"},
                {"id": "_pages_location", "property": "search", "value": ""}]).json["response"],
                scope_panel(client)["planning-writer"]]  # the scenario card comes with the scope
        finally:
            switch_language(client, "en")
    finally:
        with engine.begin() as conn:
            conn.execute(ForecastRun.__table__.update().where(ForecastRun.id == run.id).values(run_by=run.run_by))
    assert english.endswith("by command line (ops).") and french.endswith("par ligne de commande (ops).")
    for component in ("planning-scope", "planning-scenario", "planning-compare"):
        found = components(page, "id", component)
        assert len(found) == 1, component
        labels = found[0].get("labels") or {}
        assert labels.get("selected_count") == i18n.t("dropdown.selected_count", "fr"), component
        assert labels.get("no_options_found") == i18n.t("dropdown.no_options", "fr"), component
    assert components(page, "id", "planning-compare")[0]["placeholder"] == i18n.t("planning.compare.pick", "fr")


# --- the scenario editor ---------------------------------------------------------------------------------------

def test_the_editor_starts_from_the_current_plan(dash_app, store):
    model, plan = current_plan(store)
    out = scope_panel(logged_in_client(dash_app, PLANNER))
    rows = out["planning-grid"]["rowData"]
    assert [r["month"] for r in rows] == [m.isoformat() for m in plan.months]
    for t, row in enumerate(rows):
        assert [row[c] for c in model.channels] == pytest.approx(np.round(plan.spend[t], 2).tolist())
    columns = out["planning-grid"]["columnDefs"]
    assert [c.get("field") for c in columns[1:-1]] == model.channels and all(c["editable"] for c in columns[1:-1])
    assert out["planning-writer"] and "planning-save" in dumps(out["planning-writer"])


def test_the_grid_comes_with_the_prediction_of_its_plan_in_the_same_answer(dash_app, store):
    """No second round trip after the grid is filled: scope_panel's answer holds the prediction that posting
    its rows back (as an edit does) would give."""
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    out = scope_panel(client)
    current = simulate(model, plan.spend, plan.months, controls=plan.controls, seed=0)
    figure = out["planning-prediction"]["figure"]
    assert traces(figure, "scenario")[0]["y"] == pytest.approx(current.leads.tolist())
    assert figure == prediction(client, out["planning-grid"]["rowData"])["planning-prediction"]["figure"]
    assert dumps(i18n.number(current.total_leads, 0, "en")) in dumps(out["planning-summary"])


def test_an_edited_plan_is_predicted_as_the_model_simulates_it(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    rows = scope_panel(client)["planning-grid"]["rowData"]
    c = model.channels.index("paid_search")
    first = plan.months[0].isoformat()
    changed = edited(rows, first, "paid_search", "12 500,5")  # typed the French way
    out = prediction(client, changed)
    spend = plan.spend.copy()
    spend[0, c] = 12500.5
    expected = simulate(model, spend, plan.months, controls=plan.controls, seed=0)
    current = simulate(model, plan.spend, plan.months, controls=plan.controls, seed=0)
    figure = out["planning-prediction"]["figure"]
    assert traces(figure, "scenario")[0]["y"] == pytest.approx(expected.leads.tolist())
    assert traces(figure, "lo80")[0]["y"] == pytest.approx(expected.intervals[0.8][0].tolist())
    assert traces(figure, "hi95")[0]["y"] == pytest.approx(expected.intervals[0.95][1].tolist())
    assert traces(figure, "current")[0]["y"] == pytest.approx(current.leads.tolist())
    goals = media_data.lead_targets(get_engine(store), NATIONAL, plan.months)
    assert traces(figure, "target")[0]["y"] == pytest.approx([goals[m] for m in plan.months if m in goals])
    summary = dumps(out["planning-summary"])
    assert dumps(i18n.number(expected.total_leads, 0, "en")) in summary
    assert dumps(i18n.money(expected.cost_per_lead, 2, "en")) in summary
    assert dumps(i18n.money(expected.total_spend, 0, "en")) in summary
    delta = expected.total_leads - current.total_leads
    assert i18n.number(delta, 0, "en") in summary
    table = dumps(out["planning-prediction-table"])
    lo, hi = expected.total_intervals[0.8]
    assert dumps(i18n.t("planning.range", "en", lo=i18n.number(lo, 0, "en"), hi=i18n.number(hi, 0, "en"))) \
        in table


def test_spend_outside_the_history_is_flagged(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    rows = scope_panel(client)["planning-grid"]["rowData"]
    low, high = model.spend_range()
    c = model.channels.index("paid_search")
    month = plan.months[1].isoformat()
    out = prediction(client, edited(rows, month, "paid_search", float(high[c]) * 2))
    flagged = components(out["planning-out-of-range"], "data-channel")
    expected = [(o["data-month"], o["data-channel"]) for o in flagged]
    assert (month, "paid_search") in expected
    outside = {(m.isoformat(), ch) for t, m in enumerate(plan.months) for i, ch in enumerate(model.channels)
               if not low[i] - 1e-9 <= (high[c] * 2 if (m.isoformat(), ch) == (month, "paid_search")
                                       else plan.spend[t, i]) <= high[i] + 1e-9}
    assert set(expected) == outside
    columns = scope_panel(client)["planning-grid"]["columnDefs"]
    column = next(col for col in columns if col.get("field") == "paid_search")
    assert repr(float(high[c])) in column["cellClassRules"]["planning-oor"]  # the cell is styled on the same range


def test_a_bad_cell_gets_a_message_not_a_trace(dash_app, store):
    client = logged_in_client(dash_app, PLANNER)
    rows = scope_panel(client)["planning-grid"]["rowData"]
    out = prediction(client, edited(rows, rows[0]["month"], "radio", "beaucoup"))
    assert "“beaucoup” in Radio is not an amount in euros." in dumps(out["planning-out-of-range"])
    out = prediction(client, edited(rows, rows[0]["month"], "radio", -5))
    assert "Radio: a spend cannot be negative" in dumps(out["planning-out-of-range"])
    out = prediction(client, rows[:2])  # a forged grid with months missing
    assert "does not match the model" in dumps(out["planning-out-of-range"])


def test_a_director_sees_the_current_plan_whatever_rows_are_posted(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, DIRECTOR)
    out = scope_panel(client)
    assert out["planning-writer"]["children"] == []
    assert not any(c.get("editable") for c in out["planning-grid"]["columnDefs"])
    assert "planning-readonly" in dumps(out["planning-editor-tools"])
    rows = [{**r, "national_tv": 9_999_999} for r in out["planning-grid"]["rowData"]]
    figure = prediction(client, rows)["planning-prediction"]["figure"]
    current = simulate(model, plan.spend, plan.months, controls=plan.controls, seed=0)
    assert traces(figure, "scenario")[0]["y"] == pytest.approx(current.leads.tolist())


# --- saved scenarios ------------------------------------------------------------------------------------------

def _rows(client, scope=NATIONAL):
    return scope_panel(client, scope)["planning-grid"]["rowData"]


def _own(url: str, email: str, name: str) -> dict | None:
    from dashapp.auth.users import get_user_by_email

    owner = get_user_by_email(email).id
    return next((s for s in scenarios(url) if s["owner_id"] == owner and s["name"] == name), None)


def test_save_list_load_compare_and_delete(dash_app, any_store):
    model, plan = current_plan(any_store)
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    month = rows[2]["month"]
    first = edited(rows, month, "paid_search", 15000)
    out = scenario_action(client, "planning-save", name="  Spring   push ", rows=first).json["response"]
    assert out["planning-scenario-feedback"]["color"] == "success"
    assert "Scenario “Spring push” saved." in dumps(out["planning-scenario-feedback"])
    saved = _own(any_store, PLANNER, "Spring push")
    assert saved is not None and saved["scope_code"] == NATIONAL
    stored = cells(any_store, saved["id"])
    assert len(stored) == len(plan.months) * len(model.channels)
    assert stored[(dt.date.fromisoformat(month), "paid_search")] == 15000
    assert out["planning-scenario"]["value"] == saved["id"]
    assert saved["id"] in [o["value"] for o in out["planning-scenario"]["options"]]

    second = edited(rows, month, "paid_search", 20000)
    out = scenario_action(client, "planning-save", name="Spring push", rows=second).json["response"]
    assert out["planning-scenario-feedback"]["color"] == "warning" and "already have" in dumps(out)
    assert cells(any_store, saved["id"])[(dt.date.fromisoformat(month), "paid_search")] == 15000  # unchanged
    out = scenario_action(client, "planning-save", name="Spring push", rows=second, overwrite=True).json["response"]
    assert "replaced" in dumps(out["planning-scenario-feedback"])
    assert cells(any_store, saved["id"])[(dt.date.fromisoformat(month), "paid_search")] == 20000
    assert [s["id"] for s in scenarios(any_store) if s["name"] == "Spring push"] == [saved["id"]]

    loaded = edit_response(dash_app, client, "planning-load", scenario=saved["id"], rows=rows)
    assert "Scenario “Spring push” loaded." in dumps(loaded)
    grid = next(v for k, v in loaded.items() if k == "planning-grid")["rowData"]
    assert [r["paid_search"] for r in grid if r["month"] == month] == [20000]
    assert [r["radio"] for r in grid] == [r["radio"] for r in rows]

    answer = compare(client, ["current", saved["id"]])
    compared = dumps(answer.json["response"]["planning-comparison"]["children"])
    spend = plan.spend.copy()
    spend[2, model.channels.index("paid_search")] = 20000
    expected = simulate(model, spend, plan.months, controls=plan.controls, seed=0)
    assert dumps(i18n.number(expected.total_leads, 0, "en")) in compared
    assert dumps(i18n.money(expected.total_spend, 0, "en")) in compared
    (chart,) = [c["figure"] for c in components(answer.json["response"], "figure")]
    lines = {t["meta"]["scenario"]: t["y"] for t in traces(chart, "scenario")}
    assert lines[str(saved["id"])] == pytest.approx(expected.leads.tolist())
    assert set(lines) == {"current", str(saved["id"])}

    out = scenario_action(client, "planning-delete", scenario=saved["id"],
                          compared=["current", saved["id"]]).json["response"]
    assert "Scenario “Spring push” deleted." in dumps(out) and _own(any_store, PLANNER, "Spring push") is None
    assert out["planning-compare"]["value"] == ["current"] and out["planning-scenario"]["value"] is None
    assert cells(any_store, saved["id"]) == {}
    trail = [json.loads(e["detail"]) for e in audit.recent(50, "scenario") if e["actor"] == PLANNER]
    assert [(e["action"], e["name"], e["id"]) for e in trail[:3]] == [
        ("deleted", "Spring push", saved["id"]), ("replaced", "Spring push", saved["id"]),
        ("saved", "Spring push", saved["id"])]


def test_planned_spend_the_model_cannot_count_is_shown(dash_app, store):
    """A plan row on a channel without history in the model: said on the page, in the user's language."""
    from dashapp.extensions import cache
    from pilotage.store.models import MediaPlan

    _model, plan = current_plan(store)
    row = dict(source_system="test", month=plan.months[0], channel_code="email", region_code="FR", coverage="national",
               planned_spend=4321.0)
    with get_engine(store).begin() as conn:
        conn.execute(insert(MediaPlan).values(**row))
    try:
        with dash_app.server.app_context():
            cache.clear()  # written behind the ETL's back: no new data version to key on
        client = logged_in_client(dash_app, PLANNER)
        notice = dumps(panel(client)["planning-notice"])
        assert "has no history for" in notice and "E-mail: €4,321" in notice
    finally:
        with get_engine(store).begin() as conn:
            conn.execute(delete(MediaPlan).where(MediaPlan.source_system == "test"))
        with dash_app.server.app_context():
            cache.clear()
    after = dumps(panel(logged_in_client(dash_app, PLANNER))["planning-notice"])
    assert "has no history for" not in after and "planning-unmodelled" not in after
    assert '"data-basis": "model"' in after  # no lead forecast in this store: the response model's figures


def test_saved_scenarios_per_user_are_capped(dash_app, store, monkeypatch):
    from dashapp.auth.users import get_user_by_email
    from dashapp.semantic.planning import scenarios as saved

    owner = get_user_by_email(PLANNER).id
    monkeypatch.setattr(saved, "MAX_SCENARIOS", len([s for s in scenarios(store) if s["owner_id"] == owner]) + 1)
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    assert "saved" in dumps(scenario_action(client, "planning-save", name="Cap one", rows=rows).json["response"])
    refused = scenario_action(client, "planning-save", name="Cap two", rows=rows).json["response"]
    assert "delete some before saving a new one" in dumps(refused) and _own(store, PLANNER, "Cap two") is None
    replaced = scenario_action(client, "planning-save", name="Cap one", rows=rows, overwrite=True).json["response"]
    assert "replaced" in dumps(replaced)  # replacing one is still allowed
    scenario_action(client, "planning-delete", scenario=_own(store, PLANNER, "Cap one")["id"])


def test_a_scenario_name_is_required(dash_app, store):
    client = logged_in_client(dash_app, PLANNER)
    before = scenarios(store)
    for name in (None, "   ", "x" * 121, ["a"]):
        out = scenario_action(client, "planning-save", name=name, rows=_rows(client)).json["response"]
        assert out["planning-scenario-feedback"]["color"] == "danger" and "Give the scenario a name" in dumps(out)
    assert scenarios(store) == before


def test_another_user_cannot_load_delete_or_compare_a_scenario(dash_app, any_store):
    owner = logged_in_client(dash_app, PLANNER)
    scenario_action(owner, "planning-save", name="Mine only", rows=_rows(owner))
    mine = _own(any_store, PLANNER, "Mine only")
    thief = logged_in_client(dash_app, OTHER_PLANNER)
    listing = scenario_action(thief, "planning-save", name="Theirs", rows=_rows(thief)).json["response"]
    assert mine["id"] not in [o["value"] for o in listing["planning-scenario"]["options"]]
    assert "Mine only" not in dumps(listing)
    out = edit_response(dash_app, thief, "planning-load", scenario=mine["id"], rows=_rows(thief))
    assert "planning-grid" not in out and "does not exist or is not yours" in dumps(out)
    out = scenario_action(thief, "planning-delete", scenario=mine["id"]).json["response"]
    assert "does not exist or is not yours" in dumps(out)
    assert _own(any_store, PLANNER, "Mine only") is not None
    out = compare(thief, ["current", mine["id"], str(mine["id"])]).json["response"]
    assert "Pick at least two." in dumps(out)
    for forged in ({"id": mine["id"]}, [mine["id"]], True, -1, "1 OR 1=1"):
        out = edit_response(dash_app, thief, "planning-load", scenario=forged, rows=_rows(thief))
        assert "planning-grid" not in out


# --- scope and roles ---------------------------------------------------------------------------------------------

def _model_numbers(url: str, scope: str) -> set[str]:
    """Distinctive figures of a scope's model as the page would print them."""
    model = model_of(url, scope)
    return {dumps(v) for v in model.fitted().baseline.tolist()[:6]}


def test_a_regional_user_gets_the_models_of_their_regions_only(dash_app, store):
    from flask_login import login_user

    from dashapp.auth.users import get_user_by_email
    from dashapp.pages.planning.callbacks import page_layout

    with dash_app.server.test_request_context("/planning"):
        login_user(get_user_by_email(IDF_PLANNER))
        assert [o["value"] for o in page_layout().children[0].children[1].children[1].options] == ["FR-IDF"]
    with dash_app.server.test_request_context("/planning"):
        login_user(get_user_by_email(PLANNER))
        options = [o["value"] for o in page_layout().children[0].children[1].children[1].options]
        assert options[0] == NATIONAL and "FR-IDF" in options and "FR-ARA" in options
    client = logged_in_client(dash_app, IDF_PLANNER)
    own = panel(client, "FR-IDF")
    idf = model_of(store, "FR-IDF")
    assert traces(own["planning-contrib"]["figure"], "baseline")[0]["y"] == pytest.approx(
        idf.fitted().baseline.tolist())
    for forged in (NATIONAL, "FR-ARA", ["FR-IDF", "FR-ARA"], {"scope": "FR-IDF"}, None, "*"):
        answer = dash_post(client, multi(cb.PANEL_OUTPUTS), [scope_input(forged)])
        text = body_of(answer)
        assert "planning-channels-table" not in text
        assert not any(n in text for n in _model_numbers(store, NATIONAL) | _model_numbers(store, "FR-ARA"))
        assert "This model is not in your scope." in text
        assert scope_panel(client, forged)["planning-grid"]["rowData"] == []
    director = logged_in_client(dash_app, IDF_DIRECTOR)
    assert "This model is not in your scope." in dumps(panel(director, NATIONAL)["planning-notice"])


def test_a_regional_planner_cannot_write_or_read_outside_their_scope(dash_app, store):
    client = logged_in_client(dash_app, IDF_PLANNER)
    idf_rows = _rows(client, "FR-IDF")
    out = scenario_action(client, "planning-save", scope="FR-IDF", name="IDF plan", rows=idf_rows).json["response"]
    assert out["planning-scenario-feedback"]["color"] == "success"
    own = _own(store, IDF_PLANNER, "IDF plan")
    before = scenarios(store)
    for scope in ("FR-ARA", NATIONAL):
        out = scenario_action(client, "planning-save", scope=scope, name="Sneaky", rows=idf_rows).json["response"]
        assert "This model is not in your scope." in dumps(out)
        out = edit_response(dash_app, client, "planning-load", scope=scope, scenario=own["id"], rows=idf_rows)
        assert "planning-grid" not in out
        out = optimise(client, scope=scope, amount=100000).json["response"]
        assert "This model is not in your scope." in dumps(out)
    assert scenarios(store) == before
    # a national planner's scenario of FR-IDF is theirs, not the IDF planner's
    national = logged_in_client(dash_app, PLANNER)
    scenario_action(national, "planning-save", scope="FR-IDF", name="HQ view of IDF", rows=idf_rows)
    hq = _own(store, PLANNER, "HQ view of IDF")
    out = edit_response(dash_app, client, "planning-load", scope="FR-IDF", scenario=hq["id"], rows=idf_rows)
    assert "does not exist or is not yours" in dumps(out)


@pytest.mark.parametrize("email", [DIRECTOR, IDF_DIRECTOR])
def test_a_director_cannot_write_or_optimise_even_by_a_forged_request(dash_app, store, email):
    owner = logged_in_client(dash_app, PLANNER)
    scenario_action(owner, "planning-save", name="Planner's", rows=_rows(owner))
    theirs = _own(store, PLANNER, "Planner's")
    before = scenarios(store)
    client = logged_in_client(dash_app, email)
    scope = NATIONAL if email == DIRECTOR else "FR-IDF"
    rows = _rows(owner, scope)
    assert refused(scenario_action(client, "planning-save", scope=scope, name="Director's", rows=rows))
    assert refused(scenario_action(client, "planning-delete", scope=scope, scenario=theirs["id"]))
    assert refused(optimise(client, scope=scope, amount=100000))
    assert refused(compare(client, ["current", theirs["id"]], scope))
    for trigger in ("planning-load", "planning-reset", "planning-opt-use"):
        assert refused(edit(dash_app, client, trigger, scope=scope, scenario=theirs["id"], rows=rows))
    assert refused(edit(dash_app, client, "planning-upload", scope=scope, contents=_csv("month,channel,spend\n"),
                        filename="plan.csv"))
    assert scenarios(store) == before


def test_sales_may_not_open_the_page_nor_run_its_callbacks(dash_app, store):
    client = logged_in_client(dash_app, SALES)
    assert client.get("/planning").status_code == 403
    assert refused(dash_post(client, multi(cb.PANEL_OUTPUTS), [scope_input(NATIONAL)]))
    assert "planning-channels-table" not in body_of(dash_post(client, multi(cb.PANEL_OUTPUTS),
                                                              [scope_input("FR-ARA")]))
    assert logged_in_client(dash_app, PLANNER).get("/planning").status_code == 200


# --- the optimiser ---------------------------------------------------------------------------------------------------

def _bounds(model, **given) -> list[dict]:
    return [{"channel": c, "label": c, "history": "", "widen": given.get(c, {}).get("widen"),
             "widen_min": given.get(c, {}).get("widen_min"), "locked": given.get(c, {}).get("locked", False)}
            for c in model.channels]


def _allocation(out, model) -> np.ndarray:
    rows = out["planning-opt-grid"]["rowData"]
    return np.array([[r[c] for c in model.channels] for r in rows])


def test_the_optimiser_allocation_stays_within_the_history_by_default(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    low, high = model.spend_range()
    months = [m.isoformat() for m in plan.months]
    c = {ch: i for i, ch in enumerate(model.channels)}
    held = [ch for ch, ok in zip(model.channels, model.identified, strict=True) if not ok and ch != "radio"]
    reference = np.clip(plan.spend, low, high)  # a held channel keeps the current plan, within its history
    cap_month = 1
    cap = float(reference[cap_month].sum()) + 0.1 * float((high - reference[cap_month]).sum())
    budget = float(reference.sum()) + 0.5 * float((high - reference).sum())
    bounds = _bounds(model, radio={"locked": True})
    budgets = [{"month": m, "label": m, "budget": cap if i == cap_month else None} for i, m in enumerate(months)]
    out = optimise(client, amount=budget, bounds=bounds, budgets=budgets).json["response"]
    spend = _allocation(out, model)
    assert spend.sum() == pytest.approx(budget, abs=0.01 * spend.size)  # all of the budget, no more
    free = [i for i, ch in enumerate(model.channels) if ch not in held and ch != "radio"]
    assert (spend[:, free] >= low[free] - 0.01).all() and (spend[:, free] <= high[free] + 0.01).all()
    for ch in held:
        assert spend[:, c[ch]] == pytest.approx(reference[:, c[ch]], abs=0.01)
    assert spend[:, c["radio"]] == pytest.approx(np.round(plan.spend[:, c["radio"]], 2))
    assert spend[cap_month].sum() <= cap + 1
    expected = simulate(model, spend, plan.months, controls=plan.controls, seed=0)
    result = out["planning-opt-result"]
    assert i18n.number(expected.total_leads, 0, "en") in dumps(result)
    notice = components(result, "id", "planning-opt-extrapolation")
    assert notice and notice[0]["data-extrapolated"] == "false"
    # the binding constraints, one line per channel and kind (not one per cell)
    lines = [(li["data-kind"], li["data-channel"]) for li in components(result, "data-kind")]
    assert len(lines) == len(set(lines))
    assert {("budget", ""), ("period_budget", ""), ("locked", "radio")} <= set(lines)
    assert {("held", ch) for ch in held} <= set(lines)
    assert out["planning-opt-use"]["disabled"] is False
    used = edit_response(dash_app, client, "planning-opt-use", allocation=out["planning-allocation"]["data"],
                         rows=_rows(client))
    grid = used["planning-grid"]["rowData"]
    assert np.array([[r[ch] for ch in model.channels] for r in grid]) == pytest.approx(spend)


def test_a_budget_beyond_the_history_needs_an_explicit_widening_which_the_page_flags(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    low, high = model.spend_range()
    reference = np.clip(plan.spend, low, high)
    identified = [ch for ch, ok in zip(model.channels, model.identified, strict=True) if ok]
    index = [model.channels.index(ch) for ch in identified]
    ceiling = float(reference.sum() + (high[index] - reference[:, index]).sum())
    budget = ceiling + 0.5 * len(plan.months) * float(high[index].sum())
    out = optimise(client, amount=budget).json["response"]
    assert "more than the history supports" in dumps(out["planning-opt-result"])
    assert out["planning-allocation"]["data"] is None
    bounds = _bounds(model, **{ch: {"widen": 2} for ch in identified})
    out = optimise(client, amount=budget, bounds=bounds).json["response"]
    spend = _allocation(out, model)
    assert spend.sum() == pytest.approx(budget, abs=0.01 * spend.size)
    assert (spend[:, index] <= 2 * high[index] + 0.01).all()
    assert (spend[:, index] > high[index] + 1).any()  # the widening is used: the allocation leaves the history
    notice = components(out["planning-opt-result"], "id", "planning-opt-extrapolation")
    assert notice and notice[0]["data-extrapolated"] == "true"
    assert "Extrapolation" in dumps(notice)
    switch_language(client, "fr")
    try:
        out = optimise(client, amount=budget, bounds=bounds).json["response"]
        assert "Extrapolation : vous avez élargi une plage" in dumps(out["planning-opt-result"])
    finally:
        switch_language(client, "en")


def test_the_optimiser_says_when_constraints_cannot_be_met(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    out = optimise(client, amount=1000).json["response"]
    assert "is less than the history's minimums" in dumps(out["planning-opt-result"])
    assert out["planning-allocation"]["data"] is None and out["planning-opt-use"]["disabled"] is True
    out = optimise(client, mode="target", amount=10_000_000).json["response"]
    assert "The target is out of reach within the historical ranges" in dumps(out["planning-opt-result"])
    out = optimise(client, amount=None).json["response"]
    assert "Enter a positive budget" in dumps(out["planning-opt-result"])
    for forged in ({"widen": 9}, {"widen": 0.5}, {"widen_min": 2}, {"widen": "lots"}, {"widen": True}):
        out = optimise(client, amount=1000, bounds=_bounds(model, radio=forged)).json["response"]
        assert "Radio: a maximum factor is between 1 and 5" in dumps(out["planning-opt-result"])
    out = optimise(client, mode="stingy", amount=1000).json["response"]
    assert "Choose a budget or a lead target." in dumps(out["planning-opt-result"])
    forged = edit_response(dash_app, client, "planning-opt-use", allocation={"scope": "FR-ARA", "rows": []},
                           rows=_rows(client))
    assert "planning-grid" not in forged and "Run the optimiser first." in dumps(forged)


def test_the_optimiser_target_mode_reaches_the_target_within_the_history(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    low, high = model.spend_range()
    current = simulate(model, plan.spend, plan.months, controls=plan.controls, seed=0)
    target = round(current.total_leads)
    out = optimise(client, mode="target", amount=target).json["response"]
    spend = _allocation(out, model)
    reached = simulate(model, spend, plan.months, controls=plan.controls, seed=0)
    assert reached.total_leads >= target - 0.5  # rounding of the cells to the cent
    assert (spend >= np.minimum(low, np.clip(plan.spend, low, high)) - 0.01).all()
    assert (spend <= high + 0.01).all()


def test_the_optimiser_job_runs_as_its_requester_and_its_cancel_button_has_the_same_roles(dash_app, store):
    from dashapp.auth.callbacks import allowed_roles

    client = logged_in_client(dash_app, IDF_PLANNER)
    _model, plan = current_plan(store, "FR-IDF")
    started = start_optimiser(client, scope="FR-IDF", amount=round(float(plan.spend.sum())))
    handle = started.get_json()
    assert started.status_code == 200 and {"cacheKey", "job"} <= set(handle)  # the request returns at once
    answer = poll(client, started, handle).json["response"]
    assert "planning-opt-headline" in dumps(answer) or "planning-opt-error" in dumps(answer)
    assert "not in your scope" not in dumps(answer)  # the job knew who asked: its scope holds FR-IDF
    # Dash's own cancel callback (registered on the first request) runs for the optimiser's roles only
    assert allowed_roles(dash_app, "planning-opt-cancel.id") == frozenset(cb.data.OPTIMISE_ROLES)
    cancel = {"id": "planning-opt-cancel", "property": "n_clicks", "value": 1}
    assert dash_post(client, "planning-opt-cancel.id", [cancel]).status_code == 200
    for email in (SALES, DIRECTOR):
        assert dash_post(logged_in_client(dash_app, email), "planning-opt-cancel.id", [cancel]).status_code == 403
    # no job starts for a role that may not optimise, whatever scope it forges (refused before the job)
    for email, scopes in ((SALES, (NATIONAL, "FR-IDF")), (IDF_DIRECTOR, ("FR-ARA", NATIONAL, "FR-IDF")),
                          (CORSE_DIRECTOR, ("FR-IDF",))):
        for scope in scopes:
            refusal = start_optimiser(logged_in_client(dash_app, email), scope=scope, amount=100000)
            assert refusal.status_code == 403 and "cacheKey" not in body_of(refusal)


def test_a_job_without_a_logged_in_requester_is_refused():
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from dashapp.auth.permissions import Forbidden
    from dashapp.jobs import as_requester

    ran = []
    job = as_requester(lambda: ran.append(1), server=None)
    token = context_value.set(AttributeDict(custom_data={}))
    try:
        with pytest.raises(Forbidden):
            job()
    finally:
        context_value.reset(token)
    assert not ran


# --- uploads -------------------------------------------------------------------------------------------------------

def _csv(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()


def _xlsx(frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return f"data:{kind};base64," + base64.b64encode(buffer.getvalue()).decode()


def upload(dash_app, client, contents, filename, rows) -> dict:
    return edit_response(dash_app, client, "planning-upload", contents=contents, filename=filename, rows=rows)


def test_a_long_csv_replaces_the_cells_it_holds(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    first, second = plan.months[0], plan.months[1]
    text = (f"mois;canal;dépense\n{first:%Y-%m};Paid search;12 345,50\n{second:%m/%Y};radio;7000\n")
    out = upload(dash_app, client, _csv(text), "plan.csv", rows)
    assert "2 cells read from plan.csv." in dumps(out)
    grid = {r["month"]: r for r in out["planning-grid"]["rowData"]}
    assert grid[first.isoformat()]["paid_search"] == 12345.5 and grid[second.isoformat()]["radio"] == 7000
    untouched = [(r["month"], c) for r in rows for c in model.channels
                 if (r["month"], c) not in ((first.isoformat(), "paid_search"), (second.isoformat(), "radio"))]
    assert all(grid[m][c] == next(r for r in rows if r["month"] == m)[c] for m, c in untouched)


def test_an_upload_reads_numbers_column_by_column_like_the_etl(dash_app, store):
    # 1,234 means 1.234 (1.23 EUR in the grid) when another cell of its column (2,5) proves the comma
    # decimal, as in the ETL
    _model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    first, second = plan.months[0], plan.months[1]
    text = f"month;channel;spend\n{first:%Y-%m};radio;1,234\n{second:%Y-%m};radio;2,5\n"
    out = upload(dash_app, client, _csv(text), "plan.csv", rows)
    grid = {r["month"]: r for r in out["planning-grid"]["rowData"]}
    assert (grid[first.isoformat()]["radio"], grid[second.isoformat()]["radio"]) == (1.23, 2.5)
    ambiguous = f"month;channel;spend\n{first:%Y-%m};radio;1,234\n{second:%Y-%m};radio;2,500\n"
    out = upload(dash_app, client, _csv(ambiguous), "plan.csv", rows)
    assert "planning-grid" not in out
    assert "Line 1, column “spend”: 1,234 / 2,500: thousands or decimals?" in dumps(out)


def test_a_wide_xlsx_is_read(dash_app, store):
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    frame = pd.DataFrame({"Month": [pd.Timestamp(m) for m in plan.months],
                          **{c: [1000.0 * (i + 1)] * len(plan.months) for i, c in enumerate(model.channels)}})
    out = upload(dash_app, client, _xlsx(frame), "plan.xlsx", _rows(client))
    grid = out["planning-grid"]["rowData"]
    assert [[r[c] for c in model.channels] for r in grid] == [[1000.0 * (i + 1) for i in range(len(model.channels))]
                                                              ] * len(plan.months)


def test_upload_errors_name_the_line_and_column(dash_app, store):
    _model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    first = f"{plan.months[0]:%Y-%m}"
    text = ("month,channel,spend\n"
            f"{first},paid_search,1000\n"
            "someday,paid_search,1000\n"
            f"{first},telepathy,1000\n"
            f"{plan.months[1]:%Y-%m},radio,lots\n"
            f"{plan.months[2]:%Y-%m},radio,-20\n"
            f"{first},Paid search,2000\n"
            "2031-01,radio,10\n")
    out = upload(dash_app, client, _csv(text), "bad.csv", rows)
    assert "planning-grid" not in out  # nothing applied
    messages = [li["children"] for li in components(out["planning-editor-feedback"], "data-code")]
    assert messages == [
        "Line 3, column “month”: “someday” is not a month (2026-11 or 11/2026).",
        "Line 4, column “channel”: “telepathy” is not a channel of this model.",
        "Line 5, column “spend”: “lots” is not an amount in euros.",
        "Line 6, column “spend”: a spend cannot be negative (-20).",
        f"Line 7, column “spend”: {first} · paid_search is given twice.",
        "Line 8, column “month”: 2031-01 is not one of the plan's months.",
    ]
    assert out["planning-editor-feedback"]["color"] == "danger"
    wide = upload(dash_app, client, _csv(f"month,Paid search,Billboards\n{first},10,20\n"), "wide.csv", rows)
    assert "Line 1, column “Billboards”: “Billboards” is not a channel of this model." in dumps(wide)
    for contents, name, expected in ((_csv("a,b\n1,2\n"), "x.csv", "Line 1: no month column"),
                                     (_csv("x"), "plan.pdf", "only CSV and XLSX files can be read."),
                                     ("data:text/csv;base64,////", "plan.xlsx", "cannot be read as a table"),
                                     (_csv(""), "empty.csv", "cannot be read as a table")):
        assert expected in dumps(upload(dash_app, client, contents, name, rows)), name


def test_files_that_would_hold_a_worker_are_refused_before_they_are_read(dash_app, store):
    """A header of thousands of empty columns, a zip that unpacks to 50 MB, a body over the request cap."""
    client = logged_in_client(dash_app, PLANNER)
    rows = _rows(client)
    wide = "month" + "," * 5000 + "\n" + ("2026-11" + "," * 5000 + "\n") * 20
    assert "the file has more than 200 columns." in dumps(upload(dash_app, client, _csv(wide), "wide.csv", rows))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    assert len(bomb.getvalue()) < 200_000
    contents = "data:application/zip;base64," + base64.b64encode(bomb.getvalue()).decode()
    assert "the file is larger than 2 MB." in dumps(upload(dash_app, client, contents, "bomb.xlsx", rows))
    huge = client.post("/_dash-update-component", data=b"{" + b" " * 5_000_000 + b"}",
                       headers={"Content-Type": "application/json", "X-CSRFToken": "x"})
    assert huge.status_code == 413


def test_one_optimisation_at_a_time_per_user(dash_app, store):
    from dashapp.extensions import cache

    model, plan = current_plan(store)
    client = logged_in_client(dash_app, PLANNER)
    with dash_app.server.app_context():
        from dashapp.auth import users

        key = f"pilotage:optimising:{users.get_user_by_email(PLANNER).id}"
        cache.set(key, 1, timeout=60)
    try:
        busy = optimise(client, amount=round(float(plan.spend.sum()))).json["response"]
        assert "An optimisation of yours is already running" in dumps(busy["planning-opt-result"])
    finally:
        with dash_app.server.app_context():
            cache.delete(key)
    done = optimise(client, amount=round(float(plan.spend.sum()))).json["response"]
    assert "planning-opt-grid" in done
    with dash_app.server.app_context():
        assert cache.get(key) is None  # released when done


def test_every_reason_and_constraint_code_has_its_text():
    from forecasting.planning.model import UNIDENTIFIED_REASONS
    from forecasting.planning.optimise import BINDING_KINDS

    assert all(f"planning.reason.{r}" in i18n.MESSAGES for r in UNIDENTIFIED_REASONS)
    assert all(f"planning.bind.{k}" in i18n.MESSAGES for k in BINDING_KINDS)
    assert all(f"planning.bind.{k}_widened" in i18n.MESSAGES for k in ("max", "min"))
    codes = ("above_history", "below_history", "period_floor", "target_out_of_reach")
    assert all(f"planning.error.infeasible_{c}" in i18n.MESSAGES for c in codes)


def test_saved_scenarios_survive_as_the_store_says(dash_app, store):
    """A scenario's cells are exactly the editor's, one per month and channel."""
    model, plan = current_plan(store)
    client = logged_in_client(dash_app, ADMIN)
    rows = edited(_rows(client), plan.months[-1].isoformat(), "display", 1234.56)
    scenario_action(client, "planning-save", name="Admin check", rows=rows)
    saved = _own(store, ADMIN, "Admin check")
    stored = cells(store, saved["id"])
    assert stored == {(dt.date.fromisoformat(r["month"]), c): pytest.approx(float(r[c]))
                      for r in rows for c in model.channels}
    with get_engine(store).connect() as conn:
        run = conn.execute(select(PlanScenario.run_id).where(PlanScenario.id == saved["id"])).scalar()
        champion = conn.execute(select(func.max(ForecastRun.id)).where(ForecastRun.kind == "media",
                                                                        ForecastRun.is_champion.is_(True))).scalar()
    assert run == champion

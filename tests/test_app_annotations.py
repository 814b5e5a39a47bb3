"""Annotations over HTTP as the drill-down posts them: an event is marked inside the author's scope only, each
user sees the events whose regions meet theirs (a national event everyone, Provence's not a director of
Île-de-France) on the drill-down series and the home sparklines, a channel filter keeps the events of that
channel or of none, only the author (or an admin) changes or deletes one, and a forged id is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from dashapp.layout import filters as bar
from dashapp.pages.explore import callbacks as cb
from pilotage.store.engine import get_engine
from pilotage.store.models import Annotation

from .app_helpers import csrf_header, dash_post, logged_in_client
from .test_app_scope import post_view

PLANNER, DIRECTOR, IDF_DIRECTOR, SALES, ADMIN = ("planner@pilotage.demo", "director@pilotage.demo",
                                                 "director.idf@pilotage.demo", "sales@pilotage.demo",
                                                 "admin@pilotage.demo")
HOME_OUTPUT = "..home-cards.children...home-funnel.children...home-period-info.children.."
WINDOW = {"period": "custom", "start": "2026-04-01", "end": "2026-10-31", "grain": "month"}


@pytest.fixture
def events_store(app_store):
    yield app_store
    with get_engine(app_store).begin() as conn:
        conn.execute(delete(Annotation))


def annotate(client, button, *, label=None, start=None, end=None, regions=None, channel=None, editing=None,
             pick=None) -> dict:
    outputs = [{"id": i, "property": p} for i, p in cb.EVENT_OUTPUTS]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in cb.EVENT_OUTPUTS) + "..", "outputs": outputs,
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("explore-event-save", "explore-event-edit", "explore-event-delete")],
            "state": [{"id": "explore-event-label", "property": "value", "value": label},
                      {"id": "explore-event-dates", "property": "start_date", "value": start},
                      {"id": "explore-event-dates", "property": "end_date", "value": end},
                      {"id": "explore-event-regions", "property": "value", "value": regions},
                      {"id": "explore-event-channel", "property": "value", "value": channel},
                      {"id": "explore-event-editing", "property": "data", "value": editing},
                      {"id": "explore-event-pick", "property": "value", "value": pick},
                      *view_state()],
            "changedPropIds": [f"{button}.n_clicks"]}
    response = client.post("/_dash-update-component", data=json.dumps(body),
                           headers={"Content-Type": "application/json", **csrf_header(client)})
    if response.status_code != 200:
        return {"status": response.status_code}
    return {**response.get_json()["response"], "sideUpdate": response.get_json().get("sideUpdate", {})}


def view_state(region=None, channel=None) -> list[dict]:
    """The filter bar and KPI as the page holds them (what the annotate callback redraws the series with)."""
    values = [WINDOW["period"], WINDOW["start"], WINDOW["end"], WINDOW["grain"], region or [], channel or [], [], []]
    return [*({"id": c, "property": p, "value": v} for (c, p), v in zip(bar.FILTER_CONTROLS, values, strict=True)),
            {"id": bar.KPI, "property": "value", "value": "leads"}]


def ok(answer) -> bool:
    return answer.get("explore-event-feedback", {}).get("color") == "success"


def event_id(url, label) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(select(Annotation.id).where(Annotation.label == label)).scalar_one()


def series_events(client, channel=None, region=None) -> dict[str, str]:
    """The events drawn on the drill-down series: shape name -> its label."""
    inputs = view_state(region, channel)
    response = post_view(client, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    layout = response.get_json()["response"]["explore-series"]["figure"]["layout"]
    names = [s["name"] for s in layout.get("shapes", []) if s.get("name", "").startswith("event-")]
    labels = [a["text"] for a in layout.get("annotations", [])]
    return dict(zip(names, labels, strict=True))


def home_events(client) -> set[str]:
    response = dash_post(client, HOME_OUTPUT, [{"id": "home-period", "property": "value", "value": "last_month"}])
    text = response.get_data(as_text=True)  # each sparkline lists the events it shades in data-events
    return {name for part in text.split('"data-events":"')[1:] for name in part.split('"')[0].split(",") if name}


@pytest.fixture
def events(dash_app, events_store) -> dict[str, int]:
    planner = logged_in_client(dash_app, PLANNER)
    assert ok(annotate(planner, "explore-event-save", label="TV flight", start="2026-06-01", end="2026-06-21",
                       regions=["*"]))
    assert ok(annotate(planner, "explore-event-save", label="Promo Provence", start="2026-08-01", end="2026-08-15",
                       regions=["FR-PACA"], channel="radio"))
    idf = logged_in_client(dash_app, IDF_DIRECTOR)
    assert ok(annotate(idf, "explore-event-save", label="Launch Paris", start="2026-09-10", end="2026-09-30",
                       regions=["FR-IDF"]))
    return {label: event_id(events_store, label) for label in ("TV flight", "Promo Provence", "Launch Paris")}


def test_each_user_sees_the_events_of_their_scope(dash_app, events):
    tv, provence, paris = (f"event-{events[k]}" for k in ("TV flight", "Promo Provence", "Launch Paris"))
    seen = {email: series_events(logged_in_client(dash_app, email)) for email in (DIRECTOR, IDF_DIRECTOR, SALES)}
    assert set(seen[DIRECTOR]) == {tv, provence, paris}
    assert set(seen[IDF_DIRECTOR]) == {tv, paris}  # never Provence's
    assert set(seen[SALES]) == {tv, provence}  # sales (Auvergne-Rhône-Alpes, Provence) never Paris's
    assert seen[DIRECTOR][tv] == "TV flight"
    director = logged_in_client(dash_app, DIRECTOR)
    # A region filter keeps the events of that region (and the national ones); a channel filter those of that
    # channel or of none.
    assert set(series_events(director, region=["FR-IDF"])) == {tv, paris}
    assert set(series_events(director, channel=["paid_search"])) == {tv, paris}
    assert set(series_events(director, channel=["radio"])) == {tv, provence, paris}
    # The home sparklines shade the same events.
    assert home_events(logged_in_client(dash_app, IDF_DIRECTOR)) == {tv, paris}


def test_events_are_marked_inside_the_authors_scope_only(dash_app, events, events_store):
    idf = logged_in_client(dash_app, IDF_DIRECTOR)
    for regions in (["FR-PACA"], ["*"], ["FR-IDF", "FR-PACA"], "FR-IDF"):
        answer = annotate(idf, "explore-event-save", label="Outside", start="2026-07-01", end="2026-07-02",
                          regions=regions)
        assert answer["explore-event-feedback"]["color"] == "danger", regions
    for start, end in (("2026-07-02", "2026-07-01"), ("soon", "2026-07-01"), (None, None)):
        assert not ok(annotate(idf, "explore-event-save", label="Dates", start=start, end=end))
    assert not ok(annotate(idf, "explore-event-save", label="", start="2026-07-01", end="2026-07-02"))
    assert not ok(annotate(idf, "explore-event-save", label="Chan", start="2026-07-01", end="2026-07-02",
                           channel="carrier_pigeon"))
    # No region given: the author's own scope.
    assert ok(annotate(idf, "explore-event-save", label="Mine", start="2026-07-01", end="2026-07-02"))
    with get_engine(events_store).connect() as conn:
        assert conn.execute(select(Annotation.regions).where(Annotation.label == "Mine")).scalar_one() == "FR-IDF"
    # Sales do not mark events: the callback is refused before it runs.
    assert annotate(logged_in_client(dash_app, SALES), "explore-event-save", label="x", start="2026-07-01",
                    end="2026-07-01") == {"status": 403}


def test_only_the_author_or_an_admin_changes_an_event(dash_app, events):
    paris, provence = events["Launch Paris"], events["Promo Provence"]
    planner = logged_in_client(dash_app, PLANNER)
    answer = annotate(planner, "explore-event-save", label="Hijacked", start="2026-09-10", end="2026-09-30",
                      regions=["FR-IDF"], editing=paris)
    assert answer["explore-event-feedback"]["color"] == "danger"
    assert not ok(annotate(planner, "explore-event-delete", pick=paris))
    # A director of Île-de-France cannot even see Provence's event: a forged id is "not found".
    idf = logged_in_client(dash_app, IDF_DIRECTOR)
    for forged in (provence, 10**9, "1; drop table annotation", True):
        assert not ok(annotate(idf, "explore-event-delete", pick=forged))
    # The author edits theirs, and the series shows the new label at once (the rendered cache is keyed by it).
    assert series_events(idf)[f"event-{paris}"] == "Launch Paris"
    edit = annotate(idf, "explore-event-edit", pick=paris)
    assert edit["explore-event-label"]["value"] == "Launch Paris" and edit["explore-event-editing"]["data"] == paris
    saved = annotate(idf, "explore-event-save", label="Launch Paris (extended)", start="2026-09-10",
                     end="2026-10-15", regions=["FR-IDF"], editing=paris)
    assert ok(saved)
    redrawn = saved["sideUpdate"]["explore-series"]["figure"]["layout"]  # the page's series, drawn again
    assert "Launch Paris (extended)" in [a["text"] for a in redrawn["annotations"]]
    assert series_events(idf)[f"event-{paris}"] == "Launch Paris (extended)"
    # An admin may delete anyone's.
    assert ok(annotate(logged_in_client(dash_app, ADMIN), "explore-event-delete", pick=paris))
    assert f"event-{paris}" not in series_events(idf)


def test_the_forecast_chart_shades_the_events_of_the_users_scope(dash_app, events):
    """The forecast figure, built for each user in their session, shades what the drill-down does."""
    import datetime as dt

    import pandas as pd
    from flask_login import login_user

    from dashapp.auth import users
    from dashapp.pages.forecast.figures import forecast_figure
    from dashapp.semantic import annotations, forecast_panel

    months = [dt.date(2026, m, 1) for m in range(11, 13)]
    frame = pd.DataFrame({"group": "total", "month": months, "yhat": [10.0, 11.0], **{
        k: [None, None] for k in ("lo80", "hi80", "lo95", "hi95")}})
    actual = pd.DataFrame({"group": "total", "month": [dt.date(2026, m, 1) for m in range(1, 11)],
                           "value": [float(m) for m in range(1, 11)]})
    drawn = {}
    for email in (DIRECTOR, IDF_DIRECTOR):
        with dash_app.server.test_request_context():
            login_user(users.get_user_by_email(email))
            marks = annotations.visible(**forecast_panel.chart_span(actual, frame))
            fig = forecast_figure("total", frame, actual, {"total": "Total"}, None, None, "en", marks=marks)
            drawn[email] = {s.name for s in fig.layout.shapes}
    ids = {k: f"event-{v}" for k, v in events.items()}
    assert drawn[DIRECTOR] == set(ids.values())
    assert drawn[IDF_DIRECTOR] == {ids["TV flight"], ids["Launch Paris"]}

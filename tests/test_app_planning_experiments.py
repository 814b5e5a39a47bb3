"""The planning page's experiments card: each lift test beside the champion model's lift for the same channel,
regions and days, "agrees" when the 80 % intervals overlap, in English and French, and only the tests inside
the reader's regions (a regional director never sees a whole-country test or another region's)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert

from forecasting.planning.calibration import Experiment
from pilotage.store.engine import get_engine
from pilotage.store.models import MediaExperiment

from .app_helpers import switch_language
from .test_app_planning import (  # noqa: F401 (fixtures)
    IDF_DIRECTOR,
    NATIONAL,
    PLANNER,
    dumps,
    logged_in_client,
    model_of,
    scope_panel,
    store,
    trained_url,
)


def _card(client, scope=NATIONAL):
    return scope_panel(client, scope)["planning-experiments-table"]["children"]


def _rows(card) -> dict[str, str]:
    """data-channel -> data-agrees of the card's rows."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if "data-channel" in props:
                found[props["data-channel"]] = props["data-agrees"]
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(card)
    return found


@pytest.fixture
def tests_stored(dash_app, store):  # noqa: F811 (the fixture imported above)
    """Three tests: national_tv everywhere at the model's own lift (agrees), paid_search in FR-IDF at ten
    times the model's lift with a tight interval (disagrees), display in FR-ARA. Written behind the ETL's back
    (no new data version to key on): the app's cache is cleared before and after."""
    from dashapp.extensions import cache

    model = model_of(store)
    start, end = model.periods[-6], model.periods[-4] - dt.timedelta(days=1)
    own = model.experiment_lift(Experiment("national_tv", None, start, end, 1, 0, 2))
    search = 10 * model.experiment_lift(Experiment("paid_search", None, start, end, 1, 0, 2))
    rows = [("national_tv", "*", own, 0.7 * own, 1.3 * own), ("paid_search", "FR-IDF", search, 0.95 * search,
                                                              1.05 * search),
            ("display", "FR-ARA", 50.0, 10.0, 90.0)]
    engine = get_engine(store)
    with engine.begin() as conn:
        conn.execute(insert(MediaExperiment), [
            {"source_system": "test", "channel_code": c, "regions": r, "start_date": start, "end_date": end,
             "incremental_leads": lift, "lo": lo, "hi": hi, "spend": None, "notes": ""} for c, r, lift, lo, hi in rows])
    with dash_app.server.app_context():
        cache.clear()
    yield rows
    with engine.begin() as conn:
        conn.execute(delete(MediaExperiment).where(MediaExperiment.source_system == "test"))
    with dash_app.server.app_context():
        cache.clear()


def test_the_card_sets_each_test_beside_the_models_lift(dash_app, tests_stored):
    card = _card(logged_in_client(dash_app, PLANNER))
    rows = _rows(card)
    assert set(rows) == {"national_tv", "paid_search", "display"}
    assert (rows["national_tv"], rows["paid_search"]) == ("true", "false")
    text = dumps(card)
    assert "Measured lift (leads)" in text and "Whole country" in text and "disagrees" in text


def test_the_card_speaks_french(dash_app, tests_stored):
    client = logged_in_client(dash_app, PLANNER)
    switch_language(client, "fr")
    try:
        text = dumps(_card(client))
    finally:
        switch_language(client, "en")
    assert "Effet mesuré (leads)" in text and "Tout le pays" in text and "diverge" in text


def test_a_regional_director_sees_only_the_tests_of_their_regions(dash_app, tests_stored):
    director = logged_in_client(dash_app, IDF_DIRECTOR)
    assert "This model is not in your scope." in dumps(_card(director, NATIONAL))
    own = _card(director, "FR-IDF")
    assert list(_rows(own)) == ["paid_search"]
    for forged in ("FR-ARA", ["FR-IDF", "FR-ARA"], "*"):
        assert _rows(_card(director, forged)) == {}

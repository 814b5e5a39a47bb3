"""Drive the app as a browser would, or as an attacker would: log in through the form,
then post to ``/_dash-update-component`` with any inputs."""

from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import insert

from pilotage.store.engine import get_engine
from pilotage.store.migrate import upgrade
from pilotage.store.models import Region

REGIONS = (("FR-IDF", "Île-de-France"), ("FR-ARA", "Auvergne-Rhône-Alpes"), ("FR-PACA", "Provence-Alpes-Côte d'Azur"))
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    return CSRF_FIELD.search(html).group(1)


def logged_in_client(dash_app, email: str, password: str = "pilotage-demo"):
    client = dash_app.server.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
    return client


def csrf_header(client) -> dict[str, str]:
    """The header Dash's renderer sends, read from the cookie the server set."""
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value} if cookie else {}


def switch_language(client, code: str, next_url: str | None = None):
    """Press the language button (a POST with the CSRF token, as the page's form sends it)."""
    if client.get_cookie("_csrf_token") is None:
        client.get("/login")
    data = {"csrf_token": client.get_cookie("_csrf_token").value} | ({"next": next_url} if next_url else {})
    return client.post(f"/language/{code}", data=data)


@contextmanager
def speaking(dash_app, email: str, code: str):
    """A client logged in as ``email`` whose language is ``code``. The choice is stored on the user, so it is
    put back as it was (unset) afterwards: other tests read that user in the browser's language."""
    from sqlalchemy import update

    from pilotage.store.models import AppUser

    client = logged_in_client(dash_app, email)
    switch_language(client, code)
    try:
        yield client
    finally:
        with get_engine().begin() as conn:
            conn.execute(update(AppUser).where(AppUser.email == email).values(language=None))


def dash_post(client, output: str, inputs: list[dict], state: list[dict] | None = None,
              outputs: list[dict] | dict | None = None):
    """POST a callback as dash-renderer does. ``output`` is Dash's output string
    (``id.prop`` or ``..a.b...c.d..`` for several); ``inputs``: ``[{id, property, value}]``."""
    body = {"output": output, "outputs": outputs if outputs is not None else _outputs(output),
            "inputs": inputs, "state": state or [], "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


EXPORT_FORMATS = ("csv", "xlsx")


def export_button_id(page: str, visual: str, fmt: str) -> dict:
    return {"type": "export", "page": page, "visual": visual, "format": fmt}


def post_export_button(client, page: str, visual: str, fmt: str, state: list[dict], visuals=None):
    """Press a visual's CSV or Excel button as dash-renderer does: the page's one export callback has a
    pattern-matching input (every button of the page, ``visuals``), and the pressed one is named in
    ``changedPropIds``. ``visual`` may be a name the page does not have (a forged request)."""
    visuals = list(dict.fromkeys([*(visuals or []), visual]))
    buttons = [{"id": export_button_id(page, v, f), "property": "n_clicks",
                "value": 1 if (v, f) == (visual, fmt) else None} for v in visuals for f in EXPORT_FORMATS]
    pressed = json.dumps(export_button_id(page, visual, fmt), sort_keys=True, separators=(",", ":"))
    body = {"output": f"{page}-download.data", "outputs": {"id": f"{page}-download", "property": "data"},
            "inputs": [buttons], "state": state, "changedPropIds": [f"{pressed}.n_clicks"]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", **csrf_header(client)})


def downloaded(response, page: str) -> tuple[str, bytes]:
    """(file name, bytes) of a ``dcc.Download`` answer."""
    import base64

    data = response.get_json()["response"][f"{page}-download"]["data"]
    return data["filename"], base64.b64decode(data["content"])


def callback_key(client, outputs) -> str:
    """Dash's output string of the app's callback with exactly ``outputs`` (``id.prop``), as the renderer
    posts it: an output that another callback also sets carries Dash's ``@hash`` of the callback's inputs."""
    from dashapp.auth import guard

    callbacks = client.application.extensions[guard.DASH_APP].callback_map
    wanted = [*outputs]
    for key in callbacks:
        parts = key.strip(".").split("...") if key.startswith("..") else [key]
        if [part.split("@", 1)[0] for part in parts] == wanted:
            return key
    raise KeyError(f"no callback with the outputs {wanted}")


def _outputs(output: str):
    if output.startswith(".."):
        parts = [p for p in output.strip(".").split("...")]
        return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    component, prop = output.rsplit(".", 1)
    return {"id": component, "property": prop}


def response_text(response) -> str:
    """Everything a callback sent back, as one string (to search for figures that must not be there)."""
    return response.get_data(as_text=True)


@contextmanager
def using_database(url: str):
    """Point the settings at ``url`` for a block run outside a test's monkeypatch."""
    from pilotage.settings import get_settings

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()


def copy_sqlite(source_url: str, target: Path) -> str:
    """A byte-for-byte copy of a SQLite store (SQLite's backup: consistent even while it is open)."""
    import sqlite3

    source, copy = sqlite3.connect(source_url.removeprefix("sqlite:///")), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def trained_store(source_url: str, target: Path) -> str:
    """A copy of a SQLite demo store with a lead forecast champion (fast candidates) and a media champion (a
    small bootstrap), trained on the same cut-off."""
    from forecasting.planning.registry import fit_and_register
    from forecasting.training import train

    from .forecast_helpers import FAST

    url = copy_sqlite(source_url, target)
    engine = get_engine(url)
    lead = train(engine, run_by="test", candidates=FAST, n_jobs=1)
    media = fit_and_register(engine, run_by="test", n_boot=8, n_jobs=1)
    assert lead.is_champion and media.is_champion and lead.cutoff == media.cutoff
    return url


@contextmanager
def media_champion_copied(source_url: str, target_url: str):
    """The source store's champion media run (its row: the models are in it) promoted in the target store,
    whose data is the same (the demo's seed); at the end the run and the scenarios made on it are removed and
    the previous champion is promoted again. Yields the copied run's id."""
    from sqlalchemy import delete

    from forecasting import registry
    from forecasting.planning.registry import champion_models
    from pilotage.store.models import ForecastRun
    from pilotage.store.models.planning import PlanScenario

    run, _models = champion_models(get_engine(source_url))
    engine = get_engine(target_url)
    before = registry.champion(engine, "media")
    fields = {k: v for k, v in run.items() if k not in ("id", "is_champion")}
    with engine.begin() as conn:
        run_id = registry.store_run(conn, fields, [], [])
    registry.promote(engine, run_id, actor="test")
    try:
        yield run_id
    finally:
        with engine.begin() as conn:
            conn.execute(delete(PlanScenario).where(PlanScenario.run_id == run_id))
            conn.execute(delete(ForecastRun).where(ForecastRun.id == run_id))
        if before is not None:
            registry.promote(engine, before["id"], actor="test")


def seed_regions_and_users(engine) -> None:
    """The three test regions under France and the demo users, in a migrated store without them (the
    configured ``DATABASE_URL`` must name it: the demo users are written through the app's own code)."""
    from dashapp.demo_users import ensure_demo_users

    with engine.begin() as conn:
        conn.execute(insert(Region), [dict(code=code, name=name, level="region", parent_code="FR")
                                      for code, name in REGIONS])
    ensure_demo_users()


def make_app_store(folder: Path) -> str:
    """A migrated SQLite store with France, three regions and the demo users; no facts."""
    url = f"sqlite:///{folder / 'app.sqlite3'}"
    engine = get_engine(url)
    upgrade(engine)
    with using_database(url):
        seed_regions_and_users(engine)
    return url


# --- the planning page's optimiser, a background callback ------------------------------------------------

def multi(outputs) -> str:
    """Dash's output id of a callback with several outputs."""
    return ".." + "...".join(outputs) + ".."


JOB_WAIT_S = 120


def start_optimiser(client, *, scope="national", mode="budget", amount=None, bounds=None, budgets=None):
    """POST the optimiser as the renderer does: a background callback answers with the job's signed handles.
    The body sent is kept on the answer (``sent``): the renderer polls with the same one."""
    from dashapp.pages.planning import callbacks as cb

    output = multi(cb.OPTIMISER_OUTPUTS)
    inputs = [{"id": "planning-opt-run", "property": "n_clicks", "value": 1}]
    state = [{"id": "planning-scope", "property": "value", "value": scope},
             {"id": "planning-opt-mode", "property": "value", "value": mode},
             {"id": "planning-opt-amount", "property": "value", "value": amount},
             {"id": "planning-opt-bounds", "property": "rowData", "value": bounds},
             {"id": "planning-opt-months", "property": "rowData", "value": budgets}]
    answer = dash_post(client, output, inputs, state)
    answer.sent = {"output": output, "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                                                 for o in cb.OPTIMISER_OUTPUTS],
                   "inputs": inputs, "state": state, "changedPropIds": ["planning-opt-run.n_clicks"]}
    return answer


def poll(client, started, handle: dict):
    """Poll a background job as the renderer does (the same body, the handles in the query) until it answers."""
    query = f"cacheKey={handle['cacheKey']}&job={handle['job']}"
    deadline = time.monotonic() + JOB_WAIT_S
    while time.monotonic() < deadline:
        answer = client.post(f"/_dash-update-component?{query}", data=json.dumps(started.sent),
                             headers={"Content-Type": "application/json", **csrf_header(client)})
        if answer.status_code != 200 or "response" in (answer.get_json(silent=True) or {}) \
                or '"global-error"' in answer.get_data(as_text=True):
            return answer
        time.sleep(0.2)
    raise AssertionError("the optimiser's job did not answer")


def optimise(client, **kwargs):
    """Run the optimiser to its answer: the job's last poll (or the refusal of its start)."""
    started = start_optimiser(client, **kwargs)
    handle = started.get_json(silent=True) or {}
    if started.status_code != 200 or "cacheKey" not in handle:
        return started
    return poll(client, started, handle)

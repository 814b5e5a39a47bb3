"""The app's front door: anonymous requests are refused, login works, pages per role."""

from __future__ import annotations


def test_anonymous_requests_are_refused(dash_app, app_store):
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/explore").headers["Location"].startswith("/login")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_director_sees_home_not_admin(login):
    client = login("director.idf@pilotage.demo")
    assert client.get("/").status_code == 200
    assert client.get("/admin").status_code == 403
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "nav-admin" not in layout.text


def test_every_trace_the_pages_draw_is_in_the_plotly_bundle_the_browser_loads():
    """The browser loads Plotly's cartesian bundle (assets/plotly-bundle.js), not plotly.py's full one: a trace
    type outside it would draw nothing. The bundle is the same plotly.js version as plotly.py's figures."""
    import re
    from pathlib import Path

    from plotly.offline import get_plotlyjs_version

    root = Path(__file__).resolve().parents[1]
    bundle = (root / "assets" / "vendor" / "plotly-cartesian.min.js").read_text()
    assert f"v{get_plotlyjs_version()}" in bundle[:200]
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    drawn = set()
    for source in (root / "dashapp").rglob("*.py"):
        text = source.read_text()
        drawn |= {name.lower() for name in re.findall(r"\bgo\.([A-Z]\w*)\(", text)} - {"figure"}
        drawn |= set(re.findall(r'"type": "(\w+)"', text)) & {"scatter", "bar", "heatmap", "funnel", "pie", "box"}
    assert drawn and drawn <= registered, drawn - registered

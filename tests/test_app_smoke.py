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

"""``gunicorn -c gunicorn.conf.py`` alone serves the app: the configuration names the application."""

from __future__ import annotations

import urllib.request

from pilotage.store.engine import get_engine
from pilotage.store.migrate import upgrade

from .server import serve


def test_the_configuration_alone_serves_the_login_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    engine = get_engine(url)
    upgrade(engine)
    engine.dispose()
    with serve(url, tmp_path, workers=1) as base, urllib.request.urlopen(f"{base}/login", timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200
    assert 'id="email"' in page and 'id="password"' in page


def test_demo_users_on_an_empty_store_leave_out_regional_ones_until_the_regions_are_loaded(tmp_path, monkeypatch):
    """``pilotage serve`` before ``pilotage demo``: it used to stop on "unknown region code(s): FR-IDF"."""
    from dashapp.demo_users import DEMO_USERS, ensure_demo_users
    from pilotage.settings import get_settings

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(get_engine(url))
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    created = {user.email for user in ensure_demo_users()}
    whole_company = {email for email, _name, _role, scope in DEMO_USERS if scope == "all"}
    assert created == whole_company and len(whole_company) < len(DEMO_USERS)

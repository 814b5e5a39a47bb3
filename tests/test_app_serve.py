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

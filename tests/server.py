"""The app under gunicorn, started as production starts it: ``gunicorn -c gunicorn.conf.py`` in the
repository, nothing else on the command line (the configuration names the application; the port
comes from ``PILOTAGE_BIND``). Used by the browser tests and by the test that the configuration
alone serves the app; the process helpers are the loopback cluster's (``tests/cluster.py``)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from .cluster import REPO, ClusterError, free_port, gunicorn, stop, wait_healthy

SERVER_START_S = 90


@contextlib.contextmanager
def serve(database_url: str, folder: Path, workers: int = 2):
    """The app under gunicorn (two workers, as production) on a free port, on ``database_url``; its base URL."""
    log = folder / "gunicorn.log"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY")}
    env.update(DATABASE_URL=database_url, PILOTAGE_ENV="demo", PILOTAGE_VAR_DIR=str(folder / "var"),
               PILOTAGE_LOG_LEVEL="warning", PILOTAGE_BIND=f"127.0.0.1:{free_port()}",
               PILOTAGE_WORKERS=str(workers))
    with log.open("wb") as output:
        process = subprocess.Popen([gunicorn(), "-c", "gunicorn.conf.py"], cwd=REPO, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    url = f"http://{env['PILOTAGE_BIND']}"
    try:
        wait_healthy(url, process, log, SERVER_START_S)
    except ClusterError as error:
        stop(process)
        pytest.fail(str(error))
    try:
        yield url
    finally:
        stop(process, seconds=30)

"""The app under gunicorn, started as production starts it: ``gunicorn -c gunicorn.conf.py`` in the
repository, nothing else on the command line but the port (the configuration names the application).
Used by the browser tests and by the test that the configuration alone serves the app."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SERVER_START_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn() -> str:
    beside_python = Path(sys.executable).with_name("gunicorn")
    return str(beside_python) if beside_python.exists() else (shutil.which("gunicorn") or "gunicorn")


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)  # polling the server's start, not waiting on the page
    process.terminate()
    pytest.fail(f"gunicorn did not answer /healthz within {SERVER_START_S} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve(database_url: str, folder: Path, workers: int = 2):
    """The app under gunicorn (two workers, as production) on a free port, on ``database_url``; its base URL."""
    log = folder / "gunicorn.log"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY")}
    env.update(DATABASE_URL=database_url, PILOTAGE_ENV="demo", PILOTAGE_VAR_DIR=str(folder / "var"),
               PILOTAGE_LOG_LEVEL="warning", PILOTAGE_BIND=f"127.0.0.1:{_free_port()}",
               PILOTAGE_WORKERS=str(workers))
    with log.open("wb") as output:
        process = subprocess.Popen([_gunicorn(), "-c", "gunicorn.conf.py"], cwd=REPO, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    url = f"http://{env['PILOTAGE_BIND']}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

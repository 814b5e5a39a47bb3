"""Which background-callback manager the app uses: the demo's child processes, or Celery on Redis when asked."""

from __future__ import annotations

import importlib.util

import dash
import pytest

from dashapp import jobs
from pilotage.settings import get_settings


@pytest.fixture
def settings_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PILOTAGE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv(jobs.JOBS_ENV, raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    jobs.celery_app.cache_clear()
    yield monkeypatch, tmp_path
    get_settings.cache_clear()
    jobs.celery_app.cache_clear()


def test_the_demo_runs_jobs_as_child_processes_with_results_under_var(settings_env):
    _monkeypatch, folder = settings_env
    manager = jobs.manager()
    assert isinstance(manager, dash.DiskcacheManager)
    assert (folder / "jobs").is_dir()
    assert manager.cache_by and manager.expire == jobs.RESULT_EXPIRE_S


def test_celery_needs_redis(settings_env):
    monkeypatch, _folder = settings_env
    monkeypatch.setenv(jobs.JOBS_ENV, "celery")
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        jobs.manager()


@pytest.mark.skipif(importlib.util.find_spec("celery") is None, reason="the celery extra is not installed")
def test_production_queues_jobs_in_redis_for_a_celery_worker(settings_env):
    monkeypatch, _folder = settings_env
    monkeypatch.setenv(jobs.JOBS_ENV, "celery")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    get_settings.cache_clear()
    manager = jobs.manager()
    assert isinstance(manager, dash.CeleryManager)
    assert manager.handle.conf.broker_url == "redis://127.0.0.1:6379/15"


def test_two_requests_for_the_same_thing_never_share_a_result_key():
    from flask import Flask

    with Flask(__name__).test_request_context():
        assert jobs._job_key() != jobs._job_key()

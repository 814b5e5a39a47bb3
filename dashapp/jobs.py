"""Background jobs: the Dash background callbacks' manager, and who a job runs as.

A callback registered with ``background=True`` (the planning page's optimiser) answers its request at
once with a job handle; the job runs elsewhere and the browser polls for its progress and result, so a
request never holds a gunicorn worker for the seconds a job takes.

- **Demo and development** (the default): Dash's ``DiskcacheManager``, a child process per job, results in
  a diskcache folder under ``PILOTAGE_VAR_DIR`` (shared by gunicorn's workers). No other process to run.
- **Production** (``PILOTAGE_JOBS=celery`` with ``REDIS_URL``): Dash's ``CeleryManager``, jobs queued in
  Redis and run by a Celery worker (``celery -A dashapp.worker:celery_app worker``, docs/deployment.md).

**Who a job runs as.** A job has no HTTP request, so no session and no ``current_user``. The request that
starts it does: the :func:`requester` hook (Dash's ``custom_data`` hook, run in that request) puts the
logged-in user's id and language into the callback context, which Dash hands to the job. :func:`as_requester`
then runs the callback in a request context of the app with that user read again from the store (a user
disabled meanwhile is refused), so the callback's role check (:mod:`dashapp.auth.callbacks`) and the
semantic layer's scope checks run exactly as in a request. The id comes from the server's session, never
from the browser; the Flask guard also checks the callback's roles on every poll.

Each job's result key holds the requester and a random part (``cache_by``): two users asking the same
thing at the same time never share (or read) each other's result.
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid

import dash
from dash import ctx

from pilotage.settings import get_settings

CUSTOM_DATA = "pilotage"
RESULT_EXPIRE_S = 600  # a result nobody collected is dropped after this
LINGER_S = 3.0  # more than the page's poll interval (0.5 s): see _linger
JOBS_ENV = "PILOTAGE_JOBS"


@dash.hooks.custom_data(CUSTOM_DATA)
def requester(_context) -> dict:
    """Run by Dash in the request of every callback: who asks (from the session), and in which language."""
    from flask_login import current_user

    from . import i18n

    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"user": current_user.get_id(), "language": i18n.current_language()}


def _job_key() -> str:
    from flask_login import current_user

    return f"{current_user.get_id() if getattr(current_user, 'is_authenticated', False) else '-'}:{uuid.uuid4().hex}"


def manager():
    """The background callback manager for this process (see the module's docstring)."""
    settings = get_settings()
    if os.environ.get(JOBS_ENV, "").lower() == "celery":
        if not settings.redis_url:
            raise RuntimeError(f"{JOBS_ENV}=celery needs REDIS_URL (the queue and the results)")
        return dash.CeleryManager(celery_app(), cache_by=[_job_key], expire=RESULT_EXPIRE_S)
    import diskcache

    folder = settings.var_dir / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return dash.DiskcacheManager(diskcache.Cache(str(folder)), cache_by=[_job_key], expire=RESULT_EXPIRE_S)


@functools.cache
def celery_app():
    """The Celery application of the production jobs (broker and results in Redis)."""
    from celery import Celery

    url = get_settings().redis_url
    app = Celery("pilotage", broker=url, backend=url)
    app.conf.update(task_acks_late=False, worker_prefetch_multiplier=1, result_expires=RESULT_EXPIRE_S)
    return app


def as_requester(function, server):
    """``function`` run as the user who started the job (see the module's docstring). In a request (a test
    calling the callback directly), it simply runs."""
    from flask import g, has_request_context

    @functools.wraps(function)
    def run(*args, **kwargs):
        if has_request_context():
            return function(*args, **kwargs)
        from pilotage.store.engine import get_engine

        from .auth import users
        from .auth.permissions import Forbidden

        who = (getattr(ctx, "custom_data", None) or {}).get(CUSTOM_DATA) or {}
        get_engine().dispose(close=False)  # a forked job opens its own connections (never its parent's)
        user = users.get_user(who.get("user")) if who.get("user") else None
        if user is None or not user.active:
            raise Forbidden("a background job without a logged-in requester")
        headers = {"Accept-Language": who.get("language") or "en"}
        try:
            with server.test_request_context("/_dash-update-component", method="POST", headers=headers):
                g._login_user = user
                return function(*args, **kwargs)
        finally:
            if os.environ.get(JOBS_ENV, "").lower() != "celery":  # a Celery worker lives on: nothing to hold
                _linger()

    return run


def _linger() -> None:
    """Keep a diskcache job's process alive :data:`LINGER_S` after its callback returns. Dash writes the
    result and the process ends at once; a poll that read "no result yet" just before, then "process
    gone" just after, takes the job for a cancelled one and the result is lost. A non-daemon thread holds
    the process (multiprocessing joins them before it exits) until the next poll collects the result and
    Dash ends it."""
    threading.Thread(target=time.sleep, args=(LINGER_S,), daemon=False, name="pilotage-job-linger").start()

"""Query results cached under keys that hold the user's scope and the store's data version.

flask-caching's SimpleCache (in-process) by default, Redis when ``REDIS_URL`` is set, so
that every gunicorn worker shares entries. A new load bumps the data version: the next
request misses and reads the fresh marts at once.
"""

from __future__ import annotations

import functools
import hashlib
import pickle

from flask import g, has_request_context

from pilotage.settings import get_settings
from pilotage.store.engine import data_version

from ..auth.permissions import require_role
from ..extensions import cache
from .scope import scope_key

TIMEOUT_S = 3600


def current_data_version() -> str:
    """Read once per request: every cached query of the request uses the same version."""
    if has_request_context():
        if "data_version" not in g:
            g.data_version = data_version()
        return g.data_version
    return data_version()


def scoped_cache(function, context=tuple, prepare=lambda result: result, roles: tuple[str, ...] = ()):
    """Cache ``function(*args)`` per scope and data version; arguments must be picklable.

    ``context()`` adds what else the result depends on (a rendered view: the role and the language);
    ``prepare(result)`` turns a result into what is stored and returned (figures as plain dicts); ``roles``, the
    roles that may read it, checked on every call: a check inside ``function`` would run only on a miss, and a
    role outside them with the same regions would be served the cached rows."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if roles:
            require_role(*roles)
        raw = pickle.dumps((get_settings().database_url, function.__module__, function.__qualname__, args,
                            sorted(kwargs.items()), scope_key(), current_data_version(), context()))
        key = "q:" + hashlib.sha256(raw).hexdigest()
        try:
            hit = cache.get(key)
        except Exception:  # a cache outage must not break a page: compute instead
            hit = None
        if hit is not None:
            return hit
        result = prepare(function(*args, **kwargs))
        try:
            cache.set(key, result, timeout=TIMEOUT_S)
        except Exception:
            pass
        return result

    wrapper.uncached = function
    return wrapper

"""Atomic counters with a time window, for the login throttle: Redis when ``REDIS_URL`` is set (shared by
all gunicorn workers), else in this process.

The audit sent 160 wrong passwords 8 at a time and got 160 answers 401: the throttle read the count
from the cache, then wrote it back plus one, so parallel requests overwrote each other (Redis held
22). Here a count is only ever changed by Redis' own ``INCR`` (one command, atomic on the server), or
under a lock in process. And a throttle must not lock everyone out when Redis is down (a 500 on
every login): it then counts in process and logs a warning, once per outage.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from pilotage.settings import get_settings

log = logging.getLogger("pilotage.throttle")
PREFIX = "pilotage:throttle:"
REDIS_TIMEOUT_S = 0.5  # a login must not hang on a dead Redis

_lock = threading.Lock()
_local: dict[str, tuple[int, float]] = {}  # key -> (count, expires at, monotonic)
_clients: dict[str, redis.Redis] = {}
_redis_down = False


def _client() -> redis.Redis | None:
    url = get_settings().redis_url
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                                             socket_connect_timeout=REDIS_TIMEOUT_S)
    return _clients[url]


def _degraded(error: Exception) -> None:
    global _redis_down
    if not _redis_down:
        log.warning("Redis unreachable (%s): login attempts are counted in this process only",
                    error.__class__.__name__)
    _redis_down = True


def _recovered() -> None:
    global _redis_down
    if _redis_down:
        log.warning("Redis reachable again: login attempts are counted in Redis")
    _redis_down = False


def hit(key: str, window_s: int, amount: int = 1) -> int:
    """Add ``amount`` to the count of ``key`` and return the new count; the window starts at the first hit."""
    client = _client()
    if client is not None:
        try:
            with client.pipeline(transaction=True) as pipe:  # MULTI/EXEC: the expiry is never missed
                pipe.incrby(PREFIX + key, amount)
                pipe.expire(PREFIX + key, window_s, nx=True)
                count = pipe.execute()[0]
            _recovered()
            return int(count)
        except redis.RedisError as error:
            _degraded(error)
    return _local_hit(key, window_s, amount)


def count(key: str) -> int:
    client = _client()
    if client is not None:
        try:
            value = client.get(PREFIX + key)
            _recovered()
            return int(value or 0)
        except redis.RedisError as error:
            _degraded(error)
    return _local_hit(key, 0, 0)


def _local_hit(key: str, window_s: int, amount: int) -> int:
    now = time.monotonic()
    with _lock:
        value, expires = _local.get(key, (0, now + window_s))
        if expires <= now:
            value, expires = 0, now + window_s
        value += amount
        if value > 0:
            _local[key] = (value, expires)
        else:
            _local.pop(key, None)
        if len(_local) > 100_000:  # an address spray must not grow memory without end
            for stale in [k for k, (_, at) in _local.items() if at <= now]:
                del _local[stale]
        return value


def reset_local() -> None:
    """Forget the in-process counts (tests)."""
    with _lock:
        _local.clear()

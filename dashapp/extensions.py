"""Flask extensions, created unbound and attached in :func:`dashapp.app.create_app`."""

from flask_caching import Cache
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
cache = Cache()
csrf = CSRFProtect()


def init_cache(server) -> None:
    """The one cache's configuration: Redis with ``REDIS_URL`` (shared by gunicorn's workers), else in-process."""
    from pilotage.settings import get_settings

    redis_url = get_settings().redis_url
    if redis_url:
        server.config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url, CACHE_KEY_PREFIX="pilotage:")
    else:
        server.config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=5000)
    cache.init_app(server)

"""gunicorn settings for serving the Dash app's Flask server (``dashapp``): ``gunicorn -c gunicorn.conf.py``.

Values come from the environment so that one file serves the demo and production.
"""

import multiprocessing
import os

# The application: the Flask server under the Dash app (an application on the command line overrides it).
wsgi_app = "dashapp.wsgi:server"
bind = os.environ.get("PILOTAGE_BIND", "127.0.0.1:8050")  # `pilotage serve --bind` overrides
workers = int(os.environ.get("PILOTAGE_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("PILOTAGE_THREADS", 4))
timeout = 60
graceful_timeout = 30
# Build the app once, then fork: every worker shares the loaded code (and stays cheap).
preload_app = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PILOTAGE_LOG_LEVEL", "info")


def post_fork(server, worker):
    """Each worker opens its own database connections (none are shared across a fork)."""
    from pilotage.store.engine import get_engine

    get_engine().dispose(close=False)

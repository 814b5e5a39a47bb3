"""What gunicorn serves (``gunicorn -c gunicorn.conf.py`` names it): :data:`server`, the Dash app's Flask server."""

from .app import create_app

app = create_app()
server = app.server

# Dash completes its set-up (the registry of its script files, the callback map) during the first
# request a process serves, without a lock: under gunicorn's threads, script requests racing that
# first one answer 500 ("dash" is not a registered library) and the page stays on "Loading...".
# One request here, before gunicorn forks its workers (preload_app), does it once for all of them.
server.test_client().get("/healthz")

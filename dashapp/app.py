"""The app factory: a Flask server with login, CSRF, cache and security headers, and the
Dash app (Pages) on top of it. ``gunicorn.conf.py`` serves :data:`dashapp.wsgi.server`."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import dash
from dash import Dash, set_props
from dash.exceptions import BackgroundCallbackError
from flask import Flask, g, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from pilotage.settings import get_settings
from pilotage.store.engine import get_engine

from . import i18n, jobs
from .api import blueprint as api_blueprint
from .auth import guard, users
from .auth.callbacks import check_all_registered
from .auth.permissions import Forbidden
from .auth.views import blueprint as auth_blueprint
from .extensions import csrf, init_cache, login_manager

log = logging.getLogger("pilotage.app")
ASSETS = Path(__file__).resolve().parents[1] / "assets"
CSRF_COOKIE = "_csrf_token"  # read by Dash's renderer and sent back as the X-CSRFToken header


MAX_REQUEST_BYTES = 4_000_000
# Scripts only from this server, plus Dash's own inline scripts by hash (the renderer's start and the
# clientside callbacks, see create_app): no inline script can come from data. Styles may be inline
# (Dash, Plotly and AG Grid set style attributes); nothing is framed, posted or fetched elsewhere.
CSP = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie, never written by an answer of the read API: the API is authenticated by its token
    only, and must not refresh (or set) a browser's session."""

    def save_session(self, app, session, response):
        if request.path.startswith(guard.API_PREFIX):
            return None
        return super().save_session(app, session, response)


def _configure_server(server: Flask) -> None:
    settings = get_settings()
    settings.check_production_ready()
    session_minutes = int(os.environ.get("PILOTAGE_SESSION_MINUTES", 8 * 60))
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="pilotage_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,  # the lifetime is an idle timeout
        REMEMBER_COOKIE_DURATION=dt.timedelta(0),
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which expires on its own
        WTF_CSRF_SSL_STRICT=settings.is_production,
        # Dash parses a callback's whole body: cap it (a plan upload is at most 2 MB, base64 and JSON included).
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    init_cache(server)
    if settings.trusted_proxies:
        # Behind a reverse proxy every request comes from the proxy's address: without this the login
        # throttle would count all users as one. Only as many hops as configured are believed, so a
        # client cannot pick its own address with a forged X-Forwarded-For.
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # The guard runs first: an anonymous call gets 401, not a CSRF error.
    server.session_interface = _SessionInterface()
    server.before_request(guard.check_request)
    server.before_request(_landing)
    csrf.init_app(server)
    login_manager.init_app(server)
    login_manager.session_protection = "strong"
    login_manager.user_loader(users.load_session_user)  # a disabled user is logged out at once
    server.register_blueprint(auth_blueprint)
    server.register_blueprint(api_blueprint)

    @server.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", _csp(server))
        if settings.is_production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith(guard.API_PREFIX):  # no session, so no CSRF token, in the API
            response.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Strict", secure=settings.is_production,
                                httponly=False)
        return response

    @server.route("/healthz")
    def _health():
        """For load balancers: says whether the store answers, and nothing else."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
            return jsonify(status="ok")
        except DBAPIError:
            return jsonify(status="database unavailable"), 503

    @server.errorhandler(DBAPIError)
    def _database_unavailable(error):
        """The store does not answer, even before a callback runs (the user is read from it on
        every request): a clear message, no trace; the pool is dropped so that the next request
        reconnects by itself when the database is back."""
        log.warning("database unavailable: %s", error.__class__.__name__)
        get_engine().dispose()
        if "_login_user" not in g:  # the user could not be read: anonymous for this answer, else
            g._login_user = login_manager.anonymous_user()  # each current_user (templates too) retries
        language = i18n.current_language()
        message = i18n.t("error.data", language)
        if request.path == "/_dash-update-component":
            # What Dash sends back for set_props: the page shows the message in its alert.
            return jsonify(multi=True, response={},
                           sideUpdate={"global-error": {"children": message, "is_open": True}})
        if request.path.startswith(guard.API_PREFIX):
            return guard.api_error(503, "data", "error.data")
        if request.path.startswith("/_dash"):
            return jsonify(error="database unavailable"), 503
        return guard.render_template("error.html", status=503, language=language, title="Pilotage",
                                     text=message), 503

    @server.errorhandler(500)
    def _server_error(_error):
        if request.path.startswith(guard.API_PREFIX):
            return guard.api_error(500, "unexpected", "error.unexpected")
        language = i18n.current_language()
        return guard.render_template("error.html", status=500, language=language, title="Pilotage",
                                     text=i18n.t("error.unexpected", language)), 500


def _landing():
    """``/`` as typed (no query) opens the user's home view, a saved view they chose, if they have one (the
    login form sends a user without ``next`` to ``/``). A page reached from the navbar is not redirected."""
    if request.method != "GET" or request.path != "/" or request.query_string:
        return None
    from flask import redirect
    from flask_login import current_user

    from .semantic import views

    if not current_user.is_authenticated:
        return None
    target = views.home_url()
    return redirect(target) if target and target != "/" else None


def _csp(server: Flask) -> str:
    """Read per answer: Dash adds inline scripts of its own when it sets up its routes (first request)."""
    app = server.extensions.get(guard.DASH_APP)
    return CSP.format(hashes="".join(f" {h}" for h in app.csp_hashes()) if app else "")


def _on_callback_error(error: Exception):
    """Every failing callback ends here: a clear message in the page, never a stack trace."""
    if isinstance(error, Forbidden) or (isinstance(error, BackgroundCallbackError)
                                        and f"{Forbidden.__module__}.{Forbidden.__name__}:" in str(error)):
        message = i18n.t("error.forbidden.text")
    elif isinstance(error, (OperationalError, DBAPIError)):
        log.warning("database unavailable in a callback: %s", error.__class__.__name__)
        get_engine().dispose()  # drop dead connections: the next request reconnects
        message = i18n.t("error.data")
    else:
        log.exception("callback failed", exc_info=error)
        message = i18n.t("error.unexpected")
    set_props("global-error", {"children": message, "is_open": True})
    return dash.no_update


def create_app() -> Dash:
    server = Flask(__name__)
    _configure_server(server)
    app = Dash(
        __name__, server=server, use_pages=True, pages_folder="", assets_folder=str(ASSETS),
        serve_locally=True,  # Bootstrap is vendored in assets/vendor: no CDN, and it loads before login
        assets_ignore=r"plotly-cartesian",  # served, not put in every page: dcc.Graph loads it (plotly-bundle.js)
        suppress_callback_exceptions=True, title="Pilotage", update_title=None,
        on_error=_on_callback_error, csrf_token_name=CSRF_COOKIE, csrf_header_name="X-CSRFToken",
        background_callback_manager=jobs.manager(),  # the optimiser's jobs (dashapp/jobs.py)
    )
    from .layout import shell
    from .pages import register_pages

    register_pages(app)
    shell.register_callbacks(app)
    app.layout = shell.shell
    server.extensions[guard.DASH_APP] = app
    # A callback or an API route without its role check: refuse to start.
    check_all_registered(app, guard.API_PREFIX, guard.PUBLIC_PATHS)
    return app

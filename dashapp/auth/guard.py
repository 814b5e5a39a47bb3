"""Login and role checks on every request, in Flask, before Dash sees it.

Dash's routes (``/_dash-layout``, ``/_dash-dependencies``, ``/_dash-update-component``,
component suites) are plain HTTP endpoints: hiding a layout protects nothing. So nothing
is public except the login page, the language switch, the health check and static assets;
an anonymous API call gets 401, an anonymous page view is sent to the login page, and a
page the role may not open answers 403 even by direct URL.

The read API (``/api/v1/``) goes through the same guard, with a personal access token instead of the
session: a session cookie never authenticates it (a page open in the browser cannot be made to read the
API for another site, and a token cannot be stolen through the session), so the API needs no CSRF token.
Its routes are registered with their roles like the callbacks (:meth:`RoleChecked.route`); the guard checks
the token (:mod:`dashapp.auth.tokens`), the failures from the client's address, the token's rate and the
route's roles, in that order, and answers every refusal as JSON in the caller's language.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin, current_user

from pilotage.settings import get_settings

from .. import i18n
from . import audit, throttle, tokens
from .callbacks import MAX_JSON_DEPTH, allowed_roles, allowed_route_roles, json_depth
from .permissions import PAGE_ACCESS, can_view, page_for_path

log = logging.getLogger("pilotage.guard")
DASH_APP = "pilotage.dash"  # the key of the Dash app in ``server.extensions``

API_PREFIX = "/api/"
API_BLUEPRINT = "api_v1"
OPENAPI_PATH = "/api/v1/openapi.json"  # the description of the API reveals no data: readable without a token
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/assets/pilotage.css", OPENAPI_PATH})
PUBLIC_PREFIXES = ("/assets/vendor/", "/language/")
# Failed token checks per client address before it must wait (as the login form's throttle).
MAX_API_FAILURES_PER_ADDRESS = 30
API_FAILURE_WINDOW_S = 600
RATE_WINDOW_S = 60


def _is_public(path: str) -> bool:
    """Exact paths and two folders: a bare prefix would also open ``/login-anything`` or
    ``/healthzz`` (which Dash Pages answers with its index), and ``..`` could climb out of a folder."""
    if ".." in path or "\\" in path:
        return False
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def forbidden_page(status: int = 403):
    language = i18n.current_language()
    return render_template("error.html", status=status, language=language,
                           title=i18n.t("error.forbidden.title", language),
                           text=i18n.t("error.forbidden.text", language)), status


def check_request():
    path = request.path
    if _is_public(path):
        return None
    if path.startswith(API_PREFIX):
        return check_api()
    if not current_user.is_authenticated:
        if path.startswith("/_dash") or request.method != "GET":
            return jsonify(error="login required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if path == "/_dash-update-component" and request.method == "POST":
        return check_callback()
    page = page_for_path(path)
    if request.method == "GET" and not path.startswith(("/_", "/assets/")):
        if page is None and path not in PAGE_ACCESS:
            return None  # Dash answers unknown pages with its own 404 layout
        if not can_view(path):
            audit.record("forbidden", current_user.email, {"path": path})
            return forbidden_page()
    return None


def check_callback():
    """A callback runs only for the roles registered with it (see :mod:`dashapp.auth.callbacks`), and
    its body is parsed here once, depth-capped: a body nested 10,000 deep used to end in a 500."""
    try:
        body = request.get_json(silent=True)  # cached: Dash reads the same parsed body
    except RecursionError:
        body = None
    if not isinstance(body, dict) or json_depth(body) > MAX_JSON_DEPTH:
        log.warning("refused a malformed callback body from %s", request.remote_addr)
        return jsonify(error="malformed request"), 400
    output = body.get("output")
    roles = allowed_roles(current_app.extensions[DASH_APP], output) if isinstance(output, str) else None
    if roles is None or current_user.role not in roles:
        audit.record("forbidden", current_user.email, {"callback": str(output)[:200]})
        return jsonify(error="forbidden"), 403
    return None


# --- the read API ------------------------------------------------------------------------------------

def api_language() -> str:
    """The language of an API answer: the request's ``Accept-Language`` when it names one of ours, else the
    token's user's language, else English (never the session's: the API does not read the session)."""
    asked = request.accept_languages.best_match(i18n.LANGUAGES) if request.accept_languages else None
    user_language = getattr(current_user, "language", None) if getattr(current_user, "is_authenticated", False) \
        else None
    return asked or (user_language if user_language in i18n.LANGUAGES else "en")


def api_error(status: int, code: str, key: str, headers: dict | None = None, **values):
    """A refusal as JSON, with the same translated message as the pages: ``{"error": {status, code, message}}``."""
    body = {"error": {"status": status, "code": code, "message": i18n.t(key, api_language(), **values)}}
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _audit_api(actor: str, result: str, **detail) -> None:
    audit.record("api", actor, {"result": result, "path": request.path,
                                "query": request.query_string.decode("latin-1")[:500], **detail})


def check_api():
    """Token, address throttle, rate, roles: the API's access check (see the module's docstring)."""
    g._login_user = AnonymousUserMixin()  # whatever session cookie came with the request
    if request.method not in ("GET", "HEAD"):
        return api_error(405, "method", "api.error.method", headers={"Allow": "GET, HEAD"})
    address = f"api-address:{request.remote_addr}"
    if throttle.count(address) >= MAX_API_FAILURES_PER_ADDRESS:
        return api_error(429, "throttled", "login.throttled", headers={"Retry-After": str(API_FAILURE_WINDOW_S)})
    checked = tokens.check(request.headers.get("Authorization"), request.remote_addr)
    if checked.user is None:
        throttle.hit(address, API_FAILURE_WINDOW_S)
        _audit_api("-", checked.reason, token=checked.prefix)
        return api_error(401, checked.reason, f"api.error.{checked.reason}",
                         headers={"WWW-Authenticate": 'Bearer realm="pilotage"'})
    g._login_user = checked.user  # the token acts as its user, read from the store just now
    limit = get_settings().api_rate_per_minute
    now = time.time()
    window = int(now // RATE_WINDOW_S)
    used = throttle.hit(f"api-token:{checked.token_id}:{window}", RATE_WINDOW_S)
    if limit and used > limit:
        wait = max(1, int((window + 1) * RATE_WINDOW_S - now + 0.999))
        if used == limit + 1:  # once per window: a client looping on 429 must not flood the audit log
            _audit_api(checked.user.email, "rate_limited", token=checked.prefix)
        return api_error(429, "rate_limited", "api.error.rate_limited", headers={"Retry-After": str(wait)},
                         seconds=wait)
    if request.blueprint != API_BLUEPRINT:
        return api_error(404, "not_found", "api.error.not_found")
    roles = allowed_route_roles(current_app, request.endpoint)
    if roles is None or checked.user.role not in roles:
        _audit_api(checked.user.email, "forbidden", token=checked.prefix)
        return api_error(403, "forbidden", "error.forbidden.text")
    _audit_api(checked.user.email, "ok", token=checked.prefix)
    return None

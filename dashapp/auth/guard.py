"""Login and role checks on every request, in Flask, before Dash sees it.

Dash's routes (``/_dash-layout``, ``/_dash-dependencies``, ``/_dash-update-component``,
component suites) are plain HTTP endpoints: hiding a layout protects nothing. So nothing
is public except the login page, the language switch, the health check and static assets;
an anonymous API call gets 401, an anonymous page view is sent to the login page, and a
page the role may not open answers 403 even by direct URL.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from .. import i18n
from . import audit
from .callbacks import MAX_JSON_DEPTH, allowed_roles, json_depth
from .permissions import PAGE_ACCESS, can_view, page_for_path

log = logging.getLogger("pilotage.guard")
DASH_APP = "pilotage.dash"  # the key of the Dash app in ``server.extensions``

PUBLIC_PATHS = frozenset({"/login", "/healthz", "/assets/pilotage.css"})
PUBLIC_PREFIXES = ("/assets/vendor/", "/language/")


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
    if not current_user.is_authenticated:
        if path.startswith("/_dash") or request.method != "GET" or path.startswith("/api/"):
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

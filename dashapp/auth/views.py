"""The login form (a plain Flask page: nothing of Dash is served before login), logout and
the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from pilotage.settings import get_settings

from .. import i18n
from . import audit, throttle, users

blueprint = Blueprint("auth", __name__)

# Failed logins per client address before it must wait (on top of per-account lockout).
MAX_FAILURES_PER_ADDRESS = 30
ADDRESS_WINDOW_S = 600


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make the login page a phishing tool."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines ("/\t/evil").
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    return target


def _address_key() -> str:
    return f"login-address:{request.remote_addr}"


def _render(form: LoginForm, message: str | None = None, kind: str = "danger", status: int = 200):
    from ..demo_users import DEMO_PASSWORD, demo_users

    language = i18n.current_language()
    show_demo = not get_settings().is_production
    return render_template(
        "login.html", form=form, message=message, message_kind=kind, language=language,
        other_language="fr" if language == "en" else "en", t=lambda k, **v: i18n.t(k, language, **v),
        demo_users=demo_users() if show_demo else [], demo_password=DEMO_PASSWORD,
    ), status


@blueprint.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    """CSRFProtect refuses a POST before any view runs: the login form says so in the user's
    language (and keeps the e-mail typed); anything else gets a bare 400."""
    if request.path == "/login":
        return _render(LoginForm(), i18n.t("login.csrf"), status=400)
    return error.description, 400


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get("next")))
        expired = request.args.get("expired")
        return _render(form, i18n.t("login.expired") if expired else None, "warning")
    # Counted before the password is checked, atomically: parallel attempts cannot all read the same
    # count. A success gives its attempt back, so only failures (and throttled attempts) add up.
    attempts = throttle.hit(_address_key(), ADDRESS_WINDOW_S)
    if attempts > MAX_FAILURES_PER_ADDRESS:
        audit.record("login_failed", (form.email.data or "-")[:254], {"reason": "throttled"})
        return _render(form, i18n.t("login.throttled"), status=429)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            throttle.hit(_address_key(), ADDRESS_WINDOW_S, -1)
            return _render(form, i18n.t("login.csrf"), status=400)
        return _render(form, i18n.t("login.invalid"), status=401)
    result = users.authenticate(form.email.data, form.password.data)
    if result.user is None:
        audit.record("locked" if result.reason == "locked" else "login_failed", users.normalise_email(form.email.data),
                     {"reason": result.reason})
        # One message whatever the account's state (unknown, locked, disabled): the owner of a locked
        # account is told by e-mail instead.
        return _render(form, i18n.t("login.invalid"), status=401)
    throttle.hit(_address_key(), ADDRESS_WINDOW_S, -1)
    session.clear()  # a new session id at login: no fixation
    # The form cached a CSRF token of the old session in g: drop it, so that the cookie sent
    # with this response carries a token of the new session (Dash's first POST needs it).
    g.pop("csrf_token", None)
    session.permanent = True
    users.mark_login(session)
    login_user(result.user)
    audit.record("login", result.user.email)
    return redirect(_safe_next(request.args.get("next")))


@blueprint.route("/logout", methods=["POST", "GET"])
def logout():
    """POST (with the CSRF token, checked by CSRFProtect) logs out; a GET, which any other
    site could trigger, only leads back to the app."""
    if request.method == "GET":
        return redirect("/" if current_user.is_authenticated else url_for("auth.login"))
    if current_user.is_authenticated:
        audit.record("logout", current_user.email)
        users.end_sessions(current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@blueprint.route("/language/<code>", methods=["POST", "GET"])
def language(code: str):
    """Switch language: stored on the user when logged in, in the session otherwise. Only a POST (with
    the CSRF token, checked by CSRFProtect) switches: a GET, which another site could send with an
    image tag, changed the user's stored setting; it now only leads back."""
    if request.method == "POST" and code in i18n.LANGUAGES:
        session["language"] = code
        if current_user.is_authenticated:
            users.set_language(current_user.id, code)
    return redirect(_safe_next(request.values.get("next") or _same_site_referrer()))


def _same_site_referrer() -> str | None:
    """The page the user clicked from (path and query), if it is on this site. The navbar is
    built in ``/_dash-layout``, which cannot know the page's URL (Dash navigates client-side)."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host or parts.path.startswith("/_dash"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")

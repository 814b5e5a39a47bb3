"""Users in the store: create, change role or scope, disable, and authenticate with lockout.

The CLI (``pilotage users ...``) and the admin page call these same functions, and every
change goes to the audit log with who made it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_login import UserMixin
from sqlalchemy import func, insert, select, update

from pilotage.store.engine import get_engine
from pilotage.store.models import ALL_REGIONS, ROLES, AppUser, Region

from . import audit
from .passwords import hash_password, needs_rehash, verify_password

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
LANGUAGES = ("en", "fr")


# Core rows (not ORM objects): the app reads users on every request, cheaply.
_USER_ROW = select(*AppUser.__table__.c)


class UserError(ValueError):
    """A user change that cannot be made (unknown user, role or region...)."""


class UnknownRegions(UserError):
    """A scope names regions the store does not hold (yet)."""


@dataclass(frozen=True)
class User(UserMixin):
    """The logged-in person as the app sees them (read from the store on every request)."""

    id: int
    email: str
    name: str
    role: str
    scope: tuple[str, ...]
    language: str | None
    active: bool
    sessions_valid_after: dt.datetime | None = None

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return str(self.id)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user(row) -> User:
    scope = tuple(code for code in (row.scope or "").split(",") if code)
    return User(id=row.id, email=row.email, name=row.name or row.email, role=row.role, scope=scope,
                language=row.language, active=row.is_active, sessions_valid_after=row.sessions_valid_after)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_scope(scope: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``all`` / ``*`` or region codes that exist in the store; anything else is refused."""
    codes = [c.strip() for c in (scope.split(",") if isinstance(scope, str) else scope) if c.strip()]
    if any(c.lower() in ("all", ALL_REGIONS) for c in codes):
        return (ALL_REGIONS,)
    with get_engine().connect() as conn:
        known = set(conn.execute(select(Region.code)).scalars())
    unknown = sorted(set(codes) - known)
    if unknown:
        raise UnknownRegions(f"unknown region code(s): {', '.join(unknown)}")
    return tuple(sorted(set(codes)))


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(email: str, password: str, role: str, scope: str | list[str], name: str = "",
             language: str | None = None, actor: str = "cli") -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or any(char.isspace() for char in email):
        raise UserError(f"{email[:254]!r} is not an e-mail address")
    if len(password) < 8:
        raise UserError("a password needs at least 8 characters")
    if len(name) > 120:  # the column's size: PostgreSQL would refuse it with a database error
        raise UserError("a name has at most 120 characters")
    if language is not None and language not in LANGUAGES:
        raise UserError(f"language must be one of {', '.join(LANGUAGES)}")
    codes = parse_scope(scope)
    with get_engine().begin() as conn:
        if conn.execute(select(AppUser.id).where(AppUser.email == email)).first():
            raise UserError(f"a user {email} already exists")
        conn.execute(insert(AppUser).values(
            email=email, name=name or email.split("@")[0], password_hash=hash_password(password),
            role=_check_role(role), scope=",".join(codes), language=language, is_active=True,
            failed_logins=0, created_at=_now()))
    audit.record("admin", actor, {"action": "add_user", "user": email, "role": role, "scope": list(codes)})
    return get_user_by_email(email)


def list_users() -> list[User]:
    with get_engine().connect() as conn:
        return [_user(row) for row in conn.execute(_USER_ROW.order_by(AppUser.email))]


def get_user(user_id: int | str) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    with get_engine().connect() as conn:
        row = conn.execute(_USER_ROW.where(AppUser.id == user_id)).one_or_none()
    return _user(row) if row else None


def get_user_by_email(email: str) -> User | None:
    with get_engine().connect() as conn:
        row = conn.execute(_USER_ROW.where(AppUser.email == normalise_email(email))).one_or_none()
    return _user(row) if row else None


def _change(email: str, actor: str, action: str, **values) -> User:
    email = normalise_email(email)
    with get_engine().begin() as conn:
        changed = conn.execute(update(AppUser).where(AppUser.email == email).values(**values)).rowcount
    if not changed:
        raise UserError(f"no user {email}")
    detail = {k: v for k, v in values.items() if k != "password_hash"}
    audit.record("admin", actor, {"action": action, "user": email, **detail})
    return get_user_by_email(email)


def set_role(email: str, role: str, actor: str = "cli") -> User:
    return _change(email, actor, "set_role", role=_check_role(role))


def set_scope(email: str, scope: str | list[str], actor: str = "cli") -> User:
    return _change(email, actor, "set_scope", scope=",".join(parse_scope(scope)))


def set_active(email: str, active: bool, actor: str = "cli") -> User:
    values = ({"is_active": False, "sessions_valid_after": _now()} if not active
              else {"is_active": True, "failed_logins": 0, "locked_until": None})
    return _change(email, actor, "enable" if active else "disable", **values)


def set_password(email: str, password: str, actor: str = "cli") -> User:
    if len(password) < 8:
        raise UserError("a password needs at least 8 characters")
    return _change(email, actor, "set_password", password_hash=hash_password(password),
                   failed_logins=0, locked_until=None, sessions_valid_after=_now())


def set_language(user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise UserError(f"language must be one of {', '.join(LANGUAGES)}")
    with get_engine().begin() as conn:
        conn.execute(update(AppUser).where(AppUser.id == user_id).values(language=language))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str | None = None  # "invalid", "locked" or "disabled"


def authenticate(email: str, password: str) -> LoginResult:
    """Check a password; count attempts and lock the account for a while after too many failures.

    An attempt is counted *before* the (slow) hash is checked, by one atomic ``UPDATE ... + 1`` that
    only matches an unlocked account: of a burst of parallel guesses only the first
    :data:`MAX_FAILED_LOGINS` are ever checked, the rest lock the account (the audit's bursts of 20
    got 8 to 10 guesses checked, and sometimes the right one). A success gives its attempt back.

    Unknown e-mail, wrong password, locked or disabled account: the caller shows the same message,
    and the hash is always checked (against a dummy one when there is nothing to check), so that
    neither the answer nor its time tells which e-mails have accounts. Only the reason differs, for
    the audit log."""
    email = normalise_email(email)
    now = _now()
    with get_engine().connect() as conn:
        row = conn.execute(_USER_ROW.where(AppUser.email == email)).one_or_none()
    if row is None:
        verify_password(None, password)
        return LoginResult(None, "invalid")
    not_locked = (AppUser.id == row.id) & ((AppUser.locked_until.is_(None)) | (AppUser.locked_until <= now))
    with get_engine().begin() as conn:
        attempt = conn.execute(update(AppUser).where(not_locked).values(
            failed_logins=func.coalesce(AppUser.failed_logins, 0) + 1).returning(AppUser.failed_logins)).scalar()
    if attempt is None or attempt > MAX_FAILED_LOGINS:
        verify_password(None, password)  # the same time as any other answer
        if attempt is not None:
            _lock(row, now)
        return LoginResult(None, "locked")
    if not verify_password(row.password_hash, password):
        if attempt >= MAX_FAILED_LOGINS:
            _lock(row, now)
            return LoginResult(None, "locked")
        return LoginResult(None, "invalid")
    with get_engine().begin() as conn:
        # Only if no lock was set meanwhile by parallel failures; the attempt is given back.
        values = {"failed_logins": 0, "locked_until": None} | ({"last_login_at": now} if row.is_active else {})
        if needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        if not conn.execute(update(AppUser).where(not_locked).values(**values)).rowcount:
            return LoginResult(None, "locked")
    if not row.is_active:
        return LoginResult(None, "disabled")
    return LoginResult(_user(row))


def _lock(row, now: dt.datetime) -> None:
    """Lock the account (once: parallel failures may all get here) and tell its owner by e-mail."""
    with get_engine().begin() as conn:
        locked = conn.execute(update(AppUser).where(
            (AppUser.id == row.id) & ((AppUser.locked_until.is_(None)) | (AppUser.locked_until <= now))
        ).values(failed_logins=0, locked_until=now + LOCKOUT)).rowcount
    if locked:
        _tell_owner_of_lock(row)


def _tell_owner_of_lock(row) -> None:
    """The owner learns of the lock by e-mail (the login page says nothing an attacker could use); sent by the
    mail thread, so that the answer takes no longer than any other failure and a mail server down is no 500."""
    from pilotage import mail

    from .. import i18n

    language = row.language or "en"
    minutes = int(LOCKOUT.total_seconds() // 60)
    mail.send_later(row.email, i18n.t("mail.locked.subject", language),
                    i18n.t("mail.locked.body", language, minutes=minutes, attempts=MAX_FAILED_LOGINS))


def unlock(email: str, actor: str = "cli") -> User:
    """An admin lifts a lockout before it expires (audited)."""
    return _change(email, actor, "unlock", failed_logins=0, locked_until=None)


def load_session_user(user_id) -> User | None:
    """flask-login's user loader. flask-login checks ``is_active`` only at login, so without
    this a disabled user's open session would go on working until it expires; and a session
    opened before the user's ``sessions_valid_after`` (logout, disable, new password) is dead."""
    from flask import has_request_context, session

    user = get_user(user_id)
    if user is None or not user.active:
        return None
    if user.sessions_valid_after is not None:
        opened = session.get("login_at") if has_request_context() else None
        if not opened or dt.datetime.fromisoformat(opened) <= user.sessions_valid_after:
            return None
    return user


def mark_login(session) -> None:
    """Stamp a new session with its opening time (compared with ``sessions_valid_after``)."""
    session["login_at"] = _now().isoformat()


def end_sessions(user_id: int) -> None:
    """End every open session of the user (logout ends them all: the cookie may have been copied)."""
    with get_engine().begin() as conn:
        conn.execute(update(AppUser).where(AppUser.id == user_id).values(sessions_valid_after=_now()))

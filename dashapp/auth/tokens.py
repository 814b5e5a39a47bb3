"""Personal access tokens of the read API: created and revoked by their user on ``/profile``, checked by
the guard on every ``/api/v1/`` request.

A token reads ``plt_<prefix>_<secret>``: the prefix (public, unique) finds its row, the secret (256 random
bits) is checked against the row's hash. The store keeps an HMAC-SHA256 of the secret, keyed by a key
derived from the server's ``SECRET_KEY``, never the secret itself:

- a slow password hash (argon2) exists to make guessing a *low-entropy* password expensive; a 256-bit
  random secret cannot be guessed however fast the hash, so argon2 would only add tens of milliseconds
  and a burst of memory to every API request (and make the API an easy way to load the server);
- the key makes a stolen copy of the store useless on its own: without ``SECRET_KEY`` nobody can even
  test a candidate secret against it. Changing ``SECRET_KEY`` therefore revokes every token (as it ends
  every session);
- the hash is compared in constant time (:func:`hmac.compare_digest`).

A token acts as its user, never more: the guard reads the user (role, regions, active) from the store
on each request, so a changed role or scope applies at once and a disabled user's tokens stop working.
Creation, revocation and every failure are audited; each use updates ``last_used_at`` and is audited too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from pilotage.store.engine import get_engine
from pilotage.store.models import ApiToken

from ..semantic.inputs import clean_text
from . import audit, users

SCHEME = "plt"
PREFIX_BYTES = 6  # 12 hex characters: finds the row, says nothing of the secret
SECRET_BYTES = 32  # 256 bits
MAX_NAME = 120
EXPIRY_DAYS = (7, 30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
MAX_ACTIVE_TOKENS = 20  # per user: a short list to review, not a store of throwaway keys
_HASH_CONTEXT = b"pilotage api token v1"


class TokenError(ValueError):
    """A token change the profile page refuses: ``code`` names the translated message."""

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Checked:
    """What the guard learns from an ``Authorization`` header: the user and token, or why not."""

    user: users.User | None
    token_id: int | None = None
    prefix: str | None = None
    reason: str | None = None  # missing, malformed, unknown, revoked, expired, inactive


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _key(secret_key: str) -> bytes:
    """The hash key, derived from ``SECRET_KEY`` (so the same key is never used for two purposes)."""
    return hmac.new(secret_key.encode(), _HASH_CONTEXT, hashlib.sha256).digest()


def hash_secret(secret: str, secret_key: str) -> str:
    return hmac.new(_key(secret_key), secret.encode(), hashlib.sha256).hexdigest()


def _server_key() -> str:
    from flask import current_app

    return current_app.config["SECRET_KEY"]


def parse(value: str | None) -> tuple[str, str] | None:
    """``plt_<prefix>_<secret>`` -> (prefix, secret), or None for anything else (checked before any query)."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    parts = value.split("_")
    if len(parts) != 3 or parts[0] != SCHEME:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_BYTES * 2 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    if not 40 <= len(secret) <= 64 or not all(c.isalnum() or c == "-" for c in secret):
        return None
    return prefix, secret


def clean_name(value) -> str:
    name = clean_text(value, MAX_NAME)
    if name is None:
        raise TokenError("name")
    return name


def create(user: users.User, name, days) -> tuple[dict, str]:
    """A new token of ``user``: (its row, the token in clear). The clear token is shown once and never stored."""
    name = clean_name(name)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise TokenError("expiry") from None
    if days not in EXPIRY_DAYS:
        raise TokenError("expiry")
    now = _now()
    if len(listed(user.id, active_only=True)) >= MAX_ACTIVE_TOKENS:
        raise TokenError("too_many", limit=MAX_ACTIVE_TOKENS)
    prefix, secret = secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES).replace("_", "-")
    with get_engine().begin() as conn:
        token_id = conn.execute(insert(ApiToken).values(
            user_id=user.id, name=name, prefix=prefix, secret_hash=hash_secret(secret, _server_key()),
            created_at=now, expires_at=now + dt.timedelta(days=days)).returning(ApiToken.id)).scalar_one()
    audit.record("token", user.email, {"action": "created", "token": prefix, "name": name, "days": days})
    return get(user.id, token_id), f"{SCHEME}_{prefix}_{secret}"


_PUBLIC = (ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.expires_at,
           ApiToken.last_used_at, ApiToken.last_used_from, ApiToken.revoked_at)


def listed(user_id: int, active_only: bool = False) -> list[dict]:
    """The user's tokens, newest first (never their hash)."""
    statement = select(*_PUBLIC).where(ApiToken.user_id == user_id)
    if active_only:
        statement = statement.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > _now())
    with get_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement.order_by(ApiToken.id.desc()))]


def state(row: dict) -> str:
    """A listed token's state as the profile page shows it: revoked, expired or active (what :func:`check` accepts)."""
    if row["revoked_at"] is not None:
        return "revoked"
    return "expired" if row["expires_at"] <= _now() else "active"


def get(user_id: int, token_id: int) -> dict | None:
    with get_engine().connect() as conn:
        row = conn.execute(select(*_PUBLIC).where(ApiToken.id == token_id, ApiToken.user_id == user_id)).first()
    return dict(row._mapping) if row else None


def revoke(user: users.User, token_id) -> dict:
    """Revoke one of the user's own tokens (another user's id is ``not_found``, whatever it is)."""
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise TokenError("not_found") from None
    with get_engine().begin() as conn:
        done = conn.execute(update(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        ).values(revoked_at=_now())).rowcount
    row = get(user.id, token_id)
    if not done or row is None:
        raise TokenError("not_found")
    audit.record("token", user.email, {"action": "revoked", "token": row["prefix"], "name": row["name"]})
    return row


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header (None when there is none)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else ""


def check(header: str | None, remote_addr: str | None = None) -> Checked:
    """The user an ``Authorization`` header authenticates, read fresh from the store, or why it does not."""
    value = bearer(header)
    if value is None:
        return Checked(None, reason="missing")
    parsed = parse(value)
    if parsed is None:
        return Checked(None, reason="malformed")
    prefix, secret = parsed
    with get_engine().connect() as conn:
        row = conn.execute(select(ApiToken.id, ApiToken.user_id, ApiToken.secret_hash, ApiToken.expires_at,
                                  ApiToken.revoked_at).where(ApiToken.prefix == prefix)).first()
    expected = row.secret_hash if row is not None else hash_secret("-", _server_key())  # same work either way
    if not hmac.compare_digest(expected, hash_secret(secret, _server_key())) or row is None:
        return Checked(None, prefix=prefix, reason="unknown")
    if row.revoked_at is not None:
        return Checked(None, row.id, prefix, "revoked")
    now = _now()
    if row.expires_at <= now:
        return Checked(None, row.id, prefix, "expired")
    user = users.get_user(row.user_id)
    if user is None or not user.active:
        return Checked(None, row.id, prefix, "inactive")
    with get_engine().begin() as conn:
        conn.execute(update(ApiToken).where(ApiToken.id == row.id).values(
            last_used_at=now, last_used_from=(remote_addr or "")[:64] or None))
    return Checked(user, row.id, prefix)

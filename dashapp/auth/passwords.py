"""Password hashing with argon2id (argon2-cffi): slow on purpose, salted, self-describing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong e-mail costs as much time as a
# wrong password and the response time does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("pilotage-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False

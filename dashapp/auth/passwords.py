"""Password hashing with argon2id (argon2-cffi): slow on purpose, salted, self-describing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): argon2-cffi's default (64 MiB, 3 passes, 4 lanes) costs
# about 8 times the CPU, and on a 2-core server 50 people signing in within seconds queued behind it for seconds.
# Hashes made with other parameters still verify, and are replaced at the next successful login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
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


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (then it is replaced at login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True

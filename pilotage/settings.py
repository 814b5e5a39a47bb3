"""Settings read from the environment, once, in one place.

Every layer asks :func:`get_settings` instead of reading ``os.environ`` itself, so that
tests can swap the store or the key by setting variables and clearing the cache.
"""

from __future__ import annotations

import math
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "pilotage-demo-secret-key-change-me"  # refused everywhere: it is published
ENVIRONMENTS = ("demo", "production")
SECRET_FILE = "secret_key"  # under var/: the demo's own random key, made at first start, never in the repository
MIN_KEY_LENGTH = 32
MIN_KEY_BITS = 100  # estimated from the key's own characters: "a" * 32 is 0 bits, a random hex key of 32 about 115


class SettingsError(RuntimeError):
    """A setting is missing or unsafe for the chosen environment."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret_key: str
    environment: str
    pseudonym_key: str
    var_dir: Path
    pseudonym_key_set: bool = False  # PILOTAGE_PSEUDONYM_KEY given, not borrowed from SECRET_KEY
    smtp_url: str | None = None  # smtp://user:password@host:587 or smtps://...; None: .eml files in var/outbox
    mail_from: str = "pilotage@localhost"
    smtp_user: str | None = None  # when the login is not in SMTP_URL (a password with characters a URL must escape)
    smtp_password: str | None = None
    app_url: str = "http://127.0.0.1:8050"  # the app's address as users reach it, for the links in e-mails
    trusted_proxies: int = 0  # reverse proxies in front of gunicorn whose X-Forwarded-* headers are believed
    api_rate_per_minute: int = 120  # requests of one API token per clock minute (then 429 with Retry-After)
    chromium: str = "/usr/bin/chromium"  # the system browser that prints the home page's PDF

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def checked_pseudonym_key(self) -> str:
        """The key to pseudonymise with; in production only a key of its own (never SECRET_KEY's)."""
        if self.is_production:
            self.check_production_ready()
        return self.pseudonym_key

    def check_production_ready(self) -> None:
        """Refuse the defaults that are only acceptable for a demo."""
        if not self.is_production:
            return
        if not is_strong_key(self.secret_key):
            raise SettingsError("SECRET_KEY must be set to a random value of 32+ characters in production "
                                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        # Without its own key the pseudonyms would silently depend on SECRET_KEY: rotating the session key
        # would then change every lead's pseudonym, and one leaked key would open both.
        if not self.pseudonym_key_set or not is_strong_key(self.pseudonym_key):
            raise SettingsError("PILOTAGE_PSEUDONYM_KEY must be set to its own random value of 32+ characters "
                                "in production")
        if self.pseudonym_key == self.secret_key:
            raise SettingsError("PILOTAGE_PSEUDONYM_KEY must differ from SECRET_KEY")


def key_bits(key: str) -> float:
    """The key's entropy estimated from its own characters (Shannon, times its length): a crude guard
    against "aaaa..." or "abcabc..." keys, not a proof that a key is random."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


def _is_periodic(key: str) -> bool:
    """"abcdabcd...": a short pattern repeated, whatever its characters' spread."""
    return any(key == (key[:size] * (len(key) // size + 1))[:len(key)] for size in range(1, len(key) // 2 + 1))


def is_strong_key(key: str | None) -> bool:
    return (bool(key) and key != DEFAULT_SECRET_KEY and len(key) >= MIN_KEY_LENGTH and key_bits(key) >= MIN_KEY_BITS
            and not _is_periodic(key))


def demo_secret_key(var_dir: Path) -> str:
    """The demo's own random key, written to ``var/secret_key`` at first start (mode 0600). Created
    with O_EXCL so that gunicorn workers starting together all end up reading the same key."""
    path = var_dir / SECRET_FILE
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.02)
        raise SettingsError(f"{path} is empty: delete it to make a new key") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'pilotage.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = os.environ.get("PILOTAGE_ENV", "demo").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"PILOTAGE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    var_dir = Path(os.environ.get("PILOTAGE_VAR_DIR", PROJECT_ROOT / "var"))
    secret_key = os.environ.get("SECRET_KEY") or ""
    if not secret_key and environment == "demo":
        secret_key = demo_secret_key(var_dir)
    pseudonym_key = os.environ.get("PILOTAGE_PSEUDONYM_KEY") or ""
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_database_url(var_dir),
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=secret_key,
        environment=environment,
        # Leads are pseudonymised with a keyed hash; a demo may use its SECRET_KEY, production must set
        # its own (check_production_ready).
        pseudonym_key=pseudonym_key or secret_key,
        pseudonym_key_set=bool(pseudonym_key),
        var_dir=var_dir,
        trusted_proxies=_non_negative_int("PILOTAGE_TRUSTED_PROXIES"),
        api_rate_per_minute=_non_negative_int("PILOTAGE_API_RATE_PER_MINUTE", 120),
        smtp_url=os.environ.get("SMTP_URL") or None,
        mail_from=os.environ.get("MAIL_FROM") or "pilotage@localhost",
        smtp_user=os.environ.get("SMTP_USER") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        app_url=(os.environ.get("PILOTAGE_URL") or "http://127.0.0.1:8050").rstrip("/"),
        chromium=os.environ.get("PILOTAGE_CHROMIUM") or "/usr/bin/chromium",
    )


def _non_negative_int(name: str, default: int = 0) -> int:
    raw = os.environ.get(name, str(default)).strip() or str(default)
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return int(raw)


def shared_data_folder() -> Path:
    """Other teams' real exports (tests and benchmarks read them): ``PILOTAGE_SHARED_DATA``, else a
    ``shared/data`` folder beside the checkout or beside one of its parents (a CI clone may sit deeper)."""
    if "PILOTAGE_SHARED_DATA" in os.environ:
        return Path(os.environ["PILOTAGE_SHARED_DATA"]).resolve()
    for folder in PROJECT_ROOT.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return PROJECT_ROOT.parent / "shared" / "data"

"""Settings read from the environment, once, in one place.

Every layer asks :func:`get_settings` instead of reading ``os.environ`` itself, so that
tests can swap the store or the key by setting variables and clearing the cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "pilotage-demo-secret-key-change-me"
ENVIRONMENTS = ("demo", "production")


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
    trusted_proxies: int = 0  # reverse proxies in front of gunicorn whose X-Forwarded-* headers are believed

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check_production_ready(self) -> None:
        """Refuse the defaults that are only acceptable for a demo."""
        if not self.is_production:
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY must be set to a random value of 32+ characters in production")
        if self.pseudonym_key == DEFAULT_SECRET_KEY:
            raise SettingsError("PILOTAGE_PSEUDONYM_KEY must be set in production")


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'pilotage.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = os.environ.get("PILOTAGE_ENV", "demo").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"PILOTAGE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    var_dir = Path(os.environ.get("PILOTAGE_VAR_DIR", PROJECT_ROOT / "var"))
    secret_key = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_database_url(var_dir),
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=secret_key,
        environment=environment,
        # Leads are pseudonymised with a keyed hash; the key defaults to SECRET_KEY so a
        # demo needs no extra variable, but production must set both.
        pseudonym_key=os.environ.get("PILOTAGE_PSEUDONYM_KEY", secret_key),
        var_dir=var_dir,
        trusted_proxies=_non_negative_int("PILOTAGE_TRUSTED_PROXIES"),
    )


def _non_negative_int(name: str) -> int:
    raw = os.environ.get(name, "0").strip() or "0"
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

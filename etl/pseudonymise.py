"""Keyed hashing of personal identifiers: the store keeps counts, not people.

BLAKE2b in its keyed mode (a MAC by design, and one C call per value: a million leads hash
in about a second where HMAC-SHA256 takes eight) with a secret key (``PILOTAGE_PSEUDONYM_KEY``)
rather than a plain hash, so that nobody holding the store can test a guessed e-mail
address against it.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pilotage.settings import get_settings

KEY_LENGTH = 32  # hex characters kept: 128 bits, plenty against collisions at 10^8 leads


def normalise_email(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower()


def pseudonymise(values: pd.Series, namespace: str, key: str | None = None) -> pd.Series:
    """Hash each value with the namespace (the source system), so ids of two CRMs never collide."""
    # BLAKE2b keys are at most 64 bytes: longer secrets are first reduced with SHA-256.
    secret = hashlib.sha256((key or get_settings().checked_pseudonym_key()).encode()).digest()
    # The keyed state after the namespace is computed once and copied for each value: the same
    # digest as hashing key, namespace and value from scratch, without re-hashing the key block.
    keyed = hashlib.blake2b(namespace.encode() + b":", key=secret, digest_size=KEY_LENGTH // 2).copy

    def digest(value) -> str:
        state = keyed()
        state.update(str(value).encode())
        return state.hexdigest()

    # pandas' own string type, not object: sorting a million keys (the loader copies a first
    # load in key order) is three times faster.
    return pd.Series(list(map(digest, values.tolist())), index=values.index, dtype="str")

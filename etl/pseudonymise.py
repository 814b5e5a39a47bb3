"""Keyed hashing of personal identifiers: the store keeps counts, not people.

BLAKE2b in its keyed mode (a MAC by design, and one C call per value: a million leads hash
in about a second where HMAC-SHA256 takes eight) with a secret key (``PILOTAGE_PSEUDONYM_KEY``)
rather than a plain hash, so that nobody holding the store can test a guessed e-mail
address against it.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pilotage.settings import get_settings

KEY_LENGTH = 32  # hex characters kept: 128 bits, plenty against collisions at 10^8 leads


def normalise_email(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower()


IN_A_CHILD_FROM = 50_000  # values from which the hashing runs in a child process (starting one costs ~50 ms)


def _secret(key: str | None) -> bytes:
    # BLAKE2b keys are at most 64 bytes: longer secrets are first reduced with SHA-256.
    return hashlib.sha256((key or get_settings().checked_pseudonym_key()).encode()).digest()


def pseudonymise(values: pd.Series, namespace: str, key: str | None = None) -> pd.Series:
    """Hash each value with the namespace (the source system), so ids of two CRMs never collide."""
    secret = _secret(key)
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


class Pseudonymising:
    """:func:`pseudonymise` of a large column running in a child process (:mod:`etl.hash_worker`).

    Hashing is one Python call per value and holds the GIL: in a thread it would only take turns
    with the loader's own work. A child process hashes on the other core while the loader types
    the file's cells; :func:`pseudonyms` then collects the digests (the same as
    :func:`pseudonymise`'s)."""

    def __init__(self, values: pd.Series, namespace: str, key: str | None):
        self.index = values.index
        self.ready: pd.Series | None = None
        self.distinct = False  # True once the child has seen no value twice (False: not known)
        self.output: bytes = b""
        self.error: BaseException | None = None
        column = pa.array(values, type=pa.large_string()) if len(values) else pa.array([], pa.large_string())
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if len(values) < IN_A_CHILD_FROM or column.null_count:
            self.ready = pseudonymise(values, namespace, key)
            return
        offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[column.offset:column.offset + len(column) + 1]
        data = column.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]] if offsets[-1] else b""
        prefix = namespace.encode()
        self.payload = b"".join([struct.pack(">I", len(prefix)), prefix, _secret(key),
                                 struct.pack(">Q", len(column)), (offsets - offsets[0]).astype("<i8").tobytes(), data])
        # The child needs nothing from the environment: the key, the database URL and the app's secret stay here.
        self.worker = subprocess.Popen([sys.executable, "-I", str(Path(__file__).with_name("hash_worker.py"))],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env={"PATH": os.environ.get("PATH", "")})
        self.thread = threading.Thread(target=self._talk, name="pilotage-pseudonyms", daemon=True)
        self.thread.start()

    def _talk(self) -> None:
        try:
            self.output, errors = self.worker.communicate(self.payload)
            if self.worker.returncode:
                raise RuntimeError(f"the hashing process failed: {errors.decode(errors='replace')[-500:]}")
        except BaseException as error:  # handed to the caller by pseudonyms()
            self.error = error
        finally:
            self.payload = b""

    def result(self) -> pd.Series:
        if self.ready is None:
            self.thread.join()
            if self.error is not None:
                raise self.error
            count = len(self.index)
            if len(self.output) != 1 + count * KEY_LENGTH:
                raise RuntimeError(f"the hashing process gave {len(self.output):,} bytes for {count:,} values")
            self.distinct = self.output[:1] == b"1"
            # The hex digests, end to end after the flag, become an Arrow string column without a Python loop.
            offsets = pa.py_buffer(np.arange(1, 1 + (count + 1) * KEY_LENGTH, KEY_LENGTH, dtype=np.int64).tobytes())
            column = pa.LargeStringArray.from_buffers(count, offsets, pa.py_buffer(self.output))
            self.ready = pd.Series(pd.arrays.ArrowStringArray(column), index=self.index).astype("str")
            self.output = b""
        return self.ready


def start_pseudonymising(values: pd.Series, namespace: str, key: str | None = None) -> Pseudonymising:
    """Start :func:`pseudonymise` of ``values`` (in a child process when they are many)."""
    return Pseudonymising(values, namespace, key)


def pseudonyms(started: Pseudonymising) -> pd.Series:
    """The digests of :func:`start_pseudonymising`'s values, indexed like them (waits for them)."""
    return started.result()

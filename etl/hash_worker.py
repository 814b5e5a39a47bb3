"""The child process that hashes a load's identifiers on the machine's other core.

Run by :func:`etl.pseudonymise.start_pseudonymising` as ``python -I hash_worker.py``: the
standard library only (it starts in a few tens of milliseconds), the secret read from its
standard input, never from its command line. Input: the namespace's length (4 bytes, big
endian), the namespace, the 32-byte secret, the number of values (8 bytes), then the values as
Arrow lays out a string column: their ``n + 1`` offsets (little-endian int64, the first 0) and
their UTF-8 bytes end to end. Output: ``1`` if no two values were the same (else ``0``), then
``n`` digests of 32 hexadecimal characters, end to end; the loader then need not look for a key
given twice (on its own thread, where this one's set costs nothing on the other core). The
digest is :func:`etl.pseudonymise.pseudonymise`'s, value for value.
"""

import hashlib
import struct
import sys


def main() -> None:
    source = sys.stdin.buffer
    (length,) = struct.unpack(">I", source.read(4))
    namespace = source.read(length)
    secret = source.read(32)
    (count,) = struct.unpack(">Q", source.read(8))
    offsets = memoryview(source.read(8 * (count + 1))).cast("q")
    data = source.read(offsets[count])
    keyed = hashlib.blake2b(namespace + b":", key=secret, digest_size=16).copy
    digests = []
    append = digests.append
    start = 0
    for end in offsets[1:]:
        state = keyed()
        state.update(data[start:end])
        append(state.digest())
        start = end
    distinct = len(set(digests)) == count
    sys.stdout.buffer.write((b"1" if distinct else b"0") + b"".join(digests).hex().encode("ascii"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()

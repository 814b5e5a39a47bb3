"""Hostile files (issue 10, finding 1): per file, what the planning upload path answers, in how many
seconds and at what peak memory. Goal: each refused or read in under 2 s and 100 MB.

    .venv/bin/python bench/hostile_files.py

Each file runs in a fresh process (peak resident memory is per process), through the upload path
(``read_upload``: caps, then the bounded child) and through ``read_table`` in-process with the
upload caps; peak MB is the parent's plus the child's high-water mark.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_xlsx import HOSTILE  # noqa: E402


def one(name: str, path: str, file: str) -> None:
    """Child of this bench: read one file (built by the parent, so that building it is not measured),
    print JSON (result, seconds, peak MB)."""
    from pilotage.input import UPLOADS, InputError, read_table
    from pilotage.input.sandbox import read_upload

    data = Path(file).read_bytes()
    out = {"file": name, "packed_kb": len(data) / 1000}
    reader = {"upload": lambda: read_upload(data, "plan.xlsx"),
              "in-process": lambda: read_table(data, name="plan.xlsx", limits=UPLOADS)}[path]
    start = time.perf_counter()
    try:
        raw = reader()
        out["result"] = f"read: {len(raw.frame)} rows"
    except InputError as error:
        out["result"] = f"refused ({error.code})"
    out["seconds"] = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1000
    out["peak_mb"] = max(own, children)
    print(json.dumps(out))


def main() -> None:
    print(f"{'file':38} {'path':10} {'packed KB':>9} {'result':36} {'s':>6} {'peak MB':>8}")
    for name in HOSTILE:
        file = Path(tempfile.mkdtemp()) / "plan.xlsx"
        # Built in a process of its own: Linux keeps a process's peak memory across fork and exec.
        subprocess.run([sys.executable, __file__, "--build", name, str(file)], cwd=ROOT, check=True)
        for path in ("upload", "in-process"):
            done = subprocess.run([sys.executable, __file__, "--one", name, path, str(file)], capture_output=True,
                                  text=True, cwd=ROOT, check=False)
            try:
                r = json.loads(done.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                print(f"{name:38} {path:10} failed: {done.stderr.strip()[-200:]}")
                continue
            print(f"{name:38} {path:10} {r['packed_kb']:9.0f} {r['result']:36} {r['seconds']:6.2f} {r['peak_mb']:8.0f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--build":
        Path(sys.argv[3]).write_bytes(HOSTILE[sys.argv[2]]())
    elif len(sys.argv) == 5 and sys.argv[1] == "--one":
        one(*sys.argv[2:])
    else:
        main()

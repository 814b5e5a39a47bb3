"""Reading an untrusted upload in a child process bounded in time and memory.

A request thread cannot be stopped (gunicorn's timeout does not stop a gthread worker's busy
thread), so whatever the caps miss (a pathological workbook, a parser's worst case) must not run in
it: the child sets its own address-space and CPU limits before reading, the parent waits at most
``seconds`` and kills it. The child imports the standard library, openpyxl and defusedxml only, so it
starts in a fraction of a second; it gets the bytes on stdin and answers in JSON on stdout, with a
minimal environment (none of the app's secrets).

    python -m pilotage.input.sandbox '{"name": ..., "sheet": ..., "limits": {...}, "memory_mb": ...}'
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from pilotage.input.errors import InputError
from pilotage.input.limits import UPLOADS, Limits

SECONDS = 10.0
MEMORY_MB = 512  # address space, not resident memory: Python and its libraries map ~100 MB before reading


def read_upload(data: bytes, name: str, limits: Limits = UPLOADS, sheet: str | None = None,
                seconds: float = SECONDS, memory_mb: int = MEMORY_MB):
    """The upload as a :class:`~pilotage.input.table.RawTable`, or :class:`InputError`."""
    from pilotage.input.reading import _check_size, _format
    from pilotage.input.table import RawTable, frame_of, sha256_of

    file_name = Path(name).name
    _check_size(len(data), file_name, limits)  # cheap refusals first, without a process
    if _format(file_name) == "xlsx":
        from pilotage.input.xlsx_reader import check_archive

        check_archive(data, file_name, limits)  # the zip's central directory only: no XML parsed
    request = {"name": file_name, "sheet": sheet, "limits": dataclasses.asdict(limits), "memory_mb": memory_mb,
               "cpu_seconds": max(1, int(seconds))}
    root = str(Path(__file__).resolve().parents[2])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run([sys.executable, "-m", "pilotage.input.sandbox", json.dumps(request)], input=data,
                              capture_output=True, timeout=seconds, env=env, cwd=root, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(file_name, f"could not be read within {seconds:g} s", code="input.too_slow",
                         params={"seconds": f"{seconds:g}"}) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:  # killed by its limits (SIGXCPU, SIGKILL) or crashed: no answer
        raise InputError(file_name, "could not be read within the memory and time allowed",
                         code="input.too_costly") from None
    if "error" in answer:
        raise InputError(**answer["error"])
    header, rows, lines = answer["header"], answer["rows"], answer["lines"]
    return RawTable(path=Path(file_name), frame=frame_of(header, rows, lines), sha256=sha256_of(data),
                    columns=header, rejects=answer["rejects"])


def _child() -> None:
    import resource

    request = json.loads(sys.argv[1])
    memory = request["memory_mb"] * 1_000_000
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (request["cpu_seconds"], request["cpu_seconds"] + 1))
    from pilotage.input.reading import read_cells

    data = sys.stdin.buffer.read()
    try:
        header, rows, lines, rejects = read_cells(data, request["name"], Limits(**request["limits"]),
                                                  sheet=request["sheet"])
        answer = {"header": header, "rows": rows, "lines": lines, "rejects": rejects}
    except InputError as error:
        answer = {"error": {"file": error.file, "expected": error.expected, "line": error.line,
                            "column": error.column, "value": error.value, "code": error.code, "params": error.params}}
    except MemoryError:
        answer = {"error": {"file": request["name"], "expected": f"needs more than {request['memory_mb']} MB to read",
                            "code": "input.too_costly"}}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    _child()

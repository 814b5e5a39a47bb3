"""The one error type for a file that cannot be read as expected.

It names the file, and where it can the line, the column and the value, and says what was
expected. ``code`` and ``params`` let the app translate the message (``input.*`` keys of the
i18n catalog); the CLI prints ``str()``. It is a ``ValueError`` so that the commands' existing
``except ValueError`` handling prints it as one line with exit code 1.
"""

from __future__ import annotations


class InputError(ValueError):
    def __init__(self, file: str, expected: str, *, line: int | None = None, column: str | None = None,
                 value: str | None = None, code: str = "input.refused", params: dict | None = None):
        self.file, self.expected = str(file), expected
        self.line, self.column, self.value = line, column, value
        self.code, self.params = code, dict(params or {})
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ", ".join(part for part in (
            f"line {self.line}" if self.line is not None else "",
            f"column {self.column}" if self.column else "",
        ) if part)
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.file}: {where + ': ' if where else ''}{self.expected}{value}"

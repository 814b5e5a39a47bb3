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

    def where(self) -> str:
        """``line 3, column spend`` (empty when neither is known)."""
        return ", ".join(part for part in (
            f"line {self.line}" if self.line is not None else "",
            f"column {self.column}" if self.column else "",
        ) if part)

    def detail(self) -> str:
        """What went wrong, without the file name: ``line 3, column spend: a number (value 'x')``."""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.where() + ': ' if self.where() else ''}{self.expected}{value}"

    def describe(self) -> str:
        """``media.csv, line 3, column spend: a number (value 'x')``: the one format every command prints."""
        return f"{self.file}, {self.detail()}" if self.where() else f"{self.file}: {self.detail()}"

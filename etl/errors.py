"""Errors the ETL reports to people: each names the file and what was expected."""

from __future__ import annotations

from pilotage.input.errors import InputError


class EtlError(Exception):
    """Base for errors shown to the person running a load (never with a stack trace)."""


class FileRefused(EtlError, InputError):
    """The file's structure is wrong (unknown format, a required column missing...): the
    whole file is refused and nothing is written. It is the input layer's :class:`InputError`
    (file, line, column, value, expected, code) as well as an :class:`EtlError`; ``reason`` is the
    whole text after the file name."""

    def __init__(self, file_name: str, reason: str, **fields):
        self.file_name = file_name
        self.reason = reason
        InputError.__init__(self, file_name, fields.pop("expected", reason), **fields)

    def describe(self) -> str:
        return f"{self.file_name}: refused: {self.reason}"

    @classmethod
    def of(cls, error: InputError) -> FileRefused:
        """The input layer's refusal as the ETL's, every field kept."""
        if isinstance(error, cls):
            return error
        return cls(error.file, error.detail(), expected=error.expected,
                   line=error.line, column=error.column, value=error.value, code=error.code, params=error.params)

"""Errors the ETL reports to people: each names the file and what was expected."""

from __future__ import annotations


class EtlError(Exception):
    """Base for errors shown to the person running a load (never with a stack trace)."""


class FileRefused(EtlError):
    """The file's structure is wrong (unknown format, a required column missing...): the
    whole file is refused and nothing is written."""

    def __init__(self, file_name: str, reason: str):
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name}: refused: {reason}")

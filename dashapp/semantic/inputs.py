"""Checks of untrusted values that several semantic modules share: a row id and a name typed by a user."""

from __future__ import annotations


def row_id(value) -> int | None:
    """A store row id from a callback input (an int or its text), else None (a forged id is "not found")."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def clean_text(value, limit: int) -> str | None:
    """A name or label: printable text, spaces collapsed, 1 to ``limit`` characters; else None."""
    if not isinstance(value, str):
        return None
    text = " ".join("".join(ch for ch in value if ch.isprintable()).split())
    return text if text and len(text) <= limit else None

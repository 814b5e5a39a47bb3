"""The one input layer: every file the product reads (ETL loads, planning uploads, evaluation
files, bounds files) goes through here.

It lives beside the store rather than in ``etl`` because ``forecasting`` and ``dashapp`` read
files too and must not depend on ``etl``. ``errors`` holds the one error type, ``limits`` the
size caps, ``reading`` the entry point (``read_table``, ``peek_columns``), ``csv_reader`` and
``xlsx_reader`` one format each, ``table`` the shape they give and ``sandbox`` the bounded reading
of untrusted uploads.
"""

from pilotage.input.errors import InputError
from pilotage.input.limits import FILES, UPLOADS, Limits

__all__ = ["FILES", "LINE", "UPLOADS", "InputError", "Limits", "RawTable", "peek_columns", "read_table"]


def __getattr__(name: str):
    """``read_table``, ``RawTable``... on first use: the upload sandbox's child imports this package and
    must start without pandas (PEP 562)."""
    if name in ("read_table", "peek_columns"):
        from pilotage.input import reading

        return getattr(reading, name)
    if name in ("LINE", "RawTable"):
        from pilotage.input import table

        return getattr(table, name)
    raise AttributeError(name)

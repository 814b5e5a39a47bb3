"""The store: the one SQL database every layer reads and writes.

``engine`` (one engine per URL, SQLite tuned for embedded use, the data version caches key
on), ``models`` (SQLAlchemy 2 models of every table: dimensions, facts, marts, runs, users
and access, forecasts, plans), ``migrations`` (Alembic) with ``migrate`` to run them, and
``reference`` (the rows every store starts with). ``etl``, ``forecasting`` and ``dashapp``
depend on this package; it depends on none of them.
"""

from pilotage.store.engine import data_version, get_engine

__all__ = ["data_version", "get_engine"]

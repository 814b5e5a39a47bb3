"""ETL: read the exports marketing and sales teams already have, validate them, load them
into the SQL store and build the marts that the forecaster and the app read.

Layout: ``readers`` (bytes -> rows of text, one module per file format), ``connectors`` (rows
-> canonical tables, one module per source), ``validation`` (typed parsing with reasons),
``loading`` (bulk upserts in one transaction), ``marts`` (aggregates), ``pipeline`` (one file,
one transaction), ``demo`` (a generated company) and ``cli``. The store's schema and migrations
are in :mod:`pilotage.store`. This package never imports ``dashapp`` or ``forecasting``.
"""

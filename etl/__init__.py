"""ETL: read the exports marketing and sales teams already have, validate them, load them
into the SQL store and build the marts that the forecaster and the app read.

Layout: files are read by the shared input layer (:mod:`pilotage.input`: bytes -> rows of text
with their line numbers, dates and numbers typed per column); ``connectors`` (rows -> canonical
tables, one module per source), ``validation`` (typed fields with reasons), ``loading`` (bulk
upserts in one transaction), ``quality`` (outliers flagged as data-quality findings), ``marts``
(aggregates), ``pipeline`` (one file, one transaction), ``demo`` (a generated company) and
``cli``. The store's schema and migrations are in :mod:`pilotage.store`. This package never
imports ``dashapp`` or ``forecasting``.
"""

"""ETL: read the exports marketing and sales teams already have, validate them, load them
into the SQL store and build the marts that the forecaster and the app read.

Layout: files are read by the shared input layer (:mod:`pilotage.input`: bytes -> rows of
text with their line numbers); ``connectors`` (rows -> canonical tables, one
module per source), ``validation`` (typed parsing with reasons), ``loading`` (bulk upserts in
one transaction), ``marts`` (aggregates), ``demo`` (a generated company) and ``cli``.
This package never imports ``dashapp``.
"""

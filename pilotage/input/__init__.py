"""The one input layer: every file the product reads (ETL loads, planning uploads, evaluation
files, bounds files) goes through here.

It lives beside the store rather than in ``etl`` because ``forecasting`` and ``dashapp`` read
files too and must not depend on ``etl``. ``errors`` holds the one error type.
"""

from pilotage.input.errors import InputError

__all__ = ["InputError"]

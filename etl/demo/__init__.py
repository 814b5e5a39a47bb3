"""A generated demo company: a French car-dealer network whose data is drawn from known
parameters, so the app can be shown without real exports and the forecaster and the media
planner can be checked against the truth they should recover.

``company`` holds the reference data (regions, teams, reps, campaigns, channel response
parameters), ``generate`` draws the facts from a seed, ``load`` puts them in the store
through the same path as a file, ``export`` writes them as canonical CSV files.
"""

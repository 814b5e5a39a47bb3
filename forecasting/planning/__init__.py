"""Media planning: a response model of qualified leads to media spend, scenarios and a budget optimiser.

- :mod:`.transforms`: carry-over (geometric adstock) and saturation (Hill curve);
- :mod:`.model`: :class:`~.model.ResponseModel` (baseline + per-channel adstock and saturation),
  its predictions, contributions, costs per incremental lead and response curves;
- :mod:`.fit`: fitting with bounds and regularisation, bootstrap uncertainty, identification;
- :mod:`.geo`: the pooled geo model (every region at once, effects shrunk towards the shared one);
- :mod:`.geo_run`: the geo model fed from the store, registered as a media run (``model = "geo"``) and
  read back as one response model per scope (the regions' own; national = their sum);
- :mod:`.scenario`: a spend plan -> predicted leads with intervals and cost per lead;
- :mod:`.optimise`: the best allocation for a budget, or the least budget for a target;
- :mod:`.data`: the model's inputs from the marts; :mod:`.wide`: from any wide file;
- :mod:`.registry`: media runs (``forecast_run`` with ``kind = "media"``), champion, the app's readers;
- :mod:`.cli`: ``pilotage plan fit|optimise|evaluate|runs|promote|rollback``;
- :mod:`.simulate`: data with a known truth, for the tests and ``bench/planning.py``.
"""

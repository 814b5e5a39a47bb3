"""Alerts: rules users set on KPIs, the forecast and the loads; their evaluation for each recipient in that
recipient's own scope; notifications in the app and by e-mail.

- :mod:`.rules`: the rules and their subscribers, who may create which (directors for themselves, planners
  forecast rules for themselves, admins for anyone);
- :mod:`.evaluate`: each rule, each recipient, in the recipient's scope (never the owner's), written once per
  condition (:mod:`.events`) and e-mailed through :mod:`pilotage.mail`'s queue;
- :mod:`.texts`: what a notification says, in French and English;
- :mod:`.hooks`: the ``pilotage.after_load`` and ``pilotage.after_training`` entry points; ``pilotage alerts``.

The package reads data through :mod:`dashapp.semantic` only, and the ETL and forecasting never import it:
they run it through the entry points of :mod:`pilotage.hooks`.
"""

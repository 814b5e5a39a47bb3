"""Each KPI's definition, read from :mod:`dashapp.semantic.metrics` (the one place it is written):
``kpi.definition.<name>`` for the glossary page, the cards' and the drill-down's tooltips."""

from dashapp.semantic.metrics import KPIS

MESSAGES = {f"kpi.definition.{name}": kpi.definition for name, kpi in KPIS.items()}

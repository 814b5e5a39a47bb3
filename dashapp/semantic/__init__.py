"""The semantic layer between the store and the views: the user's scope, validated filters,
the one definition of every KPI, and the cached, parameterised queries on the marts.

Callbacks call :mod:`dashapp.semantic.queries` and :mod:`dashapp.semantic.metrics` only;
they never see SQL, and they cannot widen the scope: it comes from ``current_user`` here.
"""

"""The Dash app: login, roles and scopes, the macro and drill-down levels, forecast and
planning panels. Pages ask :mod:`dashapp.semantic` for data and never write SQL."""

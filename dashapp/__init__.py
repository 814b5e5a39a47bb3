"""The Dash app: login, roles and scopes, the macro and drill-down levels.

Reads marts, forecasts and runs through a query layer; never imports SQL into callbacks.
"""

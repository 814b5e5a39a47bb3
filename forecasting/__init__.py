"""Forecasting: monthly qualified-lead models and media planning.

Reads the marts only; writes model runs, forecasts and plans only (see DESIGN.md).
"""

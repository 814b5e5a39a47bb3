"""Callbacks, one module per page; each has ``register_callbacks(app)``."""

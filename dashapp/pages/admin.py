"""Placeholder being replaced."""

import dash
from dash import html

from . import guarded


def register(app):
    dash.register_page(__name__, path="/" if "admin" == "home" else "/admin", layout=guarded("/" if "admin" == "home" else "/admin", lambda **_: html.H1("admin")))

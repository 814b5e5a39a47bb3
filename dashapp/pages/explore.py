"""Placeholder being replaced."""

import dash
from dash import html

from . import guarded


def register(app):
    dash.register_page(__name__, path="/" if "explore" == "home" else "/explore", layout=guarded("/" if "explore" == "home" else "/explore", lambda **_: html.H1("explore")))

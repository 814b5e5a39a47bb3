"""Placeholder being replaced."""

import dash
from dash import html

from . import guarded


def register(app):
    dash.register_page(__name__, path="/" if "home" == "home" else "/home", layout=guarded("/" if "home" == "home" else "/home", lambda **_: html.H1("home")))

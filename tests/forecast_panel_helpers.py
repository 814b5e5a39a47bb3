"""Posting the forecast panel's callbacks as the page does: the first screen (one answer), then what is below the
fold as the browser asks for it once the drivers' slot is scrolled into view."""

from __future__ import annotations

from dashapp.pages.forecast.callbacks import BELOW_OUTPUTS, PANEL_OUTPUTS

from .app_helpers import dash_post

PANEL = ".." + "...".join(PANEL_OUTPUTS) + ".."
BELOW = ".." + "...".join(BELOW_OUTPUTS) + ".."


def first_screen(client, view="total", version=0):
    return dash_post(client, PANEL, [{"id": "forecast-view", "property": "value", "value": view},
                                     {"id": "forecast-version", "property": "data", "value": version}])


def below_fold(client, view="total", version=0):
    return dash_post(client, BELOW, [{"id": "forecast-below-seen", "property": "data", "value": True},
                                     {"id": "forecast-view", "property": "value", "value": view},
                                     {"id": "forecast-version", "property": "data", "value": version}])


def whole_panel(client, view="total", version=0) -> dict:
    """Both answers merged, as the page shows them once scrolled down; the drivers' chart (put into its slot) under
    ``forecast-drivers`` like the other components."""
    out = {}
    for post in (first_screen, below_fold):
        response = post(client, view, version)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        out |= response.json["response"]
    graph = out["forecast-drivers-slot"]["children"]
    assert graph["props"]["id"] == "forecast-drivers"
    out["forecast-drivers"] = {"figure": graph["props"]["figure"], "config": graph["props"]["config"]}
    return out

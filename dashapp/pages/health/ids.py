"""The data-health page's component ids (the tests and the browser bench name them too)."""

from __future__ import annotations

PAGE = "health-page"
REGION = "health-region"
SOURCES = "health-sources"
REJECTS_CHART = "health-rejects-chart"
DETAIL_TITLE = "health-detail-title"
DETAIL = "health-detail"
FIGURES = ("late", "gaps", "duplicates", "outliers", "rejects")  # the five cards, in their order


def figure(kind: str) -> str:
    """The number shown on one card."""
    return f"health-figure-{kind}"


def open_button(kind: str) -> str:
    """The card itself: a button that opens the rows behind its number."""
    return f"health-open-{kind}"


def kind_of(button_id) -> str | None:
    """The card a button id names, or None (the id comes from the browser)."""
    kind = button_id.removeprefix("health-open-") if isinstance(button_id, str) else None
    return kind if kind in FIGURES else None

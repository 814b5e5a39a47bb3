"""The drill-down page's component ids (the filter bar's own are in :mod:`dashapp.layout.filters`)."""

from __future__ import annotations

from ...layout.controls import download_id

PATH = "/explore"
NAME = "explore"  # in export ids and file names
HEADLINE = "explore-headline"
HEADLINE_TEXT = "explore-headline-text"
CHANGES = "explore-changes"
PERIOD_INFO = "explore-period-info"
STATE_BADGE = "explore-state"
SERIES = "explore-series"
SERIES_NOTE = "explore-series-note"
SERIES_TITLE = "explore-series-title"
SERIES_CARD = "explore-series-card"
FUNNEL = "explore-funnel"
FUNNEL_TABLE = "explore-funnel-table"
FUNNEL_RATIOS = "explore-funnel-ratios"
LEADERBOARD = "explore-leaderboard"
LEADERBOARD_TABLE = "explore-leaderboard-table"
GRID = "explore-grid"
GRID_CARD = "explore-grid-card"
DOWNLOAD = download_id(NAME)
SCOPE_NOTICE = "explore-scope-notice"
HEATMAP = "explore-heatmap"
CONVENTION = "explore-convention"
COHORT = "explore-cohort"
COHORT_TABLE = "explore-cohort-table"
ACTIVITY = "explore-activity"
ACTIVITY_TABLE = "explore-activity-table"
COHORTS_CARD = "explore-cohorts-card"
PAGE = "explore-page"
# The URL's query for the view the page opened with: a clientside callback writes it to the address bar (no
# round trip), the view callback afterwards (the filter bar's changes).
QUERY = "explore-query"
# Set (true) by the browser once the heatmap's card comes near the viewport: the visuals below the fold
# (heatmap, cohorts) are computed and drawn only then, so the first screen is drawn sooner.
BELOW_SEEN = "explore-below-seen"
HEATMAP_CARD = "explore-heatmap-card"
GRAPHS = {"series": SERIES, "funnel": FUNNEL, "heatmap": HEATMAP}  # visual -> its dcc.Graph


def stage_cell(stage: str) -> str:
    """A funnel stage's name in the funnel table (its definition on hover)."""
    return f"explore-stage-{stage}"


# The annotations card, put into its slot once the visuals below the fold are scrolled near (its form's date
# picker and dropdowns are not drawn with the first screen).
EVENTS_SLOT = "explore-events-slot"
EVENTS_CARD = "explore-events-card"
EVENTS_LIST = "explore-events-list"
EVENTS_TABLE = "explore-events-table"
EVENTS_NONE = "explore-events-none"
EVENT_LABEL = "explore-event-label"
EVENT_DATES = "explore-event-dates"
EVENT_REGIONS = "explore-event-regions"
EVENT_CHANNEL = "explore-event-channel"
EVENT_SAVE = "explore-event-save"
EVENT_PICK = "explore-event-pick"
EVENT_EDIT = "explore-event-edit"
EVENT_DELETE = "explore-event-delete"
EVENT_FEEDBACK = "explore-event-feedback"
EVENT_EDITING = "explore-event-editing"

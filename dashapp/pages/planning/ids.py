"""The planning page's component ids (those its callbacks read or fill, and its sections)."""

PAGE = "planning-page"
SCOPE = "planning-scope"
RUN_INFO = "planning-run-info"
NOTICE = "planning-notice"

# The response model (the first screen).
MODEL = "planning-model"
MODEL_INFO = "planning-model-info"
CHANNELS = "planning-channels"
CONTRIB = "planning-contrib"

# Below the fold: filled once the browser says the curves' slot is near the viewport.
BELOW_SEEN = "planning-below-seen"
CURVES_SLOT = "planning-curves-slot"  # the response curves' room, then their chart
CURVES = "planning-curves"
EXPERIMENTS = "planning-experiments"
EXPERIMENTS_TABLE = "planning-experiments-table"

# The editor and its prediction.
EDITOR = "planning-editor"
EDITOR_BODY = "planning-editor-body"  # tools, grid and prediction, filled with what is below the fold
EDITOR_TOOLS = "planning-editor-tools"
EDITOR_FEEDBACK = "planning-editor-feedback"
GRID = "planning-grid"
UPLOAD = "planning-upload"
RESET = "planning-reset"
OUT_OF_RANGE = "planning-out-of-range"
SUMMARY = "planning-summary"
PREDICTION = "planning-prediction"
PREDICTION_TABLE = "planning-prediction-table"
WRITER = "planning-writer"  # the scenario and optimiser cards, for the roles that plan

# Saved scenarios and their comparison.
NAME_INPUT = "planning-name"
OVERWRITE = "planning-overwrite"
SAVE = "planning-save"
SCENARIO_FEEDBACK = "planning-scenario-feedback"
SCENARIO = "planning-scenario"
LOAD = "planning-load"
DELETE = "planning-delete"
SCENARIOS = "planning-scenarios"
COMPARE = "planning-compare"
COMPARISON = "planning-comparison"

# Sharing (the author) and the scenarios shared with the user.
SHARE_USERS = "planning-share-users"
SHARE_ROLES = "planning-share-roles"
SHARE = "planning-share"
SHARE_FEEDBACK = "planning-share-feedback"
SHARES = "planning-shares"
SHARE_PICK = "planning-share-pick"
UNSHARE = "planning-unshare"
SHARED_CARD = "planning-shared-card"
SHARED = "planning-shared"
SHARED_OPEN = "planning-shared-open"
SHARED_LIST = "planning-shared-list"
SHARED_VIEW = "planning-shared-view"

# The optimiser.
OPT_MODE = "planning-opt-mode"
OPT_AMOUNT = "planning-opt-amount"
OPT_BOUNDS = "planning-opt-bounds"
OPT_MONTHS = "planning-opt-months"
OPT_RUN = "planning-opt-run"
OPT_CANCEL = "planning-opt-cancel"
OPT_USE = "planning-opt-use"
OPT_PROGRESS = "planning-opt-progress"
OPT_STEP = "planning-opt-step"
OPT_RUNNING = "planning-opt-running"
OPT_RESULT = "planning-opt-result"
OPT_GRID = "planning-opt-grid"
OPT_REGIONS = "planning-opt-regions"
ALLOCATION = "planning-allocation"

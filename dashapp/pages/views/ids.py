"""The saved views' component ids: this page's, and the navbar dialog's (:func:`dashapp.layout.shell.save_view_dialog`,
whose callback this page registers)."""

PAGE = "views-page"
LIST = "views-list"
NONE = "views-none"
TABLE = "views-table"
PICK = "views-pick"
SET_HOME = "views-set-home"
CLEAR_HOME = "views-clear-home"
DELETE = "views-delete"
FEEDBACK = "views-feedback"

# the navbar's "Save view" dialog
DIALOG_SAVE = "view-save"
DIALOG_NAME = "view-name"
DIALOG_HOME = "view-home"
DIALOG_LOCATION = "view-location"
DIALOG_FEEDBACK = "view-feedback"


def open_link(view_id) -> str:
    return f"views-open-{view_id}"

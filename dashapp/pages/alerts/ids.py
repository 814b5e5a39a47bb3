"""The alerts page's component ids, and the navbar bell's (kept current from this page's callbacks)."""

from __future__ import annotations

PAGE = "alerts-page"
VERSION = "alerts-version"  # bumped by every change: the list, the bell and the rules are drawn again
LIST, MARK_ALL = "alerts-list", "alerts-mark-all"
RULES, RULE_FORM, RULE_FORM_TITLE = "alerts-rules", "alerts-rule-form", "alerts-rule-form-title"
RULE_SAVE, RULE_FEEDBACK, RULE_EDITING = "alerts-rule-save", "alerts-rule-feedback", "alerts-rule-editing"
FORM_FIELDS = ("name", "kind", "kpi", "grain", "basis", "threshold", "severity", "regions", "channels", "source",
               "users", "roles")
DIGEST_SHOW, DIGEST, DIGEST_BODY = "alerts-digest-show", "alerts-digest", "alerts-digest-body"
PREF_KINDS, PREF_LANGUAGE, PREF_SAVE = "alerts-pref-kinds", "alerts-pref-language", "alerts-pref-save"
PREF_FEEDBACK, RELOAD = "alerts-pref-feedback", "alerts-reload"
BELL, BELL_COUNT = "nav-bell", "nav-bell-count"  # in the navbar (dashapp.layout.shell)
# Pattern-matching ids of the buttons drawn per notification and per rule; the browser copies a click on one
# into the store of its kind (``{"index", "clicks", "at"}``), which the server's callbacks listen to: buttons
# drawn (not clicked) then cost no request.
READ, EDIT, DELETE = "alerts-read", "alerts-rule-edit", "alerts-rule-delete"
CLICKED = {READ: "alerts-read-clicked", EDIT: "alerts-rule-edit-clicked", DELETE: "alerts-rule-delete-clicked"}


def field(name: str) -> str:
    """A control of the rule form (one of :data:`FORM_FIELDS`)."""
    return f"alerts-rule-{name}"


def button(kind: str, index: int) -> dict:
    """The button of one notification (:data:`READ`) or rule (:data:`EDIT`, :data:`DELETE`)."""
    return {"type": kind, "index": index}

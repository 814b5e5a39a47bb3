"""The profile page's token list, on hand-made rows (the page's callbacks and the API are tested with a store in
test_api_v1.py): each token's state follows the one rule the API applies, and only an active one can be revoked."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashapp import i18n
from dashapp.auth import tokens
from dashapp.pages.profile import figures, ids

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None)


def row(token_id: int, *, expires: dt.timedelta, revoked: bool = False) -> dict:
    return {"id": token_id, "name": f"token {token_id}", "prefix": f"p{token_id}",
            "created_at": NOW - dt.timedelta(days=1), "expires_at": NOW + expires, "last_used_at": None,
            "last_used_from": None,
            "revoked_at": NOW - dt.timedelta(hours=1) if revoked else None}


@pytest.mark.parametrize(("made", "state"), [
    (row(1, expires=dt.timedelta(days=30)), "active"),
    (row(2, expires=-dt.timedelta(seconds=1)), "expired"),
    (row(3, expires=dt.timedelta(days=30), revoked=True), "revoked"),
    (row(4, expires=-dt.timedelta(days=3), revoked=True), "revoked"),  # revoked says more than expired
])
def test_a_token_is_active_until_it_expires_or_is_revoked(made, state):
    assert tokens.state(made) == state


@pytest.mark.parametrize("language", ["en", "fr"])
def test_only_an_active_token_has_a_revoke_button(language):
    rows = [row(1, expires=dt.timedelta(days=30)), row(2, expires=-dt.timedelta(days=1)),
            row(3, expires=dt.timedelta(days=30), revoked=True)]
    table = json.dumps(figures.token_table(rows, language).to_plotly_json(), default=lambda c: c.to_plotly_json(),
                       ensure_ascii=False)
    assert json.dumps(ids.revoke(1)) in table
    assert json.dumps(ids.revoke(2)) not in table and json.dumps(ids.revoke(3)) not in table
    for token_id, state in ((1, "active"), (2, "expired"), (3, "revoked")):
        assert f'"id": "{ids.token_state(token_id)}"' in table
        assert i18n.t(f"profile.tokens.state.{state}", language) in table
    assert "plt_p1_…" in table  # the prefix only, never a secret


def test_no_token_says_so():
    empty = figures.token_table([], "en").to_plotly_json()["props"]
    assert empty["id"] == ids.NO_TOKEN and empty["children"] == i18n.t("profile.tokens.none", "en")

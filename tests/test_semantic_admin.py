"""The rules of the admin page's actions on users, in the query layer (the page only shows what they say):
an admin cannot lock themselves out, a scope cannot be emptied, every value is untrusted, other roles are
refused. On a store of its own (the demo users)."""

from __future__ import annotations

import contextlib

import pytest

from dashapp.alerts.evaluate import acting_as
from dashapp.auth import users
from dashapp.auth.permissions import Forbidden
from dashapp.semantic import admin

from .test_app_admin import ADMIN, store, store_url  # noqa: F401  (fixtures)

PLANNER = "planner@pilotage.demo"


@contextlib.contextmanager
def as_user(dash_app, email: str):
    with dash_app.server.app_context(), acting_as(users.get_user_by_email(email)):
        yield


def refusal(call) -> str:
    with pytest.raises(admin.Refused) as refused:
        call()
    return refused.value.code


def test_an_admin_cannot_lock_themselves_out(dash_app, store):  # noqa: F811
    with as_user(dash_app, ADMIN):
        assert refusal(lambda: admin.change_user("disable", ADMIN)) == "users.not_yourself"
        assert refusal(lambda: admin.change_user("set_role", ADMIN, role="sales")) == "users.not_yourself"
        assert admin.change_user("set_role", ADMIN, role="admin").role == "admin"   # a no-op is allowed
    me = users.get_user_by_email(ADMIN)
    assert (me.role, me.active) == ("admin", True)


def test_actions_on_another_user(dash_app, store):  # noqa: F811
    with as_user(dash_app, ADMIN):
        assert admin.change_user("set_role", PLANNER, role="director").role == "director"
        assert admin.change_user("set_role", PLANNER, role="planner").role == "planner"
        assert admin.change_user("set_scope", PLANNER, scope="FR-IDF").scope == ("FR-IDF",)
        assert refusal(lambda: admin.change_user("set_scope", PLANNER, scope=[None, 3])) == "users.scope_required"
        assert admin.change_user("set_scope", PLANNER, scope=["*"]).scope == ("*",)
        assert not admin.change_user("disable", PLANNER).active
        assert admin.change_user("enable", PLANNER).active
        with pytest.raises(users.UserError):
            admin.change_user("set_role", PLANNER, role="superuser")
        for email in ("ghost@pilotage.demo", None, ["forged"]):
            assert refusal(lambda email=email: admin.change_user("disable", email)) == "users.select_first"
        assert refusal(lambda: admin.change_user("delete", PLANNER)) == "users.select_first"
    assert users.get_user_by_email(PLANNER).role == "planner"


def test_a_new_user_needs_email_password_role_and_scope(dash_app, store):  # noqa: F811
    complete = dict(email="new.one@pilotage.demo", name="New", password="long enough", role="sales",
                    scope=["FR-IDF"], language="fr")
    with as_user(dash_app, ADMIN):
        for field, value in (("email", " "), ("password", ""), ("role", "superuser"), ("scope", [])):
            assert refusal(lambda f=field, v=value: admin.add_user(**{**complete, f: v})) == "new.missing", field
        created = admin.add_user(**{**complete, "language": "klingon", "name": 42})
    assert (created.role, created.scope, created.language) == ("sales", ("FR-IDF",), None)


def test_other_roles_are_refused(dash_app, store):  # noqa: F811
    with as_user(dash_app, PLANNER):
        for call in (lambda: admin.change_user("set_role", PLANNER, role="admin"), admin.users,
                     lambda: admin.add_user("x@y.z", "X", "long enough", "admin", ["*"], None),
                     lambda: admin.user(ADMIN)):
            with pytest.raises(Forbidden):
                call()
    assert users.get_user_by_email(PLANNER).role == "planner"


def test_scope_codes_from_untrusted_values():
    assert admin.scope_codes("FR-IDF") == ["FR-IDF"]
    assert admin.scope_codes(["FR-IDF", 3, None, "FR-ARA"]) == ["FR-IDF", "FR-ARA"]
    assert admin.scope_codes({"FR-IDF": 1}) == [] and admin.scope_codes(None) == []

"""The data-health query layer as each role calls it, on the hand-made store of :mod:`tests.test_app_health`
(Île-de-France's leads 3 days late, two rejected rows, findings with and without a region): who sees the
file-level rows, what counts as late, and that a cached answer never crosses from the data team to a director
of the same regions."""

from __future__ import annotations

import contextlib

from dashapp.alerts.evaluate import acting_as
from dashapp.auth.users import get_user_by_email
from dashapp.semantic import health

from .test_app_health import ADMIN, IDF_DIRECTOR, SALES, day, store  # noqa: F401  (store is a fixture)

DIRECTOR = "director@pilotage.demo"  # every region, like the admin: the same cache scope


@contextlib.contextmanager
def as_user(dash_app, email: str):
    with dash_app.server.app_context(), acting_as(get_user_by_email(email)):
        yield


def test_file_level_rows_are_the_data_teams_even_from_a_shared_cache(dash_app, store):  # noqa: F811
    with as_user(dash_app, ADMIN):
        admin_outliers = health.outliers()
        assert health.rejects_by_day() and len(health.rejected_rows()) == 2
    with as_user(dash_app, DIRECTOR):
        assert health.rejects_by_day() is None and health.rejected_rows() is None
        assert len(health.outliers()) == len(admin_outliers) - 1   # not the finding without a region
        assert health.summary()["rejects"] is None


def test_late_sources_are_those_behind_their_cadence(dash_app, store):  # noqa: F811
    with as_user(dash_app, IDF_DIRECTOR):
        late = health.late_sources()
        assert [(s["feed"], s["late_days"]) for s in late] == [("fact_lead", 3)]
        assert late == [s for s in health.sources() if s["late_days"] > 0]
        assert health.summary()["late"] == late
        assert health.late_sources(["FR-ARA"]) == []     # a region outside the scope narrows to nothing


def test_rejected_rows_of_one_day(dash_app, store):  # noqa: F811
    with as_user(dash_app, ADMIN):
        today = health.as_of()
        assert len(health.rejected_rows(today.isoformat())) == 2        # the file was loaded today
        assert health.rejected_rows(day(1).isoformat()) == []
        assert health.rejected_rows("not a date") == []


def test_the_home_line_only_for_roles_of_the_health_page(dash_app, store):  # noqa: F811
    with as_user(dash_app, SALES):
        assert health.visible_summary() is None
    with as_user(dash_app, IDF_DIRECTOR):
        assert health.visible_summary() == health.summary()


def test_a_cached_answer_is_refused_to_a_role_outside_the_health_page(dash_app, store):  # noqa: F811
    """The role is checked on every call, not only when the cache misses: the sales user here has the regional
    director's regions (the same cache key) after the director filled the cache."""
    import dataclasses

    import pytest

    from dashapp.auth.permissions import Forbidden

    director = get_user_by_email(IDF_DIRECTOR)
    same_regions = dataclasses.replace(get_user_by_email(SALES), scope=director.scope)
    with dash_app.server.app_context():
        with acting_as(director):
            filled = [health.sources(), health.gaps(), health.duplicates(), health.outliers()]
            assert filled[0]
        with acting_as(same_regions):
            for read in (health.sources, health.gaps, health.duplicates, health.outliers, health.rejects_by_day):
                with pytest.raises(Forbidden):
                    read()

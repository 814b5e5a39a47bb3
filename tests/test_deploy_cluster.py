"""Two app instances behind nginx on one PostgreSQL and one Redis (tests/cluster.py): a session opened
on one works on the other, failed logins on both count in one throttle, a cache entry written by one is
read by the other, and the proxy spreads requests over both.

nginx is Debian's (`make test` installs it when missing); outside CI a missing nginx skips these
tests, in CI it is an error. Requests are sequential: what is tested is sharing, not races.
"""

from __future__ import annotations

import json
import os

import pytest

from dashapp.demo_users import DEMO_PASSWORD

from .app_helpers import CSRF_FIELD
from .cluster import ClusterError, cluster, nginx_available

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: flushed at start and end
DIRECTOR = "director@pilotage.demo"
HOME_OUTPUT = "..home-cards.children...home-funnel.children...home-period-info.children.."
requests = pytest.importorskip("requests")


@pytest.fixture(scope="module")
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if IN_CI:
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(scope="module")
def two_hosts(demo_postgres_url, redis_client, tmp_path_factory):
    if not nginx_available():
        message = "nginx is missing: install Debian's nginx (`apt-get install -y nginx-light`, or `make nginx`)"
        if IN_CI:
            pytest.fail(f"the two-instance test must run in CI: {message}")
        pytest.skip(message)
    try:
        with cluster(demo_postgres_url, REDIS_URL, tmp_path_factory.mktemp("cluster")) as running:
            yield running
    except ClusterError as error:
        pytest.fail(str(error))


def _token(session, base: str, **headers) -> str:
    return CSRF_FIELD.search(session.get(f"{base}/login", headers=headers, timeout=30).text).group(1)


def _login(session, base: str, email: str, password: str, **headers):
    data = {"email": email, "password": password, "csrf_token": _token(session, base, **headers)}
    return session.post(f"{base}/login", data=data, headers=headers, allow_redirects=False, timeout=30)


def _callback(session, base: str, period: str):
    body = {"output": HOME_OUTPUT, "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                                               for p in HOME_OUTPUT.strip(".").split("...")],
            "inputs": [{"id": "home-period", "property": "value", "value": period}], "state": [],
            "changedPropIds": ["home-period.value"]}
    return session.post(f"{base}/_dash-update-component", data=json.dumps(body), timeout=60,
                        headers={"Content-Type": "application/json",
                                 "X-CSRFToken": session.cookies.get("_csrf_token", "")})


def _signed_in(session, base: str) -> bool:
    response = session.get(f"{base}/", allow_redirects=False, timeout=30)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_a_session_opened_on_one_instance_works_on_the_other_and_through_the_proxy(two_hosts):
    a, b, proxy = two_hosts.a, two_hosts.b, two_hosts.proxy
    user = requests.Session()
    assert not _signed_in(user, b.url)
    assert _login(user, a.url, DIRECTOR, DEMO_PASSWORD).status_code == 302
    # Cookies do not depend on the port: the same browser now talks to the other host.
    assert _signed_in(user, b.url)
    assert _callback(user, b.url, "last_month").status_code == 200  # its CSRF token, issued by A, holds on B
    served = len(proxy.upstreams())
    assert all(_signed_in(user, proxy.url) for _ in range(4))
    assert set(proxy.upstreams()[served:]) == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}  # round-robin
    # Logging out on B ends the session on A too (the store says since when sessions are void).
    logout = user.post(f"{b.url}/logout", headers={"X-CSRFToken": user.cookies.get("_csrf_token", "")},
                       allow_redirects=False, timeout=30)
    assert logout.status_code == 302
    assert not _signed_in(user, a.url)


def test_failed_logins_on_both_instances_count_in_one_throttle(two_hosts):
    from dashapp.auth.views import MAX_FAILURES_PER_ADDRESS

    a, b, proxy = two_hosts.a, two_hosts.b, two_hosts.proxy
    # One client address for this test (believed from X-Forwarded-For: the instances trust one proxy hop),
    # so the loopback address the other tests use stays unthrottled.
    client = {"X-Forwarded-For": "127.0.0.77"}
    attacker = requests.Session()
    statuses = [_login(attacker, (a, b)[i % 2].url, f"nobody.{i}@pilotage.demo", "wrong-password", **client).status_code
                for i in range(MAX_FAILURES_PER_ADDRESS)]
    assert statuses == [401] * MAX_FAILURES_PER_ADDRESS
    # Half of the failures went to each instance: each alone has seen 15; together they have seen 30.
    assert _login(attacker, a.url, DIRECTOR, DEMO_PASSWORD, **client).status_code == 429
    assert _login(attacker, b.url, DIRECTOR, DEMO_PASSWORD, **client).status_code == 429
    # Another address (the proxy's client, 127.0.0.1) is not concerned.
    assert _login(requests.Session(), proxy.url, DIRECTOR, DEMO_PASSWORD).status_code == 302


def test_a_cache_entry_written_by_one_instance_is_read_by_the_other(two_hosts, redis_client):
    a, b = two_hosts.a, two_hosts.b
    user = requests.Session()
    assert _login(user, a.url, DIRECTOR, DEMO_PASSWORD).status_code == 302
    before = set(redis_client.keys("pilotage:q:*"))
    on_a = _callback(user, a.url, "quarter_to_date")
    assert on_a.status_code == 200
    written = set(redis_client.keys("pilotage:q:*")) - before
    assert written, "instance A stored no query result in Redis"
    on_b = _callback(user, b.url, "quarter_to_date")
    assert on_b.status_code == 200
    assert set(redis_client.keys("pilotage:q:*")) - before == written  # B read A's entries, wrote none
    assert on_b.json() == on_a.json()

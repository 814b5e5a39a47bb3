"""Authentication as a user and as an attacker see it: wrong passwords, unknown e-mails,
lockout, disabled accounts, session expiry, CSRF, logout, open redirects, the production
settings and the ``pilotage users`` command.

These tests change users (lock, disable, add), so they run on a small store of their own
(:func:`make_app_store`: regions and the demo users, no marts), never on the shared demo store.
Clients that fail to log in get their own address, so that the per-address throttle of one
test never blocks another.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from urllib.parse import unquote

import pytest
from itsdangerous import TimestampSigner
from typer.testing import CliRunner

from dashapp.auth import audit, users

from .app_helpers import csrf_from, csrf_header, dash_post, logged_in_client, make_app_store, switch_language

PASSWORD = "pilotage-demo"
_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return make_app_store(tmp_path_factory.mktemp("auth"))


@pytest.fixture
def store(store_url, monkeypatch) -> str:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return store_url


def client_from_new_address(dash_app, accept_language: str = "en-GB"):
    """A fresh browser on its own address (the login throttle counts failures per address)."""
    number = next(_addresses)
    client = dash_app.server.test_client()
    client.environ_base.update(REMOTE_ADDR=f"10.20.{number // 250}.{number % 250 + 1}",
                               HTTP_ACCEPT_LANGUAGE=accept_language)
    return client


def post_login(client, email: str, password: str, next_url: str | None = None, token: str | None = "page"):
    """Submit the login form as a browser does (``token=None``: without the CSRF field)."""
    if token == "page":
        token = csrf_from(client.get("/login").text)
    data = {"email": email, "password": password}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/login" + (f"?next={next_url}" if next_url else ""), data=data)


def login_message(response) -> str:
    match = re.search(r'id="login-message">([^<]*)<', response.text)
    return match.group(1).strip() if match else ""


def is_logged_in(client) -> bool:
    return client.get("/_dash-layout").status_code == 200


def new_user(email: str, role: str = "director", scope: str = "FR-IDF") -> str:
    users.add_user(email, PASSWORD, role, scope, actor="test")
    return email


def audit_events(actor: str, event: str | None = None) -> list[dict]:
    return [e for e in audit.recent(1000, event) if e["actor"] == actor]


# --- wrong password, unknown e-mail, lockout ----------------------------------------------------

def test_wrong_password_is_refused_and_audited(dash_app, store):
    client = client_from_new_address(dash_app)
    response = post_login(client, "director.idf@pilotage.demo", "not-the-password")
    assert response.status_code == 401
    assert login_message(response) == "Wrong e-mail or password."
    assert not is_logged_in(client)
    assert client.get("/").status_code == 302
    (entry,) = audit_events("director.idf@pilotage.demo", "login_failed")[:1]
    assert json.loads(entry["detail"]) == {"reason": "invalid"} and entry["remote_addr"].startswith("10.20.")


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(dash_app, store):
    known = post_login(client_from_new_address(dash_app), "planner@pilotage.demo", "wrong-password")
    unknown = post_login(client_from_new_address(dash_app), "nobody@pilotage.demo", "wrong-password")
    assert known.status_code == unknown.status_code == 401
    assert login_message(known) == login_message(unknown) != ""
    strip = re.compile(r'value="[^"]*"')  # the CSRF token and the e-mail typed differ
    assert strip.sub("", known.text) == strip.sub("", unknown.text)
    assert audit_events("nobody@pilotage.demo", "login_failed")


def test_lockout_after_five_failures_says_nothing_mails_the_owner_and_an_admin_unlocks(dash_app, store, monkeypatch):
    """The fifth failure and a locked account get the message of a wrong password (the audit told
    accounts apart by it); the owner learns of the lock by e-mail, received here by a real SMTP server."""
    from pilotage.settings import get_settings
    from tests.smtp import serve

    inbox_server = serve("alerts@pilotage.demo", "mail-password")
    inbox = next(inbox_server)
    monkeypatch.setenv("SMTP_URL", inbox.url)
    get_settings.cache_clear()

    email = new_user("locked.out@pilotage.demo")
    client = client_from_new_address(dash_app)
    answers = [post_login(client, email, f"guess-{i}") for i in range(users.MAX_FAILED_LOGINS)]
    assert [a.status_code for a in answers] == [401] * 5
    assert {login_message(a) for a in answers} == {"Wrong e-mail or password."}
    # Locked: the right password is refused too, from any address, with the same answer as anyone.
    right = post_login(client_from_new_address(dash_app), email, PASSWORD)
    unknown = post_login(client_from_new_address(dash_app), "nobody.at.all@pilotage.demo", PASSWORD)
    assert right.status_code == unknown.status_code == 401
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", right.text) == strip.sub("", unknown.text)
    assert not is_logged_in(client)
    assert audit_events(email, "locked")
    assert len(audit_events(email, "login_failed")) == 4

    deadline = time.monotonic() + 10  # sent by the mail thread, after the answer
    while not inbox.to(email) and time.monotonic() < deadline:
        time.sleep(0.05)
    (sent,) = inbox.to(email)
    assert sent["Subject"] == "Pilotage: your account is locked"
    assert "locked for 15 minutes" in sent.get_content()
    assert inbox.logins == [("alerts@pilotage.demo", "accepted")]
    inbox_server.close()

    result = CliRunner().invoke(_cli(), ["users", "unlock", email])
    assert result.exit_code == 0, result.output
    assert {"action": "unlock", "user": email}.items() <= json.loads(audit.recent(1, "admin")[0]["detail"]).items()
    assert post_login(client_from_new_address(dash_app), email, PASSWORD).status_code == 302


def test_a_locked_or_unknown_account_costs_one_hash_like_a_wrong_password(store, monkeypatch):
    """The time of an answer must not tell a locked account (9 ms in the audit) from a wrong password
    (510 ms): every path runs argon2 once. Counted, not timed."""
    from argon2 import PasswordHasher

    email = new_user("timed@pilotage.demo")
    for i in range(users.MAX_FAILED_LOGINS):
        users.authenticate(email, f"guess-{i}")
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, *a: calls.append(1) or real_verify(self, *a))
    for who in (email, "timed@pilotage.demo", "no.such.user@pilotage.demo", "director@pilotage.demo"):
        calls.clear()
        users.authenticate(who, "wrong-password")
        assert len(calls) == 1, who


def test_a_hash_made_with_older_parameters_logs_in_and_is_replaced(dash_app, store):
    """Hashes of argon2-cffi's heavier default (64 MiB, 3 passes) verify, then are rewritten with today's."""
    from argon2 import PasswordHasher
    from sqlalchemy import select, update

    from dashapp.auth.passwords import needs_rehash
    from pilotage.store.engine import get_engine
    from pilotage.store.models import AppUser

    email = new_user("old.hash@pilotage.demo")
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
    with get_engine().begin() as conn:
        conn.execute(update(AppUser).where(AppUser.email == email).values(password_hash=old))
    assert needs_rehash(old)
    assert post_login(client_from_new_address(dash_app), email, PASSWORD).status_code == 302
    with get_engine().connect() as conn:
        stored = conn.execute(select(AppUser.password_hash).where(AppUser.email == email)).scalar_one()
    assert stored != old and not needs_rehash(stored) and "m=19456,t=2,p=1" in stored
    assert post_login(client_from_new_address(dash_app), email, PASSWORD).status_code == 302


def test_set_active_unlocks_a_locked_account(dash_app, store):
    email = new_user("locked.twice@pilotage.demo")
    client = client_from_new_address(dash_app)
    for i in range(users.MAX_FAILED_LOGINS):
        post_login(client, email, f"guess-{i}")
    assert users.authenticate(email, PASSWORD).reason == "locked"
    users.set_active(email, True, actor="test")
    assert post_login(client, email, PASSWORD).status_code == 302


def test_lockout_holds_against_parallel_guesses_on_each_backend(engine, monkeypatch):
    """Attempts are counted by one atomic UPDATE before the password is checked (on SQLite and
    PostgreSQL alike): of a burst of 20 guesses sent at once only the first five are ever checked
    (the audit got 8 to 10 checked per burst, and sometimes the right password through)."""
    from concurrent.futures import ThreadPoolExecutor

    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    email = users.add_user("target@pilotage.demo", PASSWORD, "director", "all", actor="test").email
    with ThreadPoolExecutor(max_workers=20) as pool:
        reasons = list(pool.map(lambda i: users.authenticate(email, f"guess-{i}").reason, range(20)))
    assert reasons.count("invalid") <= users.MAX_FAILED_LOGINS - 1
    assert reasons.count("locked") >= 20 - users.MAX_FAILED_LOGINS + 1
    assert users.authenticate(email, PASSWORD).reason == "locked"
    # A burst holding the right password among wrong ones while locked: none gets in.
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: users.authenticate(email, PASSWORD if i == 19 else f"g{i}"), range(20)))
    assert all(r.user is None for r in results)
    users.unlock(email, actor="test")
    assert users.authenticate(email, PASSWORD).user.email == email


def _spray(dash_app, address: str, total: int = 160, parallel: int = 8) -> list[int]:
    """``total`` wrong passwords from one address, ``parallel`` at a time (one browser per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    def browser(worker: int) -> list[int]:
        client = dash_app.server.test_client()
        client.environ_base.update(REMOTE_ADDR=address)
        token = csrf_from(client.get("/login").text)
        return [post_login(client, f"spray{worker}-{i}@pilotage.demo", "wrong-password", token=token).status_code
                for i in range(total // parallel)]

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return [code for codes in pool.map(browser, range(parallel)) for code in codes]


def test_address_throttle_holds_under_parallel_requests_on_real_redis(dash_app, store, monkeypatch):
    """The audit: 160 wrong passwords 8 at a time were all answered 401 and Redis held 22."""
    import redis

    from dashapp.auth import throttle
    from dashapp.auth.views import MAX_FAILURES_PER_ADDRESS
    from pilotage.settings import get_settings

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    monkeypatch.setenv("REDIS_URL", url)
    get_settings.cache_clear()
    address = f"10.40.0.{next(_addresses) % 250 + 1}"
    key = f"{throttle.PREFIX}login-address:{address}"
    redis.Redis.from_url(url).delete(key)
    codes = _spray(dash_app, address)
    assert codes.count(401) == MAX_FAILURES_PER_ADDRESS and codes.count(429) == 160 - MAX_FAILURES_PER_ADDRESS
    stored = redis.Redis.from_url(url)
    assert int(stored.get(key)) == 160 and 0 < stored.ttl(key) <= 600  # every attempt counted, window kept
    stored.delete(key)


def test_with_redis_down_logins_work_and_are_still_throttled(store, monkeypatch, caplog):
    """A closed port for Redis: no 500 (the audit got one on every login); counted in process, with a warning."""
    from dashapp.app import create_app
    from dashapp.auth.views import MAX_FAILURES_PER_ADDRESS
    from pilotage.settings import get_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    dash_app = create_app()  # its cache is on the dead Redis too
    director = client_from_new_address(dash_app)
    assert post_login(director, "director@pilotage.demo", PASSWORD).status_code == 302
    assert director.get("/_dash-layout").status_code == 200  # and the app works behind the login
    assert "Redis unreachable" in caplog.text
    codes = _spray(dash_app, f"10.50.0.{next(_addresses) % 250 + 1}", total=48)
    assert codes.count(401) == MAX_FAILURES_PER_ADDRESS and codes.count(429) == 48 - MAX_FAILURES_PER_ADDRESS


def test_too_many_failures_from_one_address_are_throttled(dash_app, store):
    from dashapp.auth.views import MAX_FAILURES_PER_ADDRESS

    client = client_from_new_address(dash_app)
    for i in range(MAX_FAILURES_PER_ADDRESS):
        post_login(client, f"spray{i}@pilotage.demo", "wrong-password")
    throttled = post_login(client, "director@pilotage.demo", PASSWORD)
    assert throttled.status_code == 429 and "Too many attempts from your address" in login_message(throttled)
    assert not is_logged_in(client)
    # Another address is not affected.
    assert post_login(client_from_new_address(dash_app), "director@pilotage.demo", PASSWORD).status_code == 302


@pytest.mark.parametrize("proxies", [0, 1])
def test_throttle_counts_the_forwarded_address_only_behind_a_trusted_proxy(store, monkeypatch, proxies):
    """Behind one trusted proxy, users on different addresses are throttled apart; without a trusted
    proxy a forged X-Forwarded-For changes nothing (the spray from one address is still throttled)."""
    from dashapp.app import create_app
    from dashapp.auth.views import MAX_FAILURES_PER_ADDRESS
    from pilotage.settings import SettingsError, get_settings

    monkeypatch.setenv("PILOTAGE_TRUSTED_PROXIES", str(proxies))
    get_settings.cache_clear()
    server = create_app().server
    proxy = f"10.30.0.{proxies + 1}"

    def client_behind_proxy(forwarded_for: str):
        client = server.test_client()
        client.environ_base.update(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for)
        return client

    sprayer = client_behind_proxy(f"198.51.100.{proxies + 7}")
    for i in range(MAX_FAILURES_PER_ADDRESS):
        post_login(sprayer, f"spray{i}@pilotage.demo", "wrong-password")
    other_user = post_login(client_behind_proxy(f"203.0.113.{proxies + 9}"), "director@pilotage.demo", PASSWORD)
    assert other_user.status_code == (302 if proxies else 429)
    monkeypatch.setenv("PILOTAGE_TRUSTED_PROXIES", "two")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="PILOTAGE_TRUSTED_PROXIES"):
        get_settings()
    get_settings.cache_clear()


# --- disabled users and sessions -----------------------------------------------------------------

def admin_runs(client):
    """A refresh of the admin page's runs (its grids' callback; imported here: test_app_admin imports this module)."""
    from .test_app_admin import RUNS_REFRESH

    return dash_post(client, *RUNS_REFRESH)


def test_disabled_user_cannot_log_in_and_loses_an_open_session(dash_app, store):
    email = new_user("leaving@pilotage.demo")
    client = logged_in_client(dash_app, email, PASSWORD)
    assert client.get("/").status_code == 200 and is_logged_in(client)

    users.set_active(email, False, actor="admin@pilotage.demo")
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/").headers["Location"].startswith("/login")
    assert admin_runs(client).status_code == 401

    again = post_login(client_from_new_address(dash_app), email, PASSWORD)
    assert again.status_code == 401 and login_message(again) == "Wrong e-mail or password."
    assert json.loads(audit_events(email, "login_failed")[0]["detail"]) == {"reason": "disabled"}


def test_a_role_change_applies_at_the_next_request(dash_app, store):
    email = new_user("promoted@pilotage.demo", role="admin", scope="all")
    client = logged_in_client(dash_app, email, PASSWORD)
    assert client.get("/admin").status_code == 200
    users.set_role(email, "sales", actor="test")
    assert client.get("/admin").status_code == 403


@pytest.fixture
def clock(monkeypatch):
    """Move the clock that signs and checks session cookies (itsdangerous) by ``seconds``."""

    def move(seconds: float) -> None:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time() + seconds))

    return move


def test_session_expires_after_the_idle_lifetime(dash_app, store, clock):
    lifetime = dash_app.server.permanent_session_lifetime.total_seconds()
    idle = logged_in_client(dash_app, "director.idf@pilotage.demo")
    active = logged_in_client(dash_app, "director.idf@pilotage.demo")

    clock(lifetime - 60)  # just before the end: still in, and the activity renews the session
    assert is_logged_in(active)
    clock(2 * lifetime - 120)  # long after login, but within the lifetime of the last request
    assert is_logged_in(active)

    assert idle.get("/_dash-layout").status_code == 401  # its cookie was signed at login: expired
    assert idle.get("/").headers["Location"].startswith("/login")
    assert admin_runs(idle).status_code == 401


def test_first_callback_after_login_works_and_logout_ends_the_session(dash_app, store):
    client = client_from_new_address(dash_app)
    assert post_login(client, "admin@pilotage.demo", PASSWORD).status_code == 302
    # No page load in between: the CSRF cookie set by the login response belongs to the new session.
    first = admin_runs(client)
    assert first.status_code == 200

    assert client.get("/logout").headers["Location"] == "/"  # a GET (any site can send one) does nothing
    assert is_logged_in(client)
    assert client.post("/logout").status_code == 400  # no CSRF token: refused
    assert is_logged_in(client)
    copied_cookie = client.get_cookie("pilotage_session").value
    response = client.post("/logout", data={"csrf_token": csrf_header(client)["X-CSRFToken"]})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_logged_in(client)
    # A copy of the session cookie taken before logout is dead too: logout ends it on the server.
    client.set_cookie("pilotage_session", copied_cookie)
    assert not is_logged_in(client)
    assert client.get("/").headers["Location"].startswith("/login")
    assert audit_events("admin@pilotage.demo", "logout")


# --- CSRF ------------------------------------------------------------------------------------------

def test_login_without_csrf_token_is_refused(dash_app, store):
    client = client_from_new_address(dash_app)
    client.get("/login")
    for token in (None, "forged-token"):
        response = post_login(client, "director@pilotage.demo", PASSWORD, token=token)
        assert response.status_code == 400
        assert login_message(response) == "The form expired. Please try again."
        assert not is_logged_in(client)
    # A token from another browser's session is no better.
    other = client_from_new_address(dash_app)
    stolen = csrf_from(other.get("/login").text)
    assert post_login(client, "director@pilotage.demo", PASSWORD, token=stolen).status_code == 400


def test_dash_callbacks_need_the_csrf_header(dash_app, store):
    from .app_helpers import _outputs
    from .test_app_admin import RUNS_REFRESH

    client = logged_in_client(dash_app, "admin@pilotage.demo")
    output, inputs = RUNS_REFRESH
    body = {"output": output, "outputs": _outputs(output), "inputs": inputs, "state": [],
            "changedPropIds": ["admin-runs-refresh.n_clicks"]}
    without = client.post("/_dash-update-component", data=json.dumps(body),
                          headers={"Content-Type": "application/json"})
    assert without.status_code == 400 and "rowData" not in without.text
    wrong = client.post("/_dash-update-component", data=json.dumps(body),
                        headers={"Content-Type": "application/json", "X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    with_header = client.post("/_dash-update-component", data=json.dumps(body),
                              headers={"Content-Type": "application/json", **csrf_header(client)})
    assert with_header.status_code == 200 and "rowData" in with_header.json["response"]["admin-runs-grid"]


# --- redirects --------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "/%09/evil.example", "javascript:alert(1)", "evil.example"])
def test_login_never_redirects_off_site(dash_app, store, target):
    client = client_from_new_address(dash_app)
    response = post_login(client, "director@pilotage.demo", PASSWORD, next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert switch_language(client, "fr", unquote(target)).headers["Location"] == "/"  # a form sends it decoded


def test_login_returns_to_the_page_asked_for(dash_app, store):
    client = client_from_new_address(dash_app)
    asked = client.get("/explore?period=last_quarter")
    assert asked.status_code == 302
    response = post_login(client, "director@pilotage.demo", PASSWORD,
                          next_url=asked.headers["Location"].split("next=", 1)[1])
    assert response.headers["Location"] == "/explore?period=last_quarter"


def test_only_the_login_page_and_static_files_are_public(dash_app, store):
    client = client_from_new_address(dash_app)
    assert client.get("/login").status_code == 200
    assert client.get("/assets/pilotage.css").status_code == 200
    for path in ("/loginx", "/healthzz", "/assets/pilotage.css.map", "/assets/vendor/../pilotage.css"):
        assert client.get(path).status_code in (302, 401, 404), path


# --- production settings -------------------------------------------------------------------------------

@pytest.fixture
def production(monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("PILOTAGE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("key", [None, "pilotage-demo-secret-key-change-me", "short", "a" * 32, "k" * 48,
                                 "abcdefgh" * 6, "0123" * 16])
def test_production_refuses_a_default_or_weak_secret_key(production, key):
    from dashapp.app import create_app
    from pilotage.settings import SettingsError, get_settings

    if key is not None:
        production.setenv("SECRET_KEY", key)
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app()


def test_production_sets_secure_cookies_and_hides_demo_users(production, store):
    from dashapp.app import create_app
    from pilotage.settings import get_settings

    production.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    production.setenv("PILOTAGE_PSEUDONYM_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    server = create_app().server
    assert server.config["SESSION_COOKIE_SECURE"] is True
    assert server.config["SESSION_COOKIE_HTTPONLY"] is True
    page = server.test_client().get("/login", base_url="https://pilotage.example")
    cookies = page.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("pilotage_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert all("Secure" in c for c in cookies)
    assert "pilotage-demo" not in page.text and 'id="demo-users"' not in page.text
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("pseudonym", [None, "same-as-secret", "p" * 48])
def test_production_refuses_to_start_without_its_own_pseudonymisation_key(production, pseudonym):
    """It used to fall back to SECRET_KEY silently; the ETL refuses too, not only the app."""
    import pandas as pd

    from dashapp.app import create_app
    from etl.pseudonymise import pseudonymise
    from pilotage.settings import SettingsError, get_settings

    secret = secrets.token_urlsafe(48)
    production.setenv("SECRET_KEY", secret)
    production.delenv("PILOTAGE_PSEUDONYM_KEY", raising=False)
    if pseudonym is not None:
        production.setenv("PILOTAGE_PSEUDONYM_KEY", secret if pseudonym == "same-as-secret" else pseudonym)
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="PILOTAGE_PSEUDONYM_KEY"):
        create_app()
    with pytest.raises(SettingsError, match="PILOTAGE_PSEUDONYM_KEY"):
        pseudonymise(pd.Series(["a@b.fr"]), "crm")
    production.setenv("PILOTAGE_PSEUDONYM_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    assert create_app() is not None and len(pseudonymise(pd.Series(["a@b.fr"]), "crm")[0]) == 32


def test_demo_makes_its_own_random_key_under_var(monkeypatch, tmp_path):
    from pilotage.settings import DEFAULT_SECRET_KEY, get_settings, is_strong_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PILOTAGE_VAR_DIR", str(tmp_path / "one"))
    get_settings.cache_clear()
    first = get_settings().secret_key
    assert first != DEFAULT_SECRET_KEY and is_strong_key(first)
    assert (tmp_path / "one" / "secret_key").read_text().strip() == first
    assert (tmp_path / "one" / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    get_settings.cache_clear()
    assert get_settings().secret_key == first  # kept across restarts: sessions survive them
    monkeypatch.setenv("PILOTAGE_VAR_DIR", str(tmp_path / "two"))
    get_settings.cache_clear()
    assert get_settings().secret_key != first  # each install its own


def test_a_session_forged_with_the_published_demo_key_is_refused(dash_app, store):
    """The attack of the audit: sign an admin session with the key published in the repository."""
    import datetime as dt
    import hashlib

    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    from pilotage.settings import DEFAULT_SECRET_KEY

    admin = users.get_user_by_email("admin@pilotage.demo")
    forger = Flask("forger")
    forger.secret_key = DEFAULT_SECRET_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    client = client_from_new_address(dash_app)
    client.environ_base["HTTP_USER_AGENT"] = "forger"
    address = client.environ_base["REMOTE_ADDR"]
    identifier = hashlib.sha512(f"{address.encode()}|{b'forger'}".encode()).hexdigest()  # flask-login "strong"
    cookie = serializer.dumps({"_user_id": str(admin.id), "_fresh": True, "_id": identifier,
                               "login_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()})
    client.set_cookie("pilotage_session", cookie)
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/admin").status_code == 302


# --- the users command -------------------------------------------------------------------------------

def _cli():
    from pilotage.cli import app

    return app


def test_users_command_adds_lists_changes_and_disables(dash_app, store):
    runner, cli = CliRunner(), _cli()
    email = "cli.user@pilotage.demo"
    added = runner.invoke(cli, ["users", "add", email, "--role", "director", "--scope", "FR-IDF",
                                "--name", "Cli User", "--password", "a-good-password"])
    assert added.exit_code == 0, added.output
    assert users.get_user_by_email(email).scope == ("FR-IDF",)

    listed = runner.invoke(cli, ["users", "list"])
    assert listed.exit_code == 0 and email in listed.output and "FR-IDF" in listed.output

    assert runner.invoke(cli, ["users", "set-role", email, "planner"]).exit_code == 0
    assert runner.invoke(cli, ["users", "set-scope", email, "FR-ARA,FR-PACA"]).exit_code == 0
    user = users.get_user_by_email(email)
    assert (user.role, user.scope) == ("planner", ("FR-ARA", "FR-PACA"))
    assert post_login(client_from_new_address(dash_app), email, "a-good-password").status_code == 302

    assert runner.invoke(cli, ["users", "disable", email]).exit_code == 0
    assert not users.get_user_by_email(email).active
    assert post_login(client_from_new_address(dash_app), email, "a-good-password").status_code == 401

    actions = [json.loads(e["detail"]) for e in audit.recent(1000, "admin") if e["actor"] == "cli"
               and json.loads(e["detail"]).get("user") == email]
    assert [a["action"] for a in reversed(actions)] == ["add_user", "set_role", "set_scope", "disable"]
    assert all("password" not in json.dumps(a) and "a-good-password" not in json.dumps(a) for a in actions)


@pytest.mark.parametrize("arguments, message", [
    (["add", "dup@pilotage.demo", "--role", "director", "--scope", "FR-IDF", "--password", "a-good-password"],
     "already exists"),
    (["add", "x@pilotage.demo", "--role", "king", "--scope", "FR-IDF", "--password", "a-good-password"], "role"),
    (["add", "y@pilotage.demo", "--role", "sales", "--scope", "MOON", "--password", "a-good-password"], "MOON"),
    (["add", "z@pilotage.demo", "--role", "sales", "--scope", "all", "--password", "short"], "8 characters"),
    (["set-role", "nobody@pilotage.demo", "sales"], "no user"),
    (["set-scope", "dup@pilotage.demo", "FR-IDF,ATLANTIS"], "ATLANTIS"),
    (["disable", "nobody@pilotage.demo"], "no user"),
])
def test_users_command_errors_exit_1_with_a_message(store, arguments, message):
    if users.get_user_by_email("dup@pilotage.demo") is None:
        new_user("dup@pilotage.demo")
    result = CliRunner().invoke(_cli(), ["users", *arguments])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert users.get_user_by_email("x@pilotage.demo") is None and users.get_user_by_email("z@pilotage.demo") is None

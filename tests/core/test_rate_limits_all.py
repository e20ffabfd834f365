"""Abuse limits across the app (issue #7 items 1–2), beside the ones tested with their features.

Already tested elsewhere and not repeated here:
- sign-in, forgotten password, access requests, invitation links: tests/core/test_security.py (TestRateLimits)
  and tests/core/test_accounts.py;
- new postings and messages (per person): tests/exchange/test_routes.py;
- HttpOnly + SameSite=Lax session cookies, Secure and HSTS in production: tests/core/test_security.py.

Here: password-reset links, personal survey links, limits shared between app servers through
RATELIMIT_STORAGE_URI (a real redis-server on loopback, two separate processes), and the cookie
flags of an anonymous visitor's session in production.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import ProductionConfig
from tests.conftest import free_port
from tests.core.test_access_matrix import FEATURE_BUILDERS, World

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "TOKEN_RATE_LIMIT": "5 per minute"}


def test_password_reset_links_are_limited(client):
    for n in range(5):
        assert client.get(f"/password/reset/guess-{n}").status_code == 410
    response = client.get("/password/reset/guess-5")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_guessing_personal_survey_links_is_limited_but_a_real_link_keeps_working(app, db, factory, client):
    world = World(app, db, factory)
    FEATURE_BUILDERS["surveys.token_start"](world)
    db.session.commit()
    for _ in range(8):  # only failed links count, so a respondent going back and forth is never stopped
        assert client.get(f"/surveys/r/{world.secret_a}").status_code == 200
    for n in range(5):
        assert client.get(f"/surveys/r/guess-{n}").status_code == 404
    assert client.get("/surveys/r/guess-5").status_code == 429
    # Each of the three link routes counts on its own (Flask-Limiter keys by endpoint).
    for n in range(5):
        assert client.post(f"/surveys/r/guess-{n}/review").status_code == 404
    assert client.post("/surveys/r/guess-5/review").status_code == 429


def test_posting_and_messaging_limits_are_configured_and_enforced_in_the_view(app):
    """The exchange checks its own limits in the view (tests/exchange/test_routes.py drives them);
    here only that both are configured, so they cannot silently disappear from the config."""
    from exchange import ratelimit

    for key in ratelimit.CONFIG_KEYS.values():
        assert app.config.get(key), key


# --------------------------------------------------------------------------- shared storage

CHILD = """
import json, sys
from config import TestConfig
from core import create_app
from core.extensions import limiter

url, attempts = sys.argv[1], int(sys.argv[2])
config = type("Child", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": True,
                                       "LOGIN_RATE_LIMIT": "3 per minute"})
app = create_app(config)  # RATELIMIT_STORAGE_URI is not set here: it comes from the environment
with app.app_context():
    client = app.test_client()
    codes = [client.post("/login", data={"email": "nobody@example.org", "password": "guess"}).status_code
             for _ in range(attempts)]
print(json.dumps({"codes": codes, "storage": type(limiter.storage).__name__}))
"""


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "Debian's redis-server is needed for this test"
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    connection = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            connection.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", connection
    connection.close()
    process.terminate()
    process.wait(timeout=10)


def _app_server(database_url, attempts, storage, tmp_path):
    """One app in its own process, as a second gunicorn server would be."""
    env = {**os.environ, "VEREINSNETZ_INSTANCE": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT)}
    env.pop("RATELIMIT_STORAGE_URI", None)
    if storage:
        env["RATELIMIT_STORAGE_URI"] = storage
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", CHILD, database_url, str(attempts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_app_servers_share_limits_through_redis(prepared_database_url, redis_url, tmp_path):
    url, connection = redis_url
    first = _app_server(prepared_database_url, 2, url, tmp_path)
    second = _app_server(prepared_database_url, 2, url, tmp_path)
    assert first == {"codes": [200, 200], "storage": "RedisStorage"}
    assert second["codes"] == [200, 429]  # the third attempt overall, counted in the other server's Redis
    assert connection.keys("LIMITS*"), "the counters live in Redis"


def test_without_shared_storage_each_server_counts_alone(prepared_database_url, tmp_path):
    """The control: with the default memory:// storage the second server knows nothing of the first."""
    first = _app_server(prepared_database_url, 2, None, tmp_path)
    second = _app_server(prepared_database_url, 2, None, tmp_path)
    assert first == second == {"codes": [200, 200], "storage": "MemoryStorage"}


# --------------------------------------------------------------------------- cookies


class TestProductionCookies:
    @pytest.fixture
    def app_config(self):
        settings = {name: value for name, value in vars(ProductionConfig).items() if name.isupper()}
        return {
            **settings,
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_BACKEND": "outbox-only",
            "WTF_CSRF_ENABLED": False,
        }

    def test_an_anonymous_visitors_session_cookie_has_every_flag(self, client):
        client.environ_base["wsgi.url_scheme"] = "https"
        response = client.post("/language", data={"lang": "en", "next": "/"})
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("session=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

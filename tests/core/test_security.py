"""Security headers, cookies, session lifetime, friendly error pages and rate limits."""

import re
import secrets
from datetime import timedelta

import pytest

from config import ProductionConfig
from core.models import utcnow
from core.security import CSP
from tests.conftest import PASSWORD, Auth

#: Small German catalogue of our own, so the language of error pages is tested whatever the
#: state of translations/ (the real catalogues are checked where the translations are tested).
GERMAN = {"Page not found": "Seite nicht gefunden", "Not allowed": "Nicht erlaubt"}


@pytest.fixture
def translations_dir(own_catalogue):
    return own_catalogue(GERMAN)


@pytest.fixture
def app_config(translations_dir):
    return {"BABEL_TRANSLATION_DIRECTORIES": str(translations_dir)}


def text(response):
    return response.get_data(as_text=True)


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', text(response)).group(1)


# --------------------------------------------------------------------------- headers

RESPONSE_KINDS = {
    "page": ("/", 200),
    "redirect": ("/associations/", 302),
    "not-found": ("/no-such-page", 404),
    "static": ("/static/css/app.css", 200),
}


@pytest.mark.parametrize("kind", RESPONSE_KINDS)
def test_security_headers_on_every_kind_of_response(client, kind):
    path, status = RESPONSE_KINDS[kind]
    response = client.get(path)
    assert response.status_code == status
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # only in production, behind HTTPS
    response.close()


def test_signed_in_pages_are_not_cached_but_static_files_are_cacheable(client, factory, auth):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login_as(factory.representative())
    for path in ("/", "/account", "/no-such-page", "/associations/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_session_cookie_is_http_only_and_same_site_lax(client, factory, auth):
    cookie = auth.login_as(factory.representative()).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


class TestProduction:
    """The real ProductionConfig settings on top of the test database."""

    @pytest.fixture
    def app_config(self, translations_dir):
        settings = {name: value for name, value in vars(ProductionConfig).items() if name.isupper()}
        return {**settings, "SECRET_KEY": secrets.token_hex(32), "MAIL_BACKEND": "outbox-only"}

    @pytest.fixture
    def client(self, app):
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        return client

    def test_hsts_is_sent(self, client):
        response = client.get("/")
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        assert response.headers["Content-Security-Policy"] == CSP

    def test_session_cookie_is_secure(self, client, factory):
        user = factory.representative()
        cookie = Auth(client).login_as(user).headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert client.get("/account").status_code == 200


# --------------------------------------------------------------------------- sessions


def age_session(client, **ages):
    """Move session timestamps into the past: started_at=timedelta(...), seen_at=timedelta(...)."""
    with client.session_transaction() as session:
        for key, age in ages.items():
            session[key] = (utcnow() - age).timestamp()


def test_idle_session_ends(client, factory, auth):
    auth.login_as(factory.representative())
    age_session(client, seen_at=timedelta(hours=1, minutes=50))
    assert client.get("/account").status_code == 200  # activity keeps the session alive
    age_session(client, seen_at=timedelta(hours=2, minutes=1))
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/account").status_code == 302  # and it stays ended


def test_session_ends_after_its_absolute_lifetime_despite_activity(client, factory, auth):
    auth.login_as(factory.representative())
    age_session(client, started_at=timedelta(hours=11, minutes=50))
    assert client.get("/account").status_code == 200
    age_session(client, started_at=timedelta(hours=12, minutes=1), seen_at=timedelta(minutes=1))
    assert client.get("/account").status_code == 302


def test_session_without_start_time_gets_one(client, factory, auth):
    auth.login_as(factory.representative())
    with client.session_transaction() as session:
        del session["started_at"]
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        assert session["started_at"] > (utcnow() - timedelta(minutes=1)).timestamp()


def test_password_change_ends_other_sessions(app, factory):
    user = factory.representative()
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login_as(user)
    Auth(laptop).login_as(user)
    new_password = "a new and long passphrase"
    response = laptop.post(
        "/account/password",
        data={"pw-current": PASSWORD, "pw-password": new_password, "pw-confirm": new_password},
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # the device that changed it stays signed in
    assert phone.get("/account").status_code == 302
    Auth(phone).login_as(user, password=new_password)


def test_disabling_an_account_ends_its_sessions(app, factory):
    town = factory.municipality()
    coordinator = factory.coordinator(town)
    admin = factory.admin()
    coordinator_client, admin_client = app.test_client(), app.test_client()
    Auth(coordinator_client).login_as(coordinator)
    Auth(admin_client).login_as(admin)
    assert coordinator_client.get("/associations/").status_code == 200

    response = admin_client.post(f"/admin/staff/{coordinator.id}", data={"municipalities": [town.id]})

    assert response.status_code == 302
    assert coordinator_client.get("/associations/").status_code == 302
    refused = coordinator_client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert refused.status_code == 200


# --------------------------------------------------------------------------- error pages


@pytest.mark.parametrize(("language", "title"), [("de", "Seite nicht gefunden"), ("en", "Page not found")])
def test_not_found_page_in_the_browsers_language(client, language, title):
    response = client.get("/no-such-page", headers={"Accept-Language": f"{language},en;q=0.5"})
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in text(response)
    assert html_lang(response) == language


def test_not_found_page_in_the_signed_in_users_language(client, factory, auth):
    auth.login_as(factory.representative(locale="en"))
    response = client.get("/no-such-page", headers={"Accept-Language": "de"})
    assert "<h1>Page not found</h1>" in text(response)
    assert html_lang(response) == "en"


def test_method_not_allowed_page_keeps_the_allow_header(client):
    response = client.get("/logout", headers={"Accept-Language": "de"})
    assert response.status_code == 405
    assert "<h1>Nicht erlaubt</h1>" in text(response)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}


def test_too_large_request_gets_a_friendly_page(app, client):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/login", data=body, headers={"Accept-Language": "en"}, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "<h1>File too large</h1>" in text(response)


def test_csrf_failure_explains_what_to_do(app, client, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    user = factory.representative()
    form = {"email": user.email, "password": PASSWORD}

    response = client.post("/login", data=form, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "<h1>The form has expired</h1>" in text(response)
    assert "reload the page and send it again" in text(response)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(client.get("/login"))).group(1)
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 302


def test_unexpected_error_gives_a_500_page_without_details(app, client):
    def explode():
        raise RuntimeError("secret detail from the database layer")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = text(response)
    assert "<h1>Something went wrong</h1>" in body
    assert "secret detail" not in body and "Traceback" not in body
    assert response.headers["Content-Security-Policy"] == CSP


def test_unexpected_error_reaches_the_debugger_in_development(app, client):
    def explode():
        raise RuntimeError("for the developer's eyes")

    app.add_url_rule("/explode", "explode", explode)
    app.debug = True
    with pytest.raises(RuntimeError, match="developer"):
        client.get("/explode")


def test_other_http_errors_keep_their_status_with_the_generic_page(app, client):
    from flask import abort

    app.add_url_rule("/gone", "gone", lambda: abort(410))
    response = client.get("/gone", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "<h1>The request could not be processed</h1>" in text(response)


# --------------------------------------------------------------------------- rate limits


class TestRateLimits:
    @pytest.fixture
    def app_config(self, translations_dir):
        return {"RATELIMIT_ENABLED": True, "BABEL_TRANSLATION_DIRECTORIES": str(translations_dir)}

    @staticmethod
    def assert_limited(response):
        assert response.status_code == 429
        assert "<h1>Too many attempts</h1>" in text(response)
        assert int(response.headers["Retry-After"]) > 0

    def test_login_attempts_are_limited(self, client, factory):
        user = factory.representative()
        guess = {"email": "someone@example.org", "password": "a guess"}
        for _ in range(10):
            assert client.post("/login", data=guess).status_code == 200
        right = {"email": user.email, "password": PASSWORD}
        self.assert_limited(client.post("/login", data=right, headers={"Accept-Language": "en"}))
        assert client.get("/login").status_code == 200  # the page itself stays reachable

    def test_forgot_password_is_limited(self, client):
        for _ in range(5):
            assert client.post("/password/forgot", data={"email": "x@example.org"}).status_code == 200
        self.assert_limited(
            client.post("/password/forgot", data={"email": "x@example.org"}, headers={"Accept-Language": "en"})
        )

    def test_access_requests_are_limited(self, client, factory):
        factory.municipality()
        for _ in range(5):
            assert client.post("/access-request", data={}).status_code == 200
        self.assert_limited(client.post("/access-request", data={}, headers={"Accept-Language": "en"}))

    def test_invitation_links_are_limited(self, client):
        for n in range(20):
            assert client.get(f"/invite/guess-{n}").status_code == 410
        self.assert_limited(client.get("/invite/guess-20", headers={"Accept-Language": "en"}))

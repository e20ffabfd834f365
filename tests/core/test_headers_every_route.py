"""Security headers, cookies and a clean CSP on EVERY GET route, as anonymous and signed-in users.

`test_security.py` checks each kind of response once and the behaviour behind the headers; this
module walks the whole URL map (with the access matrix's URLs), so a route added later is covered.
"""

import secrets
from http.cookies import SimpleCookie

import pytest
from lxml import html as lxml_html

from config import ProductionConfig
from tests.conftest import PASSWORD
from tests.core.test_access_matrix import client_for, expect
from tests.fuzz.walk import SIGNED_IN_ROLES, every_get_case, full_world, roles_that_open, unwalkable

REQUIRED_CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
EVENT_ATTRIBUTES = ("onclick", "onload", "onerror", "onmouseover", "onsubmit", "onchange", "onfocus", "oninput")


def csp_directives(value):
    directives = {}
    for part in value.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            directives[name] = sources.strip()
    return directives


def check_csp(value, where):
    directives = csp_directives(value)
    for name, sources in REQUIRED_CSP.items():
        assert directives.get(name) == sources, (where, name, directives.get(name))
    assert "unsafe-inline" not in value and "unsafe-eval" not in value, where
    for name in ("script-src", "style-src"):
        # Without its own directive the source list falls back to default-src 'self'.
        assert directives.get(name, "'self'") == "'self'", (where, name)


def inline_code(body):
    """Inline scripts, style elements and attributes, event handlers and javascript: links in a page."""
    tree = lxml_html.fromstring(body)
    found = []
    for script in tree.iter("script"):
        if not script.get("src") or (script.text or "").strip():
            found.append("inline <script>")
    found += ["<style> element" for _ in tree.iter("style")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("style") is not None:
            found.append(f"style= on <{element.tag}>")
        found += [f"{name}= on <{element.tag}>" for name in EVENT_ATTRIBUTES if element.get(name) is not None]
        for name in ("href", "src", "action", "formaction"):
            if (element.get(name) or "").strip().lower().startswith("javascript:"):
                found.append(f"javascript: in {name}")
    return found


def check_cookies(response, where, secure):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            assert morsel["httponly"], (where, name, header)
            assert morsel["samesite"] == "Lax", (where, name, header)
            if secure:
                assert morsel["secure"], (where, name, header)


def check_response(response, where, *, signed_in, production=False):
    assert response.status_code < 500, (where, response.status_code)
    headers = response.headers
    check_csp(headers.get("Content-Security-Policy", ""), where)
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}, where
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    if signed_in:
        assert headers.get("Cache-Control") == "no-store", where
    if production:
        assert headers["Strict-Transport-Security"].startswith("max-age="), where
        assert int(headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000, where
    else:
        assert "Strict-Transport-Security" not in headers, where
    check_cookies(response, where, secure=production)
    if response.mimetype == "text/html":  # pages, error pages and forms shown again alike
        body = response.get_data(as_text=True)
        assert not inline_code(body), (where, inline_code(body))


def walk(app, db, factory, *, production=False, scheme="http"):
    """GET every route as anonymous and as every signed-in role; returns how many pages opened.

    Every problem is collected first, so one run lists them all."""
    world = full_world(app, db, factory)
    opened, problems = 0, []
    for endpoint, case in every_get_case(app):
        url = case.url_for(world)
        expected = expect(case.get)
        # Signed in: every role the page opens for, or one that is refused (its error page counts too).
        roles = ["anonymous", *(roles_that_open(case) or [SIGNED_IN_ROLES[0]])]
        for role in dict.fromkeys(roles):
            client = client_for(app, world.user(role))
            client.environ_base["wsgi.url_scheme"] = scheme
            response = client.get(url)
            where = (endpoint, case.label or url, role)
            try:
                check_response(response, where, signed_in=role != "anonymous", production=production)
            except AssertionError as problem:
                problems.append(str(problem).splitlines()[0])
            if expected[role] == "200" and response.status_code == 200:
                opened += 1
            response.close()
            db.session.rollback()
    assert not problems, "\n".join(problems)
    return opened


def test_every_get_route_sends_the_security_headers(app, db, factory):
    opened = walk(app, db, factory)
    assert opened > 100  # the walk really rendered the pages, not only refusals


def test_every_get_route_is_walked(app):
    assert not unwalkable(app), "GET routes with parameters need an access-matrix entry to be walked"


def test_pages_reached_by_a_personal_link_are_not_cached(app, db, factory):
    world = full_world(app, db, factory)
    client = client_for(app, None)
    for url in (
        f"/surveys/r/{world.secret_a}",
        f"/invite/{world.invite_secret}",
        f"/password/reset/{world.reset_secret}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    public = client.get("/directory/")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_checks_find_inline_code():
    """The detector above must see what the CSP forbids, or the walk proves nothing."""
    page = (
        "<html><body><script>alert(1)</script><script src='/static/x.js'></script>"
        "<p style='color:red' onclick='x()'>a</p><style>p{}</style><a href='javascript:x()'>b</a></body></html>"
    )
    assert sorted(inline_code(page)) == sorted(
        ["inline <script>", "<style> element", "style= on <p>", "onclick= on <p>", "javascript: in href"]
    )
    assert inline_code("<html><body><script src='/static/app.js'></script></body></html>") == []
    with pytest.raises(AssertionError):
        check_csp("default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'", "x")


class TestProduction:
    """ProductionConfig with a strong key: HSTS on every route, and every cookie Secure."""

    @pytest.fixture
    def app_config(self):
        settings = {name: value for name, value in vars(ProductionConfig).items() if name.isupper()}
        return {**settings, "SECRET_KEY": secrets.token_hex(32), "MAIL_BACKEND": "outbox-only"}

    def test_every_get_route_has_hsts_and_secure_cookies(self, app, db, factory):
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
        opened = walk(app, db, factory, production=True, scheme="https")
        assert opened > 100

    def test_sign_in_sets_secure_http_only_lax_cookies(self, app, factory):
        user = factory.representative()
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
        assert response.status_code == 302
        assert response.headers.getlist("Set-Cookie")
        check_cookies(response, "login", secure=True)

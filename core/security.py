"""Security headers, idle session timeout and no caching of personal pages."""

from flask import current_app, request, session
from flask_login import current_user, logout_user

from .models import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def init_app(app):
    app.before_request(_enforce_idle_timeout)
    app.after_request(_set_headers)


def _enforce_idle_timeout():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = utcnow().timestamp()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    # A signed-in session without a start time (e.g. from an older release) starts counting now.
    started = session.setdefault("started_at", now)
    if now - session.get("seen_at", now) > idle or now - started > lifetime:
        logout_user()
        session.clear()
        return
    session["seen_at"] = now


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("IS_PRODUCTION"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # A page reached through a personal link (survey, invitation, reset) shows that person's data too.
    by_token = "token" in (request.view_args or {})
    personal = current_user.is_authenticated or by_token or response.headers.get("X-Personal")
    if request.endpoint != "static" and personal:
        headers["Cache-Control"] = "no-store"
    headers.pop("X-Personal", None)
    return response

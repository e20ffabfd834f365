"""Absolute links for e-mails, built the same way in a request, a CLI command or a test."""

from flask import current_app


def absolute_url(endpoint, **values):
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def safe_next(target, fallback):
    """Only local paths are followed after login or a language change (no open redirects).

    Browsers drop tabs and line breaks inside URLs, so "/<tab>/evil.example" would become
    "//evil.example": any control character makes the target unsafe.
    """
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return fallback
    if target.startswith("/") and not target.startswith("//"):
        return target
    return fallback

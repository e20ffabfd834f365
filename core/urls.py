"""Absolute links for e-mails, built the same way in a request, a CLI command or a test."""

from flask import current_app


def absolute_url(endpoint, **values):
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def safe_next(target, fallback):
    """Only local paths are followed after login or a language change (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback

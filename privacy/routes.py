"""GDPR routes: export, erasure, consents."""

from . import bp  # noqa: F401

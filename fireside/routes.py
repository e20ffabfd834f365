"""Fireside routes before and during the chat (owned by the fireside helper)."""

from . import bp  # noqa: F401

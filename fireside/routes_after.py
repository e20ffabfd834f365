"""Fireside routes after the chat: attendance, minutes, decisions, follow-ups."""

from . import bp  # noqa: F401

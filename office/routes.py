"""Office desk routes: dashboard, advice log, handover."""

from . import bp  # noqa: F401

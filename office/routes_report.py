"""Impact report routes and exports."""

from . import bp  # noqa: F401

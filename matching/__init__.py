"""Matching feature package (one blueprint): rule-based, explainable suggestions of sub-networks."""

from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")


def init_app(app):
    """Register the blueprint and CLI commands of this feature."""
    from .cli import matching_cli

    app.register_blueprint(bp)
    app.cli.add_command(matching_cli)


from . import routes  # noqa: E402,F401

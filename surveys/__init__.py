"""Surveys feature package (one blueprint): needs surveys with the association as the respondent."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

from . import models, routes  # noqa: E402,F401  (models for the metadata, routes for the blueprint)


def init_app(app):
    """Register the blueprint and CLI commands of this feature."""
    from .cli import surveys_cli

    app.register_blueprint(bp)
    app.cli.add_command(surveys_cli)

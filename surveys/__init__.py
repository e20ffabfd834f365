"""Surveys feature package (one blueprint)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


def init_app(app):
    """Register the blueprint and CLI commands of this feature."""
    app.register_blueprint(bp)

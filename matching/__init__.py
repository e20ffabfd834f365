"""Matching feature package (one blueprint)."""

from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")


def init_app(app):
    """Register the blueprint and CLI commands of this feature."""
    app.register_blueprint(bp)

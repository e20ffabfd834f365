"""Exchange feature package (one blueprint)."""

from flask import Blueprint

bp = Blueprint("exchange", __name__, url_prefix="/exchange")


def init_app(app):
    """Register the blueprint and CLI commands of this feature."""
    app.register_blueprint(bp)

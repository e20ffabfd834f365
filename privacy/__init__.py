"""GDPR rights: data export, erasure, consent overview and retention (flask privacy purge)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def init_app(app):
    """Register the blueprint (and, once there are any, the CLI commands) of this feature."""
    app.register_blueprint(bp)


from . import routes  # noqa: E402,F401

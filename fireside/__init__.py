"""Fireside chats: small meetings of a group of associations, hosted by one of them."""

from flask import Blueprint

bp = Blueprint("fireside", __name__, url_prefix="/fireside")


def init_app(app):
    """Register the blueprint (and, once there are any, the CLI commands) of this feature."""
    from . import models  # noqa: F401

    app.register_blueprint(bp)


from . import routes, routes_after  # noqa: E402,F401

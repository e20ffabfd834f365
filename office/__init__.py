"""The office's desk: dashboard, advice log, impact report and handover."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")


def init_app(app):
    """Register the blueprint (and, once there are any, the CLI commands) of this feature."""
    from . import models  # noqa: F401

    app.register_blueprint(bp)


from . import routes, routes_report  # noqa: E402,F401

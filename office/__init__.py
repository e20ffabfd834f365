"""The office's desk: dashboard, advice log, impact report and handover."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")


def init_app(app):
    """Register the blueprint and the template helper the association page uses."""
    from . import models  # noqa: F401
    from .dashboard import association_panel

    app.register_blueprint(bp)
    app.add_template_global(association_panel, "office_consultations_of")


from . import routes, routes_report  # noqa: E402,F401

"""Fireside chats: small meetings of a group of associations, hosted by one of them."""

from flask import Blueprint

bp = Blueprint("fireside", __name__, url_prefix="/fireside")


def init_app(app):
    """Register the blueprint and the `flask fireside` commands of this feature."""
    from . import models  # noqa: F401
    from .cli import fireside_cli

    app.register_blueprint(bp)
    app.cli.add_command(fireside_cli)


from . import routes, routes_after  # noqa: E402,F401

"""Exchange feature package (one blueprint): the offer/request board (Biete/Suche) between associations."""

import functools
import os

from flask import Blueprint, has_request_context

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

#: Settings of this feature; each can be set in the environment under the same name.
DEFAULTS = {
    "EXCHANGE_POSTING_DAYS": 60,
    "EXCHANGE_REMINDER_DAYS": 7,
    "EXCHANGE_PAGE_SIZE": 20,
    #: Result counts stop here ("more than 1,000"), so no board page counts every posting.
    "EXCHANGE_COUNT_CAP": 1000,
    "EXCHANGE_POSTING_RATE_LIMIT": "5 per 10 minutes;20 per day",
    "EXCHANGE_MESSAGE_RATE_LIMIT": "15 per 10 minutes;150 per day",
}


def _configure(app):
    for key, default in DEFAULTS.items():
        value = os.environ.get(key)
        if value is not None and isinstance(default, int):
            value = int(value)
        app.config.setdefault(key, default if value is None else value)


def init_app(app):
    """Register the blueprint, CLI commands, template helpers and the unread count of this feature."""
    _configure(app)
    from . import cli, display, labels, routes, routes_messages, routes_office  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)
    app.cli.add_command(cli.exchange_cli)
    app.jinja_env.globals.update(
        posting_when=display.posting_when, posting_where=display.posting_where, counterpart_reason=display.reason_text
    )

    @app.context_processor
    def exchange_context():
        return {"exchange_unread": UnreadCount(), **labels.template_labels()}


@functools.total_ordering
class UnreadCount:
    """The signed-in person's unread messages, counted only when a template uses it, once per request."""

    def value(self):
        from flask import g
        from flask_login import current_user

        from .queries import unread_count

        if not has_request_context():
            return 0
        if "exchange_unread" not in g:
            g.exchange_unread = unread_count(current_user)
        return g.exchange_unread

    def __int__(self):
        return self.value()

    def __str__(self):
        return str(self.value())

    def __bool__(self):
        return self.value() > 0

    def __eq__(self, other):
        return self.value() == other

    def __hash__(self):
        return hash(self.value())

    def __lt__(self, other):
        return self.value() < other

    def __gt__(self, other):
        return self.value() > other

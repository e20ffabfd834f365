"""Friendly error pages in the user's language; never a stack trace outside development."""

import logging

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger("vereinsnetz")

MESSAGES = {
    400: (
        _l("The request could not be processed"),
        _l("Something in the request was not as expected. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    405: (_l("Not allowed"), _l("This action cannot be carried out this way.")),
    413: (_l("File too large"), _l("The file you sent is larger than 5 MB. Please send a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("You tried this too often in a short time. Please wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing you entered before this page was lost. Please try again later."),
    ),
}


def init_app(app):
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def render_error(code, title=None, message=None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[400])
    return render_template(
        "errors/error.html", code=code, title=title or default_title, message=message or default_message
    ), code


def _audit_refusal(action):
    """Refused requests go to the audit log (throttled per client address, see core.audit).

    404s are not audited: objects outside a user's scope answer 404 on purpose, and most 404s come
    from scanners and mistyped links; logging each would let anyone fill the log for free and bury
    the events that matter. A 403 (wrong role) or a failed CSRF check means someone tried something.
    """
    from .audit import record_refusal

    try:
        db.session.rollback()  # nothing of a refused request is kept, only the event
        if record_refusal(action) is not None:
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Could not store the audit event %s", action)


def _csrf_error(error):
    _audit_refusal("csrf.failed")
    return render_error(
        400,
        _l("The form has expired"),
        _l("For your security, forms expire. Please go back, reload the page and send it again."),
    )


def _http_error(error):
    if error.code is None or error.code < 400:
        return error
    if error.code == 403:
        _audit_refusal("access.denied")
    body, code = render_error(error.code)
    # Keep what the protocol needs from the original response: Allow on 405, Retry-After on 429 …
    headers = [(k, v) for k, v in error.get_headers() if k.lower() not in {"content-type", "content-length"}]
    return body, code, headers


def _unexpected_error(error):
    db.session.rollback()
    if current_app.debug and not current_app.config.get("IS_PRODUCTION"):
        raise error  # a developer gets the interactive traceback; production never shows one
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)

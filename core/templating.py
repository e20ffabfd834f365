"""Template globals shared by every page."""

from flask import current_app, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from markupsafe import Markup, escape

from . import labels
from .i18n import text_direction


def init_app(app):
    @app.context_processor
    def inject_globals():
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "locale": locale,
            "field_labels": labels.FIELD_LABELS,
            "language_labels": labels.LANGUAGE_LABELS,
            "request_state_labels": labels.REQUEST_STATE_LABELS,
            "role_labels": labels.ROLE_LABELS,
            "text_dir": text_direction(locale),
            "languages": current_app.config["LANGUAGES"],
        }

    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_decimal,
        current_path=lambda: request.full_path.rstrip("?"),
    )
    app.jinja_env.filters["paragraphs"] = paragraphs


def paragraphs(text):
    """Plain text with blank lines as paragraphs, escaped; no HTML from users is ever rendered."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    html = "".join(
        f"<p>{'<br>'.join(escape(line) for line in block.splitlines())}</p>" for block in blocks if block
    )
    return Markup(html)

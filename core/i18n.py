"""Locale and time zone selection; the language switcher stores its choice here."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def supported_locales():
    return list(current_app.config["LANGUAGES"])


def select_locale():
    """The signed-in user's language, else the switcher's choice, else the browser's, else German."""
    locales = supported_locales()
    if not has_request_context():
        # CLI commands and mail rendering outside a request: German unless force_locale says otherwise.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in locales:
        return chosen
    return request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def text_direction(locale):
    return "rtl" if str(locale).split("_")[0] in current_app.config["RTL_LANGUAGES"] else "ltr"

"""Application factory."""

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import DEV_SECRET_KEY, INSTANCE_DIR, Config

from .extensions import babel, csrf, db, limiter, login_manager, migrate

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    pass


def create_app(config_class=Config):
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.from_object(config_class)
    _check_production_settings(app)
    if hops := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    synchronous = str(app.config.get("SQLITE_SYNCHRONOUS", "FULL")).upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ConfigurationError("SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA")
    _sqlite_settings["synchronous"] = synchronous
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)

    from . import audit, errors, i18n, security, templating  # noqa: F401 (audit: its model)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    # Ids beyond the database's integer range are simply not found (instead of an overflow error).
    app.url_map.converters["int"] = BoundedIntegerConverter
    _register_blueprints(app)
    from . import cache

    cache.init_app(app)  # after the blueprints: it needs every model's table

    from .cli import register_cli

    register_cli(app)
    logging.getLogger("vereinsnetz").setLevel(logging.INFO)
    return app


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _check_production_settings(app):
    if not app.config.get("IS_PRODUCTION"):
        return
    key = (app.config.get("SECRET_KEY") or "").strip()
    # A placeholder, a short word or a repeated pattern would let anyone forge session cookies.
    if key == DEV_SECRET_KEY or len(key) < 32 or len(set(key)) < 8:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production, "
            "e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )


def _init_login(app):
    from .models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id):
        # The id carries the session version: a changed password or disabled account ends sessions.
        ident, _, version = user_id.partition(":")
        if not ident.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_version != int(version) or not user.is_active:
            return None
        return user


def _register_blueprints(app):
    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .associations import bp as associations_bp
    from .directory import bp as directory_bp
    from .pages import bp as pages_bp

    for bp in (pages_bp, accounts_bp, associations_bp, directory_bp, admin_bp):
        app.register_blueprint(bp)

    import exchange
    import fireside
    import matching
    import office
    import privacy
    import surveys

    for feature in (surveys, exchange, matching, fireside, office, privacy):
        feature.init_app(app)


#: Set from the config by `create_app`; the connect hook below has no app context.
_sqlite_settings = {"synchronous": "FULL"}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on and WAL mode for SQLite, so several workers can read while one writes."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # FULL: an acknowledged answer survives a power cut. Tests trade that for speed (SQLITE_SYNCHRONOUS).
    cursor.execute(f"PRAGMA synchronous={_sqlite_settings['synchronous']}")
    cursor.close()

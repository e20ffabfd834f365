"""Configuration classes. Everything that differs between deployments comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("VEREINSNETZ_INSTANCE", BASE_DIR / "instance"))

#: Placeholder that development uses; production refuses to start with it.
DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url():
    """`DATABASE_URL` (PostgreSQL through psycopg 3) or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'vereinsnetz.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL")

    # Languages: German first; English complete; Arabic for the right-to-left layout.
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"de": "Deutsch", "en": "English", "ar": "العربية"}
    RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ckb"}

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: A session without a request for this long is ended.
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)
    # A CSRF token lives as long as the session: a long survey must not expire under the user.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    # Rate limits; shared storage such as redis:// when several app servers run.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto/-Host are trusted so
    #: rate limits and the audit log see the client's address; 0 trusts none (direct exposure).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    TOKEN_RATE_LIMIT = os.environ.get("TOKEN_RATE_LIMIT", "20 per minute;200 per hour")
    FORM_RATE_LIMIT = os.environ.get("FORM_RATE_LIMIT", "5 per minute;30 per hour")

    # Mail: every message goes through the outbox; `flask mail send` delivers it.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_STARTTLS = _bool("MAIL_USE_STARTTLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "Vereinsnetz <no-reply@vereinsnetz.localhost>")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))

    #: Base URL used in e-mails (links must work outside a request).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    INVITE_VALID_FOR = timedelta(days=int(os.environ.get("INVITE_VALID_DAYS", "14")))
    RESET_VALID_FOR = timedelta(hours=int(os.environ.get("RESET_VALID_HOURS", "2")))

    #: Fireside chats: `flask fireside remind` reminds accepted associations this long before a chat, and
    #: nudges associations that have not answered this long before the RSVP cut-off.
    FIRESIDE_REMINDER_HOURS = int(os.environ.get("FIRESIDE_REMINDER_HOURS", "48"))

    # Texts people agree to: a new wording gets a new version so consent records stay meaningful.
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-11")
    DIRECTORY_CONSENT_VERSION = os.environ.get("DIRECTORY_CONSENT_VERSION", "2026-11")

    # GDPR: how long things are kept; the privacy notice lists these same values (templates/privacy/_retention.html).
    DATA_EXPORT_VALID_FOR = timedelta(hours=int(os.environ.get("DATA_EXPORT_VALID_HOURS", "24")))
    DATA_EXPORT_RATE_LIMIT = os.environ.get("DATA_EXPORT_RATE_LIMIT", "3 per hour;10 per day")
    TOKEN_RETENTION_DAYS = int(os.environ.get("TOKEN_RETENTION_DAYS", "7"))
    SURVEY_TOKEN_RETENTION_DAYS = int(os.environ.get("SURVEY_TOKEN_RETENTION_DAYS", "30"))
    MAIL_RETENTION_DAYS = int(os.environ.get("MAIL_RETENTION_DAYS", "30"))
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
    UNUSED_INVITATION_DAYS = int(os.environ.get("UNUSED_INVITATION_DAYS", "90"))
    INACTIVE_ACCOUNT_WARN_DAYS = int(os.environ.get("INACTIVE_ACCOUNT_WARN_DAYS", "700"))
    INACTIVE_ACCOUNT_DELETE_DAYS = int(os.environ.get("INACTIVE_ACCOUNT_DELETE_DAYS", "730"))

    # Legal pages: operators set these; admins may override them in the app.
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "Stadt Musterstadt, Koordinierungsstelle Integration")
    OPERATOR_ADDRESS = os.environ.get("OPERATOR_ADDRESS", "Rathausplatz 1, 70000 Musterstadt")
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", "integration@musterstadt.example")
    OPERATOR_PHONE = os.environ.get("OPERATOR_PHONE", "+49 7000 000000")
    DATA_PROTECTION_OFFICER = os.environ.get("DATA_PROTECTION_OFFICER", "datenschutz@musterstadt.example")

    #: Where `flask backup create` writes without --output (default: instance/backups).
    BACKUP_DIR = os.environ.get("BACKUP_DIR")

    #: Main pages are cached until a table they read is written to (core/cache.py); 0 turns the cache off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_MB", "32")) << 20

    IS_PRODUCTION = False
    DIRECTORY_PAGE_SIZE = 20
    #: Impact report: counts below this are shown as "< 3" wherever the report leaves the office.
    REPORT_MIN_CELL = int(os.environ.get("REPORT_MIN_CELL", "3"))


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)


class ProductionConfig(Config):
    IS_PRODUCTION = True
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "outbox-only"
    # Test databases are thrown away: no need to wait for the disk on every commit.
    SQLITE_SYNCHRONOUS = "OFF"
    PUBLIC_BASE_URL = "http://localhost"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_env():
    return CONFIGS[os.environ.get("VEREINSNETZ_ENV", "development")]

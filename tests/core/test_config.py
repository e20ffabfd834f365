"""Configuration from the environment, the production safety check and SQLite's pragmas."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

import config
from config import DEV_SECRET_KEY, ProductionConfig, TestConfig
from core import ConfigurationError, create_app
from core.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def production(secret_key, **overrides):
    return type(
        "P", (ProductionConfig,), {"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides}
    )


@pytest.mark.parametrize(
    "secret_key",
    [DEV_SECRET_KEY, "", None, "short-key", "x" * 31, " " * 64, "ab" * 32],
    ids=["dev-key", "empty", "none", "short", "31-chars", "blank", "repetitive"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(production(secret_key))


def test_production_starts_with_a_random_64_character_key():
    app = create_app(production(secrets.token_hex(32)))
    assert app.config["IS_PRODUCTION"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_and_tests_run_with_the_dev_key():
    app = create_app(type("D", (TestConfig,), {"SECRET_KEY": DEV_SECRET_KEY}))
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY


def run_python(code, env_overrides, remove=()):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "VEREINSNETZ_ENV", *remove}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_wsgi_refuses_to_start_in_production_without_secret_key(tmp_path):
    result = run_python("import wsgi", {"VEREINSNETZ_ENV": "production", "VEREINSNETZ_INSTANCE": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_wsgi_starts_in_production_with_secret_key_from_environment(tmp_path):
    result = run_python(
        "import wsgi; print(wsgi.app.config['IS_PRODUCTION'])",
        {"VEREINSNETZ_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "VEREINSNETZ_INSTANCE": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_default_database_is_an_sqlite_file_in_the_instance_dir(tmp_path):
    instance = tmp_path / "instance"
    code = (
        "import wsgi; from sqlalchemy import text; from core.extensions import db\n"
        "with wsgi.app.app_context():\n"
        "    db.session.execute(text('SELECT 1'))\n"
        "    print(wsgi.app.config['SQLALCHEMY_DATABASE_URI'])\n"
        "    print(wsgi.app.instance_path)\n"
    )
    result = run_python(code, {"VEREINSNETZ_INSTANCE": str(instance)})
    assert result.returncode == 0, result.stderr
    uri, instance_path = result.stdout.split()
    assert uri == f"sqlite:///{instance / 'vereinsnetz.sqlite3'}"
    assert instance_path == str(instance)
    assert (instance / "vereinsnetz.sqlite3").is_file()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://vn:pw@db.example:5432/vn", "postgresql+psycopg://vn:pw@db.example:5432/vn"),
        ("postgresql://vn@localhost/vn", "postgresql+psycopg://vn@localhost/vn"),
        ("postgresql+psycopg://vn@localhost/vn", "postgresql+psycopg://vn@localhost/vn"),
        ("sqlite:////srv/vereinsnetz/data.sqlite3", "sqlite:////srv/vereinsnetz/data.sqlite3"),
    ],
)
def test_database_url_names_the_psycopg_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config.database_url() == expected


def test_database_url_defaults_to_the_instance_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url() == f"sqlite:///{config.INSTANCE_DIR / 'vereinsnetz.sqlite3'}"


def test_sqlite_file_runs_with_foreign_keys_and_wal(tmp_path):
    app = create_app(type("S", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"}))
    with app.app_context():
        try:
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path):
    from core.models import Association

    app = create_app(type("S", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fk.sqlite3'}"}))
    with app.app_context():
        try:
            db.create_all()
            db.session.add(Association(municipality_id=12345, name="Ohne Kommune", name_key="ohne kommune"))
            with pytest.raises(Exception, match="FOREIGN KEY"):
                db.session.commit()
            db.session.rollback()
        finally:
            db.session.remove()
            db.engine.dispose()

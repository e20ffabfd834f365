"""Shared fixtures: the app on a real database (SQLite file or a throwaway PostgreSQL server),
a logged-in client, factories, a real SMTP server on loopback and a live server for the browser.

`pytest` runs on SQLite; `pytest --db=postgresql` runs the same tests on PostgreSQL 15, started
here with initdb/pg_ctl in a temporary directory and stopped at the end.
"""

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from flask import g
from werkzeug.security import generate_password_hash

from config import TestConfig
from core import create_app
from core.extensions import db as _db
from core.models import Association, Field, Municipality, Role, Topic, User
from core.topics import sync_topics

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "correct-horse-battery"
# A cheap hash for the test accounts: checking the production KDF on every test login costs seconds.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgresql"], help="database for the tests")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- PostgreSQL


class PostgresServer:
    """A private PostgreSQL cluster in a temp dir; run as the `postgres` user when we are root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="vn-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args):
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True)

    def start(self):
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
        )
        return self

    def url(self, database="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        subprocess.run([*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 binaries not found in {PG_BIN}; `make test` installs them")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def db_backend(request):
    return request.config.getoption("--db")


_counter = itertools.count()


@pytest.fixture
def database_url(request, db_backend, tmp_path):
    """A fresh, empty database for one test: a new SQLite file, or a new PostgreSQL database."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server.url(name)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- app and db


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo files are not committed: compile each catalogue whose .mo is missing or older than its .po."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(TestConfig.BABEL_TRANSLATION_DIRECTORIES).glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(partial, mo)  # atomic, so parallel test runs never read half a file


def make_config(database_url, **overrides):
    return type("PerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture
def app_config():
    """Override per test module: `@pytest.fixture def app_config(): return {"RATELIMIT_ENABLED": True}`."""
    return {}


@pytest.fixture(scope="session")
def schema_template(request, db_backend, tmp_path_factory):
    """The full schema plus the starter topics, built once per run; each test gets a copy of it."""
    if db_backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _build_schema(f"sqlite:///{path}")
        return path
    server = request.getfixturevalue("postgres_server")
    name = f"template_{os.getpid()}"
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _build_schema(server.url(name))
    return name


def _build_schema(url):
    application = create_app(make_config(url))
    with application.app_context():
        _db.create_all()
        sync_topics()
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def prepared_database_url(request, db_backend, schema_template, tmp_path):
    """A fresh database with the schema and the starter topics: a file copy or a PostgreSQL template copy."""
    if db_backend == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(schema_template, target)
        yield f"sqlite:///{target}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    import psycopg

    admin_url = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{schema_template}"')
    yield server.url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(prepared_database_url, app_config, tmp_path):
    os.environ.setdefault("VEREINSNETZ_INSTANCE", str(tmp_path / "instance"))
    application = create_app(make_config(prepared_database_url, **app_config))

    @application.teardown_request
    def _forget_request_globals(exc):
        # The test holds one app context open, so every request would share `g`: Flask-Login's
        # cached user and Flask-Babel's locale would leak from one request (and client) to the next.
        for name in list(g):
            g.pop(name)

    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --------------------------------------------------------------------------- factories


class Factory:
    """Small builders for the objects tests need; each commits so routes see the data."""

    def __init__(self, db):
        self.db = db
        self.seq = itertools.count(1)

    def municipality(self, name=None, **kwargs):
        municipality = Municipality(name=name or f"Stadt {next(self.seq)}", **kwargs)
        self.db.session.add(municipality)
        self.db.session.commit()
        return municipality

    def association(self, municipality=None, name=None, topics=(), languages=(), listed=False, **kwargs):
        municipality = municipality or self.municipality()
        topics = [self.topic(key) for key in topics]  # before the new object exists: the query autoflushes
        association = Association(
            municipality=municipality, name=name or f"Verein {next(self.seq)}", field=kwargs.pop("field", Field.culture), **kwargs
        )
        association.languages = list(languages)
        if topics:
            association.topics = topics
        if listed:
            from core.models import utcnow

            association.directory_consent_at, association.directory_consent_version = utcnow(), "test"
        association.refresh_search()
        self.db.session.add(association)
        self.db.session.commit()
        return association

    def topic(self, key):
        from sqlalchemy import select

        return self.db.session.scalar(select(Topic).where(Topic.key == key))

    def user(self, role=Role.representative, association=None, municipalities=(), email=None, password=True, **kwargs):
        user = User(
            email=email or f"user{next(self.seq)}@example.org",
            name=kwargs.pop("name", "Test Person"),
            role=role,
            association=association,
            municipalities=list(municipalities),
            password_hash=_PASSWORD_HASH if password else None,
            **kwargs,
        )
        self.db.session.add(user)
        self.db.session.commit()
        return user

    def representative(self, association=None, **kwargs):
        return self.user(Role.representative, association=association or self.association(), **kwargs)

    def coordinator(self, *municipalities, **kwargs):
        return self.user(Role.coordinator, municipalities=municipalities or [self.municipality()], **kwargs)

    def admin(self, **kwargs):
        return self.user(Role.admin, **kwargs)


@pytest.fixture
def factory(db):
    return Factory(db)


class Auth:
    def __init__(self, client):
        self.client = client

    def login_as(self, user, password=PASSWORD):
        response = self.client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


# --------------------------------------------------------------------------- mail


class SMTPSink:
    """A real SMTP server on loopback (aiosmtpd); messages arrive as email.message objects."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        sink = self

        class Collect(Message):
            def handle_message(self, message):
                sink.messages.append(message)

        self.messages = []
        self.port = free_port()
        self.controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_server():
    sink = SMTPSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_config(smtp_server):
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def count_queries(engine):
    """Context manager counting the SQL statements sent to the database."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter()


@pytest.fixture
def engine_is_postgres(db_backend):
    return db_backend == "postgresql"



# --------------------------------------------------------------------------- browser


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp lets the tests inject axe-core; the app's own pages never need it.
    return {**browser_context_args, "bypass_csp": True, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


class LiveServer:
    """The app served by a real WSGI server in a thread, on a free loopback port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    app.config["PUBLIC_BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def axe_source():
    from importlib.resources import files

    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def check_a11y(axe_source):
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page; fail with every violation listed."""

    def check(page):
        page.evaluate(axe_source)
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert violations == [], f"{page.url}:\n" + "\n".join(violations)

    return check

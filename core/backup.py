"""`flask backup create` and `flask backup restore`: a consistent copy of the whole database.

SQLite uses its online backup API, so a copy taken while the app serves requests is a snapshot of
one moment. PostgreSQL uses `pg_dump` (custom format) and `pg_restore` in one transaction. The
password travels in the `PGPASSWORD` environment variable, never on a command line that `ps` shows.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from .extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database.")

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
#: Tables every Vereinsnetz database has: a file without them is not one of our backups.
REQUIRED_TABLES = ("municipalities", "users")
PG_FALLBACK_BIN = Path("/usr/lib/postgresql/15/bin")


class BackupError(click.ClickException):
    pass


# --------------------------------------------------------------------------- where and what


def database_kind(url):
    backend = make_url(url).get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of {backend} databases are not supported.")
    return backend


def default_path(kind, now=None):
    """instance/backups/vereinsnetz-YYYYmmdd-HHMMSS.<ext> (or BACKUP_DIR), in UTC."""
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return folder / f"vereinsnetz-{stamp}.{'sqlite3' if kind == 'sqlite' else 'dump'}"


def file_kind(path):
    """'sqlite', 'postgresql' or None, from the file's first bytes (never from its name)."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def _private_file(target):
    """A new empty file only the owner may read, in the target's folder (renamed into place later)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    os.chmod(name, 0o600)
    return Path(name)


# --------------------------------------------------------------------------- SQLite


def _sqlite_path(url):
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(path)


def _sqlite_backup(source, target):
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)  # one consistent snapshot, even while other connections write


def _single_file(path):
    """The copy keeps no write-ahead log beside it: one file to store and move."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def _check_sqlite_file(path):
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (integrity check failed).")
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
    if not set(REQUIRED_TABLES) <= names:
        raise BackupError(f"{path} is an SQLite database, but not a Vereinsnetz backup.")


def create_sqlite(url, target):
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    partial = _private_file(target)
    try:
        _sqlite_backup(source, partial)
        _single_file(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore_sqlite(url, path):
    _check_sqlite_file(path)
    # The backup API writes the snapshot into the live file page by page under one lock, so
    # other processes see either the old database or the restored one.
    _sqlite_backup(path, _sqlite_path(url))


# --------------------------------------------------------------------------- PostgreSQL


def pg_tool(name):
    """The PostgreSQL client program: PG_BIN, then PATH, then Debian's PostgreSQL 15 folder."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    if found := shutil.which(name):
        candidates.append(Path(found))
    candidates.append(PG_FALLBACK_BIN / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} was not found; install postgresql-client or set PG_BIN.")


def _pg_connection(url):
    """Command-line options and environment for libpq programs; the password only in the environment."""
    parsed = make_url(url)
    env = {**os.environ}
    env.pop("PGPASSWORD", None)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    options = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        options += ["--host", parsed.host]
    if parsed.port:
        options += ["--port", str(parsed.port)]
    if parsed.username:
        options += ["--username", parsed.username]
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("host", "PGHOST")):
        if key in parsed.query:
            env[variable] = str(parsed.query[key])
    return options, env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")
    return result.stdout


def create_postgresql(url, target):
    options, env = _pg_connection(url)
    partial = _private_file(target)
    try:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(partial), *options], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _check_pg_file(path, env):
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], env)
    missing = [name for name in REQUIRED_TABLES if f" TABLE public {name} " not in listing]
    if missing:
        raise BackupError(f"{path} is a PostgreSQL dump, but not a Vereinsnetz backup.")


def restore_postgresql(url, path):
    options, env = _pg_connection(url)
    _check_pg_file(path, env)
    command = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-password",
        *options,
        str(path),
    ]
    _run(command, env)


# --------------------------------------------------------------------------- entry points


def create_backup(url, target=None):
    kind = database_kind(url)
    target = Path(target) if target else default_path(kind)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another file name.")
    (create_sqlite if kind == "sqlite" else create_postgresql)(url, target)
    return target


def restore_backup(url, path):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    kind = database_kind(url)
    found = file_kind(path)
    if found != kind:
        what = f"a {found} backup" if found else "not a backup file"
        raise BackupError(f"{path} is {what}; this deployment needs a {kind} backup.")
    # Nothing of ours may hold a connection (and locks) while the database is replaced.
    db.session.remove()
    db.engine.dispose()
    (restore_sqlite if kind == "sqlite" else restore_postgresql)(url, path)
    db.engine.dispose()


def _database_url():
    """The URL the engine really uses (Flask-SQLAlchemy puts relative SQLite paths under instance/)."""
    return db.engine.url


@backup_cli.command("create")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (must not exist).")
def create_command(output):
    """Write a consistent copy of the database (safe while the app runs)."""
    target = create_backup(_database_url(), output)
    click.echo(f"Backup written to {target}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the whole database with a backup made by `flask backup create`."""
    url = _database_url()
    if not yes:
        click.confirm(
            f"This replaces ALL data in {make_url(url).render_as_string(hide_password=True)} with {path}. Continue?",
            abort=True,
        )
    restore_backup(url, path)
    click.echo(f"Database restored from {path}")

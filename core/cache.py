"""Page cache that is never stale: every cached page remembers which tables it read, and a write to any of them
invalidates it, in every process.

How it knows:

- **Writes.** Every INSERT, UPDATE and DELETE that goes through the app's engine names its tables; the connection
  collects them, and just before the transaction commits it raises one counter per written table in
  `data_generations`, inside the same transaction. A rolled-back transaction raises nothing. (The same idea as
  django-cachalot's per-table invalidation.)
- **Reads.** While a page renders, every statement it runs is recorded; the page is stored with the counters of
  the tables it read, as they were *before* it started. The next request reads the counters (one SELECT) and
  serves the stored page only if none of them moved, and only for the same user, path, language, time zone and
  day. A change committed while a page renders makes that page stale at once, never the other way round.

Pages with forms keep working: the CSRF token is stored as a placeholder and filled in per request. A page that
shows or sets a flash message, or a request with writes not yet committed, bypasses the cache. Entries live in
the process's memory for at most `PAGE_CACHE_SECONDS` (0 turns the cache off) and `PAGE_CACHE_BYTES` in all.

Writes the cache cannot see: statements run on another engine or outside the app (a restore from backup, `psql`);
restart the app after those.
"""

import re
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

GENERATIONS_TABLE = "data_generations"
_WRITTEN = "vn_written_tables"
_HAS_TABLE = "vn_has_generations"
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_WRITE_VERBS = frozenset({"insert", "update", "delete", "replace", "merge"})
_PLACEHOLDER = f"vn-csrf-{secrets.token_hex(12)}"
_reading: ContextVar[set | None] = ContextVar("vn_page_cache_reading", default=None)
ALWAYS_READ = ("users", "coordinator_municipalities")


class DataGeneration(db.Model):
    """How often each table has been written to; a cached page is valid while its tables' counters stand still."""

    __tablename__ = GENERATIONS_TABLE

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def init_app(app):
    seconds = app.config.get("PAGE_CACHE_SECONDS", 60)
    app.extensions["vn_page_cache"] = PageCache(seconds=seconds, max_bytes=app.config.get("PAGE_CACHE_BYTES", 32 << 20))
    # Computed values shared by every user (e.g. the matcher's suggestions for a town): counted, not measured.
    app.extensions["vn_value_cache"] = PageCache(seconds=seconds and max(seconds, 600), max_bytes=64)
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "after_cursor_execute", _after_execute):
        event.listen(engine, "after_cursor_execute", _after_execute)
        event.listen(engine, "commit", _before_commit)
        event.listen(engine, "rollback", _forget_writes)
        event.listen(engine.pool, "checkin", _forget_writes_on_checkin)


# --------------------------------------------------------------------------- which tables a statement touches

_statements: dict[str, tuple[bool, frozenset]] = {}


def tables_of(statement):
    """(writes?, the app's tables named in the statement). Naming a table is enough: reading too much only
    costs an extra miss, never a stale page."""
    found = _statements.get(statement)
    if found is None:
        tokens = [t.lower() for t in _TOKEN.findall(statement)]
        first = tokens[0] if tokens else ""
        writes = first in _WRITE_VERBS or (first == "with" and not _WRITE_VERBS.isdisjoint(tokens))
        known = _known_tables()
        found = (writes, frozenset(t for t in tokens if t in known))
        if len(_statements) > 4096:
            _statements.clear()
        _statements[statement] = found
    return found


def _known_tables():
    return {name for name in db.metadata.tables if name != GENERATIONS_TABLE}


def _after_execute(conn, cursor, statement, parameters, context, executemany):
    writes, tables = tables_of(statement)
    if writes:
        conn.info.setdefault(_WRITTEN, set()).update(tables)
    else:
        reading = _reading.get()
        if reading is not None:
            reading.update(tables)


def _before_commit(conn):
    """Raise the counters of the written tables in the committing transaction, in name order (a fixed lock order,
    so two committing transactions cannot deadlock on these rows)."""
    written = conn.info.pop(_WRITTEN, None)
    if not written or not _has_generations(conn):
        return
    cursor = conn.connection.cursor()
    try:
        for name in sorted(written):
            if _SAFE_NAME.match(name):  # names come from the models' metadata; checked anyway, they are inlined
                cursor.execute(
                    f"INSERT INTO {GENERATIONS_TABLE} (name, value) VALUES ('{name}', 1) "
                    f"ON CONFLICT (name) DO UPDATE SET value = {GENERATIONS_TABLE}.value + 1"
                )
    finally:
        cursor.close()


def _has_generations(conn):
    """Whether this database has the counters yet (not while migrations before 0006 run)."""
    if conn.info.get(_HAS_TABLE):
        return True
    if conn.dialect.name == "sqlite":
        sql = f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{GENERATIONS_TABLE}'"
    else:
        sql = f"SELECT to_regclass('{GENERATIONS_TABLE}')"
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
    finally:
        cursor.close()
    found = bool(row and row[0])
    if found:
        conn.info[_HAS_TABLE] = True
    return found


def _forget_writes(conn):
    conn.info.pop(_WRITTEN, None)


def _forget_writes_on_checkin(dbapi_connection, connection_record):
    if connection_record is not None:
        connection_record.info.pop(_WRITTEN, None)


def generations():
    """Every table's counter, as this transaction sees them."""
    return dict(db.session.execute(select(DataGeneration.name, DataGeneration.value)).all())


def _uncommitted_writes():
    session = db.session
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        return True
    return bool(session.connection().info.get(_WRITTEN))


# --------------------------------------------------------------------------- the cache


class _Entry:
    __slots__ = ("body", "tables", "expires", "size")

    def __init__(self, body, tables, expires, size):
        self.body, self.tables, self.expires, self.size = body, tables, expires, size


class PageCache:
    """Rendered pages in this process's memory, least recently used out first."""

    def __init__(self, seconds=60, max_bytes=32 << 20):
        self.seconds, self.max_bytes = seconds, max_bytes
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self):
        return self.seconds > 0

    def get(self, key, current):
        """The stored value, or None when there is none or a table it read has been written to since."""
        entry = self.entry(key, current)
        return None if entry is None else entry.body

    def entry(self, key, current):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            if entry.expires < time.monotonic() or any(current.get(t, 0) != v for t, v in entry.tables):
                self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key, body, tables, size=None):
        entry = _Entry(body, tuple(sorted(tables.items())), time.monotonic() + self.seconds,
                       len(body) if size is None else size)
        if entry.size > self.max_bytes // 4:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._entries)

    def __contains__(self, key):
        return key in self._entries

    def _drop(self, key):
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size


def page_cache():
    return current_app.extensions["vn_page_cache"]


def cached_page(view):
    """Serve a GET page from the cache while none of the tables it read was written to. For the pages people
    reload most (dashboard, board, directory, survey results, suggestions); the view must return its HTML."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        cache = page_cache()
        if not cache.enabled or request.method != "GET" or "_flashes" in session or _uncommitted_writes():
            return view(*args, **kwargs)
        key = _key()
        current = generations()
        body = cache.get(key, current)
        if body is None:
            body = _render(view, args, kwargs, cache, key, current)
            if not isinstance(body, str):
                return body
        return body.replace(_PLACEHOLDER, generate_csrf())

    return wrapped


def cached_value(key, compute):
    """A value computed from the database, shared by every request of this process while none of the tables the
    computation read was written to. The value must be plain data (no ORM objects) and must not be changed."""
    store = current_app.extensions["vn_value_cache"]
    if not store.enabled or _uncommitted_writes():
        return compute()
    current = generations()
    entry = store.entry(key, current)
    if entry is not None:
        _also_read(name for name, _value in entry.tables)
        return entry.body
    with _recording() as reading:
        value = compute()
    _also_read(reading)  # a page built from this value depends on what the value read
    if not _uncommitted_writes():
        store.put(key, value, {t: current.get(t, 0) for t in reading}, size=1)
    return value


@contextmanager
def _recording():
    """The set of tables the statements run inside the block name."""
    reading = set()
    marker = _reading.set(reading)
    try:
        yield reading
    finally:
        _reading.reset(marker)


def _also_read(tables):
    """Count tables as read by the page being recorded, if any."""
    outer = _reading.get()
    if outer is not None:
        outer.update(tables)


def _key():
    return (
        request.endpoint,
        request.full_path,
        current_user.get_id() if current_user.is_authenticated else None,
        str(get_locale()),
        str(get_timezone()),
        time.strftime("%Y-%m-%d %H"),  # times of day and "due today" move on even without writes
    )


def _render(view, args, kwargs, cache, key, current):
    """Run the view with the CSRF token held back and the tables it reads recorded; store what it returns."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = generate_csrf()
    setattr(g, field, _PLACEHOLDER)
    try:
        with _recording() as reading:
            body = view(*args, **kwargs)
    finally:
        setattr(g, field, token)
    flashed = getattr(request_ctx, "flashes", None) or "_flashes" in session
    if isinstance(body, str) and not flashed and not _uncommitted_writes():
        # Read before the view ran, by the sign-in and the access checks: the user and their towns. A coordinator who
        # loses a town must lose its pages at once, whatever the view itself read.
        reading.update(ALWAYS_READ)
        cache.put(key, body, {t: current.get(t, 0) for t in reading})
    return body

"""`flask backup create` / `flask backup restore`: every row comes back, on SQLite and PostgreSQL."""

import sqlite3
import stat
import threading
from contextlib import closing
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select

from config import TestConfig
from core import create_app
from core.backup import default_path, file_kind
from core.extensions import db as _db
from core.models import Municipality
from tests.core.test_access_matrix import FEATURE_BUILDERS, SPEC, World, client_for, snapshot
from tests.exchange.access_spec import POSTING_FORM


@pytest.fixture
def app_config(tmp_path):
    return {"BACKUP_DIR": str(tmp_path / "backups")}


def filled_world(app, db, factory):
    """The access-matrix world with every feature's objects, plus data entered through the app."""
    world = World(app, db, factory)
    for build in {builder for builder in FEATURE_BUILDERS.values()}:
        build(world)
    db.session.commit()
    rep_a, rep_b = client_for(app, world.user("rep_a")), client_for(app, world.user("rep_b"))
    assert rep_a.post("/exchange/new", data={**POSTING_FORM, "title": "Über die App"}).status_code == 302
    reply = rep_b.post(f"/exchange/{world.posting_a.id}/reply", data={"body": "Grüße — مرحبا"})
    assert reply.status_code == 302
    answer = SPEC["surveys.answer_page"][0]
    assert rep_b.post(answer.url_for(world), data=answer.payload(world)).status_code == 302
    coordinator = client_for(app, world.user("coord_x"))
    created = coordinator.post(
        "/associations/new", data={"municipality_id": world.town_x.id, "name": "Neu über die App", "field": "sport"}
    )
    assert created.status_code == 302
    db.session.expire_all()
    return world


def test_backup_wipe_restore_gives_back_every_row(app, db, factory, runner, tmp_path):
    filled_world(app, db, factory)
    before = snapshot(db)
    filled = [name for name, rows in before.items() if rows]
    for table in (
        "users",
        "associations",
        "exchange_postings",
        "exchange_messages",
        "survey_responses",
        "survey_answers",
    ):
        assert table in filled, table
    target = tmp_path / "out" / "copy.bak"

    result = runner.invoke(args=["backup", "create", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert file_kind(target) == ("sqlite" if db.engine.dialect.name == "sqlite" else "postgresql")
    db.session.remove()
    db.drop_all()
    db.session.remove()
    assert not inspect(db.engine).get_table_names()

    result = runner.invoke(args=["backup", "restore", str(target), "--yes"])

    assert result.exit_code == 0, result.output
    after = snapshot(db)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    # The restored database works for the app, not only for a SELECT (and sequences continue).
    assert client_for(app, None).get("/directory/").status_code == 200
    highest = db.session.scalar(select(func.max(Municipality.id)))
    assert factory.municipality("Nach der Wiederherstellung").id > highest


def test_restore_after_changes_brings_back_the_old_state(app, db, factory, runner, tmp_path):
    town = factory.municipality("Vorher")
    target = tmp_path / "copy.bak"
    assert runner.invoke(args=["backup", "create", "--output", str(target)]).exit_code == 0
    db.session.delete(town)
    factory.municipality("Nachher")
    db.session.commit()

    result = runner.invoke(args=["backup", "restore", str(target)], input="y\n")

    assert result.exit_code == 0, result.output
    assert "replaces ALL data" in result.output
    names = set(db.session.scalars(select(Municipality.name)))
    assert names == {"Vorher"}


def test_restore_asks_and_stops_without_yes(db, factory, runner, tmp_path):
    factory.municipality("Vorher")
    target = tmp_path / "copy.bak"
    assert runner.invoke(args=["backup", "create", "--output", str(target)]).exit_code == 0
    factory.municipality("Nachher")

    result = runner.invoke(args=["backup", "restore", str(target)], input="n\n")

    assert result.exit_code == 1
    assert "Aborted" in result.output
    db.session.remove()
    assert set(db.session.scalars(select(Municipality.name))) == {"Vorher", "Nachher"}


def test_default_file_is_timestamped_in_the_backup_folder(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "create"])

    assert result.exit_code == 0, result.output
    written = list((tmp_path / "backups").iterdir())
    assert len(written) == 1
    assert written[0].name.startswith("vereinsnetz-" + datetime.now(UTC).strftime("%Y%m%d"))
    assert str(written[0]) in result.output
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert runner.invoke(args=["backup", "create", "--output", str(written[0])]).exit_code == 1  # never overwrites


def test_default_path_without_backup_dir_is_under_instance(app):
    app.config["BACKUP_DIR"] = None
    path = default_path("postgresql", datetime(2026, 11, 21, 22, 5, 9, tzinfo=UTC))
    assert str(path).endswith("/backups/vereinsnetz-20261121-220509.dump")
    assert str(path).startswith(app.instance_path)


def _foreign_sqlite(path):
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.commit()
    return path


@pytest.mark.parametrize("kind", ["text", "zip", "other-kind", "foreign-sqlite", "truncated"])
def test_restore_refuses_what_is_not_a_backup_of_this_kind(db, db_backend, factory, runner, tmp_path, kind):
    factory.municipality("Bleibt")
    own = tmp_path / "own.bak"
    assert runner.invoke(args=["backup", "create", "--output", str(own)]).exit_code == 0
    candidate = tmp_path / "candidate.bak"
    if kind == "text":
        candidate.write_text("name;district\nVerein;West\n")
    elif kind == "zip":
        candidate.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    elif kind == "other-kind":
        if db_backend == "sqlite":
            candidate.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)
        else:
            _foreign_sqlite(candidate)
    elif kind == "foreign-sqlite":
        if db_backend == "sqlite":
            _foreign_sqlite(candidate)
        else:
            candidate.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)
    else:
        candidate.write_bytes(own.read_bytes()[:300])

    result = runner.invoke(args=["backup", "restore", str(candidate), "--yes"])

    assert result.exit_code == 1, result.output
    assert "Error:" in result.output
    db.session.remove()
    assert set(db.session.scalars(select(Municipality.name))) == {"Bleibt"}


def test_restore_of_a_missing_file_is_refused(runner, tmp_path):
    result = runner.invoke(args=["backup", "restore", str(tmp_path / "nothing.bak"), "--yes"])
    assert result.exit_code == 1
    assert "does not exist" in result.output


# --------------------------------------------------------------------------- SQLite while the app writes


@pytest.fixture
def sqlite_app(tmp_path):
    """An SQLite deployment whatever --db says: the online backup API is SQLite's."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    application = create_app(type("LiveConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with application.app_context():
        _db.create_all()
        _db.session.commit()
        yield application, tmp_path / "live.sqlite3"
        _db.session.remove()
        _db.engine.dispose()


INSERT = (
    "INSERT INTO municipalities (name, office_name, office_email, created_at) VALUES (?, '', '', CURRENT_TIMESTAMP)"
)


def _pairs(path):
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM municipalities WHERE name LIKE 'Paar %'")]


def test_backup_while_another_connection_writes_is_consistent(sqlite_app, tmp_path):
    app, live = sqlite_app
    stop = threading.Event()
    written = []

    def writer():
        # Each transaction writes two rows: a consistent copy never holds one without the other.
        with closing(sqlite3.connect(live, timeout=30)) as conn:
            n = 0
            while not stop.is_set() or n < 50:
                with conn:
                    conn.execute(INSERT, (f"Paar {n} a",))
                    conn.execute(INSERT, (f"Paar {n} b",))
                written.append(n)
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        copies = []
        for number in range(5):
            runner = app.test_cli_runner()
            target = tmp_path / f"copy-{number}.sqlite3"
            seen_before = len(written)  # committed before the copy started: must be in it
            result = runner.invoke(args=["backup", "create", "--output", str(target)])
            assert result.exit_code == 0, result.output
            copies.append((seen_before, target))
    finally:
        stop.set()
        thread.join()

    counts = []
    for seen_before, target in copies:
        with closing(sqlite3.connect(target)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = _pairs(target)
        transactions = len(names) // 2
        assert len(names) % 2 == 0, "a transaction was copied half"
        assert sorted(names) == sorted(f"Paar {n} {s}" for n in range(transactions) for s in "ab")
        assert transactions >= seen_before
        counts.append(transactions)
    assert len(_pairs(live)) // 2 > counts[0], "the writer did not run during the backups"


def test_postgresql_password_goes_through_the_environment_only():
    from core.backup import _pg_connection

    options, env = _pg_connection("postgresql+psycopg://vn:s3cr%40t@db.internal:5433/vereinsnetz?sslmode=require")

    assert options == ["--dbname", "vereinsnetz", "--host", "db.internal", "--port", "5433", "--username", "vn"]
    assert env["PGPASSWORD"] == "s3cr@t" and env["PGSSLMODE"] == "require"
    assert not any("s3cr" in option for option in options)

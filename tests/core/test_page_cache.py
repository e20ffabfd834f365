"""The page cache (core/cache.py): a cached page is served only while no table it read has been written to."""

import re

import pytest
from sqlalchemy import text

from core import cache, create_app
from core.cache import PageCache, generations, tables_of
from core.models import Association
from tests.conftest import count_queries, make_config


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def directory(client, query=""):
    response = client.get(f"/directory/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- statements


def test_statements_name_their_tables_and_whether_they_write():
    assert tables_of("SELECT associations.id FROM associations JOIN municipalities ON x") == (
        False, frozenset({"associations", "municipalities"}))
    assert tables_of("INSERT INTO association_topics (association_id, topic_id) VALUES (?, ?)") == (
        True, frozenset({"association_topics"}))
    assert tables_of("  update users SET name=? WHERE users.id = ?") == (True, frozenset({"users"}))
    assert tables_of("WITH x AS (SELECT 1) DELETE FROM tokens WHERE id IN (SELECT * FROM x)")[0] is True
    assert tables_of("SELECT users.id FROM users FOR UPDATE")[0] is False
    assert tables_of("SELECT name, value FROM data_generations")[1] == frozenset()


# --------------------------------------------------------------------------- counters


def test_a_commit_raises_the_counters_of_exactly_the_tables_it_wrote(db, factory):
    association = factory.association(topics=["rooms"])
    before = generations()
    association.name = "Neuer Name"
    association.topics.append(factory.topic("funding"))  # a row in the link table, not an object of its own
    db.session.commit()
    after = generations()
    changed = {name for name in after if after[name] != before.get(name, 0)}
    assert changed == {"associations", "association_topics"}
    assert after["associations"] == before["associations"] + 1


def test_a_rollback_raises_nothing(db, factory):
    association = factory.association()
    before = generations()
    association.name = "Nie gespeichert"
    db.session.flush()
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert generations() == before


# --------------------------------------------------------------------------- pages


def test_a_cached_page_costs_one_statement_and_a_write_shows_at_once(app, db, client, factory):
    association = factory.association(name="Alter Name", listed=True)
    assert "Alter Name" in directory(client)
    with count_queries(db.engine) as statements:
        assert "Alter Name" in directory(client)
    assert len(statements) == 1 and "data_generations" in statements[0]

    association.name = "Neuer Name"
    db.session.commit()
    html = directory(client)
    assert "Neuer Name" in html and "Alter Name" not in html


def test_a_write_in_plain_sql_invalidates_too(db, client, factory):
    association = factory.association(name="Vorher", listed=True)
    assert "Vorher" in directory(client)
    db.session.execute(text("UPDATE associations SET name = 'Nachher' WHERE id = :id"), {"id": association.id})
    db.session.commit()
    assert "Nachher" in directory(client)


def test_a_write_in_another_process_invalidates(app, db, client, factory, prepared_database_url):
    """Two app servers: each has its own cache; the counters in the database keep both right."""
    association = factory.association(name="Erster Stand", listed=True)
    assert "Erster Stand" in directory(client)

    other = create_app(make_config(prepared_database_url))
    with other.app_context():
        from core.extensions import db as other_db

        row = other_db.session.get(Association, association.id)
        row.name = "Zweiter Stand"
        other_db.session.commit()
        other_db.session.remove()
        other_db.engine.dispose()
    db.session.expire_all()
    assert "Zweiter Stand" in directory(client)


def test_a_page_that_showed_a_message_is_not_kept(client, factory):
    factory.association(name="Verein mit Nachricht", listed=True)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Einmalige Nachricht")]
    assert "Einmalige Nachricht" in directory(client)
    assert "Einmalige Nachricht" not in directory(client)


def test_users_and_languages_get_their_own_pages(app, client, factory, auth):
    towns = [factory.municipality("Kornwestheim"), factory.municipality("Remseck")]
    first, second = (factory.coordinator(town) for town in towns)
    store = app.extensions["vn_page_cache"]
    auth.login_as(first)
    client.get("/office/")
    client.get("/office/")
    assert store.hits == 1
    auth.logout()
    auth.login_as(second)
    client.get("/office/")  # another coordinator, another town: never the first one's page
    assert store.hits == 1
    auth.logout()
    english = directory(client)
    german = client.get("/directory/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in english and '<html lang="de"' in german


@pytest.fixture
def csrf_app(prepared_database_url):
    app = create_app(make_config(prepared_database_url, WTF_CSRF_ENABLED=True))
    with app.app_context():
        yield app
        from core.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_a_cached_page_carries_each_sessions_own_working_csrf_token(csrf_app, factory):
    town = factory.municipality("Ditzingen")
    users = [factory.coordinator(town, email=f"k{n}@example.org") for n in (1, 2)]
    clients = []
    for user in users:
        client = csrf_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        clients.append(client)
    tokens = []
    for client in clients:
        for _ in range(2):  # the second answer comes from the cache
            html = client.get("/office/").get_data(as_text=True)
            found = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
            assert len(found) == 1 and "vn-csrf-" not in html
        tokens.append(found.pop())
    assert csrf_app.extensions["vn_page_cache"].hits >= 2
    # Each token works for its own session only: switching the language is a POST.
    assert clients[0].post("/language", data={"csrf_token": tokens[1], "language": "en"}).status_code == 400
    assert clients[0].post("/language", data={"csrf_token": tokens[0], "language": "en"}).status_code == 302


def test_the_cache_can_be_turned_off(prepared_database_url, factory):
    app = create_app(make_config(prepared_database_url, PAGE_CACHE_SECONDS=0))
    with app.app_context():
        client = app.test_client()
        client.get("/directory/")
        client.get("/directory/")
        assert len(app.extensions["vn_page_cache"]) == 0
        from core.extensions import db

        db.session.remove()
        db.engine.dispose()


# --------------------------------------------------------------------------- the store


def test_entries_expire(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    store = PageCache(seconds=60)
    store.put("k", "page", {"associations": 3})
    assert store.get("k", {"associations": 3}) == "page"
    assert store.get("k", {"associations": 4}) is None  # a write
    store.put("k", "page", {"associations": 3})
    now[0] += 61
    assert store.get("k", {"associations": 3}) is None


def test_memory_is_bounded_and_the_least_recently_used_goes_first():
    store = PageCache(seconds=60, max_bytes=400)
    for key in "abc":
        store.put(key, "x" * 100, {})
    store.get("a", {})  # used again: b is now the oldest
    store.put("d", "x" * 100, {})
    store.put("e", "x" * 100, {})
    assert [key for key in "abcde" if key in store] == ["a", "c", "d", "e"]
    store.put("huge", "x" * 101, {})  # more than a quarter of the budget: never stored
    assert "huge" not in store


def test_a_shared_value_is_computed_once_until_a_table_it_read_changes(db, factory):
    from sqlalchemy import func, select

    from core.cache import cached_value

    factory.association()
    calls = []

    def count():
        calls.append(1)
        return db.session.scalar(select(func.count()).select_from(Association))

    assert cached_value("count", count) == cached_value("count", count) == 1
    assert len(calls) == 1
    factory.association()
    assert cached_value("count", count) == 2 and len(calls) == 2


def test_a_coordinator_who_loses_a_town_loses_its_cached_pages_at_once(app, db, client, factory, auth):
    town = factory.municipality("Gerlingen")
    coordinator = factory.coordinator(town)
    auth.login_as(coordinator)
    page = f"/matching/{town.id}/suggestions"
    for _ in range(2):  # the first visit installs the default rules and records a run: those are writes
        assert client.get(page).status_code == 200
    hits = app.extensions["vn_page_cache"].hits
    assert client.get(page).status_code == 200
    assert app.extensions["vn_page_cache"].hits == hits + 1
    coordinator.municipalities.remove(town)
    db.session.commit()
    assert client.get(page).status_code == 404


def test_a_page_built_from_a_shared_value_depends_on_what_the_value_read(app, db, client, factory):
    """The matcher's suggestions page reads the town's facts only through the shared computation."""
    from sqlalchemy import func, select

    from core.cache import cached_page, cached_value

    @app.route("/test/shared-value")
    @cached_page
    def shared_value_page():
        count = cached_value("associations", lambda: db.session.scalar(select(func.count()).select_from(Association)))
        return f"<p>{count} associations</p>"

    factory.association()
    for _ in range(2):  # computed, then the page from the cache with the value from the cache
        assert client.get("/test/shared-value").get_data(as_text=True) == "<p>1 associations</p>"
    factory.association()
    assert client.get("/test/shared-value").get_data(as_text=True) == "<p>2 associations</p>"

"""Migration 0003_exchange builds exactly the exchange models' tables, and its downgrade removes them."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect, text

from core import create_app
from core.extensions import db
from tests.conftest import make_config

EXCHANGE = "exchange_"


@pytest.fixture
def empty_app(database_url):
    application = create_app(make_config(database_url))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def exchange_differences():
    """Differences between the database and the exchange tables of the models (other tables, which later
    revisions may change, only resolve the foreign keys)."""
    wanted = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        if table.name.startswith(EXCHANGE) or table.name in inspect(db.engine).get_table_names():
            table.to_metadata(wanted)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": False, "render_as_batch": True,
                  "include_name": lambda name, kind, parent: kind != "table" or name in wanted.tables},
        )
        return [d for d in compare_metadata(context, wanted) if _table_of(d).startswith(EXCHANGE)]


def _table_of(difference):
    """The table an Alembic difference is about (a modification comes as a list of its parts)."""
    if isinstance(difference, list):
        difference = difference[0]
    kind, subject = difference[0], difference[1]
    if kind in ("add_table", "remove_table"):
        return subject.name
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return difference[2]
    if kind in ("add_fk", "remove_fk"):
        return subject.parent.name
    return subject.table.name


def exchange_tables():
    return {name for name in inspect(db.engine).get_table_names() if name.startswith(EXCHANGE)}


def test_upgrade_to_0003_builds_the_exchange_schema_and_downgrade_removes_it(empty_app):
    upgrade(revision="0003_exchange")
    assert exchange_tables() == {t for t in db.metadata.tables if t.startswith(EXCHANGE)}
    assert exchange_differences() == []
    downgrade(revision="0001")
    assert exchange_tables() == set()
    upgrade(revision="0003_exchange")
    assert exchange_differences() == []
    # The comparison is not blind: a missing index shows up.
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_exchange_postings_board")
    assert [d[0] for d in exchange_differences()] == ["add_index"]


def test_the_search_index_is_a_trigram_index_on_postgresql(empty_app, db_backend):
    upgrade(revision="0003_exchange")
    with db.engine.connect() as connection:
        if db_backend == "postgresql":
            definition = connection.scalar(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_exchange_postings_search_trgm'"))
            assert "USING gin" in definition and "gin_trgm_ops" in definition
        else:
            definition = connection.scalar(text(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_exchange_postings_search_trgm'"))
            assert definition.endswith("WHERE 0")

"""The committed migrations build exactly the models' schema, and can be undone and redone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, String, UniqueConstraint, inspect

from core import create_app
from core.extensions import db
from tests.conftest import make_config


@pytest.fixture
def empty_app(database_url):
    """An app on an empty database: no create_all, the schema comes only from the migrations."""
    application = create_app(make_config(database_url))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def schema_differences(metadata=None):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": False, "render_as_batch": True},
        )
        return compare_metadata(context, metadata if metadata is not None else db.metadata)


def model_tables():
    return set(db.metadata.tables)


def test_flask_db_upgrade_builds_exactly_the_models_schema(empty_app):
    assert inspect(db.engine).get_table_names() == []
    result = empty_app.test_cli_runner().invoke(args=["db", "upgrade", "heads"])
    assert result.exit_code == 0, result.output
    assert schema_differences() == []
    assert set(inspect(db.engine).get_table_names()) == model_tables() | {"alembic_version"}


def test_comparison_notices_every_kind_of_difference(empty_app):
    """Guard for the test above: tables, indexes, types, nullability, unique and foreign keys count."""
    upgrade(revision="heads")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_outbox_mails_due")
        connection.exec_driver_sql("DROP TABLE import_batches")
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    users = changed.tables["users"]
    users.c.name.nullable = True
    users.c.locale.type = String(16)
    users.append_constraint(UniqueConstraint("name", name="uq_users_name"))
    tokens = changed.tables["tokens"]
    tokens.constraints.discard(next(iter(tokens.foreign_key_constraints)))
    kinds = {_kind(diff) for diff in schema_differences(changed)}
    assert {"add_index", "add_table", "modify_nullable", "modify_type", "add_constraint", "remove_fk"} <= kinds


def _kind(diff):
    return diff[0] if isinstance(diff, tuple) else diff[0][0]


def test_downgrade_to_base_and_upgrade_again(empty_app):
    upgrade(revision="heads")
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="heads")
    assert schema_differences() == []


def test_migrated_schema_enforces_foreign_keys_and_unique_email(empty_app):
    """Constraints exist in the database itself, not only in the models."""
    from sqlalchemy.exc import IntegrityError

    from core.models import Association, User

    upgrade(revision="heads")
    db.session.add(Association(municipality_id=999, name="Ohne Kommune", name_key="ohne kommune"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([User(email="a@example.org"), User(email="a@example.org")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

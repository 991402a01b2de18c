"""The migrations match the models (no autogenerate drift) and go up and down cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from careteam import create_app
from careteam.extensions import db
from careteam.testing import (
    make_test_config,
)


def _include_object(_obj, name, type_, _reflected, _compare_to) -> bool:
    # As in migrations/env.py: full-text search objects are hand-written DDL.
    return not (type_ in ("table", "index", "column") and name and "_fts" in name)


def test_models_and_migrations_agree(app: Flask):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "render_as_batch": True,
                "compare_type": True,
                "include_object": _include_object,
            },
        )
        diffs = compare_metadata(context, db.metadata)
    assert diffs == []


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def test_upgrade_to_heads_then_downgrade_to_base_and_up_again(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path))
    model_tables = {table.name for table in db.metadata.sorted_tables}
    assert _tables(app) == set()
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        db.engine.dispose()
    assert versions == heads
    assert model_tables <= _tables(app)

    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
    # Only Alembic's own bookkeeping table may remain, and it must be empty.
    assert _tables(app) <= {"alembic_version"}
    with app.app_context():
        with db.engine.connect() as conn:
            if "alembic_version" in _tables(app):
                assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
        upgrade(revision="heads")
        db.engine.dispose()
    assert model_tables <= _tables(app)

"""Migration 0004 matches the notes models, and its search objects exist on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from careteam.extensions import db


def _skip_fts(_obj, name, type_, _reflected, _compare_to):
    return not (type_ in ("table", "index", "column") and name and "_fts" in name)


def _mentions_notes(diff) -> bool:
    return "note" in repr(diff)


def test_models_and_migration_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _skip_fts, "compare_type": True}
        )
        diffs = [d for d in compare_metadata(context, db.metadata) if _mentions_notes(d)]
    assert diffs == []


def test_search_objects_exist(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            indexes = {i["name"] for i in inspect(conn).get_indexes("notes")}
            assert "ix_notes_fts" in indexes
        else:
            names = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'notes_fts%'"))
                .scalars()
                .all()
            )
            assert {
                "notes_fts",
                "notes_fts_after_insert",
                "notes_fts_after_update",
                "notes_fts_after_delete",
            } <= names

"""Migration 0002 matches the circle models and the audit log's filter indexes."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from careteam.extensions import db

OURS = ("circles", "memberships", "audit_events")


def _skip_fts(_obj, name, type_, _reflected, _compare_to):
    return not (type_ in ("table", "index") and name and "_fts" in name)


def test_models_and_migration_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _skip_fts, "compare_type": True}
        )
        diffs = [
            d for d in compare_metadata(context, db.metadata) if any(t in repr(d) for t in OURS)
        ]
    assert diffs == []


def test_audit_filter_indexes_exist(app):
    with app.app_context(), db.engine.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("audit_events")}
    # Migration 0011 added the audience stamp, so hidden rows are skipped in the index.
    stamp = ["object_audience", "object_author_id"]
    assert indexes["ix_audit_events_circle_actor"] == ["circle_id", "actor_id", "id", *stamp]
    assert indexes["ix_audit_events_circle_action"] == ["circle_id", "action", "id", *stamp]
    assert indexes["ix_audit_events_circle_keyset"] == ["circle_id", "id", *stamp]

"""Migration 0005 creates exactly the calendar tables the models describe, on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from careteam.extensions import db

CALENDAR_TABLES = {
    "appointments",
    "appointment_occurrence_changes",
    "appointment_help_slots",
    "appointment_help_signups",
    "appointment_reminder_prefs",
    "calendar_feeds",
    "reminder_claims",
}


def _mentions_calendar(diff) -> bool:
    text = repr(diff)
    return any(name in text for name in CALENDAR_TABLES)


def test_models_and_migration_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, db.metadata) if _mentions_calendar(d)]
        tables = set(inspect(conn).get_table_names())
        claims = inspect(conn).get_unique_constraints("reminder_claims")
    assert diffs == []
    assert tables >= CALENDAR_TABLES
    # The reminder claim key that stops two runs sending the same reminder.
    assert {tuple(c["column_names"]) for c in claims} == {
        ("membership_id", "appointment_id", "occurrence_start", "offset_minutes")
    }

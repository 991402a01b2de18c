"""audit rows carry the audience and author of the object they are about

``audit_events`` gains ``object_audience`` and ``object_author_id`` (NULL: the row is about
nothing with an audience).  The circle's audit log shows a row about a note or an appointment
only to those who may see that object, by the feed's rule, in SQL.  The page's three indexes
(whole log, by person, by action) carry the two columns so the rows a reader may not see are
skipped in the index; ``ix_audit_events_object`` finds one object's rows when its audience
changes; ``ix_audit_events_object_author`` serves the foreign key's ON DELETE SET NULL.

Back-fill of existing rows:
- rows about a note or an appointment that still exists (the trash included) take its current
  audience and author (``notes.author_id``, ``appointments.created_by_id``);
- rows about one that no longer exists (a purged note) get the narrowest audience, "only me",
  with the author its ``<type>.created`` row names as actor; with no such row (or its account
  deleted since) the author stays NULL and no one sees them.  An audit trail cannot say what
  such a note's audience was when it was purged, and "coordinators" would show the care
  recipient each time someone opened a private note, which is what this change stops.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_STAMPED = (
    "ix_audit_events_circle_keyset",
    "ix_audit_events_circle_actor",
    "ix_audit_events_circle_action",
)
_OLD_COLUMNS = {
    "ix_audit_events_circle_keyset": ["circle_id", "id"],
    "ix_audit_events_circle_actor": ["circle_id", "actor_id", "id"],
    "ix_audit_events_circle_action": ["circle_id", "action", "id"],
}
_STAMP = ["object_audience", "object_author_id"]

# Written out here, not derived from the models, so this revision never changes under later code.
_FROM_LIVE = """
UPDATE audit_events SET
  object_audience = (SELECT o.audience FROM {table} o WHERE o.public_id = audit_events.object_id),
  object_author_id = (SELECT o.{author} FROM {table} o WHERE o.public_id = audit_events.object_id)
WHERE object_type = '{type}'
  AND EXISTS (SELECT 1 FROM {table} o WHERE o.public_id = audit_events.object_id)
"""

_FROM_GONE = """
UPDATE audit_events SET
  object_audience = 'only_me',
  object_author_id = (
    SELECT c.actor_id FROM audit_events c
    WHERE c.object_type = audit_events.object_type
      AND c.object_id = audit_events.object_id
      AND c.action = '{type}.created'
    ORDER BY c.id LIMIT 1
  )
WHERE object_type = '{type}' AND object_audience IS NULL
"""


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_audience", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("object_author_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_audit_events_object_author_id_users"),
            "users",
            ["object_author_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(
        "ix_audit_events_object", "audit_events", ["object_type", "object_id"], unique=False
    )
    # Appointments come from another line of core's history (0005): where that has not run
    # yet, there are no appointments, so no rows about one to stamp.
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    for table, author, type_ in (
        ("notes", "author_id", "note"),
        ("appointments", "created_by_id", "appointment"),
    ):
        if table not in tables:
            continue
        op.execute(_FROM_LIVE.format(table=table, author=author, type=type_))
        op.execute(_FROM_GONE.format(type=type_))
    for name in _STAMPED:
        op.drop_index(name, table_name="audit_events")
        op.create_index(name, "audit_events", _OLD_COLUMNS[name] + _STAMP, unique=False)
    op.create_index(
        "ix_audit_events_object_author", "audit_events", ["object_author_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_audit_events_object_author", table_name="audit_events")
    for name in _STAMPED:
        op.drop_index(name, table_name="audit_events")
        op.create_index(name, "audit_events", _OLD_COLUMNS[name], unique=False)
    op.drop_index("ix_audit_events_object", table_name="audit_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_audit_events_object_author_id_users"), type_="foreignkey")
        batch_op.drop_column("object_author_id")
        batch_op.drop_column("object_audience")

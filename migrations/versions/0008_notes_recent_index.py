"""notes: an index for the newest notes of a circle, pinned or not (the home page's list)

The feed's index (circle_id, pinned, created_at, id) cannot serve "newest first" without
pinning first, so "Recent notes" sorted every live note of the circle to show five.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:55:00.000000
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_notes_circle_recent", "notes", ["circle_id", "created_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_notes_circle_recent", table_name="notes")

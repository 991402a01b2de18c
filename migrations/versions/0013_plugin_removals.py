"""plugin removals: plugins removed with their data kept, and the heads to restore

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import careteam.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plugin_removals",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("removed_at", careteam.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plugin_removals")),
    )


def downgrade():
    op.drop_table("plugin_removals")

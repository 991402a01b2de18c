"""circles: a calendar version, bumped by every write to the circle's appointments

List pages keep a circle's repeating appointments for the process and reread them only when
this number has moved (see careteam.appointments.series_cache).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "circles",
        sa.Column("calendar_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade():
    with op.batch_alter_table("circles") as batch:
        batch.drop_column("calendar_version")

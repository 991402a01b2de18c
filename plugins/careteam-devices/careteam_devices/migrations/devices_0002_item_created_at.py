"""devices: when each checklist item was added, so a new item is due from then

Revision ID: devices_0002
Revises: devices_0001
Create Date: 2026-12-01 23:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

from careteam.api import UTCDateTime

revision = "devices_0002"
down_revision = "devices_0001"
branch_labels = None
depends_on = None


def upgrade():
    # Empty for items that existed before: they are due from when their device was added.
    with op.batch_alter_table("devices_template_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("devices_template_items", schema=None) as batch_op:
        batch_op.drop_column("created_at")

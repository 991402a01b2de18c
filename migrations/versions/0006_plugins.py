"""plugin platform: per-circle plugin switches and claims of plugin reminder lines

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-01 22:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

import careteam.db.types

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "circle_plugins",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", careteam.db.types.UTCDateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_circle_plugins_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_circle_plugins_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("circle_id", "plugin", name=op.f("pk_circle_plugins")),
    )
    with op.batch_alter_table("circle_plugins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_circle_plugins_plugin_enabled", ["plugin", "enabled"], unique=False
        )

    op.create_table(
        "plugin_reminder_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", careteam.db.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", careteam.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_plugin_reminder_claims_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_reminder_claims")),
        sa.UniqueConstraint(
            "membership_id", "plugin", "item_key", name="uq_plugin_reminder_claims"
        ),
    )


def downgrade():
    op.drop_table("plugin_reminder_claims")
    with op.batch_alter_table("circle_plugins", schema=None) as batch_op:
        batch_op.drop_index("ix_circle_plugins_plugin_enabled")
    op.drop_table("circle_plugins")

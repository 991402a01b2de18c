"""devices inventory, checklists, checks, problems

Revision ID: devices_0001
Revises:
Create Date: 2026-12-01 23:03:35.873667
"""

import sqlalchemy as sa
from alembic import op

from careteam.api import UTCDateTime

revision = "devices_0001"
down_revision = None
branch_labels = ("devices",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "devices_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("make_model", sa.String(length=200), nullable=False),
        sa.Column("size_settings", sa.String(length=200), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=True),
        sa.Column("fitted_by", sa.String(length=200), nullable=False),
        sa.Column("supplier_contact", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_devices_devices_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_devices_devices_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_devices")),
        sa.UniqueConstraint("public_id", name=op.f("uq_devices_devices_public_id")),
    )
    with op.batch_alter_table("devices_devices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_devices_devices_circle", ["circle_id", "retired_at", "name"], unique=False
        )

    op.create_table(
        "devices_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("start_token", sa.String(length=43), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("journal_note_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_devices_checks_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices_devices.id"],
            name=op.f("fk_devices_checks_device_id_devices_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["finished_by_id"],
            ["users.id"],
            name=op.f("fk_devices_checks_finished_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_devices_checks_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_checks")),
        sa.UniqueConstraint("device_id", "start_token", name="uq_devices_checks_start_token"),
        sa.UniqueConstraint("public_id", name=op.f("uq_devices_checks_public_id")),
    )
    with op.batch_alter_table("devices_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_devices_checks_circle_open", ["circle_id", "finished_at"], unique=False
        )
        batch_op.create_index("ix_devices_checks_device", ["device_id", "id"], unique=False)

    op.create_table(
        "devices_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("copied_from", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_devices_templates_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices_devices.id"],
            name=op.f("fk_devices_templates_device_id_devices_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_devices_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_templates")),
        sa.UniqueConstraint("device_id", name=op.f("uq_devices_templates_device_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_devices_templates_public_id")),
    )
    with op.batch_alter_table("devices_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_devices_templates_circle", ["circle_id", "device_id", "name"], unique=False
        )

    op.create_table(
        "devices_check_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("item_public_id", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_devices_check_items_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["devices_checks.id"],
            name=op.f("fk_devices_check_items_check_id_devices_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices_devices.id"],
            name=op.f("fk_devices_check_items_device_id_devices_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_check_items")),
        sa.UniqueConstraint("check_id", "item_public_id", name="uq_devices_check_items_item"),
    )
    with op.batch_alter_table("devices_check_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_devices_check_items_last",
            ["device_id", "item_public_id", "answered_at"],
            unique=False,
        )

    op.create_table(
        "devices_template_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["devices_templates.id"],
            name=op.f("fk_devices_template_items_template_id_devices_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_template_items")),
        sa.UniqueConstraint("public_id", name=op.f("uq_devices_template_items_public_id")),
    )
    with op.batch_alter_table("devices_template_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_devices_template_items_template", ["template_id", "position"], unique=False
        )

    op.create_table(
        "devices_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("check_item_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_item_id"],
            ["devices_check_items.id"],
            name=op.f("fk_devices_problems_check_item_id_devices_check_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_devices_problems_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices_devices.id"],
            name=op.f("fk_devices_problems_device_id_devices_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_devices_problems_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_devices_problems_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices_problems")),
        sa.UniqueConstraint("check_item_id", name="uq_devices_problems_check_item"),
        sa.UniqueConstraint("public_id", name=op.f("uq_devices_problems_public_id")),
    )
    with op.batch_alter_table("devices_problems", schema=None) as batch_op:
        batch_op.create_index("ix_devices_problems_device", ["device_id", "id"], unique=False)
        batch_op.create_index(
            "ix_devices_problems_open", ["circle_id", "resolved_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("devices_problems", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_problems_open")
        batch_op.drop_index("ix_devices_problems_device")

    op.drop_table("devices_problems")
    with op.batch_alter_table("devices_template_items", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_template_items_template")

    op.drop_table("devices_template_items")
    with op.batch_alter_table("devices_check_items", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_check_items_last")

    op.drop_table("devices_check_items")
    with op.batch_alter_table("devices_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_templates_circle")

    op.drop_table("devices_templates")
    with op.batch_alter_table("devices_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_checks_device")
        batch_op.drop_index("ix_devices_checks_circle_open")

    op.drop_table("devices_checks")
    with op.batch_alter_table("devices_devices", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_devices_circle")

    op.drop_table("devices_devices")

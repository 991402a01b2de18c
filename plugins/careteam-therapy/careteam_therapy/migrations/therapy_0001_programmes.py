"""therapy programmes, versions, tasks, templates, logs, pauses, alerts, member settings

Revision ID: therapy_0001
Revises:
Create Date: 2026-12-08 01:15:00
"""

import sqlalchemy as sa
from alembic import op

from careteam.api import UTCDateTime

revision = "therapy_0001"
down_revision = None
branch_labels = ("therapy",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "therapy_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("drawing", sa.String(length=60), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("hold_seconds", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("per_week", sa.Integer(), nullable=True),
        sa.Column("times_per_day", sa.Integer(), nullable=False),
        sa.Column("times_of_day", sa.String(length=40), nullable=False),
        sa.Column("precautions", sa.Text(), nullable=False),
        sa.Column("keep_in_flare", sa.Boolean(), nullable=False),
        sa.Column("pain_threshold", sa.Integer(), nullable=False),
        sa.Column("fatigue_threshold", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_therapy_templates_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_templates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_templates_public_id")),
    )
    with op.batch_alter_table("therapy_templates", schema=None) as batch_op:
        batch_op.create_index("ix_therapy_templates_owner", ["owner_id", "title"], unique=False)

    op.create_table(
        "therapy_member_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.Boolean(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_member_settings_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_therapy_member_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_member_settings")),
        sa.UniqueConstraint("circle_id", "user_id", name="uq_therapy_member_settings_member"),
    )
    op.create_table(
        "therapy_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("archived_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("archived_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["archived_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_programmes_archived_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_programmes_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["users.id"],
            name=op.f("fk_therapy_programmes_therapist_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_programmes")),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_programmes_public_id")),
    )
    with op.batch_alter_table("therapy_programmes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_programmes_circle", ["circle_id", "archived_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_therapy_programmes_therapist", ["therapist_id", "archived_at"], unique=False
        )

    op.create_table(
        "therapy_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("resumed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resumed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_pauses_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_pauses_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["therapy_programmes.id"],
            name=op.f("fk_therapy_pauses_programme_id_therapy_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resumed_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_pauses_resumed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_pauses")),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_pauses_public_id")),
    )
    with op.batch_alter_table("therapy_pauses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_pauses_programme", ["programme_id", "start_date"], unique=False
        )

    op.create_table(
        "therapy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("change_note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["therapy_programmes.id"],
            name=op.f("fk_therapy_versions_programme_id_therapy_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_versions")),
        sa.UniqueConstraint("programme_id", "number", name="uq_therapy_versions_number"),
    )
    op.create_table(
        "therapy_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("drawing", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("hold_seconds", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("per_week", sa.Integer(), nullable=True),
        sa.Column("times_per_day", sa.Integer(), nullable=False),
        sa.Column("times_of_day", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("precautions", sa.Text(), nullable=False),
        sa.Column("keep_in_flare", sa.Boolean(), nullable=False),
        sa.Column("pain_threshold", sa.Integer(), nullable=False),
        sa.Column("fatigue_threshold", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_tasks_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["therapy_programmes.id"],
            name=op.f("fk_therapy_tasks_programme_id_therapy_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["therapy_versions.id"],
            name=op.f("fk_therapy_tasks_version_id_therapy_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_tasks")),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_tasks_public_id")),
    )
    with op.batch_alter_table("therapy_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_tasks_circle", ["circle_id", "programme_id"], unique=False
        )
        batch_op.create_index(
            "ix_therapy_tasks_programme_key", ["programme_id", "key"], unique=False
        )
        batch_op.create_index("ix_therapy_tasks_version", ["version_id", "position"], unique=False)

    op.create_table(
        "therapy_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("task_key", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("fatigue", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("logged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_logs_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_logs_logged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["therapy_programmes.id"],
            name=op.f("fk_therapy_logs_programme_id_therapy_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["therapy_tasks.id"],
            name=op.f("fk_therapy_logs_task_id_therapy_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_logs")),
        sa.UniqueConstraint("programme_id", "task_key", "day", "slot", name="uq_therapy_logs_slot"),
        sa.UniqueConstraint("programme_id", "token", name="uq_therapy_logs_token"),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_logs_public_id")),
    )
    with op.batch_alter_table("therapy_logs", schema=None) as batch_op:
        batch_op.create_index("ix_therapy_logs_circle_day", ["circle_id", "day"], unique=False)
        batch_op.create_index(
            "ix_therapy_logs_programme_day", ["programme_id", "day"], unique=False
        )

    op.create_table(
        "therapy_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=True),
        sa.Column("pause_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("raised_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("seen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_therapy_alerts_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["therapy_logs.id"],
            name=op.f("fk_therapy_alerts_log_id_therapy_logs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pause_id"],
            ["therapy_pauses.id"],
            name=op.f("fk_therapy_alerts_pause_id_therapy_pauses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["therapy_programmes.id"],
            name=op.f("fk_therapy_alerts_programme_id_therapy_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seen_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_alerts_seen_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_alerts")),
        sa.UniqueConstraint("public_id", name=op.f("uq_therapy_alerts_public_id")),
    )
    with op.batch_alter_table("therapy_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_alerts_circle_open", ["circle_id", "seen_at"], unique=False
        )
        batch_op.create_index(
            "ix_therapy_alerts_programme_open", ["programme_id", "seen_at"], unique=False
        )


def downgrade():

    with op.batch_alter_table("therapy_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_alerts_programme_open")
        batch_op.drop_index("ix_therapy_alerts_circle_open")

    op.drop_table("therapy_alerts")
    with op.batch_alter_table("therapy_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_logs_programme_day")
        batch_op.drop_index("ix_therapy_logs_circle_day")

    op.drop_table("therapy_logs")
    with op.batch_alter_table("therapy_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_tasks_version")
        batch_op.drop_index("ix_therapy_tasks_programme_key")
        batch_op.drop_index("ix_therapy_tasks_circle")

    op.drop_table("therapy_tasks")
    op.drop_table("therapy_versions")
    with op.batch_alter_table("therapy_pauses", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_pauses_programme")

    op.drop_table("therapy_pauses")
    with op.batch_alter_table("therapy_programmes", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_programmes_therapist")
        batch_op.drop_index("ix_therapy_programmes_circle")

    op.drop_table("therapy_programmes")
    op.drop_table("therapy_member_settings")
    with op.batch_alter_table("therapy_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_templates_owner")

    op.drop_table("therapy_templates")

"""hello plugin: kind words and the count of updates shared with everyone

Revision ID: hello_0001
Revises:
Create Date: 2026-12-01 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from careteam.api import UTCDateTime

revision = "hello_0001"
down_revision = None
# The plugin's own branch, named after the plugin; it needs core's users and circles.
branch_labels = ("hello",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "hello_kind_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=280), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_hello_kind_words_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_hello_kind_words_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hello_kind_words")),
        sa.UniqueConstraint("public_id", name=op.f("uq_hello_kind_words_public_id")),
    )
    with op.batch_alter_table("hello_kind_words", schema=None) as batch_op:
        batch_op.create_index("ix_hello_kind_words_circle", ["circle_id", "id"], unique=False)
    op.create_table(
        "hello_shared_update_counts",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_hello_shared_update_counts_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("circle_id", name=op.f("pk_hello_shared_update_counts")),
    )


def downgrade():
    op.drop_table("hello_shared_update_counts")
    with op.batch_alter_table("hello_kind_words", schema=None) as batch_op:
        batch_op.drop_index("ix_hello_kind_words_circle")
    op.drop_table("hello_kind_words")

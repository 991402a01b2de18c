"""Care circles and the people in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..audit import AuditEvent
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db


class Circle(db.Model):
    """The team around one person who needs care; everything else lives inside one."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Per-circle settings that features and plugins add (e.g. default note audience).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Moves on every write to the circle's appointments or their single changes, in the same
    # transaction; list pages reread the circle's series only when it has moved.
    calendar_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This circle as an audit row names it (see careteam.audit)."""
        return audit.subject("circle", self.public_id, self.id)


class Membership(db.Model):
    """One person's place in one circle, with the role that decides what they may do."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("circle_id", "user_id", name="uq_memberships_circle_user"),
        Index("ix_memberships_user_circle", "user_id", "circle_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This membership as an audit row names it (see careteam.audit)."""
        return audit.subject("membership", self.public_id, self.circle_id)


# The circle audit log filters by person and by action and pages newest first by id; these
# indexes let each filter read only its own rows (the table itself belongs to careteam.audit).
# The audience columns ride along so the rows a reader may not see are skipped in the index.
Index(
    "ix_audit_events_circle_actor",
    AuditEvent.circle_id,
    AuditEvent.actor_id,
    AuditEvent.id,
    AuditEvent.object_audience,
    AuditEvent.object_author_id,
)
Index(
    "ix_audit_events_circle_action",
    AuditEvent.circle_id,
    AuditEvent.action,
    AuditEvent.id,
    AuditEvent.object_audience,
    AuditEvent.object_author_id,
)

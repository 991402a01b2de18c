"""Reminder choices per membership, and the claims that make each reminder go out once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db.clock import utcnow
from ..db.types import UTCDateTime
from ..extensions import db


class ReminderPreference(db.Model):
    """A member's reminder choices for one circle (no row: the defaults)."""

    __tablename__ = "appointment_reminder_prefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Minutes before each occurrence, comma-separated, e.g. "1440,120".
    offsets: Mapped[str] = mapped_column(String(100), default="1440")


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # covered by a closer reminder in the same email


class ReminderClaim(db.Model):
    """One reminder, claimed by the run that sends it; the unique key stops a second sender."""

    __tablename__ = "reminder_claims"
    __table_args__ = (
        UniqueConstraint(
            "membership_id",
            "appointment_id",
            "occurrence_start",
            "offset_minutes",
            name="uq_reminder_claims_key",
        ),
        Index("ix_reminder_claims_status", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    offset_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.CLAIMED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

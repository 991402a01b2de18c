"""The care calendar: appointments, changed or cancelled occurrences, help wanted and given.

Times of an appointment are kept the way RFC 5545 keeps them: the wall time of its first
occurrence (naive ``start_local``/``end_local``) in its IANA ``time_zone``, plus an RRULE whose
UNTIL, if any, is a wall time too.  Occurrences are expanded from that, so a series at 10:00
stays at 10:00 on both sides of a daylight-saving change.  ``starts_at``/``ends_at`` (the first
occurrence in UTC) and ``series_ends_at`` (the end of the last one, or NULL when the series has
no end) are derived on every save so queries can pick candidate appointments for a window.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db


class Kind(StrEnum):
    NEUROLOGIST = "neurologist"
    GP = "gp"
    PHYSICAL_THERAPY = "physical_therapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    SUPPORT_GROUP = "support_group"
    TEST_SCAN = "test_scan"
    OTHER = "other"


KIND_LABELS: dict[Kind, str] = {
    Kind.NEUROLOGIST: "Neurologist",
    Kind.GP: "GP / family doctor",
    Kind.PHYSICAL_THERAPY: "Physical therapy",
    Kind.OCCUPATIONAL_THERAPY: "Occupational therapy",
    Kind.SUPPORT_GROUP: "Support group",
    Kind.TEST_SCAN: "Test or scan",
    Kind.OTHER: "Other",
}


class HelpKind(StrEnum):
    RIDE_THERE = "ride_there"
    RIDE_HOME = "ride_home"
    COMPANY = "company"


HELP_LABELS: dict[HelpKind, str] = {
    HelpKind.RIDE_THERE: "A ride there",
    HelpKind.RIDE_HOME: "A ride home",
    HelpKind.COMPANY: "Someone to come along",
}


class Appointment(db.Model):
    """One appointment, or a repeating series of them, in one circle."""

    __tablename__ = "appointments"
    __table_args__ = (
        # Agenda and month queries: single appointments by start, series by their span.
        Index("ix_appointments_circle_start", "circle_id", "recurring", "starts_at", "public_id"),
        Index("ix_appointments_circle_series_end", "circle_id", "recurring", "series_ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    # The author: "only me" appointments are visible to this person alone.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default=Kind.OTHER.value)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20))
    time_zone: Mapped[str] = mapped_column(String(64))
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # Wall times of the first occurrence (all-day: midnight, end exclusive).
    start_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    end_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    rrule: Mapped[str] = mapped_column(Text, default="")
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    series_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # RFC 5545 SEQUENCE: bumped on every change so calendar apps take the new version.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This appointment as an audit row names it, with its audience (see careteam.audit);
        "only me" means the person who scheduled it."""
        return audit.subject(
            "appointment", self.public_id, self.circle_id, self.audience, self.created_by_id
        )


# Every audit row about an appointment carries its audience, or recording it raises.
audit.register_audience_type("appointment")


class OccurrenceChange(db.Model):
    """One occurrence of a series that was cancelled (EXDATE) or changed (RECURRENCE-ID)."""

    __tablename__ = "appointment_occurrence_changes"
    __table_args__ = (
        UniqueConstraint(
            "appointment_id", "original_start_local", name="uq_occurrence_changes_original"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    # The occurrence's place in the series: its start as the rule produced it (wall time).
    original_start_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Changed values; None keeps the series' own.
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    location: Mapped[str | None] = mapped_column(String(300), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_local: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    end_local: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HelpSlot(db.Model):
    """Help an appointment asks for (a ride there, company), with how many people it needs."""

    __tablename__ = "appointment_help_slots"
    __table_args__ = (UniqueConstraint("appointment_id", "kind", name="uq_help_slots_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # 0 means "no longer asked for": earlier volunteers stay listed.
    needed: Mapped[int] = mapped_column(Integer, default=1)


class HelpSignup(db.Model):
    """A member volunteering for one help slot on one occurrence."""

    __tablename__ = "appointment_help_signups"
    __table_args__ = (
        UniqueConstraint(
            "slot_id", "occurrence_start_local", "user_id", name="uq_help_signups_person"
        ),
        Index("ix_help_signups_slot_occurrence", "slot_id", "occurrence_start_local"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("appointment_help_slots.id", ondelete="CASCADE")
    )
    occurrence_start_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedDetail(StrEnum):
    """How much of each appointment iCalendar output shows (feeds, downloads, the export)."""

    FULL = "full"
    TITLES = "titles"
    BUSY = "busy"

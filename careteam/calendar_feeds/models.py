"""The secret calendar subscription links: one row per link, only the secret's hash stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..appointments.models import FeedDetail
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db

FEED_DETAIL_LABELS: dict[FeedDetail, str] = {
    FeedDetail.FULL: "Full details (title, place, notes)",
    FeedDetail.TITLES: "Titles and times only",
    FeedDetail.BUSY: "Busy blocks only (no titles)",
}


class CalendarFeed(db.Model):
    """A secret iCalendar subscription URL: one circle, or every circle (circle_id NULL)."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_user", "user_id", "circle_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), nullable=True
    )
    # Only the hash: whoever reads the database cannot subscribe to anyone's calendar.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    detail: Mapped[str] = mapped_column(String(10), default=FeedDetail.FULL.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This feed link as an audit row names it (see careteam.audit)."""
        return audit.subject("calendar_feed", self.public_id, self.circle_id)

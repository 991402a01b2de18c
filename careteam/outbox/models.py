"""The mail outbox: every email, rendered, waiting in the database until it is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.clock import utcnow
from ..db.types import UTCDateTime
from ..extensions import db


class OutboxMessage(db.Model):
    """One email to deliver.

    ``next_attempt_at`` is when a delivery may next be tried; it is empty once the message is
    sent or given up.  A delivery in progress pushes it a few minutes ahead (its lease).  Once
    sent or given up, ``message`` is emptied: it held live links (password resets, invitations).
    ``last_error`` is the kind of the last failure, never the message or its links.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)

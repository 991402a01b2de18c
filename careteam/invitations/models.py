"""Invitations into a circle: mailed to one address, or a copied link to share by text message."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db


class Kind(StrEnum):
    EMAIL = "email"
    LINK = "link"


class Invitation(db.Model):
    """One invitation. Only the hash of its secret is stored; the raw token is in the link.

    An email invitation can be used by the account with the invited address.  Another account
    may ask to use it (a *claim*); a coordinator approves (the claimant joins) or declines (the
    invitation stays open for the invited address only).  A link invitation is used by whoever
    opens it first.
    """

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_circle_created", "circle_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    # Lower-case invited address (email kind only).
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    # A personal note from the inviter, plain text, shown as typed.
    message: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A declined claim: the invitation stays usable by the invited address, by nobody else.
    claim_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The coordinator who approved or declined the claim.
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This invitation as an audit row names it (see careteam.audit)."""
        return audit.subject("invitation", self.public_id, self.circle_id)

    @property
    def claim_pending(self) -> bool:
        return self.claimed_at is not None and self.claim_declined_at is None

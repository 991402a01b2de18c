"""Tables of the hello plugin; every name starts with the plugin's name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careteam.api import UTCDateTime, db, new_public_id, utcnow


class KindWord(db.Model):
    """A short encouragement one member leaves for the circle."""

    __tablename__ = "hello_kind_words"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    message: Mapped[str] = mapped_column(String(280))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The page lists a circle's words newest first.
Index("ix_hello_kind_words_circle", KindWord.circle_id, KindWord.id)


class SharedUpdateCount(db.Model):
    """How many notes addressed to everyone were written since the plugin was switched on.

    Only "everyone" notes are counted: the panel is shown to every member, and a count of
    private drafts would tell supporters that something is being kept from them.
    """

    __tablename__ = "hello_shared_update_counts"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

"""Which plugins are switched on in which circle, and the claims of plugin reminder lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db.clock import utcnow
from ..db.types import UTCDateTime
from ..extensions import db


class CirclePlugin(db.Model):
    """A plugin's switch in one circle.  No row means off; switching off keeps the plugin's data."""

    __tablename__ = "circle_plugins"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


# "In how many circles is this plugin on" (careteam plugins, the admin page) reads only this.
Index("ix_circle_plugins_plugin_enabled", CirclePlugin.plugin, CirclePlugin.enabled)


class PluginReminderClaim(db.Model):
    """A plugin's reminder line, claimed for one member before the email goes out.

    The same rules as appointment reminders (``reminder_claims``): the unique key makes
    overlapping runs send each line once; a failed send is retried; a crash after sending can
    lose a line but never doubles one.
    """

    __tablename__ = "plugin_reminder_claims"
    __table_args__ = (
        UniqueConstraint("membership_id", "plugin", "item_key", name="uq_plugin_reminder_claims"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(64))
    item_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PluginRemoval(db.Model):
    """A plugin removed with ``careteam plugins remove NAME --keep-data``: its tables stay.

    Its branch's rows left ``alembic_version`` (so ``careteam init`` neither upgrades it nor
    trips over it once the package is gone); the heads it had are kept here, and ``careteam
    plugins restore NAME`` writes them back.
    """

    __tablename__ = "plugin_removals"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The revision ids that were in alembic_version for the plugin's branch.
    heads: Mapped[list[str]] = mapped_column(JSON, default=list)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

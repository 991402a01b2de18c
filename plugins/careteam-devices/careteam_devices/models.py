"""Tables of the devices plugin (prefix ``devices_``).

A device has its own checklist: a template row tied to the device, copied when the device is
added (from the checklist the plugin ships for its kind, or from one of the circle's own).
Templates the circle keeps for copying have no device.  A check copies the checklist's items
when it starts (``devices_check_items``), so editing the checklist while a check is half done
changes nothing in that check.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from careteam.api import UTCDateTime, db, new_public_id, utcnow


class Device(db.Model):
    __tablename__ = "devices_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    make_model: Mapped[str] = mapped_column(String(200), default="")
    size_settings: Mapped[str] = mapped_column(String(200), default="")
    acquired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    fitted_by: Mapped[str] = mapped_column(String(200), default="")
    supplier_contact: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_reason: Mapped[str] = mapped_column(String(300), default="")


# The device list: a circle's devices in use, by name.
Index("ix_devices_devices_circle", Device.circle_id, Device.retired_at, Device.name)


class Template(db.Model):
    """A checklist: a device's own (``device_id`` set) or one the circle keeps for copying."""

    __tablename__ = "devices_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices_devices.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    # Where it was copied from: a shipped checklist ("shipped:afo") or a template's public id.
    copied_from: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


Index("ix_devices_templates_circle", Template.circle_id, Template.device_id, Template.name)


class TemplateItem(db.Model):
    __tablename__ = "devices_template_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stays the same when the item's text changes, so its history of checks follows it.
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    template_id: Mapped[int] = mapped_column(ForeignKey("devices_templates.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    guidance: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(20))
    # Removed items keep their history; they are no longer asked.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An item never done is due from when it joined the checklist (empty for items older than
    # this column: those are due from when their device was added).
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow)


Index("ix_devices_template_items_template", TemplateItem.template_id, TemplateItem.position)


class Check(db.Model):
    """One safety check of one device, possibly saved part-way and finished later."""

    __tablename__ = "devices_checks"
    __table_args__ = (
        # The "start" button's one-time token: a double click starts one check, not two.
        UniqueConstraint("device_id", "start_token", name="uq_devices_checks_start_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices_devices.id", ondelete="CASCADE"))
    start_token: Mapped[str] = mapped_column(String(43))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Bumped on every save: a save made from an older copy of the form is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    journal_note_id: Mapped[str] = mapped_column(String(16), default="")


# A device's history, newest first; "is a check running" on the device page.
Index("ix_devices_checks_device", Check.device_id, Check.id)
Index("ix_devices_checks_circle_open", Check.circle_id, Check.finished_at)


class CheckItem(db.Model):
    """A checklist item as it stood when the check started, and the answer given to it."""

    __tablename__ = "devices_check_items"
    __table_args__ = (
        UniqueConstraint("check_id", "item_public_id", name="uq_devices_check_items_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("devices_checks.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices_devices.id", ondelete="CASCADE"))
    item_public_id: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    guidance: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(20))
    # "ok", "attention", or "" while not answered yet.
    result: Mapped[str] = mapped_column(String(12), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


# "When was this item last done": the newest answer per item of a device.
Index(
    "ix_devices_check_items_last",
    CheckItem.device_id,
    CheckItem.item_public_id,
    CheckItem.answered_at,
)


class Problem(db.Model):
    """A "needs attention" answer, open until someone says what was done."""

    __tablename__ = "devices_problems"
    __table_args__ = (UniqueConstraint("check_item_id", name="uq_devices_problems_check_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices_devices.id", ondelete="CASCADE"))
    check_item_id: Mapped[int] = mapped_column(
        ForeignKey("devices_check_items.id", ondelete="CASCADE")
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    resolution: Mapped[str] = mapped_column(Text, default="")


Index("ix_devices_problems_open", Problem.circle_id, Problem.resolved_at, Problem.id)
Index("ix_devices_problems_device", Problem.device_id, Problem.id)

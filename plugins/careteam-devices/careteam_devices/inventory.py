"""The circle's devices and checklists: add, change, retire; copy and edit checklists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from careteam.api import Circle, Refusal, db, record_audit, require, utcnow

from .catalog import CHECKLISTS, KIND_LABELS, Frequency, Kind
from .models import Device, Template, TemplateItem

SHIPPED = "shipped:"
# A circle's own checklist may start empty: its items are then written in the editor.
BLANK = "blank"
MAX_ITEMS = 40


class DeviceError(Refusal):
    """A change that cannot be made, with the form field it concerns (if any)."""


@dataclass(frozen=True)
class DeviceInput:
    kind: str
    name: str
    make_model: str = ""
    size_settings: str = ""
    acquired_on: date | None = None
    fitted_by: str = ""
    supplier_contact: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ItemInput:
    """One row of the checklist editor; ``public_id`` is None for a new item."""

    public_id: str | None
    text: str
    frequency: str
    guidance: str = ""
    remove: bool = False


# --- reading -------------------------------------------------------------------------------


def devices_of(circle: Circle, retired: bool = False) -> list[Device]:
    """Return the circle's devices in use (or retired ones), by name."""
    condition = Device.retired_at.is_not(None) if retired else Device.retired_at.is_(None)
    stmt = (
        select(Device)
        .where(Device.circle_id == circle.id, condition)
        .order_by(func.lower(Device.name), Device.id)
    )
    return list(db.session.scalars(stmt))


def get_device(circle: Circle, public_id: str) -> Device | None:
    """Return the device with this public id in this circle only (None elsewhere)."""
    return db.session.scalar(
        select(Device).where(Device.circle_id == circle.id, Device.public_id == public_id)
    )


def checklist_of(device: Device) -> Template | None:
    return db.session.scalar(select(Template).where(Template.device_id == device.id))


def circle_templates(circle: Circle) -> list[Template]:
    """Return the checklists the circle keeps for copying (not tied to a device)."""
    return list(
        db.session.scalars(
            select(Template)
            .where(Template.circle_id == circle.id, Template.device_id.is_(None))
            .order_by(func.lower(Template.name), Template.id)
        )
    )


def get_template(circle: Circle, public_id: str) -> Template | None:
    return db.session.scalar(
        select(Template).where(Template.circle_id == circle.id, Template.public_id == public_id)
    )


def items_of(template: Template) -> list[TemplateItem]:
    """Return a checklist's items still in use, in order."""
    return list(
        db.session.scalars(
            select(TemplateItem)
            .where(TemplateItem.template_id == template.id, TemplateItem.active.is_(True))
            .order_by(TemplateItem.position, TemplateItem.id)
        )
    )


def source_choices(circle: Circle, kind: str | None = None) -> list[tuple[str, str]]:
    """Return the checklists a new device or template can start from: (value, label)."""
    shipped = [
        (f"{SHIPPED}{k.value}", f"CareTeam's checklist for a {KIND_LABELS[k].lower()}")
        for k in Kind
        if kind is None or k.value == kind
    ]
    own = [(t.public_id, f"This circle's \u201c{t.name}\u201d") for t in circle_templates(circle)]
    return shipped + own


# --- checklists ----------------------------------------------------------------------------


def _copy_items(circle: Circle, source: str, kind: str) -> tuple[list[TemplateItem], str]:
    """Return fresh items copied from ``source`` (a shipped kind or a template's public id)."""
    if source == BLANK:
        return [], ""
    if source.startswith(SHIPPED):
        shipped_kind = source.removeprefix(SHIPPED)
        if shipped_kind not in CHECKLISTS:
            raise DeviceError("Choose a checklist from the list.", "source")
        items = [
            TemplateItem(position=n, text=i.text, guidance=i.guidance, frequency=i.frequency.value)
            for n, i in enumerate(CHECKLISTS[shipped_kind])
        ]
        return items, source
    template = get_template(circle, source)
    if template is None:
        raise DeviceError("Choose a checklist from the list.", "source")
    items = [
        TemplateItem(position=n, text=i.text, guidance=i.guidance, frequency=i.frequency)
        for n, i in enumerate(items_of(template))
    ]
    return items, template.public_id


def _new_template(
    circle: Circle, name: str, kind: str, source: str, actor_id: int, device: Device | None
) -> Template:
    items, copied_from = _copy_items(circle, source, kind)
    template = Template(
        circle_id=circle.id,
        device_id=device.id if device else None,
        name=name,
        kind=kind,
        copied_from=copied_from,
        updated_by_id=actor_id,
    )
    db.session.add(template)
    db.session.flush()
    for item in items:
        item.template_id = template.id
        db.session.add(item)
    return template


def create_template(circle: Circle, membership: Any, name: str, kind: str, source: str) -> Template:
    """Make one of the circle's own checklists, copied from another (then edit it)."""
    require(membership, "devices.manage")
    _check_kind(kind)
    template = _new_template(circle, name, kind, source, membership.user_id, None)
    _audit("devices.template_created", circle, "template", template.public_id, membership)
    return template


def save_items(template: Template, membership: Any, name: str, rows: list[ItemInput]) -> None:
    """Apply the checklist editor: change, add and remove items (removed ones keep history)."""
    require(membership, "devices.manage")
    current = {
        i.public_id: i
        for i in db.session.scalars(
            select(TemplateItem).where(TemplateItem.template_id == template.id)
        )
    }
    kept = [r for r in rows if not r.remove]
    if not kept:
        raise DeviceError("A checklist needs at least one item.", "items")
    if len(kept) > MAX_ITEMS:
        raise DeviceError(f"A checklist can have at most {MAX_ITEMS} items.", "items")
    for row in rows:
        if row.frequency not in set(Frequency):
            raise DeviceError("Choose how often each item is due.", "items")
    for position, row in enumerate(rows):
        item = current.get(row.public_id or "")
        if row.public_id and item is None:
            raise DeviceError("This checklist changed meanwhile. Reload it and try again.")
        if item is None:
            if row.remove:
                continue
            item = TemplateItem(template_id=template.id)
            db.session.add(item)
        item.text, item.guidance, item.frequency = row.text, row.guidance, row.frequency
        item.position = position
        item.active = not row.remove
    template.name = name
    template.updated_at = utcnow()
    template.updated_by_id = membership.user_id
    _audit(
        "devices.checklist_edited",
        _circle(template.circle_id),
        "template",
        template.public_id,
        membership,
    )


# --- devices -------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in set(Kind):
        raise DeviceError("Choose the kind of device from the list.", "kind")


def add_device(circle: Circle, membership: Any, data: DeviceInput, source: str) -> Device:
    """Add a device with its own checklist, copied from ``source``."""
    require(membership, "devices.manage")
    _check_kind(data.kind)
    device = Device(circle_id=circle.id, created_by_id=membership.user_id, **vars(data))
    db.session.add(device)
    db.session.flush()
    _new_template(circle, data.name, data.kind, source, membership.user_id, device)
    _audit("devices.device_added", circle, "device", device.public_id, membership)
    return device


def update_device(device: Device, membership: Any, data: DeviceInput) -> None:
    require(membership, "devices.manage")
    _check_kind(data.kind)
    for field, value in vars(data).items():
        setattr(device, field, value)
    device.updated_at = utcnow()
    _audit(
        "devices.device_changed", _circle(device.circle_id), "device", device.public_id, membership
    )


def set_retired(device: Device, membership: Any, retired: bool, reason: str = "") -> None:
    """Retire a device (it leaves the list and the reminders; its history stays) or bring it
    back."""
    require(membership, "devices.manage")
    device.retired_at = utcnow() if retired else None
    device.retired_reason = reason if retired else ""
    action = "devices.device_retired" if retired else "devices.device_restored"
    _audit(action, _circle(device.circle_id), "device", device.public_id, membership)


def _circle(circle_id: int) -> Circle:
    return db.session.get(Circle, circle_id)


def _audit(action: str, circle: Circle, kind: str, object_id: str, membership: Any) -> None:
    record_audit(action, circle, object_type=kind, object_id=object_id, actor_id=membership.user_id)

"""What is due: every active item of every device in use, with its state, in three queries
(devices, their items, the last answers) however many devices and checks a circle has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import select

from careteam.api import Circle, circle_zone, db, utcnow

from .checks import last_done
from .inventory import devices_of
from .models import Device, Template, TemplateItem
from .schedule import Due, State, due_state


@dataclass
class ItemStatus:
    item: TemplateItem
    due: Due


@dataclass
class DeviceStatus:
    device: Device
    items: list[ItemStatus] = field(default_factory=list)

    def count(self, state: State) -> int:
        return sum(1 for i in self.items if i.due.state == state)

    @property
    def overdue(self) -> int:
        return self.count(State.OVERDUE)

    @property
    def due_today(self) -> int:
        return self.count(State.DUE_TODAY)

    @property
    def next_due(self) -> Any:
        return min((i.due.due_on for i in self.items), default=None)


def statuses(
    circle: Circle, now: datetime | None = None, devices: list[Device] | None = None
) -> list[DeviceStatus]:
    """Return each device in use with the due state of each of its items."""
    now = now or utcnow()
    zone = circle_zone(circle)
    devices = devices_of(circle) if devices is None else devices
    if not devices:
        return []
    ids = [d.id for d in devices]
    items = (
        select(Template.device_id, TemplateItem)
        .join(TemplateItem, TemplateItem.template_id == Template.id)
        .where(Template.device_id.in_(ids), TemplateItem.active.is_(True))
        .order_by(TemplateItem.position, TemplateItem.id)
    )
    rows = db.session.execute(items).all()
    done = last_done(ids)
    found = {d.id: DeviceStatus(d) for d in devices}
    for device_id, item in rows:
        last = done.get((device_id, item.public_id))
        # A never-done item is due from when it joined the checklist, not from when the device
        # was added: an item added to a year-old AFO is due today, not a year overdue.
        since = item.created_at or found[device_id].device.created_at
        due = due_state(last, item.frequency, now, zone, since)
        found[device_id].items.append(ItemStatus(item, due))
    return [found[d.id] for d in devices]


def _statuses_this_request(circle: Circle) -> list[DeviceStatus]:
    """Return :func:`statuses` once per page view: the home page asks twice (its "What's next"
    items and the device panel), and a read-only page cannot change the answer in between."""
    if not has_request_context() or request.method not in {"GET", "HEAD"}:
        return statuses(circle)
    cache = g.setdefault("_devices_statuses", {})
    if circle.id not in cache:
        cache[circle.id] = statuses(circle)
    return cache[circle.id]


def attention_summary(circle: Circle, now: datetime | None = None) -> list[DeviceStatus]:
    """Return the devices with something overdue or due today, most overdue first."""
    found = statuses(circle, now) if now is not None else _statuses_this_request(circle)
    wanted = [s for s in found if s.overdue or s.due_today]
    return sorted(wanted, key=lambda s: (-s.overdue, -s.due_today, s.device.name.casefold()))

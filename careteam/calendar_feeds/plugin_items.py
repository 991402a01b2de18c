"""Plugins' events in calendar feeds (``careteam_calendar_items``).

Each item is a single VEVENT in UTC (or a DATE for all-day items), with a UID made from the
plugin's name and the item's key so calendar apps update it instead of adding a copy.  The
feed's detail level applies as to appointments: "busy" shows only a busy block, "titles" no
description or link.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import current_app
from icalendar import Event

from ..db.clock import utcnow
from ..plugins.enablement import enabled_plugins, plugin_host
from ..plugins.types import CalendarItem

HOOK = "careteam_calendar_items"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def calendar_items(
    memberships: list[tuple[Any, Any]], start: datetime, end: datetime
) -> list[tuple[str, str, CalendarItem]]:
    """Return (plugin, circle name, item) for each (membership, circle) the feed covers."""
    host = plugin_host()
    if not host.implements(HOOK):
        return []
    found = []
    for membership, circle in memberships:
        answers = host.call(
            HOOK,
            enabled=enabled_plugins(circle.id),
            circle=circle,
            membership=membership,
            start=start,
            end=end,
        )
        for plugin, items in answers:
            found += [(plugin, circle.name, i) for i in items if isinstance(i, CalendarItem)]
    return found


def uid_of(plugin: str, item: CalendarItem) -> str:
    return f"{_UNSAFE.sub('-', plugin)}-{_UNSAFE.sub('-', item.key)}@careteam"


def _when(value: datetime | date, all_day: bool) -> datetime | date:
    if all_day:
        return value.date() if isinstance(value, datetime) else value
    return value


def ical_event(plugin: str, circle_name: str, item: CalendarItem, detail: str) -> Event:
    """Return the VEVENT for one plugin item at the feed's detail level."""
    event = Event()
    event.add("uid", uid_of(plugin, item))
    event.add("dtstamp", item.updated_at or utcnow())
    event.add("sequence", item.sequence)
    event.add("dtstart", _when(item.start, item.all_day))
    event.add("dtend", _when(item.end, item.all_day))
    event.add("transp", "OPAQUE")
    if detail == "busy":
        event.add("summary", "Busy")
        event.add("class", "PRIVATE")
        return event
    event.add("summary", item.title)
    if detail == "full":
        lines = [circle_name]
        if item.description:
            lines += ["", item.description]
        path = item.path or ""
        if path.startswith("/") and not path.startswith("//"):
            url = current_app.config["BASE_URL"] + path
            event.add("url", url)
            lines += ["", url]
        event.add("description", "\n".join(lines))
    return event

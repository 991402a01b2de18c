"""The data plugins hand to core through hooks (see :mod:`careteam.hookspecs`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PluginManifest:
    """Who a plugin is, returned by ``careteam_plugin_manifest``."""

    # The entry-point name: also the Alembic branch label, table and capability prefix.
    name: str
    # The plugin's name as people read it (circles' Plugins page, the admin's list).
    label: str
    # One or two sentences on what it adds, shown beside the switch.
    description: str = ""
    # Shown by `careteam plugins`; the installed distribution's version when empty.
    version: str = ""
    # Folder of the plugin's Alembic revisions (branch label = ``name``), or None.
    migrations: Path | str | None = None
    # Per-circle settings a circle starts with; coordinators change them on the settings page.
    default_settings: Mapping[str, Any] = field(default_factory=dict)
    # New circles get the plugin switched on; otherwise each circle's coordinators switch it on.
    enabled_by_default: bool = False
    # The careteam.api versions the plugin works with, e.g. ">=1.0,<2" (checked at load).
    requires_api: str = ""
    # Folder of the plugin's static files (images, CSS), served at /static/plugins/<name>/...;
    # link them with url_for("plugin_static", plugin=name, filename=...).  None: no files.
    static: Path | None = None


@dataclass(frozen=True)
class ReminderItem:
    """One line a plugin adds to a member's reminder email."""

    # Claimed once per member: the same key is never emailed twice to the same person.
    key: str
    # The line's text.
    title: str
    # A second line, e.g. the time or the place.
    detail: str = ""
    # A path inside this site ("/circles/…"); core turns it into a full link from BASE_URL.
    path: str | None = None


@dataclass(frozen=True)
class CalendarItem:
    """One event a plugin adds to calendar feeds (a single occurrence, no recurrence)."""

    # Stable across fetches, unique within the plugin; core makes the UID from it.
    key: str
    # The event's summary (feeds that show titles only keep just this).
    title: str
    start: datetime  # aware, any zone; or a date for all-day items
    # Aware, after start; or the day after the last day for all-day items.
    end: datetime
    # True for an event without times (start and end are dates).
    all_day: bool = False
    # Plain text shown in the event's details (full feeds only).
    description: str = ""
    # A path inside this site; core turns it into the event's link.
    path: str | None = None
    # Bump on every change so calendar apps pick it up (RFC 5545 SEQUENCE).
    sequence: int = 0
    # When it last changed (aware); calendar apps compare it.
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CareEvent:
    """What an event hook receives: ids only, never note or appointment text."""

    name: str  # "note_created", "member_joined", ...
    circle_id: str  # the circle's public id
    object_type: str  # "note", "appointment", "membership" or "circle"
    object_id: str  # public id of the note, appointment, membership or circle
    actor_id: str | None  # the acting user's public id (None for system actions)
    # The object's audience, for notes and appointments.
    audience: str | None = None
    # More about the change, per event (see each event hook); never care text.
    details: Mapping[str, Any] = field(default_factory=dict)
    # When it happened (UTC).
    occurred_at: datetime | None = None

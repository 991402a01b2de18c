"""What one calendar feed contains now, loaded in a fixed number of queries, and its validator.

A feed fetch reads its owner's memberships (with the circles), then per circle one query for
the single-occurrence changes and one for the appointments -- the columns the feed's detail
level shows and nothing else (a busy feed never reads a title) -- and asks plugins for their
items.  The number of statements depends on the circles the feed covers, never on how many
appointments they hold.

The validator (the ETag) hashes every part of the feed: each appointment's VEVENT text, in
order, and the rest of what the feed is made from (its name, detail level and secret, the
owner's roles, plugins' items, the VTIMEZONE blocks).  So anything that changes a feed -- an
edit, a cancellation, a deleted appointment, a moved occurrence, a role or membership change
(which changes the audience), a renamed circle or organiser, the 365-day history window moving
past an appointment, a plugin's item -- changes the validator, and an unchanged feed keeps it.

Each appointment's text and its digest are remembered by the row values they are written from,
so a fetch writes only what changed since any earlier fetch, and a conditional fetch that
matches only looks the digests up: no feed is assembled for a 304.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import DateTime, select, type_coerce

from ..appointments.ical import FeedEntry, ZoneSpan, assemble, event_text
from ..appointments.ical_text import vtimezone
from ..appointments.models import Appointment, FeedDetail, OccurrenceChange
from ..appointments.queries import visible
from ..auth.models import User
from ..auth.service import external_url
from ..circles.models import Circle, Membership
from ..db.clock import utcnow
from ..extensions import db
from ..plugins.enablement import plugin_host
from .models import CalendarFeed
from .plugin_items import HOOK, calendar_items, ical_event

# Appointments that ended longer ago than this are left out of feeds.
FEED_HISTORY = timedelta(days=365)
# Plugins are asked for their items up to this far ahead.
FEED_FUTURE = timedelta(days=366)
# Bump when the text written for the same inputs changes, so calendars fetch it again.
FORMAT_VERSION = "2"


def _plain(column: Any) -> Any:
    """Read an instant without UTCDateTime's per-value conversion (naive UTC on SQLite,
    aware on PostgreSQL): the feed only writes it as a UTC stamp, which handles both."""
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


_TIMING = (
    Appointment.id,
    Appointment.public_id,
    Appointment.all_day,
    Appointment.time_zone,
    Appointment.start_local,
    Appointment.end_local,
    Appointment.rrule,
    Appointment.series_ends_at,
    _plain(Appointment.cancelled_at),
    Appointment.sequence,
    _plain(Appointment.created_at),
    _plain(Appointment.updated_at),
)
_COLUMNS = {
    FeedDetail.BUSY: _TIMING,
    FeedDetail.TITLES: (*_TIMING, Appointment.title),
    FeedDetail.FULL: (
        *_TIMING,
        Appointment.title,
        Appointment.kind,
        Appointment.location,
        Appointment.video_url,
        Appointment.notes,
        User.display_name.label("organiser"),
    ),
}
_CHANGE_TIMING = (
    OccurrenceChange.appointment_id,
    OccurrenceChange.original_start_local,
    OccurrenceChange.cancelled,
    OccurrenceChange.start_local,
    OccurrenceChange.end_local,
)
_CHANGE_COLUMNS = {
    FeedDetail.BUSY: _CHANGE_TIMING,
    FeedDetail.TITLES: (*_CHANGE_TIMING, OccurrenceChange.title),
    FeedDetail.FULL: (
        *_CHANGE_TIMING,
        OccurrenceChange.title,
        OccurrenceChange.location,
        OccurrenceChange.notes,
    ),
}


@dataclass
class FeedContent:
    """Everything a feed's text is made from: each appointment's VEVENT text (UTF-8), in feed
    order, and what the rest of the calendar is written from."""

    feed_key: tuple[Any, ...]
    name: str
    detail: str
    circles: list[tuple[Membership, Circle]]
    events: list[bytes] = field(default_factory=list)
    span: ZoneSpan = field(default_factory=ZoneSpan)
    plugin_items: list[tuple[str, str, Any]] = field(default_factory=list)
    _zones: tuple[set[str], tuple[int, int] | None] | None = None

    def zones(self) -> tuple[set[str], tuple[int, int] | None]:
        if self._zones is None:
            self._zones = self.span.result()
        return self._zones

    def validator(self) -> str:
        """Return a hash of every input of :meth:`render` (the feed's ETag value)."""
        digest = hashlib.sha256()
        update = digest.update
        update(repr((FORMAT_VERSION, self.feed_key, self.name, self.detail)).encode())
        update(repr([(m.role, c.id, c.name) for m, c in self.circles]).encode())
        # The texts themselves, not a digest kept beside each: hashing them is cheap next to
        # the fetch, and the cache holds less per event.
        for text in self.events:
            update(text)
        update(repr(self.plugin_items).encode())
        # The zone blocks come from the zone database, which an upgrade can change.
        tzids, span = self.zones()
        if span is not None:
            for tzid in sorted(tzids):
                update(vtimezone(tzid, *span).encode())
        return digest.hexdigest()[:40]

    def render(self) -> bytes:
        """Return the feed's iCalendar text."""
        extra = [ical_event(p, circle, item, self.detail) for p, circle, item in self.plugin_items]
        return assemble(self.name, self.events, *self.zones(), extra)


# Each appointment's VEVENT text, kept per app so that an appointment unchanged since the last
# fetch -- of this feed, or of another member's feed of the same circle at the same detail
# level -- is not written again.  A cache, not state: any instance rebuilds it.
#
# The key stands for every input of the text without holding the row: the detail level, the
# appointment's id and one hash of all its read columns (last change included), its changed
# occurrences, circle name and link prefix.  Any edit changes the hash; two versions of one
# appointment would need the same 64-bit hash to be mistaken for each other.  Keeping the rows
# themselves would hold a copy of every feed's data in each worker.
EVENT_CACHE_SIZE = 50_000
_EXTENSION = "careteam_feed_events"


class EventCache:
    """Written VEVENT texts by key; beyond ``limit`` the least recently used goes first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.texts: dict[tuple[str, int, int], bytes] = {}
        self.lock = threading.Lock()  # gthread workers share it between threads

    def take(self, key: tuple[str, int, int]) -> bytes | None:
        """Remove and return the text kept under ``key`` (None when there is none)."""
        with self.lock:
            return self.texts.pop(key, None)

    def keep(self, key: tuple[str, int, int], text: bytes) -> None:
        """Keep ``text`` as the most recently used entry, dropping the least recent if full."""
        with self.lock:
            self.texts[key] = text
            if len(self.texts) > self.limit:
                del self.texts[next(iter(self.texts))]


def init_event_cache(app: Flask) -> None:
    """Give ``app`` its own cache of written events."""
    app.extensions[_EXTENSION] = EventCache(EVENT_CACHE_SIZE)


def event_cache() -> EventCache:
    """Return the current app's cache of written events."""
    return current_app.extensions[_EXTENSION]


def _event_of(
    cache: EventCache,
    detail: str,
    row: Any,
    changes: tuple,
    circle_name: str,
    url_prefix: str | None,
) -> bytes:
    """Return an appointment's VEVENT text (UTF-8)."""
    key = (detail, row.id, hash((tuple(row), changes, circle_name, url_prefix)))
    found = cache.take(key)
    if found is None:
        found = _write_event(detail, row, changes, circle_name, url_prefix)
    cache.keep(key, found)  # taken and put back, so the first entry is the least recently used
    return found


def _write_event(
    detail: str, row: Any, changes: tuple, circle_name: str, url_prefix: str | None
) -> bytes:
    full = url_prefix is not None
    entry = FeedEntry(
        row,
        list(changes),
        circle_name,
        url=url_prefix + row.public_id if full else None,
        organiser=row.organiser if full else None,
    )
    return event_text(entry, detail).encode("utf-8")


def memberships_of(feed: CalendarFeed) -> list[tuple[Membership, Circle]]:
    stmt = (
        select(Membership, Circle)
        .join(Circle, Circle.id == Membership.circle_id)
        .where(Membership.user_id == feed.user_id)
    )
    if feed.circle_id is not None:
        stmt = stmt.where(Membership.circle_id == feed.circle_id)
    return [(m, c) for m, c in db.session.execute(stmt.order_by(Circle.name, Circle.id))]


def _url_prefix(circle: Circle) -> str:
    """Return the detail link of the circle's appointments without the appointment's id.

    Public ids are URL-safe, so the link of each appointment is this prefix plus its id: one
    URL build per circle instead of one per appointment.
    """
    marker = "APPOINTMENT"
    url = external_url("appointments.detail", circle_id=circle.public_id, appointment_id=marker)
    return url.removesuffix(marker)


def _where(membership: Membership, circle: Circle, since: Any) -> tuple[Any, ...]:
    return (
        Appointment.circle_id == circle.id,
        visible(membership),
        (Appointment.series_ends_at.is_(None)) | (Appointment.series_ends_at > since),
    )


def _changes(
    membership: Membership, circle: Circle, detail: str, since: Any
) -> dict[int, tuple[Any, ...]]:
    """Return {appointment id: its single-occurrence changes} for the circle's series."""
    grouped: dict[int, list[Any]] = {}
    rows = db.session.connection().execute(
        select(*_CHANGE_COLUMNS[FeedDetail(detail)])
        .join(Appointment, Appointment.id == OccurrenceChange.appointment_id)
        .where(*_where(membership, circle, since), Appointment.recurring.is_(True))
        .order_by(OccurrenceChange.appointment_id, OccurrenceChange.original_start_local)
    )
    for change in rows:
        grouped.setdefault(change.appointment_id, []).append(change)
    return {key: tuple(value) for key, value in grouped.items()}


def _appointment_rows(membership: Membership, circle: Circle, detail: str, since: Any) -> Any:
    """Return the circle's appointment rows as they are read, oldest first.

    Core rows straight from the connection: the ORM's loading machinery is not needed for plain
    columns and costs more than the rows themselves.  Not collected in a list: each row is
    turned into its (cached) event and dropped, so a 10,000-event feed does not hold 10,000
    rows beside the cache's own.
    """
    stmt = select(*_COLUMNS[FeedDetail(detail)]).where(*_where(membership, circle, since))
    if detail == FeedDetail.FULL:
        stmt = stmt.outerjoin(User, User.id == Appointment.organiser_id)
    return db.session.connection().execute(stmt.order_by(Appointment.starts_at, Appointment.id))


def load(feed: CalendarFeed) -> FeedContent:
    """Read what the feed's owner may see now, in every circle the feed covers."""
    detail = FeedDetail(feed.detail).value
    circles = memberships_of(feed)
    content = FeedContent(
        feed_key=(feed.id, feed.secret_hash, feed.circle_id, current_app.config["BASE_URL"]),
        name=_calendar_name(feed, circles),
        detail=detail,
        circles=circles,
    )
    now = utcnow()
    since = now - FEED_HISTORY
    add_event, add_zones = content.events.append, content.span.add
    cache = event_cache()
    for membership, circle in circles:
        changes = _changes(membership, circle, detail, since)
        prefix = _url_prefix(circle) if detail == FeedDetail.FULL else None
        name = circle.name
        for row in _appointment_rows(membership, circle, detail, since):
            add_event(_event_of(cache, detail, row, changes.get(row[0], ()), name, prefix))
            add_zones(row)
    content.plugin_items = _plugin_items(circles, now)
    return content


def _calendar_name(feed: CalendarFeed, circles: list[tuple[Membership, Circle]]) -> str:
    if feed.circle_id is None or feed.detail == FeedDetail.BUSY:
        return "CareTeam"
    circle = db.session.get(Circle, feed.circle_id)
    return f"CareTeam \u00b7 {circle.name}" if circle else "CareTeam"


def _plugin_items(circles: list[tuple[Membership, Circle]], now: Any) -> list[tuple]:
    """Return (plugin, circle name, item) for the plugins' calendar items in these circles."""
    if not plugin_host().implements(HOOK):
        return []  # no extra query for sites whose plugins add nothing to calendars
    return calendar_items(circles, now - FEED_HISTORY, now + FEED_FUTURE)

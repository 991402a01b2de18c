"""A circle's repeating appointments and their single changes, kept per app.

The agenda, the month grid and the home page's "What's next" each need every series of the
circle that may fall in their window, with its changed occurrences.  Those change a few times a
day, so each app keeps them per circle and reads them again only when
``circles.calendar_version`` has moved.

That number is read with the circle in every request's prelude, and it moves in the same
transaction as any ORM write to the circle's appointments or changes (:func:`bump_versions`,
an ``after_flush`` hook on the app's session factory), so a page never sees a series older
than its own transaction's view of the circle.  Writes that bypass the ORM (a bulk ``UPDATE
appointments``, say) must bump it themselves; the app has none.

Every series is kept, whoever may see it, and :func:`visible_series` filters each request's
through :func:`careteam.audience.can_see`, the rule ``visible_clause`` applies in SQL.  The rows
are small frozen snapshots, not ORM objects: nothing can lazy-load or write through them.  The
cache and the hook belong to the app (:func:`init_series_cache`), so two apps in one process
(tests, the benchmark) never share them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, make_dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..audience import can_see
from ..circles.models import Circle
from ..extensions import db
from .models import Appointment, OccurrenceChange

# At most this many series are held per process, over all circles (least recently used
# circles go first); a circle with more than this is read from the database each time.
SERIES_CACHE_ROWS = 20_000
_EXTENSION = "careteam_series_cache"

_SERIES_COLUMNS = [c for c in Appointment.__table__.c if c.key != "notes"]
_CHANGE_COLUMNS = list(OccurrenceChange.__table__.c)
_SERIES_ID = [c.key for c in _SERIES_COLUMNS].index("id")
_CHANGE_ID = [c.key for c in _CHANGE_COLUMNS].index("id")


def _cancelled(self: Any) -> bool:
    return self.cancelled_at is not None


# Frozen, slotted snapshots with the models' own column names, so the code that expands and
# shows occurrences reads them as it reads ORM rows (the appointment's notes are left out, as
# list pages never show them).  Compared and hashed by identity, as ORM objects are: the month
# grid keys a dict by appointment, and hashing every field of each would be wasted work.
SeriesRow = make_dataclass(
    "SeriesRow",
    [c.key for c in _SERIES_COLUMNS],
    namespace={"cancelled": property(_cancelled), "__module__": __name__},
    eq=False,
    frozen=True,
    slots=True,
)
ChangeRow = make_dataclass(
    "ChangeRow",
    [c.key for c in _CHANGE_COLUMNS],
    namespace={"__module__": __name__},
    eq=False,
    frozen=True,
    slots=True,
)


@dataclass(frozen=True)
class CircleSeries:
    """Every series of one circle at one calendar version, with each one's changes."""

    stamp: tuple[str, int]
    series: tuple[Any, ...]
    changes: dict[int, tuple[Any, ...]]


class _Store:
    """The per-app LRU of :class:`CircleSeries`, bounded by the series it holds."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[int, CircleSeries] = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()  # gthread workers share it between threads

    def get(self, circle_id: int, stamp: tuple[str, int]) -> CircleSeries | None:
        with self.lock:
            found = self.entries.get(circle_id)
            if found is None or found.stamp != stamp:
                return None
            self.entries.move_to_end(circle_id)
            return found

    def put(self, circle_id: int, entry: CircleSeries) -> None:
        if len(entry.series) > self.limit:
            return
        with self.lock:
            old = self.entries.pop(circle_id, None)
            if old is not None:
                self.held -= len(old.series)
            self.entries[circle_id] = entry
            self.held += len(entry.series)
            while self.held > self.limit:
                _, dropped = self.entries.popitem(last=False)
                self.held -= len(dropped.series)


def _store() -> _Store:
    return current_app.extensions[_EXTENSION]


def circle_series(circle: Circle) -> CircleSeries:
    """Return every series of ``circle`` with its changes, from the cache when still current."""
    stamp = (circle.public_id, circle.calendar_version)
    store = _store()
    found = store.get(circle.id, stamp)
    if found is None:
        found = _load(circle.id, stamp)
        store.put(circle.id, found)
    return found


def _load(circle_id: int, stamp: tuple[str, int]) -> CircleSeries:
    """Read the circle's series and their changes in one statement (a change per row)."""
    stmt = (
        select(*_SERIES_COLUMNS, *_CHANGE_COLUMNS)
        .outerjoin(OccurrenceChange, OccurrenceChange.appointment_id == Appointment.id)
        .where(Appointment.circle_id == circle_id, Appointment.recurring.is_(True))
        .order_by(Appointment.id, OccurrenceChange.original_start_local)
    )
    width = len(_SERIES_COLUMNS)
    series: list[Any] = []
    changes: dict[int, list[Any]] = {}
    for row in db.session.connection().execute(stmt):
        appointment_id = row[_SERIES_ID]
        if not series or series[-1].id != appointment_id:
            series.append(SeriesRow(*row[:width]))
        if row[width + _CHANGE_ID] is not None:  # None: a series without changes
            changes.setdefault(appointment_id, []).append(ChangeRow(*row[width:]))
    return CircleSeries(stamp, tuple(series), {k: tuple(v) for k, v in changes.items()})


def visible_series(
    entry: CircleSeries, membership: Any, start: datetime | None, end: datetime
) -> list[Any]:
    """Return the series ``membership`` may see that may have an occurrence in [start, end)
    (``start`` None: any series that began before ``end``)."""
    return [
        a
        for a in entry.series
        if a.starts_at < end
        and (start is None or a.series_ends_at is None or a.series_ends_at > start)
        and can_see(a.audience, a.created_by_id, membership)
    ]


# --- keeping calendar_version current ----------------------------------------------------------


def _touched(objects: Iterable[Any]) -> tuple[set[int], set[int]]:
    circles: set[int] = set()
    appointments: set[int] = set()
    for obj in objects:
        if isinstance(obj, Appointment):
            if obj.circle_id is not None:
                circles.add(obj.circle_id)
        elif isinstance(obj, OccurrenceChange) and obj.appointment_id is not None:
            appointments.add(obj.appointment_id)
    return circles, appointments


def bump_versions(session: Session, _flush_context: Any) -> None:
    """Move the calendar version of every circle whose appointments this flush wrote.

    ``after_flush``: the new rows have their keys by now, and the session's new, dirty and
    deleted sets still say what was written.  A dirty object with no net change is skipped.
    """
    dirty = (o for o in session.dirty if session.is_modified(o, include_collections=False))
    circles, appointments = _touched([*session.new, *dirty, *session.deleted])
    if not circles and not appointments:
        return
    if appointments:
        circles |= set(
            session.execute(
                select(Appointment.circle_id).where(Appointment.id.in_(appointments))
            ).scalars()
        )
    session.execute(
        update(Circle)
        .where(Circle.id.in_(circles))
        .values(calendar_version=Circle.calendar_version + 1)
        .execution_options(synchronize_session=False)
    )
    # A circle row this session holds must not keep the old number for the rest of it.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Circle) and obj.id in circles:
            session.expire(obj, ["calendar_version"])


def _bump_for_app(session: Session, flush_context: Any) -> None:
    if has_app_context() and _EXTENSION in current_app.extensions:
        bump_versions(session, flush_context)


def init_series_cache(app: Flask) -> None:
    """Give ``app`` its own series cache, and keep its circles' calendar versions current.

    The hook listens on the session factory of ``db`` -- not on SQLAlchemy's ``Session`` class,
    which would reach every session in the process -- and acts only inside an app that called
    this: Flask-SQLAlchemy's one factory serves every app, each in its own app context.
    """
    app.extensions[_EXTENSION] = _Store(SERIES_CACHE_ROWS)
    factory = db.session.session_factory
    if not event.contains(factory, "after_flush", _bump_for_app):
        event.listen(factory, "after_flush", _bump_for_app)

"""Audience-filtered reads of the calendar: the agenda's keyset pages, a month, one appointment.

Every query here filters through :func:`careteam.audience.visible_clause`, and the series kept
for the process (:mod:`.series_cache`) through :func:`careteam.audience.can_see`, its Python
twin.  A page costs the same few queries however many appointments a circle has: single
appointments page by keyset in SQL (``starts_at``, ``public_id``); series come from the cache
(read again when the circle's calendar version moves) and are expanded within a bounded window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import defer

from ..audience import visible_clause, visible_to
from ..auth.models import User
from ..db.id_lists import id_in
from ..db.prebuilt import prebuilt
from ..db.types import UTCDateTime
from ..extensions import db
from .models import Appointment, HelpSignup, HelpSlot, OccurrenceChange
from .occurrences import Occurrence, expand, occurrence_at
from .recurrence import get_zone, to_utc
from .series_cache import circle_series, visible_series

PAGE_SIZE = 20
SERIES_WINDOW = timedelta(days=366)
# The spans a page of series is expanded over, narrowest first (the last is SERIES_WINDOW).
# Two days first: a busy circle's weekly series fill the home page's five and the agenda's
# twenty from there, without building a fortnight of occurrences to show a handful.
GROWING_WINDOWS = (timedelta(days=2), timedelta(days=14), timedelta(days=62), SERIES_WINDOW)
# "What's next" keeps an occurrence for a minute after it ends, so it does not vanish mid-read.
LIVE_GRACE = timedelta(minutes=1)
# Repeating appointments are listed this far ahead (single ones however far they are).
UPCOMING_HORIZON = timedelta(days=731)
_CURSOR = re.compile(r"(\d{8}T\d{6}Z)\.([A-Za-z0-9_-]{0,16})\.(\d{8}(?:T\d{4})?)?")


class BadCursor(ValueError):
    """The page cursor in the URL is not one this app made."""


@dataclass(frozen=True)
class Cursor:
    at: datetime
    appointment: str = ""
    key: str = ""

    @property
    def sort_key(self) -> tuple[datetime, str, str]:
        return (self.at, self.appointment, self.key)

    def encode(self) -> str:
        return f"{self.at:%Y%m%dT%H%M%SZ}.{self.appointment}.{self.key}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        match = _CURSOR.fullmatch(text or "")
        if match is None:
            raise BadCursor(text)
        try:
            at = datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError as error:
            raise BadCursor(text) from error
        return cls(at, match[2], match[3] or "")

    @classmethod
    def of(cls, occurrence: Occurrence) -> Cursor:
        return cls(*occurrence.sort_key)


@dataclass
class AgendaPage:
    rows: list[Occurrence]
    next_cursor: str | None
    help: dict[int, list[HelpSummary]] = field(default_factory=dict)


@dataclass(frozen=True)
class HelpSummary:
    slot: HelpSlot
    taken: int

    @property
    def full(self) -> bool:
        return self.taken >= self.slot.needed


def visible(membership: Any) -> Any:
    return visible_clause(Appointment.audience, Appointment.created_by_id, membership)


def get_visible(circle: Any, membership: Any, public_id: str) -> Appointment | None:
    """Return the appointment if ``membership`` may see it, else None."""
    return db.session.scalar(
        select(Appointment).where(
            Appointment.circle_id == circle.id,
            Appointment.public_id == public_id,
            visible(membership),
        )
    )


def changes_for(appointment_ids: Iterable[int]) -> dict[int, list[OccurrenceChange]]:
    """Load the single-occurrence changes of several appointments in one query."""
    ids = list(appointment_ids)
    result: dict[int, list[OccurrenceChange]] = {i: [] for i in ids}
    if ids:
        rows = db.session.scalars(
            select(OccurrenceChange).where(id_in(OccurrenceChange.appointment_id, ids))
        )
        for change in rows:
            result[change.appointment_id].append(change)
    return result


# List pages (agenda, month, home) show no appointment notes: leave the longest text column out
# of their queries, and make a template that reads it anyway fail in tests instead of quietly
# issuing one query per appointment.
LIST_COLUMNS = (defer(Appointment.notes, raiseload=True),)


def _list_columns() -> list[Any]:
    return [column for column in Appointment.__table__.c if column.key != "notes"]


def _singles_between(
    circle: Any, membership: Any, start: datetime, end: datetime, by_start: bool
) -> list[Appointment]:
    """Return the visible single appointments overlapping [start, end) (or starting in it)."""
    singles = select(*_list_columns()).where(
        Appointment.circle_id == circle.id,
        Appointment.recurring.is_(False),
        Appointment.starts_at < end,
        Appointment.starts_at >= start if by_start else Appointment.ends_at > start,
        visible(membership),
    )
    stmt = select(Appointment).options(*LIST_COLUMNS).from_statement(singles)
    return list(db.session.scalars(stmt))


def _expand_all(
    appointments: list[Any],
    start: datetime,
    end: datetime,
    *,
    by_start: bool,
    changes: Mapping[int, Sequence[Any]],
) -> list[Occurrence]:
    found: list[Occurrence] = []
    for appointment in appointments:
        found.extend(
            expand(
                appointment,
                changes.get(appointment.id, ()),
                start,
                end,
                by_start=by_start,
                reuse=True,
            )
        )
    return found


def single_occurrence(appointment: Appointment) -> Occurrence:
    return occurrence_at(appointment, appointment.start_local, None)


def occurrences_between(
    circle: Any, membership: Any, start: datetime, end: datetime, *, by_start: bool = False
) -> list[Occurrence]:
    """Return every visible occurrence overlapping [start, end) (or starting in it), sorted."""
    cached = circle_series(circle)
    series = visible_series(cached, membership, start, end)
    singles = _singles_between(circle, membership, start, end, by_start)
    found = [single_occurrence(a) for a in singles]
    found += _expand_all(series, start, end, by_start=by_start, changes=cached.changes)
    return sorted(found, key=lambda o: o.sort_key)


def start_of_today(circle: Any, now: datetime) -> datetime:
    zone = get_zone(circle.time_zone)
    local = now.astimezone(zone).replace(tzinfo=None)
    return to_utc(local.replace(hour=0, minute=0, second=0, microsecond=0), zone)


def _singles_page(
    circle: Any, membership: Any, cursor: Cursor, past: bool, live: datetime | None, size: int
) -> list[Appointment]:
    """Return the page's single appointments from the cursor on (two more than ``size``)."""
    shape = (membership.role, past, live is not None, size)
    page = prebuilt(("agenda singles", *shape), lambda: _singles_page_statement(*shape))
    values = {
        "circle_id": circle.id,
        "user_id": membership.user_id,
        "at": cursor.at,
        "pid": cursor.appointment,
        "live": live,
    }
    query = select(Appointment).options(*LIST_COLUMNS).from_statement(page)
    return list(db.session.scalars(query, values))


def _singles_page_statement(role: str, past: bool, live: bool, size: int) -> Any:
    """The single appointments from a cursor on, for a member with ``role``; the circle, the
    reader, the cursor and the hour that counts as live are parameters.  Prebuilt
    (:mod:`careteam.db.prebuilt`), like the other statements of the circle home page."""
    at = bindparam("at", type_=UTCDateTime)
    pid = bindparam("pid", type_=String)
    # The plain range on starts_at comes first so the index seeks to the cursor instead of
    # walking every earlier appointment (the OR alone is not a range either database can use).
    if past:
        position = and_(
            Appointment.starts_at <= at,
            or_(
                Appointment.starts_at < at,
                and_(Appointment.starts_at == at, Appointment.public_id <= pid),
            ),
        )
        order = (Appointment.starts_at.desc(), Appointment.public_id.desc())
    else:
        position = and_(
            Appointment.starts_at >= at,
            or_(
                Appointment.starts_at > at,
                and_(Appointment.starts_at == at, Appointment.public_id >= pid),
            ),
        )
        order = (Appointment.starts_at, Appointment.public_id)
    user_id = bindparam("user_id", type_=Integer)
    stmt = select(*_list_columns()).where(
        Appointment.circle_id == bindparam("circle_id", type_=Integer),
        Appointment.recurring.is_(False),
        position,
        visible_to(Appointment.audience, Appointment.created_by_id, role, user_id),
    )
    if live:
        # Ended ones would take the page's places and leave "What's next" short.
        ended_before = bindparam("live", type_=UTCDateTime)
        stmt = stmt.where(Appointment.cancelled_at.is_(None), Appointment.ends_at > ended_before)
    # Two more than the page: when they fall outside the window, more pages follow.
    return stmt.order_by(*order).limit(size + 2)


def agenda_page(
    circle: Any,
    membership: Any,
    now: datetime,
    *,
    past: bool = False,
    after: str | None = None,
    size: int = PAGE_SIZE,
    live: bool = False,
) -> AgendaPage:
    """Return one page of occurrences after ``after`` (upcoming) or before it (``past``).

    ``live`` (the home page) leaves out cancelled appointments, which the agenda shows marked,
    and occurrences that have ended: the page is what is still to come.
    """
    ended_before = now - LIVE_GRACE if live else None
    today = start_of_today(circle, now)
    cursor = Cursor.decode(after) if after else Cursor(today)
    if not past and cursor.at > now + UPCOMING_HORIZON + SERIES_WINDOW:
        return AgendaPage([], None)
    ref = cursor.sort_key
    if past:
        low, high = cursor.at - SERIES_WINDOW, cursor.at + timedelta(seconds=1)
    else:
        low, high = cursor.at, cursor.at + SERIES_WINDOW
    cached = circle_series(circle)
    series_rows = visible_series(cached, membership, low, high)
    singles = _singles_page(circle, membership, cursor, past, ended_before, size)
    if live:
        series_rows = [a for a in series_rows if not a.cancelled]
    firsts = [single_occurrence(a) for a in singles]
    changes = cached.changes
    # A busy circle has hundreds of weekly series: expanding all of them over a whole year to
    # show 20 entries is slow.  Expand two days first and widen only while the page is not
    # full; the rows and changes are loaded once, so the statements stay the same.
    for span in GROWING_WINDOWS:
        if past:
            low = cursor.at - span
        else:
            high = cursor.at + span
        items = firsts + _expand_all(series_rows, low, high, by_start=True, changes=changes)
        if past:
            items = [o for o in items if o.sort_key < ref and o.start >= low]
            items.sort(key=lambda o: o.sort_key, reverse=True)
        else:
            items = [o for o in items if o.sort_key > ref and o.start < high]
            if ended_before is not None:
                items = [o for o in items if o.end > ended_before]
            items.sort(key=lambda o: o.sort_key)
        if len(items) > size:
            break
    if len(items) > size:
        rows = items[:size]
        return AgendaPage(rows, Cursor.of(rows[-1]).encode())
    more_singles = len(singles) > len([a for a in singles if low <= a.starts_at < high])
    if past:
        more_series = bool(visible_series(cached, membership, None, low))
        boundary = Cursor(low)
    else:
        more_series = high < now + UPCOMING_HORIZON and any(
            a.series_ends_at is None or a.series_ends_at > high for a in series_rows
        )
        boundary = Cursor(high)
    more = more_singles or bool(more_series)
    return AgendaPage(items, boundary.encode() if more else None)


def help_summaries(appointment_ids: list[int], occurrences: list[Occurrence]) -> dict:
    """Return {(appointment id, occurrence key): [HelpSummary]} for the slots still asked for."""
    if not appointment_ids:
        return {}
    # One query: each slot still asked for, with its sign-up count per occurrence shown here
    # (sign-ups for other occurrences of a series stay in the database).
    originals = sorted({o.original for o in occurrences})
    stmt = (
        select(HelpSlot, HelpSignup.occurrence_start_local, func.count(HelpSignup.id))
        .outerjoin(
            HelpSignup,
            and_(
                HelpSignup.slot_id == HelpSlot.id,
                HelpSignup.occurrence_start_local.in_(originals),
            ),
        )
        .where(HelpSlot.appointment_id.in_(sorted(set(appointment_ids))), HelpSlot.needed > 0)
        .group_by(HelpSlot.id, HelpSignup.occurrence_start_local)
        .order_by(HelpSlot.id)
    )
    rows = db.session.execute(stmt).all()
    if not rows:
        return {}
    slots = list({slot.id: slot for slot, _original, _n in rows}.values())
    counts = {(slot.id, original): n for slot, original, n in rows if original is not None}
    result: dict[tuple[int, str], list[HelpSummary]] = {}
    for occurrence in occurrences:
        for slot in slots:
            if slot.appointment_id == occurrence.appointment.id:
                taken = counts.get((slot.id, occurrence.original), 0)
                key = (occurrence.appointment.id, occurrence.key)
                result.setdefault(key, []).append(HelpSummary(slot, taken))
    return result


def display_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}

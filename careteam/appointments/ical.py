"""iCalendar (RFC 5545) output: feeds and the one-event "add to my calendar" download.

A series is one VEVENT with DTSTART in its own zone (TZID + VTIMEZONE), its RRULE (UNTIL in
UTC, as RFC 5545 requires for zoned starts) and an EXDATE per cancelled occurrence; each changed
occurrence is another VEVENT with the same UID and a RECURRENCE-ID.  A cancelled appointment
stays in the feed with STATUS:CANCELLED so subscribed calendars remove it.  UIDs never change;
SEQUENCE follows the appointment's, which every change bumps; DTSTAMP is the last change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from icalendar import Calendar, Event, vRecur

from .models import KIND_LABELS, Appointment, FeedDetail, Kind, OccurrenceChange
from .occurrences import occurrence_at
from .recurrence import get_zone, to_utc

PRODID = "-//CareTeam//Care calendar//EN"
UID_DOMAIN = "careteam"
BUSY_TITLE = "Busy"


@dataclass(frozen=True)
class FeedEntry:
    """One appointment to publish, with its single-occurrence changes and its circle's name."""

    appointment: Appointment
    changes: list[OccurrenceChange]
    circle_name: str
    url: str | None = None
    organiser: str | None = None


def uid_of(appointment: Appointment) -> str:
    return f"{appointment.public_id}@{UID_DOMAIN}"


def _when(appointment: Appointment, local: datetime) -> date | datetime:
    """Return a DATE for all-day appointments, else the wall time in its zone (for TZID)."""
    if appointment.all_day:
        return local.date()
    return local.replace(tzinfo=get_zone(appointment.time_zone), fold=0)


def export_rule(appointment: Appointment) -> vRecur:
    """Return the stored RRULE with UNTIL written as RFC 5545 wants it for this DTSTART."""
    parts = dict(p.split("=", 1) for p in appointment.rrule.split(";"))
    if "UNTIL" in parts and not appointment.all_day:
        local = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = f"{to_utc(local, get_zone(appointment.time_zone)):%Y%m%dT%H%M%SZ}"
    return vRecur.from_ical(";".join(f"{k}={v}" for k, v in parts.items()))


def _describe(entry: FeedEntry, notes: str, location: str) -> str:
    appointment = entry.appointment
    lines = [
        f"{KIND_LABELS.get(Kind(appointment.kind), appointment.kind)} \u00b7 {entry.circle_name}"
    ]
    if entry.organiser:
        lines.append(f"Organised by {entry.organiser}")
    if appointment.video_url:
        lines.append(f"Video link: {appointment.video_url}")
    if notes:
        lines += ["", notes]
    if entry.url:
        lines += ["", entry.url]
    return "\n".join(lines)


def _fill(event: Event, entry: FeedEntry, detail: str, title: str, location: str, notes: str):
    appointment = entry.appointment
    event.add("uid", uid_of(appointment))
    event.add("dtstamp", appointment.updated_at)
    event.add("created", appointment.created_at)
    event.add("last-modified", appointment.updated_at)
    event.add("sequence", appointment.sequence or 0)
    event.add("status", "CANCELLED" if appointment.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if detail == FeedDetail.BUSY:
        event.add("summary", BUSY_TITLE)
        event.add("class", "PRIVATE")
        return
    event.add("summary", title)
    if detail == FeedDetail.FULL:
        if location:
            event.add("location", location)
        event.add("description", _describe(entry, notes, location))
        if entry.url:
            event.add("url", entry.url)


def events_for(entry: FeedEntry, detail: str) -> list[Event]:
    """Return the VEVENTs of one appointment: the master and one per changed occurrence."""
    appointment = entry.appointment
    master = Event()
    _fill(master, entry, detail, appointment.title, appointment.location, appointment.notes)
    master.add("dtstart", _when(appointment, appointment.start_local))
    master.add("dtend", _when(appointment, appointment.end_local))
    events = [master]
    if not appointment.rrule:
        return events
    master.add("rrule", export_rule(appointment))
    cancelled = sorted(c.original_start_local for c in entry.changes if c.cancelled)
    if cancelled:
        master.add("exdate", [_when(appointment, original) for original in cancelled])
    for change in sorted(entry.changes, key=lambda c: c.original_start_local):
        if change.cancelled:
            continue
        occurrence = occurrence_at(appointment, change.original_start_local, change)
        event = Event()
        _fill(event, entry, detail, occurrence.title, occurrence.location, occurrence.notes)
        event.add("recurrence-id", _when(appointment, change.original_start_local))
        event.add("dtstart", _when(appointment, occurrence.start_local))
        event.add("dtend", _when(appointment, occurrence.end_local))
        events.append(event)
    return events


def build_calendar(
    entries: Iterable[FeedEntry],
    detail: str,
    name: str,
    *,
    refresh: Callable | None = None,
    extra_events: Iterable[Event] = (),
) -> bytes:
    """Return a VCALENDAR with every entry at ``detail`` level, with the VTIMEZONEs it uses.

    ``extra_events`` (plugins' items, already at ``detail`` level) are added as they are.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    first: date | None = None
    last: date | None = None
    for entry in entries:
        for event in events_for(entry, detail):
            calendar.add_component(event)
        start = entry.appointment.start_local.date()
        ends_at = entry.appointment.series_ends_at
        # A series without end needs zone rules for years ahead, not just its first months.
        end = ends_at.date() if ends_at is not None else date(start.year + 12, 1, 1)
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    for event in extra_events:
        calendar.add_component(event)
    if first is not None and last is not None:
        # Only the transitions the events need: smaller feeds, same meaning.
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(min(last.year + 2, 2100), 1, 1)
        )
    return calendar.to_ical()

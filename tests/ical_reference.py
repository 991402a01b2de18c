"""The feed builder as it was before feeds were written as text: ``icalendar`` objects per
property.  Kept only as the reference the direct writer is compared with, byte for byte."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar, Event, vRecur

from careteam.appointments.ical import BUSY_TITLE, PRODID, FeedEntry, uid_of
from careteam.appointments.models import KIND_LABELS, FeedDetail, Kind
from careteam.appointments.occurrences import occurrence_at
from careteam.appointments.recurrence import get_zone, to_utc


def _when(appointment, local: datetime) -> date | datetime:
    if appointment.all_day:
        return local.date()
    return local.replace(tzinfo=get_zone(appointment.time_zone), fold=0)


def _rule(appointment) -> vRecur:
    parts = dict(p.split("=", 1) for p in appointment.rrule.split(";"))
    if "UNTIL" in parts and not appointment.all_day:
        local = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = f"{to_utc(local, get_zone(appointment.time_zone)):%Y%m%dT%H%M%SZ}"
    return vRecur.from_ical(";".join(f"{k}={v}" for k, v in parts.items()))


def _describe(entry: FeedEntry, notes: str) -> str:
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


def _fill(event, entry, detail, title, location, notes):
    appointment = entry.appointment
    event.add("uid", uid_of(appointment))
    event.add("dtstamp", appointment.updated_at)
    event.add("created", appointment.created_at)
    event.add("last-modified", appointment.updated_at)
    event.add("sequence", appointment.sequence or 0)
    event.add("status", "CANCELLED" if appointment.cancelled_at else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if detail == FeedDetail.BUSY:
        event.add("summary", BUSY_TITLE)
        event.add("class", "PRIVATE")
        return
    event.add("summary", title)
    if detail == FeedDetail.FULL:
        if location:
            event.add("location", location)
        event.add("description", _describe(entry, notes))
        if entry.url:
            event.add("url", entry.url)


def _events(entry: FeedEntry, detail: str) -> list[Event]:
    appointment = entry.appointment
    master = Event()
    _fill(master, entry, detail, appointment.title, appointment.location, appointment.notes)
    master.add("dtstart", _when(appointment, appointment.start_local))
    master.add("dtend", _when(appointment, appointment.end_local))
    events = [master]
    if not appointment.rrule:
        return events
    master.add("rrule", _rule(appointment))
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


def reference_calendar(entries, detail: str, name: str, extra_events=()) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    first = last = None
    for entry in entries:
        for event in _events(entry, detail):
            calendar.add_component(event)
        start = entry.appointment.start_local.date()
        ends_at = entry.appointment.series_ends_at
        end = ends_at.date() if ends_at is not None else date(start.year + 12, 1, 1)
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    for event in extra_events:
        calendar.add_component(event)
    if first is not None and last is not None:
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(min(last.year + 2, 2100), 1, 1)
        )
    return calendar.to_ical()

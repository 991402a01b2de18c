"""iCalendar (RFC 5545) output: feeds and the one-event "add to my calendar" download.

A series is one VEVENT with DTSTART in its own zone (TZID + VTIMEZONE), its RRULE (UNTIL in
UTC, as RFC 5545 requires for zoned starts) and an EXDATE per cancelled occurrence; each changed
occurrence is another VEVENT with the same UID and a RECURRENCE-ID.  A cancelled appointment
stays in the feed with STATUS:CANCELLED so subscribed calendars remove it.  UIDs never change;
SEQUENCE follows the appointment's, which every change bumps; DTSTAMP is the last change.

The text is written directly (see :mod:`.ical_text`); ``icalendar`` is used only for what it
knows and we do not: which zones are UTC, the VTIMEZONE blocks, and plugins' items, which
arrive as ``icalendar`` events.  An entry's appointment and changes may be ORM objects or rows
of just the columns the detail level needs: busy feeds never read titles, places or notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from .ical_text import day, escape_text, fold, utc_stamp, vtimezone, wall_time, zone_style
from .models import KIND_LABELS, FeedDetail
from .occurrences import occurrence_at
from .recurrence import get_zone, to_utc

PRODID = "-//CareTeam//Care calendar//EN"
UID_DOMAIN = "careteam"
BUSY_TITLE = "Busy"
# The order ``icalendar`` gave RRULE parts; any other part goes last, as it came.
_RULE_ORDER = {
    name: i
    for i, name in enumerate(
        [
            "FREQ",
            "UNTIL",
            "COUNT",
            "INTERVAL",
            "BYSECOND",
            "BYMINUTE",
            "BYHOUR",
            "BYDAY",
            "BYWEEKDAY",
            "BYMONTHDAY",
            "BYYEARDAY",
            "BYWEEKNO",
            "BYMONTH",
            "BYSETPOS",
            "WKST",
        ]
    )
}


@dataclass(frozen=True)
class FeedEntry:
    """One appointment to publish, with its single-occurrence changes and its circle's name."""

    appointment: Any  # an Appointment, or a row with the columns the detail level needs
    changes: list[Any]  # OccurrenceChange objects or rows
    circle_name: str
    url: str | None = None
    organiser: str | None = None


def uid_of(appointment: Any) -> str:
    return f"{appointment.public_id}@{UID_DOMAIN}"


def export_rule(appointment: Any) -> str:
    """Return the stored RRULE with UNTIL written as RFC 5545 wants it for this DTSTART."""
    return _export_rule(appointment.rrule, appointment.all_day, appointment.time_zone)


@lru_cache(maxsize=4096)
def _export_rule(rule: str, all_day: bool, time_zone: str) -> str:
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    if "UNTIL" in parts and not all_day:
        local = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = utc_stamp(to_utc(local, get_zone(time_zone)))
    ordered = sorted(parts, key=lambda name: _RULE_ORDER.get(name, len(_RULE_ORDER)))
    return ";".join(f"{name}={parts[name]}" for name in ordered)


class _Writer:
    """Writes one appointment's VEVENTs; what is the same for all of them is made once.

    Properties come in the order ``icalendar`` wrote them (its canonical ones first, then
    alphabetical), so the text is what the feeds always were.
    """

    def __init__(self, entry: FeedEntry, detail: str) -> None:
        appointment = self.appointment = entry.appointment
        self.entry = entry
        self.busy, self.full = detail == FeedDetail.BUSY, detail == FeedDetail.FULL
        if appointment.all_day:
            self.params, self.suffix, self.format = ";VALUE=DATE", "", day
        else:
            self.params, self.suffix = zone_style(appointment.time_zone)
            self.format = wall_time
        stamp = utc_stamp(appointment.updated_at)
        uid = escape_text(uid_of(appointment))
        self.ids = f"DTSTAMP:{stamp}\r\nUID:{uid}"
        created = f"CREATED:{utc_stamp(appointment.created_at)}"
        self.created = f"CLASS:PRIVATE\r\n{created}" if self.busy else created
        self.closing = f"LAST-MODIFIED:{stamp}"
        status = "CANCELLED" if appointment.cancelled_at is not None else "CONFIRMED"
        ending = f"STATUS:{status}\r\nTRANSP:OPAQUE"
        if self.full and entry.url:
            ending += "\r\n" + fold("URL:" + entry.url)
        self.ending = ending + "\r\nEND:VEVENT"
        self.about = self._about() if self.full else ""

    def when(self, name: str, local: datetime) -> str:
        return f"{name}{self.params}:{self.format(local)}{self.suffix}"

    def when_list(self, name: str, values: list[datetime]) -> str:
        text = ",".join(self.format(v) + self.suffix for v in values)
        return fold(f"{name}{self.params}:{text}")

    def event(
        self,
        out: list[str],
        title: str | None,
        start: datetime,
        end: datetime,
        location: str | None,
        notes: str | None,
        *,
        recurrence_id: datetime | None = None,
        rule: str = "",
    ) -> None:
        summary = f"SUMMARY:{BUSY_TITLE}" if self.busy else fold("SUMMARY:" + escape_text(title))
        params, suffix, format = self.params, self.suffix, self.format
        text = (
            f"BEGIN:VEVENT\r\n{summary}\r\n"
            f"DTSTART{params}:{format(start)}{suffix}\r\n"
            f"DTEND{params}:{format(end)}{suffix}\r\n{self.ids}\r\n"
        )
        if recurrence_id is not None:
            text += f"RECURRENCE-ID{params}:{format(recurrence_id)}{suffix}\r\n"
        text += f"SEQUENCE:{self.appointment.sequence or 0}\r\n{rule}{self.created}\r\n"
        if self.full:
            about = self.about + "\n\n" + notes if notes else self.about
            if self.entry.url:
                about += "\n\n" + self.entry.url
            text += fold("DESCRIPTION:" + escape_text(about)) + "\r\n"
        text += self.closing + "\r\n"
        if self.full and location:
            text += fold("LOCATION:" + escape_text(location)) + "\r\n"
        out.append(text + self.ending)

    def _about(self) -> str:
        """Return the start of the description: kind, circle, organiser, video link."""
        appointment, entry = self.appointment, self.entry
        kind = KIND_LABELS.get(appointment.kind, appointment.kind)
        about = f"{kind} \u00b7 {entry.circle_name}"
        if entry.organiser:
            about += f"\nOrganised by {entry.organiser}"
        if appointment.video_url:
            about += f"\nVideo link: {appointment.video_url}"
        return about


def write_events(out: list[str], entry: FeedEntry, detail: str) -> None:
    """Append the text of one appointment's VEVENTs: the master and one per changed one."""
    writer = _Writer(entry, detail)
    appointment = entry.appointment
    shown = not writer.busy
    full = writer.full
    title = appointment.title if shown else None
    location = appointment.location if full else None
    notes = appointment.notes if full else None
    if not appointment.rrule:
        writer.event(out, title, appointment.start_local, appointment.end_local, location, notes)
        return
    rule = fold("RRULE:" + export_rule(appointment)) + "\r\n"
    changes = sorted(entry.changes, key=lambda c: c.original_start_local)
    cancelled = [c.original_start_local for c in changes if c.cancelled]
    if cancelled:
        rule += writer.when_list("EXDATE", cancelled) + "\r\n"
    writer.event(
        out, title, appointment.start_local, appointment.end_local, location, notes, rule=rule
    )
    for change in changes:
        if change.cancelled:
            continue
        occurrence = occurrence_at(appointment, change.original_start_local, change)
        writer.event(
            out,
            occurrence.title if shown else None,
            occurrence.start_local,
            occurrence.end_local,
            occurrence.location if full else None,
            occurrence.notes if full else None,
            recurrence_id=change.original_start_local,
        )


def _one_line(name: str) -> str:
    """Return the calendar's name for X-WR-CALNAME, which ``icalendar`` (and so the feeds so
    far) writes and reads unescaped; only a line break, which would end the line, becomes a
    space."""
    return name.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _zone_names(extra_events: list[Any]) -> set[str]:
    """Return the TZIDs that plugins' events use (they are ``icalendar`` components)."""
    found = set()
    for event in extra_events:
        for _name, value in event.property_items(sorted=False):
            tzid = getattr(value, "params", {}).get("TZID")
            if tzid:
                found.add(tzid)
    return found - {"UTC"}


def event_text(entry: FeedEntry, detail: str) -> str:
    """Return the VEVENT text (CRLF-separated, no final CRLF) of one appointment."""
    out: list[str] = []
    write_events(out, entry, detail)
    return "\r\n".join(out)


class ZoneSpan:
    """The TZIDs a calendar's times use and the years their VTIMEZONEs cover, gathered one
    appointment at a time (a feed adds its rows as they are read, without keeping them)."""

    __slots__ = ("first", "last_year", "names")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.first: datetime | None = None
        self.last_year = 0

    def add(self, appointment: Any) -> None:
        start = appointment.start_local
        if not appointment.all_day:
            self.names.add(appointment.time_zone)
        ends_at = appointment.series_ends_at
        # A series without end needs zone rules for years ahead, not just its first months.
        end_year = ends_at.year if ends_at is not None else start.year + 12
        if self.first is None or start < self.first:
            self.first = start
        if end_year > self.last_year:
            self.last_year = end_year

    def result(self) -> tuple[set[str], tuple[int, int] | None]:
        tzids = set()
        for name in self.names:
            params = zone_style(name)[0]
            if params:
                tzids.add(params.removeprefix(";TZID="))
        if self.first is None:
            return tzids, None
        # Only the transitions the events need: smaller feeds, same meaning.
        return tzids, (self.first.year, min(self.last_year + 2, 2100))


def zones_of(appointments: Iterable[Any]) -> tuple[set[str], tuple[int, int] | None]:
    """Return the TZIDs the appointments' times use and the years their VTIMEZONEs cover."""
    span = ZoneSpan()
    for appointment in appointments:
        span.add(appointment)
    return span.result()


def assemble(
    name: str,
    event_texts: list[bytes],
    tzids: set[str],
    span: tuple[int, int] | None,
    extra_events: Iterable[Any] = (),
) -> bytes:
    """Return the VCALENDAR around already written (UTF-8) events, with their VTIMEZONEs.

    The events stay bytes and are joined once: a big feed runs to megabytes, and joining text
    and then encoding it held three copies of it at once.
    """
    extra = list(extra_events)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        fold("X-WR-CALNAME:" + _one_line(name)),
    ]
    before = ["\r\n".join(head), "\r\n"]
    if span is not None:
        before += [vtimezone(tzid, *span) for tzid in sorted(tzids | _zone_names(extra))]
    after = [event.to_ical().decode("utf-8") for event in extra]
    after.append("END:VCALENDAR\r\n")
    separator = b"\r\n"
    parts = ["".join(before).encode("utf-8")]
    for text in event_texts:
        parts += (text, separator)
    parts.append("".join(after).encode("utf-8"))
    return b"".join(parts)


def build_calendar(
    entries: Iterable[FeedEntry],
    detail: str,
    name: str,
    *,
    extra_events: Iterable[Any] = (),
) -> bytes:
    """Return a VCALENDAR with every entry at ``detail`` level, with the VTIMEZONEs it uses.

    ``extra_events`` (plugins' ``icalendar`` events, already at ``detail`` level) are added as
    they are.
    """
    entries = list(entries)
    tzids, span = zones_of(e.appointment for e in entries)
    texts = [event_text(entry, detail).encode("utf-8") for entry in entries]
    return assemble(name, texts, tzids, span, extra_events)

"""Occurrences: one dated instance of an appointment, with its single-occurrence changes applied.

Every place that lists appointments (agenda, month, "What's next", feeds' checks, reminders)
expands them here, within a bounded window, so they all agree on what happens when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

from .models import Appointment, OccurrenceChange
from .recurrence import (
    get_zone,
    local_window,
    occurrence_key,
    starts_between,
    to_utc,
)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence; ``original`` is its start as the series' rule produced it."""

    appointment: Appointment
    original: datetime
    start_local: datetime
    end_local: datetime
    change: OccurrenceChange | None = None

    @cached_property
    def start(self) -> datetime:
        return to_utc(self.start_local, get_zone(self.appointment.time_zone))

    @cached_property
    def end(self) -> datetime:
        return to_utc(self.end_local, get_zone(self.appointment.time_zone))

    # Cached: sorting, paging and links each ask for them, hundreds of times on a month page.
    @cached_property
    def key(self) -> str:
        return occurrence_key(self.original, self.appointment.all_day)

    @cached_property
    def sort_key(self) -> tuple[datetime, str, str]:
        return (self.start, self.appointment.public_id, self.key)

    @property
    def title(self) -> str:
        return _changed(self.change, "title", self.appointment.title)

    @property
    def location(self) -> str:
        return _changed(self.change, "location", self.appointment.location)

    @property
    def notes(self) -> str:
        return _changed(self.change, "notes", self.appointment.notes)

    @property
    def moved(self) -> bool:
        return self.change is not None and self.change.start_local is not None

    @property
    def changed(self) -> bool:
        return self.change is not None and not self.change.cancelled

    @property
    def cancelled(self) -> bool:
        return self.appointment.cancelled

    @property
    def last_day(self) -> datetime:
        """The last calendar day an all-day occurrence covers (its end is exclusive)."""
        return self.end_local - timedelta(days=1) if self.appointment.all_day else self.end_local


def _changed(change: OccurrenceChange | None, name: str, default: str) -> str:
    value = getattr(change, name, None) if change is not None else None
    return default if value is None else value


def duration(appointment: Appointment) -> timedelta:
    return appointment.end_local - appointment.start_local


def occurrence_at(
    appointment: Appointment,
    original: datetime,
    change: OccurrenceChange | None,
    length: timedelta | None = None,
) -> Occurrence:
    """Build the occurrence whose original start is ``original`` (with its change, if any).

    ``length`` is the appointment's duration, when the caller already has it.
    """
    if change is not None and change.start_local is not None and change.end_local is not None:
        return Occurrence(appointment, original, change.start_local, change.end_local, change)
    if length is None:
        length = duration(appointment)
    return Occurrence(appointment, original, original, original + length, change)


def _placed(occurrence: Occurrence, zone: Any) -> Occurrence:
    """Work out the occurrence's UTC start and end now, in the zone the caller looked up once.

    The same values ``start`` and ``end`` would compute on first use (stored where they store
    them), without looking the zone up again for each of a month's thousand occurrences.
    """
    values = occurrence.__dict__
    values["start"] = to_utc(occurrence.start_local, zone)
    values["end"] = to_utc(occurrence.end_local, zone)
    return occurrence


# Expansions of series kept for the process, keyed by everything they depend on (the rule, the
# series' first start, length, zone and the window), so an edited series simply misses.  Only
# list pages ask for them, over windows that stay the same all day (a month; today + 2 days);
# a busy circle's home page expanded 235 weekly series on every request.
EXPANSION_CACHE_SIZE = 4096


def expand(
    appointment: Appointment,
    changes: Iterable[OccurrenceChange],
    start: datetime,
    end: datetime,
    *,
    by_start: bool = True,
    reuse: bool = False,
) -> list[Occurrence]:
    """Return the appointment's occurrences in [start, end) (UTC), cancelled ones left out.

    ``by_start`` selects occurrences that start in the window; otherwise those that overlap it.
    ``reuse`` keeps the rule's dates in the window for the process: for list pages, whose
    windows repeat from one request to the next.
    """
    by_original = {c.original_start_local: c for c in changes}
    zone = get_zone(appointment.time_zone)
    length = duration(appointment)
    dates = _rule_dates if reuse else _rule_dates.__wrapped__
    listed = dates(
        appointment.rrule,
        appointment.start_local,
        length,
        appointment.time_zone,
        appointment.all_day,
        start,
        end,
        by_start,
    )
    result = []
    for original, start_utc, end_utc, key in listed:
        if original not in by_original:
            occurrence = Occurrence(appointment, original, original, original + length)
            values = occurrence.__dict__
            values["start"], values["end"], values["key"] = start_utc, end_utc, key
            result.append(occurrence)
    if not by_original:
        return result  # the dates come sorted, and without changes nothing else can appear
    # Changed occurrences: those of the rule's dates (which may have moved out of the window,
    # or been cancelled) and those moved into the window from elsewhere.
    low, high = local_window(start, end, zone, length)
    in_rule = set(starts_between(appointment.rrule, appointment.start_local, low, high))
    for original, change in by_original.items():
        if change.cancelled:
            continue
        if original not in in_rule and change.start_local is None:
            continue  # a change to a date the rule no longer has, and not moved anywhere
        occurrence = _placed(occurrence_at(appointment, original, change, length), zone)
        if _inside(occurrence.start, occurrence.end, start, end, by_start):
            result.append(occurrence)
    return sorted(result, key=lambda o: o.sort_key)


def _inside(
    begins: datetime, ends: datetime, start: datetime, end: datetime, by_start: bool
) -> bool:
    if by_start:
        return start <= begins < end
    return begins < end and ends > start


@lru_cache(maxsize=EXPANSION_CACHE_SIZE)
def _rule_dates(
    rule_text: str,
    first_start: datetime,
    length: timedelta,
    zone_name: str,
    all_day: bool,
    start: datetime,
    end: datetime,
    by_start: bool,
) -> tuple[tuple[datetime, datetime, datetime, str], ...]:
    """Return (original, UTC start, UTC end, key) of each rule date in the window, sorted."""
    zone = get_zone(zone_name)
    low, high = local_window(start, end, zone, length)
    found = []
    for original in starts_between(rule_text, first_start, low, high):
        begins, ends = to_utc(original, zone), to_utc(original + length, zone)
        if _inside(begins, ends, start, end, by_start):
            found.append((begins, original, ends, occurrence_key(original, all_day)))
    found.sort()
    return tuple((original, begins, ends, key) for begins, original, ends, key in found)

"""How pages and emails show occurrences: plain-language times and rules, and their links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..web.links import LinkPattern, link_pattern
from .models import Appointment
from .occurrences import Occurrence
from .recurrence import WEEKDAYS, get_zone, spec_from_rule, to_local

_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
_NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}


def _day(value: datetime) -> str:
    return value.strftime("%a %-d %b %Y")


def when_text(occurrence: Occurrence, zone_name: str | None = None) -> str:
    """Return e.g. "Tue 3 Mar 2026, 10:00-11:00" in ``zone_name`` (default: its own zone)."""
    appointment = occurrence.appointment
    if appointment.all_day:
        first, last = occurrence.start_local, occurrence.last_day
        return _day(first) if first.date() == last.date() else f"{_day(first)} \u2013 {_day(last)}"
    zone = get_zone(zone_name or appointment.time_zone)
    start, end = to_local(occurrence.start, zone), to_local(occurrence.end, zone)
    if start.date() == end.date():
        return f"{_day(start)}, {start:%H:%M}\u2013{end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} \u2013 {_day(end)}, {end:%H:%M}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rule_text(appointment: Appointment) -> str:
    """Describe how an appointment repeats, e.g. "Every Tuesday and Thursday, until 30 Jun 2026"."""
    if not appointment.rrule:
        return ""
    spec = spec_from_rule(appointment.rrule)
    if spec is None:
        return f"Repeats by the rule {appointment.rrule}"
    every = spec.interval
    if spec.repeat == "daily":
        text = "Every day" if every == 1 else f"Every {every} days"
    elif spec.repeat == "weekly":
        days = _join([_DAY_NAMES[d] for d in WEEKDAYS if d in spec.weekdays])
        text = f"Every {days}" if every == 1 else f"Every {every} weeks on {days}"
    else:
        text = f"On the {_NTH[spec.nth]} {_DAY_NAMES[spec.weekday]} of every month"
        if every > 1:
            text = f"On the {_NTH[spec.nth]} {_DAY_NAMES[spec.weekday]} every {every} months"
    if spec.until is not None:
        text += f", until {spec.until:%-d %b %Y}"
    elif spec.count:
        text += f", {spec.count} times"
    return text


def time_of_day(appointment: Appointment) -> str:
    if appointment.all_day:
        return "all day"
    return f"{appointment.start_local:%H:%M}\u2013{appointment.end_local:%H:%M}"


def clock_text(occurrence: Occurrence, zone_name: str) -> str:
    """Return the start as "10:00" in ``zone_name`` ("All day" for all-day occurrences)."""
    if occurrence.appointment.all_day:
        return "All day"
    return f"{to_local(occurrence.start, get_zone(zone_name)):%H:%M}"


def series_link(circle: Any, public_id: str) -> LinkPattern:
    """Return the link pattern of one series' occurrences, each occurrence's key left to fill."""
    pattern = link_pattern(
        "appointments.occurrence",
        "appointment_id",
        second_slot="occurrence",
        circle_id=circle.public_id,
    )
    return pattern.partly(public_id)


def occurrence_url(circle: Any, occurrence: Occurrence) -> str:
    """Return the page of one occurrence: the appointment's own page when it does not repeat."""
    appointment = occurrence.appointment
    if appointment.recurring:
        return series_link(circle, appointment.public_id).fill(occurrence.key)
    pattern = link_pattern("appointments.detail", "appointment_id", circle_id=circle.public_id)
    return pattern.fill(appointment.public_id)

"""What a person typed, turned into wall times and the UTC columns queries use.

An appointment keeps its local wall time, its zone and its rule; the UTC instants are derived
from them (and recomputed on every change), so a series stays right across daylight saving
time.  Times that do not exist in the zone are refused with a message naming the gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..audience import Audience
from ..refusals import Refusal
from .models import Appointment, Kind, OccurrenceChange
from .recurrence import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    get_zone,
    last_start,
    to_utc,
    wall_time_exists,
)

MAX_TIMED_LENGTH = timedelta(days=14)
MAX_ALL_DAY_DAYS = 31


class AppointmentError(Refusal):
    """A rule about appointments refused the change."""


@dataclass
class AppointmentInput:
    """What a person asked for, already parsed by the form (or by a caller such as the demo)."""

    title: str
    start_date: date
    start_time: time | None = None
    end_date: date | None = None
    end_time: time | None = None
    all_day: bool = False
    time_zone: str = "UTC"
    kind: str = Kind.OTHER.value
    location: str = ""
    video_url: str = ""
    notes: str = ""
    audience: str = Audience.CARE_TEAM.value
    organiser_id: int | None = None
    rrule: str = ""
    help: dict[str, int] = field(default_factory=dict)


def check_year(day: date, name: str) -> None:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise AppointmentError(f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.", name)


def gap_message(local: datetime, zone_name: str) -> str:
    return (
        f"{local:%H:%M} on {local:%-d %B %Y} does not exist in {zone_name.replace('_', ' ')}: "
        "the clocks skip that hour for daylight saving time. Choose another time."
    )


def wall_times(data: AppointmentInput) -> tuple[datetime, datetime]:
    """Return the first occurrence's (start, end) wall times, or refuse impossible ones."""
    zone = get_zone(data.time_zone)
    check_year(data.start_date, "start_date")
    end_date = data.end_date or data.start_date
    check_year(end_date, "end_date")
    if end_date < data.start_date:
        raise AppointmentError("The end date must be on or after the start date.", "end_date")
    if data.all_day:
        if (end_date - data.start_date).days >= MAX_ALL_DAY_DAYS:
            raise AppointmentError(f"Keep it under {MAX_ALL_DAY_DAYS} days.", "end_date")
        start = datetime.combine(data.start_date, time())
        return start, datetime.combine(end_date + timedelta(days=1), time())
    if data.start_time is None:
        raise AppointmentError("Enter a start time, or tick \u201call day\u201d.", "start_time")
    start = datetime.combine(data.start_date, data.start_time.replace(second=0, microsecond=0))
    if data.end_time is None:
        end = start + timedelta(hours=1)
    else:
        end = datetime.combine(end_date, data.end_time.replace(second=0, microsecond=0))
    for value, name in ((start, "start_time"), (end, "end_time")):
        if not wall_time_exists(value, zone):
            raise AppointmentError(gap_message(value, data.time_zone), name)
    length = to_utc(end, zone) - to_utc(start, zone)
    if length <= timedelta(0):
        raise AppointmentError("The end must be after the start.", "end_time")
    if length > MAX_TIMED_LENGTH:
        raise AppointmentError("An appointment can last at most 14 days.", "end_date")
    return start, end


def derive_instants(appointment: Appointment, changes: list[OccurrenceChange]) -> None:
    """Recompute the UTC columns that queries use to find an appointment's occurrences."""
    zone = get_zone(appointment.time_zone)
    appointment.starts_at = to_utc(appointment.start_local, zone)
    appointment.ends_at = to_utc(appointment.end_local, zone)
    appointment.recurring = bool(appointment.rrule)
    last = last_start(appointment.rrule, appointment.start_local)
    if last is None:
        appointment.series_ends_at = None
        return
    length = appointment.end_local - appointment.start_local
    ends = [to_utc(last + length, zone)]
    ends += [to_utc(c.end_local, zone) for c in changes if c.end_local is not None]
    appointment.series_ends_at = max(ends)

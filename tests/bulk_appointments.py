"""Many appointments at once, for feed and agenda tests: a realistic mix, inserted directly.

The service (one audited, validated create per call) is too slow for thousands of
appointments; this writes the same rows it would write, with the derived columns computed by
the service's own :func:`derive_instants`.  A third of the appointments are weekly or monthly
series; every other series has one occurrence moved and retitled and one cancelled.  A few
singles are cancelled, some all-day, some in another zone, and the texts carry the characters
iCalendar must escape (``\\ ; , newline``) and non-ASCII ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from careteam.appointments.models import Appointment, OccurrenceChange
from careteam.appointments.recurrence import get_zone, normalise_rule, rule_for
from careteam.appointments.service import derive_instants
from careteam.extensions import db

ZONES = ("Europe/Berlin", "America/New_York", "UTC")
KINDS = ("neurologist", "gp", "physical_therapy", "occupational_therapy", "support_group")
AUDIENCES = ("everyone", "care_team", "coordinators", "only_me")
RULES = (
    "FREQ=WEEKLY;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=DAILY;COUNT=10",
)


@dataclass(frozen=True)
class BulkResult:
    appointment_ids: list[int]
    series_ids: list[int]


def _texts(rng: random.Random, n: int) -> tuple[str, str, str]:
    title = f"Appointment {n} \u00b7 Dr. M\u00fcller; room 2, floor \\3"
    places = ("", "City Hospital, Ward 4", "Home; back door", "\u75c5\u9662 \U0001f3e5")
    location = rng.choice(places)
    notes = rng.choice(("", "Bring the scan.\nAsk about fatigue; and \\ the AFO.", "x" * 300))
    return title, location, notes


def add_appointments(
    circle_id: int,
    author_id: int,
    count: int,
    *,
    start: date = date(2026, 1, 5),
    seed: int = 7,
    audiences: tuple[str, ...] = AUDIENCES,
) -> BulkResult:
    """Insert ``count`` appointments (a third of them series) into the circle; not committed."""
    rng = random.Random(seed)
    now = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    rows: list[Appointment] = []
    for n in range(count):
        recurring = n % 3 == 0
        day = start + timedelta(days=(n * 37) % 500)
        all_day = not recurring and n % 11 == 5
        hour = 8 + n % 10
        title, location, notes = _texts(rng, n)
        appointment = Appointment(
            circle_id=circle_id,
            created_by_id=author_id,
            updated_by_id=author_id,
            organiser_id=author_id if n % 4 == 0 else None,
            title=title,
            kind=KINDS[n % len(KINDS)],
            location=location,
            video_url="https://meet.example.org/room-" + str(n) if n % 7 == 0 else "",
            notes=notes,
            audience=audiences[n % len(audiences)],
            time_zone=ZONES[n % len(ZONES)],
            all_day=all_day,
            start_local=datetime.combine(day, time() if all_day else time(hour, 30)),
            end_local=datetime.combine(day + timedelta(days=1), time())
            if all_day
            else datetime.combine(day, time(hour + 1, 15)),
            rrule="",
            sequence=n % 5,
            created_at=now,
            updated_at=now + timedelta(minutes=n),
            cancelled_at=now if not recurring and n % 13 == 0 else None,
        )
        if recurring:
            rule = RULES[(n // 3) % len(RULES)]
            if rule.startswith("FREQ=WEEKLY;BYDAY=TU,TH"):
                # Weekly rules must start on one of their days.
                while appointment.start_local.weekday() not in (1, 3):
                    appointment.start_local += timedelta(days=1)
                    appointment.end_local += timedelta(days=1)
            elif "BYDAY=MO" in rule:
                while appointment.start_local.weekday() != 0:
                    appointment.start_local += timedelta(days=1)
                    appointment.end_local += timedelta(days=1)
            elif "BYDAY=2TU" in rule:
                first = appointment.start_local.replace(day=1)
                offset = (1 - first.weekday()) % 7 + 7
                moved = first + timedelta(days=offset)
                length = appointment.end_local - appointment.start_local
                appointment.start_local, appointment.end_local = moved, moved + length
            if n % 2 == 0 and "COUNT" not in rule:
                rule += f";UNTIL={appointment.start_local.year + 1}0630"
            zone = get_zone(appointment.time_zone)
            appointment.rrule = normalise_rule(rule, appointment.start_local, zone, False)
        derive_instants(appointment, [])
        rows.append(appointment)
    db.session.add_all(rows)
    db.session.flush()
    series = [a for a in rows if a.rrule]
    _change_some(series)
    return BulkResult([a.id for a in rows], [a.id for a in series])


def _change_some(series: list[Appointment]) -> None:
    """Move one occurrence and cancel another of every other series."""
    for index, appointment in enumerate(series):
        if index % 2:
            continue
        starts = rule_for(appointment.rrule, appointment.start_local)[:4]
        if len(starts) < 3:
            continue
        length = appointment.end_local - appointment.start_local
        moved = starts[1] + timedelta(hours=3)
        changes = [
            OccurrenceChange(
                appointment_id=appointment.id,
                original_start_local=starts[1],
                title=appointment.title + " (moved)",
                location="Home",
                start_local=moved,
                end_local=moved + length,
                updated_at=appointment.updated_at,
            ),
            OccurrenceChange(
                appointment_id=appointment.id,
                original_start_local=starts[2],
                cancelled=True,
                updated_at=appointment.updated_at,
            ),
        ]
        db.session.add_all(changes)
        derive_instants(appointment, changes)

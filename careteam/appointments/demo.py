"""Demo appointments in Maya's circle: PT twice a week, a monthly MS support group, and a
neurologist visit that asks for a ride, with Maya's friend Priya signed up to drive.

Runs after the demo circles exist; without Maya's circle it does nothing, and a second run
changes nothing.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..circles.demo import demo_circle
from ..circles.membership import membership_of
from ..db.clock import utcnow
from ..extensions import db
from . import helping, service
from .models import Appointment, HelpKind, HelpSlot, Kind
from .occurrences import occurrence_at
from .recurrence import get_zone

NEUROLOGY_TITLE = "Neurologist: MS review with Dr. Okafor"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _second_tuesday_after(today: date) -> date:
    day = today + timedelta(days=1)
    while not (day.weekday() == 1 and 8 <= day.day <= 14):
        day += timedelta(days=1)
    return day


def build_demo_appointments() -> list[str]:
    """Add the demo calendar to Maya's circle once."""
    sam, priya, lee = (
        _user("sam@example.org"),
        _user("priya@example.org"),
        _user("dr.lee@example.org"),
    )
    circle = demo_circle("maya")
    if circle is None or sam is None:
        return []
    done = db.session.scalar(
        select(Appointment.id).where(
            Appointment.circle_id == circle.id, Appointment.title == NEUROLOGY_TITLE
        )
    )
    coordinator = membership_of(circle.id, sam.id)
    if done is not None or coordinator is None:
        return []
    today = utcnow().astimezone(get_zone(circle.time_zone)).date()
    tuesday = _next_weekday(today, 1)
    common = {"time_zone": circle.time_zone}
    service.create_appointment(
        circle,
        coordinator,
        service.AppointmentInput(
            title="Physical therapy with Dr. Lee",
            kind=Kind.PHYSICAL_THERAPY.value,
            start_date=tuesday,
            start_time=time(10, 0),
            end_time=time(11, 0),
            location="Riverside Physio, 12 Mill Lane",
            notes="Bring the AFO and walking shoes. Balance and gait exercises.",
            organiser_id=lee.id if lee and membership_of(circle.id, lee.id) else None,
            rrule=f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={tuesday + timedelta(days=91):%Y%m%d}",
            **common,
        ),
    )
    service.create_appointment(
        circle,
        coordinator,
        service.AppointmentInput(
            title="MS support group",
            kind=Kind.SUPPORT_GROUP.value,
            start_date=_second_tuesday_after(today),
            start_time=time(18, 30),
            end_time=time(20, 0),
            location="Community Centre, Room 2",
            audience="everyone",
            rrule="FREQ=MONTHLY;BYDAY=2TU",
            **common,
        ),
    )
    visit = service.create_appointment(
        circle,
        coordinator,
        service.AppointmentInput(
            title=NEUROLOGY_TITLE,
            kind=Kind.NEUROLOGIST.value,
            start_date=today + timedelta(days=10),
            start_time=time(14, 0),
            end_time=time(14, 45),
            location="City Hospital, Neurology outpatients, level 3",
            notes="Ask about the new fatigue and whether to adjust the treatment.",
            audience="everyone",
            organiser_id=sam.id,
            help={HelpKind.RIDE_THERE.value: 1, HelpKind.RIDE_HOME.value: 1},
            **common,
        ),
    )
    db.session.flush()
    friend = membership_of(circle.id, priya.id) if priya else None
    slot = db.session.scalar(
        select(HelpSlot).where(
            HelpSlot.appointment_id == visit.id, HelpSlot.kind == HelpKind.RIDE_THERE.value
        )
    )
    if friend is not None and slot is not None:
        helping.volunteer(occurrence_at(visit, visit.start_local, None), slot, friend)
    return ["Demo calendar: PT twice a week, a monthly MS support group, a neurologist visit."]

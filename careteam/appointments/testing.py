"""Test helpers for the calendar: appointments made through the service, and the URL-argument
factories that let route tests (permission matrix, cross-circle probes) visit every calendar page.

Importing this module registers the factories.  Every factory-made appointment is the same
weekly series on Tuesdays at 10:00 from 1 January 2030, shared with everyone and asking for two
drivers, so ``occurrence`` and ``slot_id`` always fit the ``appointment_id`` made just before.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from flask import Flask
from sqlalchemy import select

from ..circles.membership import membership_of
from ..circles.models import Circle
from ..circles.testing import build_circle, people_for_every_role, register_url_argument
from ..extensions import db
from ..roles import Role
from .models import Appointment, HelpSlot
from .service import AppointmentInput, create_appointment

# Who sees an appointment of each audience ("only me": the family member's own).
SEES: dict[str, set[str]] = {
    "everyone": {r.value for r in Role},
    "care_team": {r.value for r in Role} - {"supporter"},
    "coordinators": {"coordinator", "care_recipient"},
    "only_me": {"family"},
}
_AGENDA_TITLE = re.compile(r'<h2 class="note-title"><a href="[^"]+">([^<]+)</a></h2>')


def agenda_titles(html: str) -> list[str]:
    """Return the titles an agenda page lists, in order."""
    return _AGENDA_TITLE.findall(html)


FACTORY_START = date(2030, 1, 1)  # a Tuesday
FACTORY_OCCURRENCE = "20300101T1000"


def make_appointment(app: Flask, circle_id: int, user_id: int, **fields: Any) -> str:
    """Schedule an appointment through the service as ``user_id``; return its public id."""
    with app.app_context():
        circle = db.session.get(Circle, circle_id)
        values: dict[str, Any] = {
            "title": "Physical therapy",
            "start_date": FACTORY_START,
            "start_time": time(10, 0),
            "end_time": time(11, 0),
            "time_zone": circle.time_zone,
            "kind": "physical_therapy",
            "audience": "care_team",
        }
        values.update(fields)
        membership = membership_of(circle_id, user_id)
        appointment = create_appointment(circle, membership, AppointmentInput(**values))
        db.session.commit()
        return appointment.public_id


def _appointment_id(app: Flask, setup: Any, _role: str | None) -> str:
    return make_appointment(
        app,
        setup.id,
        setup.people[Role.COORDINATOR.value].id,
        title="Route test series",
        audience="everyone",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        help={"ride_there": 2},
    )


def _occurrence(_app: Flask, _setup: Any, _role: str | None) -> str:
    return FACTORY_OCCURRENCE


def _slot_id(app: Flask, setup: Any, _role: str | None) -> str:
    with app.app_context():
        return db.session.scalar(
            select(HelpSlot.public_id)
            .join(Appointment, Appointment.id == HelpSlot.appointment_id)
            .where(Appointment.circle_id == setup.id)
            .order_by(Appointment.id.desc(), HelpSlot.id)
        )


register_url_argument("appointment_id", _appointment_id)
register_url_argument("occurrence", _occurrence)
register_url_argument("slot_id", _slot_id)


def calendar_circle(
    app: Flask, make_user: Any, time_zone: str = "Europe/Berlin", name: str = "Calendar circle"
) -> Any:
    """Create a circle in ``time_zone`` with one member per role; return its CircleSetup."""
    return build_circle(app, people_for_every_role(make_user), name=name, time_zone=time_zone)


def appointment_url(setup: Any, path: str = "") -> str:
    return f"/circles/{setup.public_id}/appointments{path}"


def form_data(**overrides: Any) -> dict[str, Any]:
    """Return a complete, valid new-appointment form submission (without the CSRF token)."""
    data: dict[str, Any] = {
        "title": "Neurologist check-up",
        "kind": "neurologist",
        "start_date": "2030-03-12",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "11:00",
        "time_zone": "Europe/Berlin",
        "location": "City Hospital",
        "video_url": "",
        "organiser": "",
        "notes": "",
        "audience": "care_team",
        "help_ride_there": "0",
        "help_ride_home": "0",
        "help_company": "0",
        "repeat": "none",
        "interval": "1",
        "month_nth": "",
        "month_weekday": "",
        "ends": "never",
        "until": "",
        "count": "",
        "rrule": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

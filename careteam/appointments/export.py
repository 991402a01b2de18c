"""The calendar's part of the circle export: the appointments the exporter may see, as data,
as a CSV and as an iCalendar file any calendar program can import."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..registries import ExportSection, SectionContent
from .ical import FeedEntry, build_calendar
from .models import Appointment, FeedDetail, HelpSignup, HelpSlot
from .queries import changes_for, display_names, visible
from .recurrence import occurrence_key

COLUMNS = (
    "id",
    "title",
    "kind",
    "audience",
    "time_zone",
    "all_day",
    "start_local",
    "end_local",
    "rrule",
    "location",
    "video_url",
    "notes",
    "organiser",
    "cancelled_at",
    "created_at",
    "updated_at",
)


def _help(appointment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(HelpSlot.appointment_id, HelpSlot.id, HelpSlot.kind, HelpSlot.needed, HelpSignup)
        .outerjoin(HelpSignup, HelpSignup.slot_id == HelpSlot.id)
        .where(HelpSlot.appointment_id.in_(appointment_ids))
        .order_by(HelpSlot.appointment_id, HelpSlot.id, HelpSignup.id)
    ).all()
    names = display_names(s.user_id for *_rest, s in rows if s is not None)
    found: dict[int, list[dict[str, Any]]] = {}
    by_slot: dict[int, dict[str, Any]] = {}
    for appointment_id, slot_id, kind, needed, signup in rows:
        slot = by_slot.get(slot_id)
        if slot is None:
            slot = by_slot[slot_id] = {"kind": kind, "needed": needed, "volunteers": []}
            found.setdefault(appointment_id, []).append(slot)
        if signup is not None:
            slot["volunteers"].append(
                {
                    "name": names.get(signup.user_id, "A former member"),
                    "occurrence": signup.occurrence_start_local.isoformat(),
                }
            )
    return found


def build_calendar_section(circle: Any, membership: Any, **_: Any) -> SectionContent:
    appointments = list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.circle_id == circle.id, visible(membership))
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )
    ids = [a.id for a in appointments]
    changes = changes_for(ids)
    helpers = _help(ids) if ids else {}
    names = display_names(a.organiser_id for a in appointments)
    data = []
    for a in appointments:
        organiser = names.get(a.organiser_id or 0, "")
        data.append(
            {
                "id": a.public_id,
                "title": a.title,
                "kind": a.kind,
                "audience": a.audience,
                "time_zone": a.time_zone,
                "all_day": a.all_day,
                "start_local": a.start_local.isoformat(),
                "end_local": a.end_local.isoformat(),
                "rrule": a.rrule,
                "location": a.location,
                "video_url": a.video_url,
                "notes": a.notes,
                "organiser": organiser,
                "cancelled_at": a.cancelled_at,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
                "occurrence_changes": [
                    {
                        "occurrence": occurrence_key(c.original_start_local, a.all_day),
                        "cancelled": c.cancelled,
                        "title": c.title,
                        "location": c.location,
                        "notes": c.notes,
                        "start_local": c.start_local.isoformat() if c.start_local else None,
                        "end_local": c.end_local.isoformat() if c.end_local else None,
                    }
                    for c in changes[a.id]
                ],
                "help": helpers.get(a.id, []),
            }
        )
    table = [[row[c] for c in COLUMNS] for row in data]
    entries = [
        FeedEntry(a, changes[a.id], circle.name, organiser=names.get(a.organiser_id or 0))
        for a in appointments
    ]
    ics = build_calendar(entries, FeedDetail.FULL, f"CareTeam \u00b7 {circle.name}")
    return SectionContent(
        data=data,
        tables={"appointments.csv": (COLUMNS, table)},
        files={"calendar.ics": ics},
    )


SECTION = ExportSection(
    "appointments", "Appointments, also as a calendar file", build_calendar_section, order=30
)

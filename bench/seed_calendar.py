"""Seeder phase: appointments, series with moved or cancelled occurrences, help and sign-ups.

Times go through the appointments code's own helpers: ``wall_times`` for the first
occurrence, ``normalise_rule`` for the stored RRULE, ``derive_instants`` for ``starts_at``,
``ends_at``, ``series_ends_at`` and ``recurring`` (on a transient ``Appointment`` that is never
added to a session), so the rows equal what ``create_appointment`` and ``change_occurrence``
would leave behind.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from careteam.appointments.models import (
    Appointment,
    HelpKind,
    HelpSignup,
    HelpSlot,
    Kind,
    OccurrenceChange,
)
from careteam.appointments.recurrence import (
    WEEKDAYS,
    get_zone,
    normalise_rule,
    nth_weekday_of,
    rule_for,
    to_local,
)
from careteam.appointments.service import (
    AppointmentInput,
    derive_instants,
    wall_times,
    writable_audiences,
)
from careteam.audience import Audience, can_see
from careteam.audit import AuditEvent
from careteam.db.types import new_public_id
from careteam.roles import CARE_TEAM, Role

from . import corpus
from .seed_people import audit_row
from .seed_world import Batches, CircleInfo, World

_VOLUNTEERS = frozenset({Role.COORDINATOR, Role.FAMILY, Role.CAREGIVER, Role.SUPPORTER})
_AUDIENCE_WEIGHTS = {
    Audience.EVERYONE.value: 50,
    Audience.CARE_TEAM.value: 42,
    Audience.COORDINATORS.value: 4,
    Audience.ONLY_ME.value: 4,
}
_COLUMNS = [c.name for c in Appointment.__table__.columns]


class _Membership:
    def __init__(self, user_id: int, role: str) -> None:
        self.user_id, self.role = user_id, role


def _rule(world: World, day: date, weekly_only: bool) -> str:
    """Return a weekly, fortnightly or monthly RRULE starting on ``day``; some end."""
    rng = world.rng
    weekday = WEEKDAYS[day.weekday()]
    kind = "weekly" if weekly_only else rng.choice(("weekly", "biweekly", "monthly"))
    if kind == "monthly":
        nth, weekday = nth_weekday_of(day)
        if day.day > 28:  # a fifth weekday is always the month's last one
            nth = -1
        rule = f"FREQ=MONTHLY;BYDAY={nth}{weekday}"
    else:
        rule = f"FREQ=WEEKLY;{'INTERVAL=2;' if kind == 'biweekly' else ''}BYDAY={weekday}"
    if weekly_only:
        return rule
    ending = rng.random()
    if ending < 0.25:
        rule += f";UNTIL={day + timedelta(days=rng.randint(60, 400)):%Y%m%d}"
    elif ending < 0.45:
        rule += f";COUNT={rng.randint(4, 30)}"
    return rule


def _local_day(world: World, circle: CircleInfo, offset_days: float) -> date:
    moment = world.now + timedelta(days=offset_days)
    return to_local(moment, get_zone(circle.time_zone)).date()


def _build(
    world: World, circle: CircleInfo, day: date, rule: str, schedulers: list[_Membership]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return one appointment row and its occurrence-change rows."""
    rng = world.rng
    author = rng.choice(schedulers)
    audiences = writable_audiences(author)
    audience = rng.choices(audiences, [_AUDIENCE_WEIGHTS[a] for a in audiences])[0]
    kind = rng.choice(list(Kind)).value
    start_time = time(rng.randint(8, 17), rng.choice((0, 15, 30, 45)))
    length = timedelta(minutes=rng.choice((30, 45, 60, 90)))
    data = AppointmentInput(
        title=rng.choice(corpus.APPOINTMENT_TITLES[kind]),
        start_date=day,
        start_time=start_time,
        end_time=(datetime.combine(day, start_time) + length).time(),
        time_zone=circle.time_zone,
        kind=kind,
        location=rng.choice(corpus.LOCATIONS),
        notes=corpus.appointment_notes(rng),
        audience=audience,
        organiser_id=author.user_id if rng.random() < 0.5 else None,
        rrule=rule,
    )
    start, end = wall_times(data)
    created = min(world.now, world.now + timedelta(days=(day - world.now.date()).days - 14))
    appointment = Appointment(
        id=world.new_id(Appointment.__table__),
        public_id=new_public_id(),
        circle_id=circle.id,
        created_by_id=author.user_id,
        updated_by_id=author.user_id,
        created_at=created,
        updated_at=created,
        rrule=normalise_rule(rule, start, get_zone(circle.time_zone), False),
        cancelled_at=None,
        all_day=False,
        **{k: getattr(data, k) for k in ("title", "kind", "location", "notes", "audience")},
        video_url="",
        organiser_id=data.organiser_id,
        time_zone=data.time_zone,
        start_local=start,
        end_local=end,
    )
    changes = _occurrence_changes(world, appointment) if appointment.rrule else []
    derive_instants(appointment, changes)
    appointment.sequence = len(changes)
    if not changes and rng.random() < 0.02:  # called off, as set_cancelled leaves it
        appointment.cancelled_at = min(world.now, created + timedelta(days=1))
        appointment.updated_at = appointment.cancelled_at
        appointment.sequence = 1
    row = {name: getattr(appointment, name) for name in _COLUMNS}
    change_rows = [
        {c.name: getattr(change, c.name) for c in OccurrenceChange.__table__.columns}
        for change in changes
    ]
    return row, change_rows


def _occurrence_changes(world: World, appointment: Appointment) -> list[OccurrenceChange]:
    """Move or cancel one or two early occurrences of some series."""
    rng = world.rng
    if rng.random() >= 0.15:
        return []
    starts = list(itertools.islice(rule_for(appointment.rrule, appointment.start_local), 1, 6))
    changes = []
    length = appointment.end_local - appointment.start_local
    for original in rng.sample(starts, min(len(starts), rng.randint(1, 2))):
        change = OccurrenceChange(
            id=world.new_id(OccurrenceChange.__table__),
            appointment_id=appointment.id,
            original_start_local=original,
            cancelled=rng.random() < 0.5,
            title=None,
            location=None,
            notes=None,
            start_local=None,
            end_local=None,
            updated_at=world.now,
        )
        if not change.cancelled:
            change.start_local = original + timedelta(hours=rng.choice((-2, 1, 2, 24)))
            change.end_local = change.start_local + length
        changes.append(change)
    return changes


def _add(world: World, batches: Batches, circle: CircleInfo, day: date, rule: str) -> None:
    schedulers = [_Membership(m.user_id, m.role) for m in circle.with_roles(CARE_TEAM)]
    row, change_rows = _build(world, circle, day, rule, schedulers)
    batches.add(Appointment.__table__, row)
    for change in change_rows:
        batches.add(OccurrenceChange.__table__, change)
    batches.add(
        AuditEvent.__table__,
        audit_row(
            world, "appointment.created", row["created_at"], circle_id=circle.id,
            object_type="appointment", object_id=row["public_id"], actor_id=row["created_by_id"],
            object_audience=row["audience"], object_author_id=row["created_by_id"],
            details={"kind": row["kind"], "audience": row["audience"], "repeats": bool(rule)},
        ),
    )  # fmt: skip
    if row["cancelled_at"] is not None:
        batches.add(
            AuditEvent.__table__,
            audit_row(
                world, "appointment.cancelled", row["cancelled_at"], circle_id=circle.id,
                object_type="appointment", object_id=row["public_id"],
                object_audience=row["audience"], object_author_id=row["created_by_id"],
                actor_id=row["created_by_id"],
            ),
        )  # fmt: skip
        return
    if not rule and row["ends_at"] > world.now and world.rng.random() < 0.2:
        _add_help(world, batches, circle, row)


def _add_help(world: World, batches: Batches, circle: CircleInfo, row: dict[str, Any]) -> None:
    """Ask for a ride (sometimes company too); a member who can see it often volunteers."""
    rng = world.rng
    kinds = [HelpKind.RIDE_THERE] + ([HelpKind.COMPANY] if rng.random() < 0.3 else [])
    helpers = [
        m
        for m in circle.members
        if m.role in _VOLUNTEERS
        and can_see(row["audience"], row["created_by_id"], _Membership(m.user_id, m.role))
    ]
    for kind in kinds:
        slot_id = world.new_id(HelpSlot.__table__)
        batches.add(
            HelpSlot.__table__,
            {"id": slot_id, "public_id": new_public_id(), "appointment_id": row["id"],
             "kind": kind.value, "needed": rng.randint(1, 2)},
        )  # fmt: skip
        if helpers and rng.random() < 0.6:
            helper = rng.choice(helpers)
            batches.add(
                HelpSignup.__table__,
                {"slot_id": slot_id, "occurrence_start_local": row["start_local"],
                 "user_id": helper.user_id, "created_at": world.now},
            )  # fmt: skip
            batches.add(
                AuditEvent.__table__,
                audit_row(
                    world, "appointment.help_offered", world.now, circle_id=circle.id,
                    object_type="appointment", object_id=row["public_id"],
                    object_audience=row["audience"], object_author_id=row["created_by_id"],
                    actor_id=helper.user_id,
                    details={"help": kind.value,
                             "occurrence": row["start_local"].strftime("%Y%m%dT%H%M")},
                ),
            )  # fmt: skip


def month_of(world: World, circle: CircleInfo) -> str:
    """Return the busy circle's current month ("YYYY-MM") in its own time zone."""
    return f"{_local_day(world, circle, 0):%Y-%m}"


def seed_appointments(world: World) -> None:
    """Write the scale's appointments, the busy circle's series and the calendar circle's."""
    rng, scale = world.rng, world.scale
    tables = [Appointment.__table__, OccurrenceChange.__table__, HelpSlot.__table__]
    batches = Batches(
        world, [*tables, HelpSignup.__table__, AuditEvent.__table__], Appointment.__table__
    )
    total = scale.appointments + scale.calendar_appointments
    world.progress.phase("appointments", total)
    busy, calendar = world.busy, world.calendar
    # 200 weekly series started in the last months and never ending: all occur this month.
    for _ in range(scale.busy_series):
        day = _local_day(world, busy, -rng.uniform(14, 180))
        _add(world, batches, busy, day, _rule(world, day, weekly_only=True))
    for _ in range(scale.busy_appointments - scale.busy_series):
        _add_mixed(world, batches, busy, singles_share=0.9)
    others = world.circles[2:] or world.circles[:1]
    for _ in range(scale.appointments - scale.busy_appointments):
        _add_mixed(world, batches, rng.choice(others), singles_share=2 / 3)
    for _ in range(scale.calendar_appointments):
        _add_mixed(world, batches, calendar, singles_share=0.8)
    batches.flush()
    world.progress.end_phase()


def _add_mixed(world: World, batches: Batches, circle: CircleInfo, singles_share: float) -> None:
    rng = world.rng
    day = _local_day(world, circle, rng.uniform(-365, 240))
    rule = "" if rng.random() < singles_share else _rule(world, day, weekly_only=False)
    _add(world, batches, circle, day, rule)

"""Help sign-up: members volunteer for a ride or company on one occurrence, up to the number needed.

Two people taking the last place at once must not both get it: the slot's row is locked
(``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers) before
the places are counted, and a unique key stops one person signing up twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..audience import can_see
from ..auth.models import User
from ..db.clock import utcnow
from ..extensions import db
from ..permissions import member_can
from .models import HELP_LABELS, Appointment, HelpKind, HelpSignup, HelpSlot
from .occurrences import Occurrence
from .recurrence import occurrence_key


class HelpError(ValueError):
    """Signing up or withdrawing was refused; the message is for the volunteer."""


@dataclass(frozen=True)
class Volunteer:
    user_id: int
    display_name: str


@dataclass(frozen=True)
class SlotView:
    slot: HelpSlot
    volunteers: list[Volunteer]

    @property
    def label(self) -> str:
        return HELP_LABELS.get(HelpKind(self.slot.kind), self.slot.kind)

    @property
    def taken(self) -> int:
        return len(self.volunteers)

    @property
    def full(self) -> bool:
        return self.taken >= self.slot.needed

    def has(self, user_id: int) -> bool:
        return any(v.user_id == user_id for v in self.volunteers)


def slots_for(appointment: Appointment, original: datetime) -> list[SlotView]:
    """Return the help an occurrence asks for, with who already signed up (two queries)."""
    slots = list(
        db.session.scalars(
            select(HelpSlot).where(HelpSlot.appointment_id == appointment.id).order_by(HelpSlot.id)
        )
    )
    if not slots:
        return []
    rows = db.session.execute(
        select(HelpSignup.slot_id, User.id, User.display_name)
        .join(User, User.id == HelpSignup.user_id)
        .where(
            HelpSignup.slot_id.in_([s.id for s in slots]),
            HelpSignup.occurrence_start_local == original,
        )
        .order_by(HelpSignup.created_at, HelpSignup.id)
    ).all()
    views = []
    for slot in slots:
        people = [Volunteer(uid, name) for sid, uid, name in rows if sid == slot.id]
        if slot.needed > 0 or people:
            views.append(SlotView(slot, people))
    return views


def get_slot(appointment: Appointment, public_id: str) -> HelpSlot | None:
    return db.session.scalar(
        select(HelpSlot).where(
            HelpSlot.appointment_id == appointment.id, HelpSlot.public_id == public_id
        )
    )


def _check(occurrence: Occurrence, membership: Any) -> None:
    appointment = occurrence.appointment
    if not member_can(membership, "help.volunteer") or not can_see(
        appointment.audience, appointment.created_by_id, membership
    ):
        raise HelpError("You cannot sign up for help with this appointment.")
    if appointment.cancelled:
        raise HelpError("This appointment is cancelled.")
    if occurrence.end <= utcnow():
        raise HelpError("This appointment is over.")


def volunteer(occurrence: Occurrence, slot: HelpSlot, membership: Any) -> None:
    """Sign ``membership`` up for ``slot`` on ``occurrence``, if a place is free."""
    _check(occurrence, membership)
    # Queue sign-ups for this slot so the count below cannot be overtaken by another sign-up.
    locked = db.session.execute(
        select(HelpSlot.needed).where(HelpSlot.id == slot.id).with_for_update()
    ).scalar_one()
    signups = select(HelpSignup.user_id).where(
        HelpSignup.slot_id == slot.id, HelpSignup.occurrence_start_local == occurrence.original
    )
    taken = list(db.session.scalars(signups))
    if membership.user_id in taken:
        raise HelpError("You have already signed up for this.")
    if len(taken) >= locked:
        raise HelpError(
            f"Thank you, but this is already covered: {len(taken)} of {locked} signed up."
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                HelpSignup(
                    slot_id=slot.id,
                    occurrence_start_local=occurrence.original,
                    user_id=membership.user_id,
                    created_at=utcnow(),
                )
            )
    except IntegrityError as error:
        raise HelpError("You have already signed up for this.") from error
    _record("appointment.help_offered", occurrence, slot, membership)


def withdraw(occurrence: Occurrence, slot: HelpSlot, membership: Any) -> bool:
    """Take back one's own sign-up; return whether there was one."""
    removed = db.session.execute(
        delete(HelpSignup).where(
            HelpSignup.slot_id == slot.id,
            HelpSignup.occurrence_start_local == occurrence.original,
            HelpSignup.user_id == membership.user_id,
        )
    ).rowcount
    if removed:
        _record("appointment.help_withdrawn", occurrence, slot, membership)
    return bool(removed)


def signup_count(slot: HelpSlot, original: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(HelpSignup)
            .where(HelpSignup.slot_id == slot.id, HelpSignup.occurrence_start_local == original)
        )
        or 0
    )


def _record(action: str, occurrence: Occurrence, slot: HelpSlot, membership: Any) -> None:
    appointment = occurrence.appointment
    audit.record(
        action,
        actor_id=membership.user_id,
        details={
            "help": slot.kind,
            "occurrence": occurrence_key(occurrence.original, appointment.all_day),
        },
        **appointment.audit_subject,
    )

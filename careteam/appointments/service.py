"""Rules for scheduling: create, edit, cancel appointments and single occurrences of a series.

Every function that changes data adds its audit row to the caller's transaction (the caller
commits) and bumps the appointment's SEQUENCE so subscribed calendars take the new version.
Audit details name fields and occurrences, never the text people typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from .. import audit
from ..audience import (
    AudienceChangeRefused,
    can_see,
    check_audience_change,
    choosable_audiences,
    editor_standing,
)
from ..circles.models import Membership
from ..db.clock import utcnow
from ..extensions import db
from ..permissions import member_can
from ..plugins.events import emit
from .models import Appointment, HelpKind, HelpSlot, Kind, OccurrenceChange
from .recurrence import (
    RecurrenceError,
    get_zone,
    is_occurrence,
    normalise_rule,
    occurrence_key,
    to_utc,
    wall_time_exists,
)
from .timing import (
    AppointmentError,
    AppointmentInput,
    check_year,
    derive_instants,
    gap_message,
    wall_times,
)

MAX_HELPERS = 10


# --- permissions -----------------------------------------------------------------------------


def writable_audiences(membership: Any) -> list[str]:
    """Return the audiences a scheduler may choose for a new appointment (those that include
    the scheduler); an edit is narrowed further by :func:`check_audience_change`."""
    return choosable_audiences(membership)


def can_schedule(appointment: Appointment, membership: Any) -> bool:
    return member_can(membership, "appointments.schedule") and can_see(
        appointment.audience, appointment.created_by_id, membership
    )


# --- times -----------------------------------------------------------------------------------


# --- checks ----------------------------------------------------------------------------------


def _check_video_url(url: str) -> None:
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise AppointmentError(
                "Enter a full link starting with https://, e.g. https://meet.example.org/abc.",
                "video_url",
            )


def _check_choices(circle_id: int, membership: Any, data: AppointmentInput) -> None:
    if data.kind not in {k.value for k in Kind}:
        raise AppointmentError("Choose a kind of appointment from the list.", "kind")
    if data.audience not in writable_audiences(membership):
        raise AppointmentError("Choose who can see this appointment from the list.", "audience")
    if data.organiser_id is not None:
        member = db.session.scalar(
            select(Membership.id).where(
                Membership.circle_id == circle_id, Membership.user_id == data.organiser_id
            )
        )
        if member is None:
            raise AppointmentError("Choose the organiser from the circle's members.", "organiser")
    for kind, needed in data.help.items():
        if kind not in {h.value for h in HelpKind} or not 0 <= needed <= MAX_HELPERS:
            raise AppointmentError(f"Ask for 0 to {MAX_HELPERS} people.", f"help_{kind}")
    _check_video_url(data.video_url)


def _rule(data: AppointmentInput, start: datetime) -> str:
    try:
        return normalise_rule(data.rrule, start, get_zone(data.time_zone), data.all_day)
    except RecurrenceError as error:
        raise AppointmentError(str(error), error.field) from error


def _apply(appointment: Appointment, data: AppointmentInput, start: datetime, end: datetime):
    appointment.title = data.title
    appointment.kind = data.kind
    appointment.location = data.location
    appointment.video_url = data.video_url
    appointment.notes = data.notes
    appointment.audience = data.audience
    appointment.organiser_id = data.organiser_id
    appointment.time_zone = data.time_zone
    appointment.all_day = data.all_day
    appointment.start_local, appointment.end_local = start, end


def _set_help(appointment: Appointment, wanted: dict[str, int]) -> None:
    existing = {
        s.kind: s
        for s in db.session.scalars(
            select(HelpSlot).where(HelpSlot.appointment_id == appointment.id)
        )
    }
    for kind, needed in wanted.items():
        slot = existing.get(kind)
        if slot is not None:
            slot.needed = needed
        elif needed > 0:
            db.session.add(HelpSlot(appointment_id=appointment.id, kind=kind, needed=needed))


# --- appointments ----------------------------------------------------------------------------


def create_appointment(circle: Any, membership: Any, data: AppointmentInput) -> Appointment:
    """Schedule an appointment (or a series) in ``circle``."""
    if not member_can(membership, "appointments.schedule"):
        raise AppointmentError("You cannot schedule appointments in this circle.")
    _check_choices(circle.id, membership, data)
    start, end = wall_times(data)
    now = utcnow()
    appointment = Appointment(
        circle_id=circle.id,
        created_by_id=membership.user_id,
        updated_by_id=membership.user_id,
        created_at=now,
        updated_at=now,
        sequence=0,
        rrule=_rule(data, start),
    )
    _apply(appointment, data, start, end)
    derive_instants(appointment, [])
    db.session.add(appointment)
    db.session.flush()
    _set_help(appointment, data.help)
    audit.record(
        "appointment.created",
        actor_id=membership.user_id,
        details={"kind": data.kind, "audience": data.audience, "repeats": bool(appointment.rrule)},
        **appointment.audit_subject,
    )
    _emit("appointment_created", appointment, membership, kind=data.kind)
    return appointment


_TIMING = ("start_local", "end_local", "time_zone", "all_day", "rrule")
_TRACKED = ("title", "kind", "location", "video_url", "notes", "audience", "organiser_id")


def update_appointment(appointment: Appointment, membership: Any, data: AppointmentInput) -> None:
    """Change an appointment or a whole series; changing its timing resets single changes."""
    if not can_schedule(appointment, membership):
        raise AppointmentError("You cannot change this appointment.")
    circle_id = appointment.circle_id
    try:
        check_audience_change(
            appointment.audience,
            data.audience,
            **editor_standing(membership, appointment.created_by_id),
        )
    except AudienceChangeRefused as refused:
        raise AppointmentError(str(refused), refused.field) from refused
    _check_choices(circle_id, membership, data)
    start, end = wall_times(data)
    rule = _rule(data, start)
    before = {name: getattr(appointment, name) for name in _TIMING + _TRACKED}
    _apply(appointment, data, start, end)
    appointment.rrule = rule
    changed = [name for name in _TIMING + _TRACKED if getattr(appointment, name) != before[name]]
    reset = 0
    if any(name in _TIMING for name in changed):
        # Single changes hang on the old rule's dates; they no longer line up with the new one.
        reset = db.session.execute(
            delete(OccurrenceChange).where(OccurrenceChange.appointment_id == appointment.id)
        ).rowcount
    derive_instants(appointment, _changes(appointment))
    _set_help(appointment, data.help)
    _touch(appointment, membership)
    audit.record(
        "appointment.updated",
        actor_id=membership.user_id,
        details={"fields": changed, "occurrence_changes_reset": reset},
        **appointment.audit_subject,
    )
    audit.record_audience_change(
        "appointment",
        appointment.public_id,
        circle_id=circle_id,
        actor_id=membership.user_id,
        author_id=appointment.created_by_id,
        before=before["audience"],
        after=appointment.audience,
    )
    _emit("appointment_updated", appointment, membership, fields=changed)


def _emit(name: str, appointment: Appointment, membership: Any, **details: Any) -> None:
    emit(name, appointment.audit_subject, membership.user_id, details)


def _touch(appointment: Appointment, membership: Any) -> None:
    appointment.sequence = (appointment.sequence or 0) + 1
    appointment.updated_at = utcnow()
    appointment.updated_by_id = membership.user_id


def _changes(appointment: Appointment) -> list[OccurrenceChange]:
    return list(
        db.session.scalars(
            select(OccurrenceChange).where(OccurrenceChange.appointment_id == appointment.id)
        )
    )


def set_cancelled(appointment: Appointment, membership: Any, cancelled: bool) -> None:
    """Cancel an appointment or a whole series (or take the cancellation back)."""
    if not can_schedule(appointment, membership):
        raise AppointmentError("You cannot change this appointment.")
    if appointment.cancelled == cancelled:
        return
    appointment.cancelled_at = utcnow() if cancelled else None
    _touch(appointment, membership)
    audit.record(
        "appointment.cancelled" if cancelled else "appointment.restored",
        actor_id=membership.user_id,
        **appointment.audit_subject,
    )
    if cancelled:
        _emit("appointment_cancelled", appointment, membership)
    else:
        _emit("appointment_updated", appointment, membership, restored=True)


# --- single occurrences of a series ----------------------------------------------------------


def find_change(appointment: Appointment, original: datetime) -> OccurrenceChange | None:
    return db.session.scalar(
        select(OccurrenceChange).where(
            OccurrenceChange.appointment_id == appointment.id,
            OccurrenceChange.original_start_local == original,
        )
    )


def is_original(appointment: Appointment, original: datetime) -> bool:
    """Return whether ``original`` is one of the appointment's occurrences by its rule."""
    return is_occurrence(appointment.rrule, appointment.start_local, original)


def _change_for_edit(appointment: Appointment, membership: Any, original: datetime):
    if not can_schedule(appointment, membership):
        raise AppointmentError("You cannot change this appointment.")
    if not appointment.recurring or not is_original(appointment, original):
        raise AppointmentError("This appointment has no occurrence at that time.")
    change = find_change(appointment, original)
    if change is None:
        change = OccurrenceChange(appointment_id=appointment.id, original_start_local=original)
        db.session.add(change)
    return change


def change_occurrence(
    appointment: Appointment,
    membership: Any,
    original: datetime,
    *,
    title: str,
    location: str,
    notes: str,
    start: datetime,
    end: datetime,
) -> None:
    """Change one occurrence of a series (RECURRENCE-ID); the rest of the series stays."""
    zone = get_zone(appointment.time_zone)
    for value, name in ((start, "start_time"), (end, "end_time")):
        if not appointment.all_day and not wall_time_exists(value, zone):
            raise AppointmentError(gap_message(value, appointment.time_zone), name)
    if to_utc(end, zone) <= to_utc(start, zone):
        raise AppointmentError("The end must be after the start.", "end_time")
    check_year(start.date(), "start_date")
    change = _change_for_edit(appointment, membership, original)
    change.cancelled = False
    change.title = None if title == appointment.title else title
    change.location = None if location == appointment.location else location
    change.notes = None if notes == appointment.notes else notes
    same_time = start == original and end == original + (
        appointment.end_local - appointment.start_local
    )
    change.start_local = None if same_time else start
    change.end_local = None if same_time else end
    change.updated_at = utcnow()
    db.session.flush()
    derive_instants(appointment, _changes(appointment))
    _touch(appointment, membership)
    _record_occurrence("appointment.occurrence_changed", appointment, membership, original)


def cancel_occurrence(appointment: Appointment, membership: Any, original: datetime) -> None:
    """Cancel one occurrence of a series (an EXDATE in calendar feeds)."""
    change = _change_for_edit(appointment, membership, original)
    change.cancelled = True
    change.updated_at = utcnow()
    _touch(appointment, membership)
    _record_occurrence("appointment.occurrence_cancelled", appointment, membership, original)


def reset_occurrence(appointment: Appointment, membership: Any, original: datetime) -> None:
    """Undo a single occurrence's change or cancellation: it follows the series again."""
    if not can_schedule(appointment, membership):
        raise AppointmentError("You cannot change this appointment.")
    change = find_change(appointment, original)
    if change is None:
        return
    db.session.delete(change)
    db.session.flush()
    derive_instants(appointment, _changes(appointment))
    _touch(appointment, membership)
    _record_occurrence("appointment.occurrence_restored", appointment, membership, original)


def _record_occurrence(action: str, appointment: Appointment, membership: Any, original):
    key = occurrence_key(original, appointment.all_day)
    audit.record(
        action,
        actor_id=membership.user_id,
        details={"occurrence": key},
        **appointment.audit_subject,
    )
    cancelled = action == "appointment.occurrence_cancelled"
    name = "appointment_cancelled" if cancelled else "appointment_updated"
    _emit(name, appointment, membership, occurrence=key)

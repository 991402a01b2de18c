"""Scheduling pages: new and edited appointments, single occurrences, cancelling, help sign-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..audience import Audience
from ..auth.models import User
from ..circles.models import Membership
from ..extensions import db
from ..web.forms import choices, require_action
from . import helping, service
from .display import occurrence_url
from .forms import AppointmentForm, OccurrenceForm
from .models import Appointment, HelpKind, HelpSlot
from .occurrences import Occurrence
from .recurrence import RecurrenceError, RuleSpec, build_rule, nth_weekday_of, spec_from_rule
from .views import appointment_or_404, bp, occurrence_or_404

_HELP_FIELDS = {kind.value: f"help_{kind.value}" for kind in HelpKind}


def _members(circle: Any) -> list[tuple[int, str, str]]:
    return list(
        db.session.execute(
            select(User.id, User.public_id, User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle.id)
            .order_by(User.display_name, User.id)
        )
    )


def _appointment_form(
    circle: Any, membership: Any, appointment: Appointment | None = None
) -> tuple[AppointmentForm, list]:
    form = AppointmentForm()
    members = _members(circle)
    form.organiser.choices = choices(
        [("", "Nobody in particular")] + [(p, n) for _, p, n in members]
    )
    if appointment is None:
        form.audience.offer(membership)
    else:
        form.audience.offer(
            membership, current=appointment.audience, author_id=appointment.created_by_id
        )
    return form, members


def _rule_from(form: AppointmentForm) -> str:
    repeat = form.repeat.data or "none"
    if repeat == "custom":
        return form.rrule.data or ""
    start = form.start_date.data
    nth, weekday = nth_weekday_of(start)
    if form.month_nth.data in {"1", "2", "3", "4", "-1"}:
        nth = int(form.month_nth.data)
    spec = RuleSpec(
        repeat=repeat,
        interval=form.interval.data or 1,
        weekdays=tuple(form.weekdays.data or ()),
        nth=nth,
        weekday=form.month_weekday.data or weekday,
        ends=form.ends.data or "never",
        until=form.until.data,
        count=form.count.data,
    )
    return build_rule(spec, start)


def _input_from(form: AppointmentForm, members: list) -> service.AppointmentInput:
    organiser = next((uid for uid, pid, _ in members if pid == form.organiser.data), None)
    return service.AppointmentInput(
        title=form.title.data or "",
        start_date=form.start_date.data,
        start_time=None if form.all_day.data else form.start_time.data,
        end_date=form.end_date.data,
        end_time=None if form.all_day.data else form.end_time.data,
        all_day=bool(form.all_day.data),
        time_zone=form.time_zone.data or "UTC",
        kind=form.kind.data,
        location=form.location.data or "",
        video_url=form.video_url.data or "",
        notes=form.notes.data or "",
        audience=form.audience.data or "",
        organiser_id=organiser,
        rrule=_rule_from(form),
        help={kind: getattr(form, name).data or 0 for kind, name in _HELP_FIELDS.items()},
    )


def _save(form: AppointmentForm, members: list, action: Any) -> Any:
    """Run ``action(input)``; on a refusal put the message on its field and return None."""
    try:
        data = _input_from(form, members)
        return action(data)
    except (service.AppointmentError, RecurrenceError) as error:
        db.session.rollback()
        field = error.field
        if field == "rrule" and form.repeat.data != "custom":
            field = "repeat"
        if field == "organiser_id":
            field = "organiser"
        form.add_error(error, field)
        return None


def _render_form(circle: Any, form: Any, appointment: Appointment | None):
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "appointments/form.html", circle=circle, form=form, appointment=appointment
    ), status


@bp.circle_route("/new", capability="appointments.schedule", methods=["GET", "POST"])
def new(circle: Any, membership: Any):
    """Schedule an appointment or a repeating series."""
    form, members = _appointment_form(circle, membership)
    if request.method == "GET":
        form.time_zone.data = circle.time_zone
        form.audience.data = Audience.CARE_TEAM.value
        form.organiser.data = ""
    elif form.validate_on_submit():
        created = _save(
            form, members, lambda data: service.create_appointment(circle, membership, data)
        )
        if created is not None:
            db.session.commit()
            flash("The appointment is in the calendar.", "success")
            return redirect(
                url_for(
                    "appointments.detail",
                    circle_id=circle.public_id,
                    appointment_id=created.public_id,
                )
            )
    return _render_form(circle, form, None)


def _fill_form(form: AppointmentForm, appointment: Appointment, members: list) -> None:
    start, end = appointment.start_local, appointment.end_local
    last_day = (end - timedelta(days=1)).date() if appointment.all_day else end.date()
    form.title.data = appointment.title
    form.kind.data = appointment.kind
    form.all_day.data = appointment.all_day
    form.time_zone.data = appointment.time_zone
    form.start_date.data = start.date()
    form.start_time.data = None if appointment.all_day else start.time()
    form.end_date.data = last_day if last_day != start.date() else None
    form.end_time.data = None if appointment.all_day else end.time()
    form.location.data = appointment.location
    form.video_url.data = appointment.video_url
    form.notes.data = appointment.notes
    form.audience.data = appointment.audience
    form.organiser.data = next((p for uid, p, _ in members if uid == appointment.organiser_id), "")
    for slot in db.session.scalars(
        select(HelpSlot).where(HelpSlot.appointment_id == appointment.id)
    ):
        getattr(form, _HELP_FIELDS[slot.kind]).data = slot.needed
    spec = spec_from_rule(appointment.rrule)
    if spec is None:
        form.repeat.data, form.rrule.data = "custom", appointment.rrule
        return
    form.repeat.data = spec.repeat
    form.interval.data = spec.interval
    form.weekdays.data = list(spec.weekdays)
    form.month_nth.data, form.month_weekday.data = str(spec.nth), spec.weekday
    form.ends.data, form.until.data, form.count.data = spec.ends, spec.until, spec.count


@bp.circle_route(
    "/<appointment_id>/edit", capability="appointments.schedule", methods=["GET", "POST"]
)
def edit(circle: Any, membership: Any, appointment_id: str):
    """Change an appointment, or every occurrence of a series."""
    appointment = appointment_or_404(circle, membership, appointment_id)
    if not service.can_schedule(appointment, membership):
        abort(403)
    form, members = _appointment_form(circle, membership, appointment)
    if request.method == "GET":
        _fill_form(form, appointment, members)
    elif form.validate_on_submit():
        done = _save(
            form,
            members,
            lambda data: service.update_appointment(appointment, membership, data) or True,
        )
        if done:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return _back(circle, appointment)
    return _render_form(circle, form, appointment)


def _back(circle: Any, appointment: Appointment, occurrence: Occurrence | None = None):
    if occurrence is not None:
        return redirect(occurrence_url(circle, occurrence))
    return redirect(
        url_for(
            "appointments.detail", circle_id=circle.public_id, appointment_id=appointment.public_id
        )
    )


def _schedulable(circle: Any, membership: Any, appointment_id: str) -> Appointment:
    require_action()
    appointment = appointment_or_404(circle, membership, appointment_id)
    if not service.can_schedule(appointment, membership):
        abort(403)
    return appointment


@bp.circle_route("/<appointment_id>/cancel", capability="appointments.schedule", methods=["POST"])
def cancel(circle: Any, membership: Any, appointment_id: str):
    """Cancel an appointment (every occurrence of a series)."""
    appointment = _schedulable(circle, membership, appointment_id)
    service.set_cancelled(appointment, membership, True)
    db.session.commit()
    flash("The appointment is cancelled. You can restore it from this page.", "success")
    return _back(circle, appointment)


@bp.circle_route("/<appointment_id>/restore", capability="appointments.schedule", methods=["POST"])
def restore(circle: Any, membership: Any, appointment_id: str):
    """Take back an appointment's cancellation."""
    appointment = _schedulable(circle, membership, appointment_id)
    service.set_cancelled(appointment, membership, False)
    db.session.commit()
    flash("The appointment is back in the calendar.", "success")
    return _back(circle, appointment)


# --- one occurrence --------------------------------------------------------------------------


@bp.circle_route(
    "/<appointment_id>/on/<occurrence>/edit",
    capability="appointments.schedule",
    methods=["GET", "POST"],
)
def edit_occurrence(circle: Any, membership: Any, appointment_id: str, occurrence: str):
    """Change one occurrence of a series: its time, title, place or notes."""
    appointment = appointment_or_404(circle, membership, appointment_id)
    if not service.can_schedule(appointment, membership):
        abort(403)
    found, _cancelled = occurrence_or_404(appointment, occurrence)
    if not appointment.recurring:
        abort(404)
    form = OccurrenceForm()
    if request.method == "GET":
        form.title.data, form.location.data, form.notes.data = (
            found.title,
            found.location,
            found.notes,
        )
        form.start_date.data = found.start_local.date()
        last = found.last_day.date()
        form.end_date.data = last if last != found.start_local.date() else None
        if not appointment.all_day:
            form.start_time.data, form.end_time.data = (
                found.start_local.time(),
                found.end_local.time(),
            )
    elif form.validate_on_submit():
        data = service.AppointmentInput(
            title=form.title.data,
            start_date=form.start_date.data,
            start_time=form.start_time.data,
            end_date=form.end_date.data,
            end_time=form.end_time.data,
            all_day=appointment.all_day,
            time_zone=appointment.time_zone,
        )
        try:
            start, end = service.wall_times(data)
            service.change_occurrence(
                appointment,
                membership,
                found.original,
                title=form.title.data,
                location=form.location.data or "",
                notes=form.notes.data or "",
                start=start,
                end=end,
            )
        except (service.AppointmentError, RecurrenceError) as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash("This date is changed; the rest of the series stays as it was.", "success")
            return _back(circle, appointment, found)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "appointments/occurrence_form.html",
        circle=circle,
        form=form,
        appointment=appointment,
        occurrence=found,
    ), status


def _occurrence_action(circle: Any, membership: Any, appointment_id: str, key: str, action: Any):
    appointment = _schedulable(circle, membership, appointment_id)
    found, _cancelled = occurrence_or_404(appointment, key)
    if not appointment.recurring:
        abort(404)
    action(appointment, membership, found.original)
    db.session.commit()
    return appointment, found


@bp.circle_route(
    "/<appointment_id>/on/<occurrence>/cancel", capability="appointments.schedule", methods=["POST"]
)
def cancel_occurrence(circle: Any, membership: Any, appointment_id: str, occurrence: str):
    """Cancel one date of a series."""
    appointment, found = _occurrence_action(
        circle, membership, appointment_id, occurrence, service.cancel_occurrence
    )
    flash("This date is cancelled; the rest of the series stays.", "success")
    return _back(circle, appointment, found)


@bp.circle_route(
    "/<appointment_id>/on/<occurrence>/restore",
    capability="appointments.schedule",
    methods=["POST"],
)
def restore_occurrence(circle: Any, membership: Any, appointment_id: str, occurrence: str):
    """Undo a change or cancellation of one date: it follows the series again."""
    appointment, found = _occurrence_action(
        circle, membership, appointment_id, occurrence, service.reset_occurrence
    )
    flash("This date follows the series again.", "success")
    return _back(circle, appointment, found)


# --- help sign-up ----------------------------------------------------------------------------


def _help_target(circle: Any, membership: Any, appointment_id: str, key: str, slot_id: str):
    require_action()
    appointment = appointment_or_404(circle, membership, appointment_id)
    found, cancelled = occurrence_or_404(appointment, key)
    slot = helping.get_slot(appointment, slot_id)
    if slot is None:
        abort(404)
    return appointment, found, cancelled, slot


@bp.circle_route(
    "/<appointment_id>/on/<occurrence>/help/<slot_id>",
    capability="help.volunteer",
    methods=["POST"],
)
def volunteer(circle: Any, membership: Any, appointment_id: str, occurrence: str, slot_id: str):
    """Sign up to help on one date."""
    appointment, found, cancelled, slot = _help_target(
        circle, membership, appointment_id, occurrence, slot_id
    )
    try:
        if cancelled:
            raise helping.HelpError("This date is cancelled.")
        helping.volunteer(found, slot, membership)
    except helping.HelpError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Thank you! You are signed up.", "success")
    return _back(circle, appointment, found)


@bp.circle_route(
    "/<appointment_id>/on/<occurrence>/help/<slot_id>/withdraw",
    capability="help.volunteer",
    methods=["POST"],
)
def withdraw(circle: Any, membership: Any, appointment_id: str, occurrence: str, slot_id: str):
    """Take back one's offer to help on one date."""
    appointment, found, _cancelled, slot = _help_target(
        circle, membership, appointment_id, occurrence, slot_id
    )
    if helping.withdraw(found, slot, membership):
        db.session.commit()
        flash("You are no longer signed up for this.", "success")
    else:
        flash("You were not signed up for this.", "info")
    return _back(circle, appointment, found)

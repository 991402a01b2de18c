"""Reading the care calendar: agenda, month grid, one appointment, one occurrence, .ics download.

The writing pages are in :mod:`careteam.appointments.edit_views`; reminder and feed settings in
:mod:`careteam.reminders` and :mod:`careteam.calendar_feeds`.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response, abort, g, render_template, request

from .. import audit
from ..audience import AUDIENCE_LABELS, SHORT_LABELS
from ..auth.service import external_url
from ..db.clock import utcnow
from ..permissions import CircleBlueprint, member_can
from ..web.forms import ActionForm
from . import helping, queries
from .display import clock_text, occurrence_url, rule_text, time_of_day, when_text
from .ical import FeedEntry, build_calendar
from .models import HELP_LABELS, KIND_LABELS, Appointment
from .month_grid import entries_by_day
from .occurrences import Occurrence, expand, occurrence_at
from .recurrence import EARLIEST_YEAR, LATEST_YEAR, get_zone, occurrence_key, parse_occurrence_key
from .recurrence import to_utc as local_to_utc
from .service import can_schedule, find_change, is_original

bp = CircleBlueprint("appointments", __name__, url_prefix="/appointments")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
UPCOMING_ON_DETAIL = 10


@bp.context_processor
def calendar_page_context() -> dict[str, Any]:
    """Give every calendar page the labels and helpers it shows."""
    circle = g.get("circle")
    return {
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "help_labels": {h.value: label for h, label in HELP_LABELS.items()},
        "audience_labels": {a.value: label for a, label in AUDIENCE_LABELS.items()},
        "audience_short": {a.value: label for a, label in SHORT_LABELS.items()},
        "when_text": when_text,
        "clock_text": clock_text,
        "rule_text": rule_text,
        "time_of_day": time_of_day,
        "occurrence_url": lambda o: occurrence_url(circle, o),
        "can_schedule_here": member_can(g.get("membership"), "appointments.schedule"),
    }


def appointment_or_404(circle: Any, membership: Any, appointment_id: str) -> Appointment:
    appointment = queries.get_visible(circle, membership, appointment_id)
    if appointment is None:
        abort(404)
    return appointment


def occurrence_or_404(appointment: Appointment, key: str) -> tuple[Occurrence, bool]:
    """Return (occurrence, cancelled) for an occurrence key of the appointment, or 404."""
    original = parse_occurrence_key(key, appointment.all_day)
    if original is None:
        abort(404)
    if not appointment.recurring:
        if original != appointment.start_local:
            abort(404)
        return occurrence_at(appointment, original, None), False
    change = find_change(appointment, original)
    if change is None and not is_original(appointment, original):
        abort(404)
    return occurrence_at(appointment, original, change), bool(change and change.cancelled)


# --- agenda and month ------------------------------------------------------------------------


@bp.circle_route("", capability="appointments.view")
def agenda(circle: Any, membership: Any):
    """List upcoming (or past) occurrences, a page at a time."""
    past = request.args.get("view") == "past"
    try:
        page = queries.agenda_page(
            circle, membership, utcnow(), past=past, after=request.args.get("after")
        )
    except queries.BadCursor:
        abort(400)
    summaries = queries.help_summaries(list({o.appointment.id for o in page.rows}), page.rows)
    return render_template(
        "appointments/agenda.html",
        circle=circle,
        membership=membership,
        page=page,
        past=past,
        summaries=summaries,
        zone=circle.time_zone,
    )


def _month_from(text: str | None, circle: Any) -> date:
    if not text:
        today = utcnow().astimezone(get_zone(circle.time_zone)).date()
        return today.replace(day=1)
    match = _MONTH.fullmatch(text)
    if match is None:
        abort(404)
    year, month = int(match[1]), int(match[2])
    if not (EARLIEST_YEAR <= year <= LATEST_YEAR and 1 <= month <= 12):
        abort(404)
    return date(year, month, 1)


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@bp.circle_route("/month", capability="appointments.view")
def month(circle: Any, membership: Any):
    """Show one month as a table of weeks, each day listing its occurrences."""
    first = _month_from(request.args.get("month"), circle)
    following = _shift_month(first, 1)
    zone = get_zone(circle.time_zone)
    start = local_to_utc(datetime.combine(first, time()), zone)
    end = local_to_utc(datetime.combine(following, time()), zone)
    occurrences = queries.occurrences_between(circle, membership, start, end)
    by_day = entries_by_day(circle, occurrences, zone)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    today = utcnow().astimezone(zone).date()
    return render_template(
        "appointments/month.html",
        circle=circle,
        first=first,
        weeks=weeks,
        by_day=by_day,
        today=today,
        previous=_shift_month(first, -1),
        following=following,
        show_previous=first.year > EARLIEST_YEAR or first.month > 1,
        show_following=following.year <= LATEST_YEAR,
    )


# --- one appointment -------------------------------------------------------------------------


def _audit_view(circle: Any, membership: Any, appointment: Appointment, key: str | None) -> None:
    audit.record_now(
        "appointment.viewed",
        actor_id=membership.user_id,
        details={"occurrence": key} if key else None,
        **appointment.audit_subject,
    )


def _detail_context(circle: Any, membership: Any, appointment: Appointment) -> dict[str, Any]:
    names = queries.display_names([appointment.organiser_id, appointment.created_by_id])
    return {
        "circle": circle,
        "membership": membership,
        "appointment": appointment,
        "organiser": names.get(appointment.organiser_id or 0),
        "author": names.get(appointment.created_by_id or 0),
        "can_edit": can_schedule(appointment, membership),
        "can_volunteer": member_can(membership, "help.volunteer"),
        "action_form": ActionForm(),
        "zone": circle.time_zone,
        "now": utcnow(),
    }


@bp.circle_route("/<appointment_id>", capability="appointments.view")
def detail(circle: Any, membership: Any, appointment_id: str):
    """Show an appointment; a series lists its next occurrences."""
    appointment = appointment_or_404(circle, membership, appointment_id)
    context = _detail_context(circle, membership, appointment)
    if appointment.recurring:
        changes = queries.changes_for([appointment.id])[appointment.id]
        now = utcnow()
        upcoming = expand(
            appointment, changes, now - timedelta(hours=12), now + timedelta(days=366)
        )
        context["upcoming"] = upcoming[:UPCOMING_ON_DETAIL]
        context["cancelled_dates"] = sorted(
            c.original_start_local for c in changes if c.cancelled and c.original_start_local
        )
        html = render_template("appointments/series.html", **context)
    else:
        occurrence = queries.single_occurrence(appointment)
        context.update(occurrence=occurrence, cancelled_occurrence=False)
        context["slots"] = helping.slots_for(appointment, occurrence.original)
        html = render_template("appointments/occurrence.html", **context)
    _audit_view(circle, membership, appointment, None)
    return html


@bp.circle_route("/<appointment_id>/on/<occurrence>", capability="appointments.view")
def occurrence(circle: Any, membership: Any, appointment_id: str, occurrence: str):
    """Show one occurrence of an appointment, with who helps on that day."""
    appointment = appointment_or_404(circle, membership, appointment_id)
    found, cancelled = occurrence_or_404(appointment, occurrence)
    context = _detail_context(circle, membership, appointment)
    context.update(occurrence=found, cancelled_occurrence=cancelled)
    context["slots"] = helping.slots_for(appointment, found.original)
    html = render_template("appointments/occurrence.html", **context)
    _audit_view(circle, membership, appointment, found.key)
    return html


@bp.circle_route("/<appointment_id>/event.ics", capability="appointments.view")
def download(circle: Any, membership: Any, appointment_id: str):
    """Download the appointment (with its whole series) as an .ics file for one's calendar."""

    appointment = appointment_or_404(circle, membership, appointment_id)
    changes = queries.changes_for([appointment.id])[appointment.id]
    names = queries.display_names([appointment.organiser_id])
    entry = FeedEntry(
        appointment,
        changes,
        circle.name,
        url=external_url(
            "appointments.detail", circle_id=circle.public_id, appointment_id=appointment.public_id
        ),
        organiser=names.get(appointment.organiser_id or 0),
    )
    body = build_calendar([entry], "full", f"CareTeam \u00b7 {circle.name}")
    audit.record_now(
        "appointment.downloaded", actor_id=membership.user_id, **appointment.audit_subject
    )
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="appointment-{appointment.public_id}.ics"'
    )
    return response


def key_of(occurrence: Occurrence) -> str:
    return occurrence_key(occurrence.original, occurrence.appointment.all_day)

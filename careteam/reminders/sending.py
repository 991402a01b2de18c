"""Email reminders before each occurrence, sent by ``careteam send-reminders`` (run it from cron).

Each reminder has a key: (membership, appointment, occurrence start, minutes before).  A run
claims a reminder by INSERTing that key into ``reminder_claims`` (unique) in its own committed
transaction *before* sending; an INSERT that fails on the unique constraint means another run
has it, so overlapping runs never send the same reminder twice.  "Sending" is queueing the
email in the mail outbox (:mod:`careteam.outbox`), committed at once; the outbox delivers it
when the run ends and retries a failed delivery itself (``careteam send-mail``).  After
queueing, the claim is marked ``sent``; a failure to queue marks it ``failed`` and the next run
takes it again (an UPDATE that only succeeds while it is still ``failed``), up to
``MAX_ATTEMPTS`` times.

A crash between queueing and recording leaves the claim ``claimed``: it is never queued again,
so the design gives *at most one lost reminder* (never a duplicate).  A crash after claiming but
before queueing loses that reminder the same way.

One email per person per run lists every reminder that is due for them, and only appointments
their membership may see at the moment of sending (the audience model decides).  When several
of a person's reminder times for one occurrence are due at once (say "1 day" and "2 hours"
after cron was down), the email mentions it once and the other claims are marked ``skipped``.

Plugins add lines to the same email (``careteam_reminder_items``, claimed the same way: see
:mod:`careteam.reminders.plugin_lines`); a person with only plugin lines due gets an email too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import or_, select

from ..appointments.display import when_text
from ..appointments.models import Appointment
from ..appointments.occurrences import Occurrence, expand
from ..appointments.queries import changes_for
from ..audience import can_see
from ..auth.models import User
from ..auth.service import external_url
from ..circles.models import Circle, Membership
from ..db import claims
from ..db.clock import utcnow
from ..db.engine import immediate_writes
from ..extensions import db
from ..mail import render_message
from ..outbox import enqueue
from . import plugin_lines as plugin_reminders
from .models import ClaimStatus, ReminderClaim, ReminderPreference
from .plugin_lines import PluginLine
from .preferences import DEFAULT_OFFSETS, parse_offsets

MAX_ATTEMPTS = 5

log = logging.getLogger(__name__)


# --- finding what is due ---------------------------------------------------------------------


@dataclass
class Recipient:
    membership: Membership
    user_id: int
    email: str
    display_name: str
    offsets: tuple[int, ...]


@dataclass
class Due:
    recipient: Recipient
    circle: Circle
    occurrence: Occurrence
    offsets: list[int]  # every due offset, closest first


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    reminders: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _recipients() -> dict[int, tuple[Circle, list[Recipient]]]:
    rows = db.session.execute(
        select(Membership, Circle, User.id, User.email, User.display_name, ReminderPreference)
        .join(Circle, Circle.id == Membership.circle_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(ReminderPreference, ReminderPreference.membership_id == Membership.id)
        .where(
            User.active.is_(True),
            User.email_reminders.is_(True),
            User.email_verified_at.is_not(None),
            Circle.archived_at.is_(None),
            or_(ReminderPreference.id.is_(None), ReminderPreference.enabled.is_(True)),
        )
    ).all()
    by_circle: dict[int, tuple[Circle, list[Recipient]]] = {}
    for membership, circle, user_id, email, name, pref in rows:
        offsets = DEFAULT_OFFSETS if pref is None else parse_offsets(pref.offsets)
        if offsets:
            entry = by_circle.setdefault(circle.id, (circle, []))
            entry[1].append(Recipient(membership, user_id, email, name, offsets))
    return by_circle


def due_reminders(now: datetime, recipients_by_circle: dict | None = None) -> list[Due]:
    """Return every reminder whose time has come and whose occurrence has not started yet."""
    found: list[Due] = []
    if recipients_by_circle is None:
        recipients_by_circle = _recipients()
    for circle, recipients in recipients_by_circle.values():
        horizon = now + timedelta(minutes=max(max(r.offsets) for r in recipients) + 1)
        appointments = list(
            db.session.scalars(
                select(Appointment).where(
                    Appointment.circle_id == circle.id,
                    Appointment.cancelled_at.is_(None),
                    Appointment.starts_at < horizon,
                    or_(Appointment.series_ends_at.is_(None), Appointment.series_ends_at > now),
                )
            )
        )
        changes = changes_for(a.id for a in appointments)
        occurrences = [
            o for a in appointments for o in expand(a, changes[a.id], now, horizon, by_start=True)
        ]
        for recipient in recipients:
            for occurrence in occurrences:
                appointment = occurrence.appointment
                # The audience model decides, per member, at the moment of sending.
                if not can_see(
                    appointment.audience, appointment.created_by_id, recipient.membership
                ):
                    continue
                offsets = [
                    o
                    for o in recipient.offsets
                    if occurrence.start - timedelta(minutes=o) <= now < occurrence.start
                ]
                if offsets:
                    found.append(Due(recipient, circle, occurrence, sorted(offsets)))
    return found


# --- claiming --------------------------------------------------------------------------------


def _key(due: Due, offset: int) -> dict[str, Any]:
    return {
        "membership_id": due.recipient.membership.id,
        "appointment_id": due.occurrence.appointment.id,
        "occurrence_start": due.occurrence.start,
        "offset_minutes": offset,
    }


def _claim(due: Due, offset: int, now: datetime) -> bool:
    """Claim one reminder in its own committed transaction; False if another run has it."""
    return claims.claim(ReminderClaim.__table__, _key(due, offset), now, MAX_ATTEMPTS)


def _finish(done: list[tuple[Due, int]], status: ClaimStatus, now: datetime) -> None:
    keys = [_key(due, offset) for due, offset in done]
    claims.finish(ReminderClaim.__table__, keys, status.value, now)


# --- sending ---------------------------------------------------------------------------------


def _subject(items: list[Due], lines: list[PluginLine]) -> str:
    if len(items) + len(lines) > 1:
        if not lines:
            return f"Reminder: {len(items)} appointments coming up"
        return f"Reminder: {len(items) + len(lines)} things coming up"
    title = items[0].occurrence.title if items else lines[0].item.title
    title = " ".join(title.split())
    return f"Reminder: {title[:80]}"


def _send(user_email: str, name: str, items: list[Due], lines: list[PluginLine]) -> None:
    rows = []
    for due in sorted(items, key=lambda d: d.occurrence.start):
        occurrence, circle = due.occurrence, due.circle
        appointment = occurrence.appointment
        if appointment.recurring:
            link = external_url(
                "appointments.occurrence",
                circle_id=circle.public_id,
                appointment_id=appointment.public_id,
                occurrence=occurrence.key,
            )
        else:
            link = external_url(
                "appointments.detail",
                circle_id=circle.public_id,
                appointment_id=appointment.public_id,
            )
        rows.append(
            {
                "title": occurrence.title,
                "when": when_text(occurrence, circle.time_zone),
                "location": occurrence.location,
                "video_url": appointment.video_url,
                "circle": circle.name,
                "link": link,
            }
        )
    extras = [
        {
            "title": line.item.title,
            "detail": line.item.detail,
            "circle": line.circle_name,
            "link": line.link,
        }
        for line in lines
    ]
    settings = external_url("calendar.feeds")
    message = render_message(
        user_email,
        _subject(items, lines),
        "reminder",
        name=name,
        items=rows,
        extras=extras,
        settings_link=settings,
    )
    # Queued on a connection of its own, committed at once like the claims: this run's session
    # only reads, and its objects must stay loaded.  The outbox delivers it when the run ends.
    with immediate_writes(), db.engine.begin() as conn:
        enqueue(message, connection=conn)


def send_due_reminders(now: datetime | None = None) -> RunReport:
    """Claim and send every due reminder; safe to run every minute, and twice at once."""
    if not has_request_context():
        # Links in the emails are built with url_for, which needs a request context.
        base = current_app.config["BASE_URL"]
        with current_app.test_request_context("/", base_url=base):
            return send_due_reminders(now)
    now = now or utcnow()
    report = RunReport()
    # Claims and results are written on their own connections, each committed at once, so
    # the objects read here stay loaded and another run sees every claim immediately.
    recipients_by_circle = _recipients()
    due = due_reminders(now, recipients_by_circle)
    outgoing: dict[int, list[tuple[Due, list[int]]]] = defaultdict(list)
    for item in due:
        won = [offset for offset in item.offsets if _claim(item, offset, now)]
        closest = item.offsets[0]
        extra = [(item, o) for o in won if o != closest]
        if extra:
            _finish(extra, ClaimStatus.SKIPPED, now)
            report.skipped += len(extra)
        if closest in won:
            outgoing[item.recipient.user_id].append((item, [closest]))
    people, plugin_lines = _claim_plugin_lines(recipients_by_circle, now)
    for user_id in sorted(set(outgoing) | set(plugin_lines)):
        entries = outgoing.get(user_id, [])
        lines = plugin_lines.get(user_id, [])
        items = [d for d, _ in entries]
        claims = [(d, offsets[0]) for d, offsets in entries]
        email, name = people[user_id]
        try:
            _send(email, name, items, lines)
        except Exception as error:  # not even queued (database trouble): the next run retries
            log.warning("Reminder email failed: %s", type(error).__name__)
            _finish(claims, ClaimStatus.FAILED, now)
            plugin_reminders.finish(lines, "failed", now)
            report.failed += 1
            report.errors.append(type(error).__name__)
            continue
        _finish(claims, ClaimStatus.SENT, now)
        plugin_reminders.finish(lines, "sent", now)
        report.sent += 1
        report.reminders += len(items) + len(lines)
    return report


def _claim_plugin_lines(
    recipients_by_circle: dict, now: datetime
) -> tuple[dict[int, tuple[str, str]], dict[int, list[PluginLine]]]:
    """Claim the plugins' reminder lines for every recipient; return people and their lines."""
    people: dict[int, tuple[str, str]] = {}
    claimed: dict[int, list[PluginLine]] = defaultdict(list)
    for circle, recipients in recipients_by_circle.values():
        for recipient in recipients:
            people[recipient.user_id] = (recipient.email, recipient.display_name)
            for line in plugin_reminders.lines_for(circle, recipient.membership, now):
                if plugin_reminders.claim(line, now):
                    claimed[recipient.user_id].append(line)
    return people, claimed

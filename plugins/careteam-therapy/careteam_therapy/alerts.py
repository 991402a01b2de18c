"""Alerts for the therapist: a pain or fatigue rating at or over the task's threshold, a pause.

An alert flags its programme for the programme's therapist until a therapist marks it seen.  If
that therapist has left the circle (or their account is gone), every therapist of the circle
gets it, so nothing waits for someone who will never look.  Alerts reach the therapist on the
overview, in What's next and as a reminder line; the plugin sends no email of its own (core's
reminder claims send each line once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select

from careteam.api import Membership, Role, db, display_name_of, member_can, record_audit, utcnow

from .models import Alert, Log, Pause, Programme, Task


def raise_for_log(log: Log, task: Task) -> list[Alert]:
    """Flag each rating at or over the threshold of the task that was asked that day."""
    raised = []
    for kind, value, threshold in (
        ("pain", log.pain, task.pain_threshold),
        ("fatigue", log.fatigue, task.fatigue_threshold),
    ):
        if value is not None and value >= threshold:
            raised.append(
                Alert(
                    circle_id=log.circle_id,
                    programme_id=log.programme_id,
                    kind=kind,
                    log_id=log.id,
                    value=value,
                )
            )
    db.session.add_all(raised)
    return raised


def raise_for_pause(pause: Pause) -> Alert:
    alert = Alert(
        circle_id=pause.circle_id, programme_id=pause.programme_id, kind="pause", pause_id=pause.id
    )
    db.session.add(alert)
    return alert


def open_alerts(programme_ids: Collection[int]) -> dict[int, list[Alert]]:
    """Each programme's alerts nobody has marked seen, oldest first (one statement)."""
    found: dict[int, list[Alert]] = defaultdict(list)
    if not programme_ids:
        return found
    rows = db.session.scalars(
        select(Alert)
        .where(Alert.programme_id.in_(list(programme_ids)), Alert.seen_at.is_(None))
        .order_by(Alert.programme_id, Alert.id)
    )
    for alert in rows:
        found[alert.programme_id].append(alert)
    return found


@dataclass(frozen=True)
class AlertRow:
    """An open alert as the therapist reads it."""

    alert: Alert
    programme_id: str
    programme_title: str
    task_title: str
    day: date | None  # the logged day (ratings) or the first paused day
    end: date | None  # the last paused day, if set
    by: str
    log_public_id: str
    pause_public_id: str
    note: str  # the pause's note, or the log's comment

    @property
    def reminder_key(self) -> str:
        if self.alert.kind == "pause":
            return f"alert:pause:{self.pause_public_id}"
        return f"alert:{self.log_public_id}"

    @property
    def text(self) -> str:
        if self.alert.kind == "pause":
            until = f" to {self.end:%-d %b}" if self.end else ""
            return f"Paused for a flare-up from {self.day:%-d %b}{until}"
        return f"{self.alert.kind.capitalize()} {self.alert.value} on {self.day:%-d %b}"


def _concerns(membership: Any) -> Any:
    """Whether an alert's programme is this therapist's to follow (theirs, or orphaned)."""
    still_here = exists().where(
        Membership.circle_id == Programme.circle_id,
        Membership.user_id == Programme.therapist_id,
        Membership.role == Role.THERAPIST.value,
    )
    return or_(Programme.therapist_id == membership.user_id, ~still_here)


def alerts_for(circle: Any, membership: Any) -> list[AlertRow]:
    """The open alerts this member should see, oldest first (one statement; none for anyone
    who does not prescribe)."""
    if not member_can(membership, "therapy.prescribe"):
        return []
    rows = db.session.execute(
        select(
            Alert,
            Programme.public_id,
            Programme.title,
            Task.title,
            Log.day,
            Log.public_id,
            Pause.start_date,
            Pause.end_date,
            Pause.public_id,
            func.coalesce(Log.comment, Pause.note),
            # Who logged the rating or paused the programme.
            display_name_of(func.coalesce(Log.logged_by_id, Pause.created_by_id)),
        )
        .join(Programme, Programme.id == Alert.programme_id)
        .outerjoin(Log, Log.id == Alert.log_id)
        .outerjoin(Task, Task.id == Log.task_id)
        .outerjoin(Pause, Pause.id == Alert.pause_id)
        .where(
            Alert.circle_id == circle.id,
            Alert.seen_at.is_(None),
            Programme.archived_at.is_(None),
            _concerns(membership),
        )
        .order_by(Alert.id)
    ).all()
    return [
        AlertRow(
            alert=alert,
            programme_id=programme_id,
            programme_title=title,
            task_title=task_title or "",
            day=log_day or pause_start,
            end=pause_end,
            by=by or "a former member",
            log_public_id=log_id or "",
            pause_public_id=pause_id or "",
            note=note or "",
        )
        for (
            alert,
            programme_id,
            title,
            task_title,
            log_day,
            log_id,
            pause_start,
            pause_end,
            pause_id,
            note,
            by,
        ) in rows
    ]


def get_alert(circle: Any, membership: Any, public_id: str) -> Alert | None:
    """An open or seen alert of the circle this member follows, or None."""
    return db.session.scalar(
        select(Alert)
        .join(Programme, Programme.id == Alert.programme_id)
        .where(
            Alert.circle_id == circle.id,
            Alert.public_id == public_id,
            _concerns(membership),
        )
    )


def mark_seen(circle: Any, membership: Any, alert: Alert) -> bool:
    """Mark the alert seen (False when it was already); audited.  The caller commits."""
    if not member_can(membership, "therapy.prescribe"):
        return False
    if alert.seen_at is not None:
        return False
    alert.seen_at = utcnow()
    alert.seen_by_id = membership.user_id
    record_audit(
        "therapy.alert_seen",
        circle,
        object_type="therapy_alert",
        object_id=alert.public_id,
        actor_id=membership.user_id,
        details={"kind": alert.kind},
    )
    return True

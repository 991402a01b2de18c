"""Flare-up pauses: from a date, to a date or until someone in the care team resumes.

While a programme is paused only the tasks kept during a flare-up stay due; the paused days
leave every count (adherence, Today, the calendar), so a flare-up counts against nobody.  Two
pauses of one programme never overlap: each day is paused once, and a pause's alert and its
resumption concern one stretch of days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select

from careteam.api import Refusal, db, display_names, lock_circle, record_audit, require, utcnow

from .alerts import raise_for_pause
from .models import Pause, Programme

# How far back a pause may start (the log's own window) and ahead it may be planned.
DAYS_BACK = 7
DAYS_AHEAD = 28


class PauseRefused(Refusal):
    """The pause cannot be saved as asked; ``field`` names the form field."""


def get_pause(circle: Any, public_id: str) -> Pause | None:
    return db.session.scalar(
        select(Pause).where(Pause.circle_id == circle.id, Pause.public_id == public_id)
    )


def running_pauses(programme: Programme, today: date) -> list[Pause]:
    """The programme's pauses still to come or under way (not yet over), earliest first."""
    return list(
        db.session.scalars(
            select(Pause)
            .where(
                Pause.programme_id == programme.id,
                or_(Pause.end_date.is_(None), Pause.end_date >= today),
            )
            .order_by(Pause.start_date)
        )
    )


def _describe(pause: Pause) -> str:
    end = f"to {pause.end_date:%-d %B %Y}" if pause.end_date else "until someone resumes it"
    return f"the pause from {pause.start_date:%-d %B %Y} {end}"


def pause_programme(
    circle: Any,
    membership: Any,
    programme: Programme,
    *,
    start: date,
    end: date | None,
    note: str,
    today: date,
) -> Pause:
    """Pause the programme from ``start`` (to ``end`` or open); alert its therapist.  The
    caller commits; the audit row and the alert go in the same transaction."""
    require(membership, "therapy.log")
    if programme.archived_at is not None:
        raise PauseRefused("This programme is archived: there is nothing to pause.")
    if start < today - timedelta(days=DAYS_BACK):
        raise PauseRefused(f"A pause can start up to {DAYS_BACK} days back.", "start_date")
    if start > today + timedelta(days=DAYS_AHEAD):
        raise PauseRefused(f"A pause can be planned up to {DAYS_AHEAD} days ahead.", "start_date")
    if end is not None and end < start:
        raise PauseRefused("The last paused day cannot be before the first.", "end_date")
    # Two people pausing at once on PostgreSQL must not both find no overlap (SQLite's
    # BEGIN IMMEDIATE already queues them).
    lock_circle(circle.id)
    clash = db.session.scalar(
        select(Pause)
        .where(
            Pause.programme_id == programme.id,
            Pause.start_date <= (end or date.max),
            or_(Pause.end_date.is_(None), Pause.end_date >= start),
            # A pause resumed on its first day covers no day at all.
            or_(Pause.end_date.is_(None), Pause.end_date >= Pause.start_date),
        )
        .order_by(Pause.start_date)
        .limit(1)
    )
    if clash is not None:
        raise PauseRefused(
            f"This overlaps {_describe(clash)}: change that one, or pick other days.",
            "start_date",
        )
    pause = Pause(
        circle_id=circle.id,
        programme_id=programme.id,
        start_date=start,
        end_date=end,
        note=note,
        created_by_id=membership.user_id,
    )
    db.session.add(pause)
    db.session.flush()
    record_audit(
        "therapy.paused",
        circle,
        object_type="therapy_pause",
        object_id=pause.public_id,
        actor_id=membership.user_id,
        details={"programme": programme.public_id, "from": start.isoformat()},
    )
    raise_for_pause(pause)
    return pause


def resume(circle: Any, membership: Any, pause: Pause, today: date) -> bool:
    """End the pause so that today is due again; False when it was over already.

    The last paused day becomes yesterday; a pause resumed before or on its first day keeps
    its row (the alert and the audit trail point at it) and covers no day."""
    require(membership, "therapy.log")
    if pause.resumed_at is not None or (pause.end_date is not None and pause.end_date < today):
        return False
    pause.end_date = max(pause.start_date, today) - timedelta(days=1)
    pause.resumed_at = utcnow()
    pause.resumed_by_id = membership.user_id
    record_audit(
        "therapy.resumed",
        circle,
        object_type="therapy_pause",
        object_id=pause.public_id,
        actor_id=membership.user_id,
    )
    return True


def pause_rows(programme_ids: list[int]) -> list[Pause]:
    """Every pause of these programmes, oldest first (export)."""
    if not programme_ids:
        return []
    return list(
        db.session.scalars(
            select(Pause)
            .where(Pause.programme_id.in_(programme_ids))
            .order_by(Pause.programme_id, Pause.start_date)
        )
    )


def who_paused(pauses: list[Pause]) -> dict[int, str]:
    return display_names([p.created_by_id for p in pauses] + [p.resumed_by_id for p in pauses])

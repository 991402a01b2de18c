"""Logging a programme day by day: which times are due on a day, and saving how one went.

A log answers one time of one task on one day (its *slot*).  Which tasks are asked for is read
the way every part of the plugin reads it (:mod:`.reading`): the version in force that day, less
the days a flare-up pause covers unless the task is kept during a flare-up.  Days are dates in
the circle's time zone; a log may be written for today or up to :data:`DAYS_BACK` days back,
never ahead.

Double submission is refused the way devices refuses it: each form carries a one-time token
(unique per programme) and a slot holds one log (unique per programme, task key, day, slot).
The same answer sent again is "already saved"; a different answer for a slot somebody already
logged raises :class:`SavedDifferently` carrying the saved log (the page answers 409).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from careteam.api import Refusal, db, display_name_of, record_audit, require

from .alerts import raise_for_log
from .models import Log, Pause, Programme, Task
from .reading import VersionTasks, in_force, load_versions, task_schedule
from .schedule import paused_days_between, slots_due

DAYS_BACK = 7
STATUSES = ("done", "partly", "skipped")
# The answer's fields compared to tell "the same answer again" from a different one.
ANSWER_FIELDS = ("status", "sets", "reps", "minutes", "effort", "pain", "fatigue", "reason")


class LogRefused(Refusal):
    """The log cannot be saved as asked (a day outside the schedule, a paused day...)."""


class NotFound(LookupError):
    """No such programme or task in this circle: the page answers 404."""


class SavedDifferently(Exception):
    """Someone logged this slot already with another answer (the page answers 409)."""

    def __init__(self, log: Log, logged_by: str) -> None:
        super().__init__("This time was already logged with another answer.")
        self.log = log
        self.logged_by = logged_by


@dataclass(frozen=True)
class Answer:
    """How one time went, as the person said it."""

    status: str
    sets: int | None = None
    reps: int | None = None
    minutes: int | None = None
    effort: int | None = None
    pain: int | None = None
    fatigue: int | None = None
    reason: str = ""
    comment: str = ""

    def same_as(self, log: Log) -> bool:
        mine = (*tuple(getattr(self, name) for name in ANSWER_FIELDS), self.comment)
        saved = (*tuple(getattr(log, name) for name in ANSWER_FIELDS), log.comment)
        return mine == saved


@dataclass
class Slot:
    """One time of one task due on the day, with its log when somebody wrote one."""

    programme: Programme
    task: Task
    number: int
    of: int
    log: Log | None = None
    logged_by: str = ""

    @property
    def ident(self) -> str:
        """A name for the slot unique on the page (HTML ids, the form a failed save refills)."""
        return f"{self.programme.public_id}-{self.task.key}-{self.number}"


@dataclass
class ProgrammeDay:
    programme: Programme
    version_number: int
    paused: bool
    pauses: list[Pause] = field(default_factory=list)  # those covering the day
    slots: list[Slot] = field(default_factory=list)


@dataclass
class DayPage:
    day: date
    today: date
    programmes: list[ProgrammeDay]

    @property
    def due(self) -> int:
        return sum(len(p.slots) for p in self.programmes)

    @property
    def logged(self) -> int:
        return sum(1 for p in self.programmes for s in p.slots if s.log is not None)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def days_open(today: date) -> list[date]:
    """The days a log may be written for: today first, then up to a week back."""
    return [today - timedelta(days=back) for back in range(DAYS_BACK + 1)]


def _programmes_with_pauses(circle: Any, day: date) -> tuple[list[Programme], dict[int, list]]:
    """The circle's programmes in use with the pauses covering ``day`` (one statement)."""
    rows = db.session.execute(
        select(Programme, Pause)
        .outerjoin(
            Pause,
            (Pause.programme_id == Programme.id)
            & (Pause.start_date <= day)
            & or_(Pause.end_date.is_(None), Pause.end_date >= day),
        )
        .where(Programme.circle_id == circle.id, Programme.archived_at.is_(None))
        .order_by(Programme.id)
    ).all()
    programmes: dict[int, Programme] = {}
    pauses: dict[int, list[Pause]] = {}
    for programme, pause in rows:
        programmes.setdefault(programme.id, programme)
        if pause is not None:
            pauses.setdefault(programme.id, []).append(pause)
    return list(programmes.values()), pauses


def day_page(circle: Any, day: date, today: date) -> DayPage:
    """Every time due on ``day`` in the circle's programmes, with its log (three statements)."""
    programmes, pauses = _programmes_with_pauses(circle, day)
    versions = load_versions([p.id for p in programmes])
    rows = db.session.execute(
        select(Log, display_name_of(Log.logged_by_id)).where(
            Log.circle_id == circle.id, Log.day == day
        )
    ).all()
    logs = {(log.programme_id, log.task_key, log.slot): (log, name) for log, name in rows}
    page = DayPage(day=day, today=today, programmes=[])
    for programme in programmes:
        current = in_force(versions.get(programme.id, []), day)
        if current is None:
            continue
        covering = pauses.get(programme.id, [])
        paused = paused_days_between([(p.start_date, p.end_date) for p in covering], day, day)
        entry = ProgrammeDay(programme, current.version.number, bool(paused), covering)
        for task in current.tasks:
            due = slots_due(task_schedule(task), day, paused)
            for number in range(1, due + 1):
                log, name = logs.get((programme.id, task.key, number), (None, ""))
                entry.slots.append(Slot(programme, task, number, due, log, name or ""))
        page.programmes.append(entry)
    return page


def task_for(versions: list[VersionTasks], key: str, day: date) -> Task:
    """The task row in force on ``day`` for ``key``; refuse a day outside the task's dates."""
    if not any(t.key == key for v in versions for t in v.tasks):
        raise NotFound(key)
    current = in_force(versions, day)
    task = next((t for t in current.tasks if t.key == key), None) if current else None
    if task is None:
        raise LogRefused("This task was not part of the programme on that day.", "day")
    if day < task.start_date:
        raise LogRefused(f"This task starts on {task.start_date:%-d %B %Y}.", "day")
    if task.end_date is not None and day > task.end_date:
        raise LogRefused(f"This task ended on {task.end_date:%-d %B %Y}.", "day")
    return task


def check_day(day: date, today: date) -> None:
    if day > today:
        raise LogRefused("That day has not come yet: log it on the day.", "day")
    if day < today - timedelta(days=DAYS_BACK):
        raise LogRefused(f"Logs can be written up to {DAYS_BACK} days back.", "day")


def log_slot(
    circle: Any,
    membership: Any,
    programme: Programme,
    *,
    task_key: str,
    day: date,
    slot: int,
    token: str,
    answer: Answer,
    today: date,
) -> tuple[Log, bool]:
    """Save how one time went; return (the log, whether it is new).  The caller commits.

    Raises :class:`NotFound` for a task not in the programme, :class:`LogRefused` for a day or
    time the schedule does not ask for, :class:`SavedDifferently` when the slot holds another
    answer."""
    require(membership, "therapy.log")
    if programme.archived_at is not None:
        raise LogRefused("This programme is archived: it takes no more logs.")
    check_day(day, today)
    task = task_for(load_versions([programme.id])[programme.id], key=task_key, day=day)
    saved = _saved(programme, task_key, day, slot, token)
    if saved is not None:
        return _repeat(saved, answer)
    paused = paused_days_between(
        [
            (p.start_date, p.end_date)
            for p in db.session.scalars(select(Pause).where(Pause.programme_id == programme.id))
        ],
        day,
        day,
    )
    if not task.keep_in_flare and paused:
        raise LogRefused("The programme is paused for a flare-up on that day.", "day")
    due = slots_due(task_schedule(task), day, paused)
    if due == 0:
        raise LogRefused("This task is not on the schedule that day.", "day")
    if not 1 <= slot <= due:
        raise LogRefused(f"This task is asked for {due} time(s) that day.", "slot")
    log = Log(
        circle_id=circle.id,
        programme_id=programme.id,
        task_id=task.id,
        task_key=task.key,
        day=day,
        slot=slot,
        token=token,
        logged_by_id=membership.user_id,
        **{name: getattr(answer, name) for name in ANSWER_FIELDS},
        comment=answer.comment,
    )
    try:
        with db.session.begin_nested():
            db.session.add(log)
            db.session.flush()
    except IntegrityError:  # the same slot or token raced in from another request
        saved = _saved(programme, task_key, day, slot, token)
        if saved is None:
            raise
        return _repeat(saved, answer)
    record_audit(
        "therapy.logged",
        circle,
        object_type="therapy_log",
        object_id=log.public_id,
        actor_id=membership.user_id,
        details={"programme": programme.public_id, "day": day.isoformat(), "status": log.status},
    )
    raise_for_log(log, task)
    return log, True


def _saved(programme: Programme, key: str, day: date, slot: int, token: str) -> Log | None:
    """The log this form already made (its token), or the one holding the slot."""
    rows = db.session.scalars(
        select(Log).where(
            Log.programme_id == programme.id,
            or_(
                Log.token == token,
                (Log.task_key == key) & (Log.day == day) & (Log.slot == slot),
            ),
        )
    ).all()
    by_token = next((log for log in rows if log.token == token), None)
    return by_token or (rows[0] if rows else None)


def _repeat(saved: Log, answer: Answer) -> tuple[Log, bool]:
    if answer.same_as(saved):
        return saved, False  # the second tap of a double tap: nothing more to save
    name = db.session.scalar(select(display_name_of(Log.logged_by_id)).where(Log.id == saved.id))
    raise SavedDifferently(saved, name or "a former member")

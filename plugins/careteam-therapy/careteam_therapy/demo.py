"""Demo data: Dr. Lee's walking-and-balance programme for Maya from the shipped library
(version 1, then version 2 a week later), three weeks of logs by Maya and Ana with one
high-fatigue day and a flare-up pause, and a short programme for Joe, so the therapist's
overview shows two circles.

``write_programme`` and ``write_version`` go through the authoring service (programmes.py), as
the therapist's pages do; only the logs, written in bulk for past days, are rows made here.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from careteam.api import (
    Circle,
    Role,
    circle_zone,
    db,
    demo_circle,
    demo_membership,
    membership_of,
)

from . import programmes
from .alerts import raise_for_log, raise_for_pause
from .library import library_entry
from .models import Log, Pause, Programme, Task, Version
from .programmes import today_in
from .reading import in_force, load_versions, task_schedule
from .schedule import paused_days_between, slots_due, weekday_mask
from .tasks import TaskInput

MAYA_TITLE = "Walking and balance"
JOE_TITLE = "Staying steady"


@dataclass(frozen=True)
class TaskSpec:
    """What a task asks (the fields a therapist sets), for the demo and the tests."""

    title: str
    kind: str = "exercise"
    instructions: str = ""
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    per_week: int | None = None
    times_per_day: int = 1
    times_of_day: str = ""
    precautions: str = ""
    keep_in_flare: bool = False
    pain_threshold: int = 7
    fatigue_threshold: int = 7
    drawing: str = ""
    source: str = ""

    def to_input(self, start: date, key: str | None = None) -> TaskInput:
        """The task as the authoring service takes it, starting on ``start``."""
        values = {f.name: getattr(self, f.name) for f in fields(TaskSpec)}
        values["weekdays"] = 0 if self.per_week else weekday_mask(self.weekdays)
        return TaskInput(**values, start_date=start, key=key)


def write_version(
    programme: Programme,
    tasks: list[tuple[str | None, TaskSpec]],
    *,
    effective_from: date,
    start: date,
    author_id: int | None,
    note: str = "",
) -> Version:
    """Save version n+1 with these tasks ((key to keep, or None for a new task), spec) as the
    therapist ``author_id``, through the authoring service."""
    circle = db.session.get(Circle, programme.circle_id)
    return programmes.save_version(
        circle,
        programme,
        membership_of(circle, author_id),
        from_version=programme.current_version,
        title=programme.title,
        tasks=[spec.to_input(start, key) for key, spec in tasks],
        change_note=note,
        effective_from=effective_from,
    )


def write_programme(
    circle: Any,
    therapist_id: int | None,
    title: str,
    tasks: list[TaskSpec],
    *,
    start: date,
) -> Programme:
    """A new programme with its first version, effective from ``start``, prescribed by the
    therapist ``therapist_id`` through the authoring service."""
    therapist = membership_of(circle, therapist_id)
    return programmes.create_programme(
        circle, therapist, title, [t.to_input(start) for t in tasks], start
    )


def from_library(slug: str, **changes: Any) -> TaskSpec:
    """A task copied from the shipped library entry, with the therapist's changes."""
    entry = library_entry(slug)
    if entry is None:
        raise KeyError(slug)
    copied = {
        f.name: getattr(entry, f.name)
        for f in fields(TaskSpec)
        if hasattr(entry, f.name) and f.name != "source"
    }
    return replace(TaskSpec(**copied, source=f"library:{slug}"), **changes)


SIT_TO_STAND = from_library("sit-to-stand")
MARCHING = from_library("seated-marching", times_per_day=2, times_of_day="09:00 17:00")
BALANCE = from_library("standing-balance", precautions="Keep both hands near the counter.")
WALK = from_library("rollator-walk")
WALK_V2 = from_library("rollator-walk", minutes=15)
ANKLE = from_library("ankle-stretch-strap")
PEDALS = from_library("seated-pedals")


def build_demo() -> list[str]:
    """Add the demo programmes once (a second run finds them and adds nothing)."""
    maya = demo_circle("maya")
    if maya is None:
        return []
    if db.session.scalar(
        select(Programme.id).where(Programme.circle_id == maya.id, Programme.title == MAYA_TITLE)
    ):
        return []
    lines = [_maya(maya)]
    joe = demo_circle("joe")
    if joe is not None:
        lines.append(_joe(joe))
    db.session.commit()
    return [line for line in lines if line]


def _maya(circle: Any) -> str:
    lee = demo_membership(circle, Role.THERAPIST.value)
    maya = demo_membership(circle, Role.CARE_RECIPIENT.value)
    ana = demo_membership(circle, Role.CAREGIVER.value) or maya
    if lee is None or maya is None:
        return ""
    today = today_in(circle)
    start = today - timedelta(days=21)
    programme = write_programme(
        circle, lee.user_id, MAYA_TITLE, [SIT_TO_STAND, MARCHING, BALANCE, WALK], start=start
    )
    keys = {t.title: t.key for t in db.session.scalars(select(Task).where(
        Task.programme_id == programme.id))}  # fmt: skip
    write_version(
        programme,
        [(keys[t.title], t) for t in (SIT_TO_STAND, MARCHING, BALANCE)]
        + [(keys[WALK.title], WALK_V2), (None, ANKLE)],
        effective_from=start + timedelta(days=7),
        start=start,
        author_id=lee.user_id,
        note="Longer walks; added the ankle stretch for her foot drop.",
    )
    # A flare-up: three days paused, ten days ago, with a note for Dr. Lee.
    pause = Pause(circle_id=circle.id, programme_id=programme.id,
                  start_date=today - timedelta(days=10), end_date=today - timedelta(days=8),
                  note="Flare-up: legs heavy, resting for a few days.",
                  created_by_id=maya.user_id)  # fmt: skip
    db.session.add(pause)
    db.session.flush()
    raise_for_pause(pause)
    logged = _logs(circle, programme, start, today, [maya.user_id, ana.user_id], [pause])
    return f"Added Dr. Lee's programme for Maya ({logged} logs, a pause, a high-fatigue day)."


def _logs(circle, programme, start, today, people, pauses, fatigue_day: int = 4) -> int:
    """Logs for every due time from ``start`` to yesterday, most done; fatigue 8 once."""
    rng = random.Random(20)
    versions = load_versions([programme.id])[programme.id]
    paused = paused_days_between([(p.start_date, p.end_date) for p in pauses], start, today)
    zone = circle_zone(circle)
    count = 0
    tired_once = False
    day = start
    while day < today:
        current = in_force(versions, day)
        for task in current.tasks if current else []:
            for slot in range(1, slots_due(task_schedule(task), day, paused) + 1):
                if task.per_week and rng.random() > task.per_week / 7:
                    continue
                roll = rng.random()
                status = "done" if roll < 0.75 else "partly" if roll < 0.88 else "skipped"
                # One high-fatigue answer, the first of that day: Dr. Lee's alert.
                tired = day == today - timedelta(days=fatigue_day) and not tired_once
                tired_once = tired_once or tired
                if tired:
                    status = "partly"
                log = Log(
                    circle_id=circle.id, programme_id=programme.id, task_id=task.id,
                    task_key=task.key, day=day, slot=slot, status=status,
                    effort=rng.randint(3, 6), pain=rng.randint(0, 3),
                    fatigue=8 if tired else rng.randint(2, 5),
                    reason="" if status == "done" else "Too tired after the school run.",
                    token=secrets.token_urlsafe(32), logged_by_id=rng.choice(people),
                    logged_at=datetime.combine(day, time(18), tzinfo=zone),
                )  # fmt: skip
                db.session.add(log)
                db.session.flush()
                raise_for_log(log, task)
                count += 1
        day += timedelta(days=1)
    return count


def _joe(circle: Any) -> str:
    lee = demo_membership(circle, Role.THERAPIST.value)
    joe = demo_membership(circle, Role.CARE_RECIPIENT.value)
    if lee is None or joe is None:
        return ""
    today = today_in(circle)
    start = today - timedelta(days=6)
    programme = write_programme(circle, lee.user_id, JOE_TITLE, [SIT_TO_STAND, PEDALS], start=start)
    logged = _logs(circle, programme, start, today, [joe.user_id], [], fatigue_day=99)
    return f"Added Dr. Lee's programme for Joe ({logged} logs)."

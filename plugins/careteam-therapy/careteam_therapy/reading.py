"""Reading programmes as they stood on a day: versions in force, their tasks, the pauses.

Today, progress, the overview, the calendar and the reminders all need "which tasks were asked
for on this day": the newest version whose ``effective_from`` is on or before the day, less the
days a pause covers.  These helpers load that for many programmes at once, one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from careteam.api import db

from .models import Pause, Task, Version
from .schedule import TaskSchedule


@dataclass
class VersionTasks:
    """One version of a programme and its tasks, in order."""

    version: Version
    tasks: list[Task] = field(default_factory=list)


def load_versions(programme_ids: Collection[int]) -> dict[int, list[VersionTasks]]:
    """Every version of each programme with its tasks, oldest version first (one statement)."""
    found: dict[int, list[VersionTasks]] = defaultdict(list)
    if not programme_ids:
        return found
    rows = db.session.execute(
        select(Version, Task)
        .outerjoin(Task, Task.version_id == Version.id)
        .where(Version.programme_id.in_(list(programme_ids)))
        .order_by(Version.programme_id, Version.number, Task.position, Task.id)
    ).all()
    for version, task in rows:
        versions = found[version.programme_id]
        if not versions or versions[-1].version.id != version.id:
            versions.append(VersionTasks(version))
        if task is not None:
            versions[-1].tasks.append(task)
    return found


def in_force(versions: Sequence[VersionTasks], day: date) -> VersionTasks | None:
    """The version in force on ``day``: the newest whose ``effective_from`` is on or before it.

    A later version may start earlier than an older one (a correction back-dated): the
    highest number among those already started wins."""
    current = None
    for entry in versions:
        if entry.version.effective_from <= day and (
            current is None or entry.version.number > current.version.number
        ):
            current = entry
    return current


def load_pauses(
    programme_ids: Collection[int], low: date, high: date
) -> dict[int, list[tuple[date, date | None]]]:
    """Each programme's pauses touching ``low``..``high`` as (first day, last day or None)."""
    found: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    if not programme_ids:
        return found
    rows = db.session.execute(
        select(Pause.programme_id, Pause.start_date, Pause.end_date)
        .where(
            Pause.programme_id.in_(list(programme_ids)),
            Pause.start_date <= high,
            or_(Pause.end_date.is_(None), Pause.end_date >= low),
        )
        .order_by(Pause.programme_id, Pause.start_date)
    ).all()
    for programme_id, start, end in rows:
        found[programme_id].append((start, end))
    return found


def task_schedule(task: Task) -> TaskSchedule:
    """The schedule of one task row, for the pure functions in :mod:`.schedule`."""
    return TaskSchedule(
        start=task.start_date,
        end=task.end_date,
        weekdays=task.weekdays,
        per_week=task.per_week,
        times_per_day=task.times_per_day,
        keep_in_flare=task.keep_in_flare,
    )

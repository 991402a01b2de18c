"""Therapy days in a member's calendar feed, for members who chose it (their own setting).

One item per programme per scheduled day and time of day: an all-day item when the tasks have
no time, a timed one at each time the therapist set.  A feed spans two years, so only
:data:`DAYS_BACK` days back to :data:`DAYS_AHEAD` ahead are listed (what a person plans with).
Keys are the programme, the day and the slot, so an item keeps its UID from fetch to fetch;
its ``sequence`` is the number of the version in force that day, so a new version reaches
calendar apps as a change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, or_, select

from careteam.api import CalendarItem, circle_zone, db, member_can

from .models import MemberSetting, Pause, Programme, Task, Version
from .reading import VersionTasks, in_force, task_schedule
from .schedule import paused_days_between, slots_due

DAYS_BACK = 14
DAYS_AHEAD = 28
TIMED_MINUTES = 30  # the length of a timed item when the tasks' minutes say nothing longer


def _load(circle: Any, user_id: int, low: date, high: date) -> list[tuple[Any, list, list]]:
    """(programme, versions with tasks, pauses) of the circle for a member who opted in, in
    one statement: versions and tasks joined to the pauses in the window (few rows each)."""
    rows = db.session.execute(
        select(Programme, Version, Task, Pause.start_date, Pause.end_date)
        .join(Version, Version.programme_id == Programme.id)
        .outerjoin(Task, Task.version_id == Version.id)
        .outerjoin(
            Pause,
            (Pause.programme_id == Programme.id)
            & (Pause.start_date <= high)
            & or_(Pause.end_date.is_(None), Pause.end_date >= low),
        )
        .where(
            Programme.circle_id == circle.id,
            Programme.archived_at.is_(None),
            Version.effective_from <= high,
            exists().where(
                MemberSetting.circle_id == circle.id,
                MemberSetting.user_id == user_id,
                MemberSetting.calendar.is_(True),
            ),
        )
        .order_by(Programme.id, Version.number, Task.position, Task.id)
    ).all()
    programmes: dict[int, Programme] = {}
    versions: dict[int, dict[int, VersionTasks]] = defaultdict(dict)
    seen_tasks: set[int] = set()
    pauses: dict[int, set] = defaultdict(set)
    for programme, version, task, start, end in rows:
        programmes.setdefault(programme.id, programme)
        entry = versions[programme.id].setdefault(version.id, VersionTasks(version))
        if task is not None and task.id not in seen_tasks:
            seen_tasks.add(task.id)
            entry.tasks.append(task)
        if start is not None:
            pauses[programme.id].add((start, end))
    return [
        (programme, list(versions[pid].values()), sorted(pauses[pid]))
        for pid, programme in programmes.items()
    ]


def _times(task: Task) -> list[str]:
    """The task's times of day; anything but "HH:MM" is left out (an all-day item instead)."""
    found = []
    for text in task.times_of_day.split():
        hour, _, minute = text.partition(":")
        if hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60:
            found.append(f"{int(hour):02d}:{int(minute):02d}")
    return found


def calendar_items(
    circle: Any, membership: Any, start: datetime, end: datetime, today: date
) -> list[CalendarItem]:
    """The member's therapy items in [start, end) within the window around ``today``."""
    if not member_can(membership, "therapy.view"):
        return []
    zone = circle_zone(circle)
    low = max(today - timedelta(days=DAYS_BACK), start.astimezone(zone).date())
    high = min(today + timedelta(days=DAYS_AHEAD), (end.astimezone(zone) - timedelta(0, 1)).date())
    if low > high:
        return []
    items: list[CalendarItem] = []
    for programme, versions, pauses in _load(circle, membership.user_id, low, high):
        paused = paused_days_between(pauses, low, high)
        day = low
        while day <= high:
            items += _day_items(circle, programme, in_force(versions, day), day, paused, zone)
            day += timedelta(days=1)
    return items


def _day_items(circle, programme, current, day, paused, zone) -> list[CalendarItem]:
    if current is None:
        return []
    # slot name -> (time of day or None, [(task, slot number)])
    slots: dict[str, tuple[str | None, list[Task]]] = {}
    for task in current.tasks:
        times = _times(task)
        for number in range(1, slots_due(task_schedule(task), day, paused) + 1):
            at = times[number - 1] if number <= len(times) else None
            name = at.replace(":", "") if at else f"s{number}"
            slots.setdefault(name, (at, []))[1].append(task)
    items = []
    path = f"/circles/{circle.public_id}/therapy/today"
    for name, (at, tasks) in sorted(slots.items()):
        description = "\n".join(f"- {t.title}" for t in tasks)
        common = {
            "key": f"{programme.public_id}:{day.isoformat()}:{name}",
            "title": f"{programme.title} ({len(tasks)} task{'s' if len(tasks) != 1 else ''})",
            "description": description,
            "path": path,
            "sequence": current.version.number,
            "updated_at": current.version.created_at,
        }
        if at is None:
            items.append(
                CalendarItem(start=day, end=day + timedelta(days=1), all_day=True, **common)
            )
        else:
            hour, minute = (int(part) for part in at.split(":"))
            begins = datetime.combine(day, time(hour, minute), tzinfo=zone)
            length = max([TIMED_MINUTES] + [t.minutes or 0 for t in tasks])
            items.append(
                CalendarItem(start=begins, end=begins + timedelta(minutes=length), **common)
            )
    return items

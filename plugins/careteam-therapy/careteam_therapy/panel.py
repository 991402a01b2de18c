"""The circle home panel and the daily reminder: how many times are due today, and done.

Both run on pages and runs that serve many circles, so each is one statement: the task rows of
the version in force today (the newest version already started, the rule of
:func:`.reading.in_force`), whether a pause covers today, and today's logs of each task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from careteam.api import db

from .models import Log, MemberSetting, Pause, Programme, Task, Version
from .schedule import TaskSchedule, slots_due

# Logs that count as doing the task today (a skipped time is answered, not done).
DONE = ("done", "partly")


@dataclass(frozen=True)
class TodayFigures:
    due: int
    done: int
    programmes: int  # programmes with something due today
    tasks: int  # tasks in force today, due or not

    @property
    def left(self) -> int:
        return max(self.due - self.done, 0)


def today_figures(
    circle: Any, today: date, *, opted_in: tuple[int, str] | None = None
) -> TodayFigures:
    """Times due and done today in the circle's programmes (one statement).

    ``opted_in`` = (user id, "calendar" or "reminders"): count nothing unless that member chose
    it in their therapy settings, checked inside the same statement."""
    newer = aliased(Version)
    started_later = exists().where(
        newer.programme_id == Version.programme_id,
        newer.effective_from <= today,
        newer.number > Version.number,
    )
    paused = exists().where(
        Pause.programme_id == Task.programme_id,
        Pause.start_date <= today,
        or_(Pause.end_date.is_(None), Pause.end_date >= today),
    )
    done = (
        select(func.count(Log.id))
        .where(
            Log.programme_id == Task.programme_id,
            Log.task_key == Task.key,
            Log.day == today,
            Log.status.in_(DONE),
        )
        .scalar_subquery()
    )
    stmt = (
        select(
            Task.programme_id,
            Task.start_date,
            Task.end_date,
            Task.weekdays,
            Task.per_week,
            Task.times_per_day,
            Task.keep_in_flare,
            paused,
            done,
        )
        .join(Version, Version.id == Task.version_id)
        .join(Programme, Programme.id == Task.programme_id)
        .where(
            Programme.circle_id == circle.id,
            Programme.archived_at.is_(None),
            Version.effective_from <= today,
            ~started_later,
        )
    )
    if opted_in is not None:
        user_id, choice = opted_in
        stmt = stmt.where(
            exists().where(
                MemberSetting.circle_id == circle.id,
                MemberSetting.user_id == user_id,
                getattr(MemberSetting, choice).is_(True),
            )
        )
    due_total = done_total = tasks = 0
    programmes = set()
    for (
        programme_id,
        start,
        end,
        weekdays,
        per_week,
        times,
        keep,
        is_paused,
        logged,
    ) in db.session.execute(stmt).all():
        tasks += 1
        schedule = TaskSchedule(start, end, weekdays, per_week, times, keep)
        due = slots_due(schedule, today, {today} if is_paused else ())
        if due:
            programmes.add(programme_id)
        due_total += due
        done_total += min(logged, due)
    return TodayFigures(due=due_total, done=done_total, programmes=len(programmes), tasks=tasks)


def week_adherence(circle: Any, monday: date) -> float | None:
    """LEAD'S MERGE SEAM: this week's adherence for the panel, from C's
    ``progress.week_summary`` once it is merged (combined over the circle's programmes).

    Until then the panel shows no adherence figure rather than a made-up one."""
    return None

"""The circle home panel and the daily reminder: how many times are due today, and done, and
(on the panel) this week's adherence so far.

Both run on pages and runs that serve many circles, so each is one statement.  The reminder's
reads the task rows of the version in force today (the newest version already started, the
rule of :func:`.reading.in_force`), whether a pause covers today, and today's logs of each
task; the panel's reads the week's inputs of :mod:`.progress` and uses its arithmetic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from careteam.api import db

from .models import Log, MemberSetting, Pause, Programme, Task, Version
from .progress import HALF, LogRow, PlannedTask, PlannedVersion, version_on, week_figures
from .schedule import TaskSchedule, monday_of, paused_days_between, slots_due

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


@dataclass(frozen=True)
class PanelFigures:
    """What the circle home panel shows: today's times, and the week so far."""

    today: TodayFigures
    # Adherence of the week so far over every programme, as a whole percentage rounded half up
    # (as the progress page shows it); None when nothing was due.
    week_percent: int | None


def panel_figures(circle: Any, today: date) -> PanelFigures:
    """Today's times and this week's adherence for the circle home panel, in one statement.

    The panel sits on the busiest page, so the three inputs of :func:`.progress.week_figures`
    (every version's tasks, the pauses and the logs of the week so far) come back together as
    one ``UNION ALL``, each row tagged with what it is, and the arithmetic is progress's own."""
    monday = monday_of(today)
    rows = db.session.execute(_panel_statement(circle.id, monday, today)).all()
    tasks: dict[int, dict[int, list[PlannedTask]]] = defaultdict(lambda: defaultdict(list))
    starts: dict[tuple[int, int], date] = {}
    pauses: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    logs: dict[int, list[LogRow]] = defaultdict(list)
    for kind, programme_id, number, first, second, third, key, status, a, b, c, flag in rows:
        if kind == "task":
            schedule = TaskSchedule(second, third, a, b, c, bool(flag))
            tasks[programme_id][number].append(PlannedTask(key, schedule))
            starts[programme_id, number] = first
        elif kind == "pause":
            pauses[programme_id].append((second, third))
        else:
            logs[programme_id].append(LogRow(key, second, a, status, b, c))
    due = done = in_force = 0
    busy = 0
    credit = scheduled = Fraction(0)
    for programme_id, versions in tasks.items():
        plan = [
            PlannedVersion(number, starts[programme_id, number], tuple(found))
            for number, found in sorted(versions.items())
        ]
        paused = paused_days_between(pauses[programme_id], today, today)
        current = version_on(plan, today)
        done_today: dict[str, int] = defaultdict(int)
        for log in logs[programme_id]:
            if log.day == today and log.status in DONE:
                done_today[log.task_key] += 1
        programme_due = 0
        for task in current.tasks if current else ():
            in_force += 1
            slots = slots_due(task.schedule, today, paused)
            programme_due += slots
            done += min(done_today[task.key], slots)
        due += programme_due
        busy += 1 if programme_due else 0
        week = week_figures(plan, pauses[programme_id], logs[programme_id], monday, until=today)
        credit += week.credit
        scheduled += week.scheduled
    figures = TodayFigures(due=due, done=done, programmes=busy, tasks=in_force)
    percent = math.floor(credit * 100 / scheduled + HALF) if scheduled else None
    return PanelFigures(figures, percent)


def _panel_statement(circle_id: int, monday: date, today: date) -> Any:
    """Rows of (kind, programme, version number, three dates, key, status, three numbers, flag):
    "task" (effective_from, start, end, key, weekdays, per_week, times a day, keep in a flare),
    "pause" (-, first day, last day) and "log" (-, day, -, key, status, slot, pain, fatigue)."""
    live = select(Programme.id).where(
        Programme.circle_id == circle_id, Programme.archived_at.is_(None)
    )
    no_date, no_text, no_number = cast(null(), Date), cast(null(), String), cast(null(), Integer)
    task_rows = (
        select(
            literal("task"), Task.programme_id, Version.number, Version.effective_from,
            Task.start_date, Task.end_date, Task.key, no_text, Task.weekdays, Task.per_week,
            Task.times_per_day, Task.keep_in_flare,
        )
        .join(Version, Version.id == Task.version_id)
        .where(Task.programme_id.in_(live), Version.effective_from <= today)
    )  # fmt: skip
    pause_rows = select(
        literal("pause"), Pause.programme_id, no_number, no_date, Pause.start_date,
        Pause.end_date, no_text, no_text, no_number, no_number, no_number,
        cast(null(), Boolean),
    ).where(
        Pause.programme_id.in_(live),
        Pause.start_date <= today,
        or_(Pause.end_date.is_(None), Pause.end_date >= monday),
    )  # fmt: skip
    log_rows = select(
        literal("log"), Log.programme_id, no_number, no_date, Log.day, no_date, Log.task_key,
        Log.status, Log.slot, Log.pain, Log.fatigue, cast(null(), Boolean),
    ).where(Log.programme_id.in_(live), Log.day >= monday, Log.day <= today)  # fmt: skip
    return union_all(task_rows, pause_rows, log_rows)

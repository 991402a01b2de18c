"""Adherence, pain and fatigue per Monday-based week: pure functions, and the reads they need.

A week's figures come from three things only: the versions of the programme with their tasks
(what was asked, from which day), the pauses (days that leave the denominator), and the logs
(what was done).  The arithmetic is pure (:func:`week_figures`) so the rules can be tested on
their own, hand-worked and with hypothesis; the loaders read each input for many programmes in
one statement.

The rules, and why:

- Days are calendar dates in the circle's zone (a log's ``day`` already is one), so a week is
  seven dates whatever daylight saving does to its hours.
- Scheduled, per task and week: a chosen-weekdays task counts ``times_per_day`` on each active
  chosen day; an N-a-week task counts ``N / 7`` per active day, summed over the week and rounded
  half up once, so a task starting on a Thursday, or a half-paused week, expects its share.  Each
  day uses the version in force that day, so a change mid-week counts each version for its days.
- Credit is ``done + ½ partly`` per task, capped at that task's scheduled count before the tasks
  are added up: extra walks do not hide skipped stretches.  What is done beyond the schedule is
  reported as ``extras`` ("+n") instead.
- A week with nothing scheduled (before the start, fully paused, or no due day yet) has no
  adherence (None): it counts against nobody.
- A week in progress counts its days up to ``until`` (today): the rest is not due yet.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import select

from careteam.api import db

from .models import Log, Programme
from .reading import VersionTasks, load_pauses, load_versions, task_schedule
from .schedule import TaskSchedule, is_active, monday_of, paused_days_between, week_days

HALF = Fraction(1, 2)


class LogRow(NamedTuple):
    """What progress needs of one log."""

    task_key: str
    day: date
    slot: int
    status: str  # "done", "partly" or "skipped"
    pain: int | None
    fatigue: int | None


@dataclass(frozen=True)
class PlannedTask:
    key: str
    schedule: TaskSchedule


@dataclass(frozen=True)
class PlannedVersion:
    """One version as progress sees it: its number, first day and tasks' schedules."""

    number: int
    effective_from: date
    tasks: tuple[PlannedTask, ...]


@dataclass(frozen=True)
class DayFigures:
    day: date
    pain: int | None  # the day's highest rating, None when nobody rated it
    fatigue: int | None
    paused: bool


@dataclass(frozen=True)
class WeekFigures:
    """One week of one programme."""

    monday: date
    done: int
    partly: int
    skipped: int
    scheduled: int
    credit: Fraction  # done + ½ partly, each task capped at its scheduled count
    extras: int  # logs beyond the schedule (done or partly), shown as "+n"
    pain: int | None  # the week's highest
    fatigue: int | None
    days: tuple[DayFigures, ...]
    versions: tuple[tuple[int, date], ...]  # (number, first day) of changes made this week
    paused_days: int
    through: date  # the last day counted (Sunday, or today in the week under way)

    @property
    def adherence(self) -> float | None:
        """0..1, or None when nothing was scheduled (the week counts against nobody)."""
        if not self.scheduled:
            return None
        return float(self.credit / self.scheduled)

    @property
    def percent(self) -> int | None:
        """Adherence as a whole percentage, rounded half up."""
        if not self.scheduled:
            return None
        return math.floor(self.credit * 100 / self.scheduled + HALF)


def plan_of(versions: Sequence[VersionTasks]) -> list[PlannedVersion]:
    """The pure view of loaded versions (see :func:`.reading.load_versions`)."""
    return [
        PlannedVersion(
            number=entry.version.number,
            effective_from=entry.version.effective_from,
            tasks=tuple(PlannedTask(task.key, task_schedule(task)) for task in entry.tasks),
        )
        for entry in versions
    ]


def version_on(plan: Sequence[PlannedVersion], day: date) -> PlannedVersion | None:
    """The version in force on ``day``: the highest number among those already started (the
    rule of :func:`.reading.in_force`, over the pure view)."""
    started = [version for version in plan if version.effective_from <= day]
    return max(started, key=lambda version: version.number, default=None)


def first_day(plan: Sequence[PlannedVersion]) -> date | None:
    """The programme's first day with anything asked: its earliest task start, or version."""
    days = [task.schedule.start for version in plan for task in version.tasks]
    days += [version.effective_from for version in plan]
    return min(days, default=None)


def _highest(values: Iterable[int | None]) -> int | None:
    return max((value for value in values if value is not None), default=None)


def week_figures(
    plan: Sequence[PlannedVersion],
    pauses: Iterable[tuple[date, date | None]],
    logs: Iterable[LogRow],
    monday: date,
    *,
    until: date | None = None,
) -> WeekFigures:
    """The figures of the week starting ``monday`` (logs outside the week are ignored)."""
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    days = week_days(monday)
    through = days[-1] if until is None else min(days[-1], until)
    paused = paused_days_between(pauses, days[0], days[-1])

    scheduled: dict[str, int] = defaultdict(int)
    per_week_share: dict[str, Fraction] = defaultdict(Fraction)
    for day in days:
        if day > through:
            break
        version = version_on(plan, day)
        for task in version.tasks if version else ():
            schedule = task.schedule
            if not is_active(schedule, day, paused):
                continue
            if schedule.per_week:
                per_week_share[task.key] += Fraction(schedule.per_week, 7)
            elif schedule.weekdays & (1 << day.weekday()):
                scheduled[task.key] += schedule.times_per_day
    for key, share in per_week_share.items():
        # Rounded once per task and week, not per day: 3 a week over 7 days is 3, not 7 x 0.
        scheduled[key] += math.floor(share + HALF)

    done: dict[str, int] = defaultdict(int)
    partly: dict[str, int] = defaultdict(int)
    skipped = 0
    pain: dict[date, list[int | None]] = defaultdict(list)
    fatigue: dict[date, list[int | None]] = defaultdict(list)
    for log in logs:
        if not days[0] <= log.day <= through:
            continue
        pain[log.day].append(log.pain)
        fatigue[log.day].append(log.fatigue)
        if log.status == "done":
            done[log.task_key] += 1
        elif log.status == "partly":
            partly[log.task_key] += 1
        else:
            skipped += 1

    credit = Fraction(0)
    extras = 0
    for key in scheduled.keys() | done.keys() | partly.keys():
        credit += min(done[key] + partly[key] * HALF, scheduled[key])
        extras += max(0, done[key] + partly[key] - scheduled[key])
    day_figures = tuple(
        DayFigures(day, _highest(pain[day]), _highest(fatigue[day]), day in paused) for day in days
    )
    return WeekFigures(
        monday=monday,
        done=sum(done.values()),
        partly=sum(partly.values()),
        skipped=skipped,
        scheduled=sum(scheduled.values()),
        credit=credit,
        extras=extras,
        pain=_highest(d.pain for d in day_figures),
        fatigue=_highest(d.fatigue for d in day_figures),
        days=day_figures,
        versions=tuple(
            (version.number, version.effective_from)
            for version in plan
            if version.number > 1 and days[0] <= version.effective_from <= days[-1]
        ),
        paused_days=len(paused),
        through=through,
    )


def weeks_figures(
    plan: Sequence[PlannedVersion],
    pauses: Sequence[tuple[date, date | None]],
    logs: Iterable[LogRow],
    mondays: Sequence[date],
    *,
    until: date | None = None,
) -> list[WeekFigures]:
    """:func:`week_figures` for each of ``mondays``, the logs sorted into weeks once."""
    by_week: dict[date, list[LogRow]] = defaultdict(list)
    for log in logs:
        by_week[monday_of(log.day)].append(log)
    return [week_figures(plan, pauses, by_week[monday], monday, until=until) for monday in mondays]


# --- reads ---------------------------------------------------------------------------------


def load_logs(programme_ids: Collection[int], low: date, high: date) -> dict[int, list[LogRow]]:
    """Each programme's logs from ``low`` to ``high`` (inclusive), by day (one statement)."""
    found: dict[int, list[LogRow]] = defaultdict(list)
    if not programme_ids:
        return found
    rows = db.session.execute(
        select(Log.programme_id, Log.task_key, Log.day, Log.slot, Log.status, Log.pain, Log.fatigue)
        .where(Log.programme_id.in_(list(programme_ids)), Log.day >= low, Log.day <= high)
        .order_by(Log.programme_id, Log.day, Log.slot)
    ).all()
    for programme_id, *fields in rows:
        found[programme_id].append(LogRow(*fields))
    return found


def summaries(
    weeks: Mapping[int, tuple[date, date | None]],
) -> dict[int, WeekFigures]:
    """Each programme's figures for its own (monday, today) -- circles in different zones may
    be in different weeks -- in three statements however many programmes."""
    if not weeks:
        return {}
    low = min(monday for monday, _ in weeks.values())
    high = max(monday for monday, _ in weeks.values()) + timedelta(days=6)
    versions = load_versions(weeks.keys())
    pauses = load_pauses(weeks.keys(), low, high)
    logs = load_logs(weeks.keys(), low, high)
    return {
        programme_id: week_figures(
            plan_of(versions.get(programme_id, [])),
            pauses.get(programme_id, []),
            logs.get(programme_id, []),
            monday,
            until=today,
        )
        for programme_id, (monday, today) in weeks.items()
    }


def week_summary(
    programmes: Iterable[Programme], monday: date, *, today: date | None = None
) -> dict[int, WeekFigures]:
    """{programme id: its figures for the week starting ``monday``}, in three statements.

    Pass ``today`` for the week under way: days after it are not due yet."""
    return summaries({programme.id: (monday, today) for programme in programmes})


PAGE_WEEKS = 12


@dataclass(frozen=True)
class ProgressPage:
    """A page of weeks, newest first, and the keyset of the next older page."""

    weeks: list[WeekFigures]
    older: date | None  # pass as ``before`` for the older page; None when there is none
    newest: bool  # the page that starts at this week
    pauses: list[tuple[date, date | None]]


def progress_page(
    programme: Programme, today: date, before: date | None = None, *, size: int = PAGE_WEEKS
) -> ProgressPage:
    """Up to ``size`` weeks ending the week before ``before`` (or this week), newest first,
    never before the programme's first week: three statements."""
    this_monday = monday_of(today)
    newest = before is None or before > this_monday
    top = this_monday if newest else before - timedelta(days=7)
    versions = load_versions([programme.id]).get(programme.id, [])
    plan = plan_of(versions)
    start = first_day(plan)
    bottom = max(top - timedelta(days=7 * (size - 1)), monday_of(start) if start else top)
    if bottom > top:  # the keyset points before the programme began
        return ProgressPage([], None, newest, [])
    high = top + timedelta(days=6)
    pauses = load_pauses([programme.id], bottom, high).get(programme.id, [])
    logs = load_logs([programme.id], bottom, high).get(programme.id, [])
    mondays = [top - timedelta(days=7 * n) for n in range((top - bottom).days // 7 + 1)]
    weeks = weeks_figures(plan, pauses, logs, mondays, until=today)
    older = bottom if start is not None and bottom > monday_of(start) else None
    return ProgressPage(weeks, older, newest, pauses)

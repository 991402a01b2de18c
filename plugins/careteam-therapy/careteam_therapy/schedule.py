"""When a task is due: pure functions over calendar dates in the circle's time zone.

A task is done either on chosen weekdays (``times_per_day`` times each of those days) or a
number of times a week (``per_week``, on whichever days suit; at most ``times_per_day`` a day).
A day is *active* for a task from its start to its end, and not while the programme is paused
for a flare-up, unless the task is one to keep during a flare-up.  Weeks start on Monday.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_mask(weekdays: Iterable[int]) -> int:
    """The bit mask of weekdays (0 = Monday ... 6 = Sunday) stored in ``therapy_tasks``."""
    mask = 0
    for day in weekdays:
        mask |= 1 << day
    return mask


def weekdays_of(mask: int) -> tuple[int, ...]:
    """The weekdays (0 = Monday) of a bit mask, in order."""
    return tuple(day for day in range(7) if mask & (1 << day))


@dataclass(frozen=True)
class TaskSchedule:
    """What the schedule of one task version needs to know."""

    start: date
    end: date | None
    weekdays: int  # bit mask, 0 when per_week is set
    per_week: int | None
    times_per_day: int
    keep_in_flare: bool = False


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]


def is_active(task: TaskSchedule, day: date, paused_days: Collection[date] = ()) -> bool:
    """Whether ``day`` counts for the task: within its dates and not paused for it."""
    if day < task.start or (task.end is not None and day > task.end):
        return False
    return task.keep_in_flare or day not in paused_days


def slots_due(task: TaskSchedule, day: date, paused_days: Collection[date] = ()) -> int:
    """How many times the task is asked for on ``day`` (0 when it is not a day for it).

    A per-week task may be done on any active day, up to ``times_per_day`` times: it is offered
    every active day, and the week's count says how many are expected."""
    if not is_active(task, day, paused_days):
        return 0
    if task.per_week:
        return task.times_per_day
    return task.times_per_day if task.weekdays & (1 << day.weekday()) else 0


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scheduled_in_week(task: TaskSchedule, monday: date, paused_days: Collection[date] = ()) -> int:
    """How many times the task is expected in the week starting ``monday``.

    Chosen weekdays: each active chosen day counts ``times_per_day``.  N a week: N scaled to the
    week's active days, ``round-half-up(N x active days / 7)``, so a task starting on a Thursday
    or a week half paused expects its share and nobody is counted short for the rest."""
    days = week_days(monday)
    if task.per_week:
        active = sum(1 for day in days if is_active(task, day, paused_days))
        return round_half_up(Decimal(task.per_week * active) / 7)
    return sum(slots_due(task, day, paused_days) for day in days)


def paused_days_between(
    pauses: Iterable[tuple[date, date | None]], low: date, high: date
) -> set[date]:
    """The days from ``low`` to ``high`` (inclusive) inside any pause (start, last day or None)."""
    days: set[date] = set()
    for start, end in pauses:
        first = max(start, low)
        last = high if end is None else min(end, high)
        while first <= last:
            days.add(first)
            first += timedelta(days=1)
    return days

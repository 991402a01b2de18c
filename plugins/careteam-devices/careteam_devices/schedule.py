"""When each checklist item is due, from its last completion and its frequency.

Everything is worked out on calendar dates in the circle's time zone: a weekly check done on a
Tuesday evening is due the next Tuesday, whatever daylight-saving change happened in between,
and "daily" means "once each local day", not "24 hours later".  "Before each use" items are
treated as daily: the app cannot know when a device is used, and once a day is what a person
using it every day needs to hear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from .catalog import Frequency

_STEP: dict[str, relativedelta] = {
    Frequency.EACH_USE: relativedelta(days=1),
    Frequency.DAILY: relativedelta(days=1),
    Frequency.WEEKLY: relativedelta(weeks=1),
    Frequency.MONTHLY: relativedelta(months=1),
    Frequency.SIX_MONTHLY: relativedelta(months=6),
}


class State(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Due:
    """When an item is next due, and how that compares with today."""

    due_on: date
    state: State
    last_done_on: date | None
    today: date

    @property
    def days_late(self) -> int:
        """How many days past its due date the item is (0 unless overdue)."""
        return max(0, (self.today - self.due_on) // timedelta(days=1))


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """Return the calendar date of an aware ``instant`` in ``zone``."""
    return instant.astimezone(zone).date()


def next_due(last_done_on: date | None, frequency: str, first_due_on: date) -> date:
    """Return the date an item is next due; one never done is due on ``first_due_on``."""
    if last_done_on is None:
        return first_due_on
    return last_done_on + _STEP[Frequency(frequency)]


def due_state(
    last_done: datetime | None,
    frequency: str,
    now: datetime,
    zone: ZoneInfo,
    since: datetime | None = None,
) -> Due:
    """Return when an item is due and whether that is overdue, today, or later.

    An item never done is due from ``since`` (when it joined the checklist): a device nobody has
    checked becomes overdue the day after, rather than staying "due today" for ever.
    """
    today = local_date(now, zone)
    last_on = local_date(last_done, zone) if last_done is not None else None
    first_due_on = min(local_date(since, zone), today) if since is not None else today
    due_on = next_due(last_on, frequency, first_due_on)
    if due_on < today:
        state = State.OVERDUE
    elif due_on == today:
        state = State.DUE_TODAY
    else:
        state = State.UPCOMING
    return Due(due_on, state, last_on, today)

"""The rules a task's dose and schedule must meet, in one place.

Programmes, templates and anything else that stores a task check it here, so a template can never
hold a dose a programme would refuse.  The functions are pure: they take plain values (what a
form parsed) and return messages keyed by field name, for the form to show beside each field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

KINDS = ("exercise", "activity", "strategy")

# field -> (lowest, highest, unit for the message)
DOSE_LIMITS: dict[str, tuple[int, int, str]] = {
    "sets": (1, 20, "sets"),
    "reps": (1, 100, "repetitions"),
    "hold_seconds": (1, 300, "seconds"),
    "minutes": (1, 180, "minutes"),
}
PER_WEEK = (1, 14)
TIMES_PER_DAY = (1, 4)
THRESHOLD = (0, 10)
THRESHOLDS = ("pain_threshold", "fatigue_threshold")
ALL_WEEKDAYS = 0b1111111

_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def parse_times(text: str) -> list[str] | None:
    """The "HH:MM" times in ``text`` (separated by spaces or commas), or None if one is not."""
    parts = [p for p in re.split(r"[\s,]+", text or "") if p]
    if not all(_TIME.fullmatch(p) for p in parts):
        return None
    return parts


def _whole(value: Any) -> bool:
    # bool is an int in Python; a tick box is no dose.
    return isinstance(value, int) and not isinstance(value, bool)


def _in_range(value: Any, low: int, high: int) -> bool:
    return _whole(value) and low <= value <= high


def check_task(fields: Mapping[str, Any], *, with_dates: bool = True) -> dict[str, str]:
    """Return {field: message} for every rule ``fields`` breaks (empty when the task is fine).

    ``fields`` holds: kind, sets, reps, hold_seconds, minutes (int or None), weekdays (a bit
    mask, Monday = 1), per_week (int or None), times_per_day (int), times_of_day ("HH:MM ..."),
    start_date and end_date (dates, end may be None), pain_threshold, fatigue_threshold.
    Missing keys count as empty.  A template has no dates: ``with_dates=False`` skips them.
    """
    errors: dict[str, str] = {}
    kind = fields.get("kind")
    if kind not in KINDS:
        errors["kind"] = "Choose exercise, activity or daily-living strategy."

    for name, (low, high, unit) in DOSE_LIMITS.items():
        value = fields.get(name)
        if value is not None and not _in_range(value, low, high):
            errors[name] = f"Enter a whole number of {unit} from {low} to {high}."
    if kind == "exercise" and all(fields.get(name) is None for name in DOSE_LIMITS):
        # Said at the first dose field, where the eye starts.
        errors.setdefault("sets", "An exercise needs a dose: sets, repetitions, a hold or minutes.")

    weekdays = fields.get("weekdays") or 0
    per_week = fields.get("per_week")
    if not _whole(weekdays) or not 0 <= weekdays <= ALL_WEEKDAYS:
        errors["weekdays"] = "Choose days of the week from the list."
    elif weekdays and per_week is not None:
        errors["per_week"] = "Choose days of the week or a number of times a week, not both."
    elif not weekdays and per_week is None:
        errors["weekdays"] = "Choose the days of the week, or say how many times a week."
    elif per_week is not None and not _in_range(per_week, *PER_WEEK):
        errors["per_week"] = f"Enter a number of times a week from {PER_WEEK[0]} to {PER_WEEK[1]}."

    times_per_day = fields.get("times_per_day")
    if not _in_range(times_per_day, *TIMES_PER_DAY):
        errors["times_per_day"] = (
            f"Enter how many times a day, from {TIMES_PER_DAY[0]} to {TIMES_PER_DAY[1]}."
        )
    times = parse_times(fields.get("times_of_day") or "")
    if times is None:
        errors["times_of_day"] = "Write times as 24-hour HH:MM, for example 09:00 18:30."
    elif len(set(times)) != len(times):
        errors["times_of_day"] = "Give each time of day once."
    elif "times_per_day" not in errors and len(times) > times_per_day:
        errors["times_of_day"] = f"Give at most {times_per_day} time(s) of day, one per time a day."

    start, end = fields.get("start_date"), fields.get("end_date")
    if not with_dates:
        pass
    elif not isinstance(start, date):
        errors["start_date"] = "Enter the day the task starts."
    elif end is not None and (not isinstance(end, date) or end < start):
        errors["end_date"] = "The end date cannot be before the start date."

    for name in THRESHOLDS:
        if not _in_range(fields.get(name), *THRESHOLD):
            errors[name] = f"Enter a whole number from {THRESHOLD[0]} to {THRESHOLD[1]}."
    return errors

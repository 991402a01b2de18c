"""A task as the therapist writes it, where it can come from, and what changed between versions.

A task's fields travel between four places: a library entry, a therapist's template, a row of a
programme version, and the editor's form.  :class:`TaskInput` is the one shape they all pass
through, so copying never forgets a field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from .dose import check_task
from .library import LIBRARY, library_entry
from .models import Task, TaskTemplate
from .schedule import weekday_mask

LIBRARY_SOURCE = "library:"
TEMPLATE_SOURCE = "template:"
# A task the therapist writes from nothing, of one kind ("blank:exercise").
BLANK_SOURCE = "blank:"

# The fields a template keeps: everything about the task but its dates and circle.
TEMPLATE_FIELDS = (
    "kind",
    "title",
    "instructions",
    "drawing",
    "sets",
    "reps",
    "hold_seconds",
    "minutes",
    "weekdays",
    "per_week",
    "times_per_day",
    "times_of_day",
    "precautions",
    "keep_in_flare",
    "pain_threshold",
    "fatigue_threshold",
)
TASK_FIELDS = (*TEMPLATE_FIELDS, "source", "start_date", "end_date")

# What the history page calls each field when it changed.
FIELD_LABELS = {
    "kind": "kind",
    "title": "title",
    "instructions": "instructions",
    "drawing": "drawing",
    "sets": "sets",
    "reps": "repetitions",
    "hold_seconds": "hold",
    "minutes": "minutes",
    "weekdays": "days",
    "per_week": "times a week",
    "times_per_day": "times a day",
    "times_of_day": "times of day",
    "precautions": "precautions",
    "keep_in_flare": "keep during a flare-up",
    "pain_threshold": "pain threshold",
    "fatigue_threshold": "fatigue threshold",
    "start_date": "start",
    "end_date": "end",
}


@dataclass(frozen=True)
class TaskInput:
    """One task of a programme being written; ``key`` is None for a task new to it."""

    kind: str
    title: str
    start_date: date | None
    key: str | None = None
    instructions: str = ""
    drawing: str = ""
    source: str = ""
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    weekdays: int = 0
    per_week: int | None = None
    times_per_day: int = 1
    times_of_day: str = ""
    end_date: date | None = None
    precautions: str = ""
    keep_in_flare: bool = False
    pain_threshold: int = 7
    fatigue_threshold: int = 7

    def errors(self) -> dict[str, str]:
        """The dose and schedule rules this task breaks, by field (see :mod:`.dose`)."""
        found = check_task(asdict(self))
        if not self.title.strip():
            found["title"] = "Give the task a title."
        return found

    def fields(self) -> dict[str, Any]:
        """The columns of a task row (without key, version, programme or circle)."""
        return {name: getattr(self, name) for name in TASK_FIELDS}


def from_library(slug: str, start: date) -> TaskInput | None:
    """A new task copied from the shipped library entry ``slug`` (None if there is none)."""
    entry = library_entry(slug)
    if entry is None:
        return None
    return TaskInput(
        kind=entry.kind,
        title=entry.title,
        start_date=start,
        instructions=entry.instructions,
        drawing=entry.drawing,
        source=f"{LIBRARY_SOURCE}{entry.slug}",
        sets=entry.sets,
        reps=entry.reps,
        hold_seconds=entry.hold_seconds,
        minutes=entry.minutes,
        weekdays=weekday_mask(entry.weekdays or ()),
        per_week=entry.per_week,
        times_per_day=entry.times_per_day,
        precautions=entry.precautions,
        keep_in_flare=entry.keep_in_flare,
    )


def from_template(template: TaskTemplate, start: date) -> TaskInput:
    """A new task copied from one of the therapist's templates."""
    values = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    return TaskInput(**values, start_date=start, source=f"{TEMPLATE_SOURCE}{template.public_id}")


def from_task(task: Task) -> TaskInput:
    """An existing task row as the editor starts from it (its key kept)."""
    return TaskInput(key=task.key, **{name: getattr(task, name) for name in TASK_FIELDS})


def blank(kind: str, start: date) -> TaskInput:
    """A task the therapist writes from nothing."""
    return TaskInput(kind=kind, title="", start_date=start, source="")


def restarted(task: TaskInput, start: date) -> TaskInput:
    """The task starting on ``start`` in another circle: the same length, a new key."""
    end = task.end_date
    if end is not None and task.start_date is not None:
        end = start + (end - task.start_date)
    return replace(task, key=None, start_date=start, end_date=end)


def library_by_kind() -> dict[str, list[Any]]:
    """The shipped entries grouped by kind, in the library's order."""
    grouped: dict[str, list[Any]] = {}
    for entry in LIBRARY:
        grouped.setdefault(entry.kind, []).append(entry)
    return grouped


# --- what changed between two versions -----------------------------------------------------


@dataclass(frozen=True)
class TaskChange:
    """How one task (by key) differs from the version before."""

    title: str
    state: str  # "added", "removed", "changed", "unchanged"
    fields: tuple[str, ...] = ()  # labels of the fields that changed
    moved: bool = False


def compare(before: Sequence[Task], after: Sequence[Task]) -> list[TaskChange]:
    """Each task of ``after`` against ``before`` by key, then the tasks ``after`` dropped."""
    old = {t.key: t for t in before}
    old_order = [t.key for t in before if t.key in {a.key for a in after}]
    new_order = [t.key for t in after if t.key in old]
    changes = []
    for task in after:
        previous = old.get(task.key)
        if previous is None:
            changes.append(TaskChange(task.title, "added"))
            continue
        changed = tuple(
            FIELD_LABELS[name]
            for name in FIELD_LABELS
            if getattr(previous, name) != getattr(task, name)
        )
        # Moved: its place among the tasks both versions have is not the same.
        moved = old_order.index(task.key) != new_order.index(task.key)
        changes.append(
            TaskChange(task.title, "changed" if changed else "unchanged", changed, moved)
        )
    kept = {t.key for t in after}
    changes += [TaskChange(t.title, "removed") for t in before if t.key not in kept]
    return changes


def keys_of(tasks: Iterable[Task]) -> set[str]:
    return {t.key for t in tasks}

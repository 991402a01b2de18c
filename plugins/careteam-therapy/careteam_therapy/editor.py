"""Between the programme forms and :class:`.tasks.TaskInput`: choosers, rows, errors.

The editor works without JavaScript: adding tasks, removing and moving them are buttons that
send the whole form back and get it again rearranged, with everything typed kept; only "Save"
makes a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from careteam.api import choices

from .forms import EditForm, TaskFields
from .library import KIND_LABELS, drawing_alt
from .models import TaskTemplate
from .schedule import weekday_mask, weekdays_of
from .tasks import (
    BLANK_SOURCE,
    LIBRARY_SOURCE,
    TEMPLATE_FIELDS,
    TEMPLATE_SOURCE,
    TaskInput,
    blank,
    from_library,
    from_template,
    library_by_kind,
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class ChoiceGroup:
    """Tick boxes of one kind of task in the "choose tasks" list."""

    title: str
    options: list[Choice]


def chooser(templates: Sequence[TaskTemplate]) -> list[ChoiceGroup]:
    """The tasks a programme can start from: the library by kind, the therapist's templates,
    and a blank task of each kind."""
    groups = [
        ChoiceGroup(
            KIND_LABELS.get(kind, kind),
            [Choice(f"{LIBRARY_SOURCE}{e.slug}", e.title, _dose_hint(e)) for e in entries],
        )
        for kind, entries in library_by_kind().items()
    ]
    if templates:
        groups.append(
            ChoiceGroup(
                "Your templates",
                [
                    Choice(f"{TEMPLATE_SOURCE}{t.public_id}", t.title, _dose_hint(t))
                    for t in templates
                ],
            )
        )
    groups.append(
        ChoiceGroup(
            "Write your own",
            [
                Choice(f"{BLANK_SOURCE}{kind}", f"A new {label.lower()}")
                for kind, label in KIND_LABELS.items()
            ],
        )
    )
    return groups


def chooser_values(groups: Sequence[ChoiceGroup]) -> list[Any]:
    return choices([(o.value, o.label) for g in groups for o in g.options])


def _dose_hint(task: Any) -> str:
    parts = []
    if task.sets:
        parts.append(f"{task.sets} sets")
    if task.reps:
        parts.append(f"{task.reps} reps")
    if task.hold_seconds:
        parts.append(f"hold {task.hold_seconds} s")
    if task.minutes:
        parts.append(f"{task.minutes} min")
    return ", ".join(parts)


def resolve(
    values: Sequence[str], templates: Sequence[TaskTemplate], start: date
) -> list[TaskInput]:
    """New tasks from the chosen sources, in the order of the list (unknown ones skipped: the
    form's choices already refused them)."""
    owned = {t.public_id: t for t in templates}
    found = []
    for value in values:
        task = None
        if value.startswith(LIBRARY_SOURCE):
            task = from_library(value.removeprefix(LIBRARY_SOURCE), start)
        elif value.startswith(TEMPLATE_SOURCE) and value.removeprefix(TEMPLATE_SOURCE) in owned:
            task = from_template(owned[value.removeprefix(TEMPLATE_SOURCE)], start)
        elif value.startswith(BLANK_SOURCE) and value.removeprefix(BLANK_SOURCE) in KIND_LABELS:
            task = blank(value.removeprefix(BLANK_SOURCE), start)
        if task is not None:
            found.append(task)
    return found


def row_data(task: TaskInput) -> dict[str, Any]:
    """A task as the editor's row shows it."""
    data = {name: getattr(task, name) for name in (*TEMPLATE_FIELDS, "source")}
    data.update(
        key=task.key or "",
        weekdays=[str(day) for day in weekdays_of(task.weekdays or 0)],
        start_date=task.start_date,
        end_date=task.end_date,
    )
    return data


def fields_input(sub: TaskFields, **extra: Any) -> TaskInput:
    """A task from a validated row (or template form)."""
    drawing = sub.drawing.data or ""
    return TaskInput(
        kind=sub.kind.data,
        title=sub.title.data or "",
        instructions=sub.instructions.data or "",
        # Only a drawing the library ships: the form's hidden value is not trusted further.
        drawing=drawing if drawing_alt(drawing) else "",
        sets=sub.sets.data,
        reps=sub.reps.data,
        hold_seconds=sub.hold_seconds.data,
        minutes=sub.minutes.data,
        weekdays=weekday_mask(int(day) for day in sub.weekdays.data or []),
        per_week=sub.per_week.data,
        times_per_day=sub.times_per_day.data,
        times_of_day=sub.times_of_day.data or "",
        precautions=sub.precautions.data or "",
        keep_in_flare=bool(sub.keep_in_flare.data),
        pain_threshold=sub.pain_threshold.data,
        fatigue_threshold=sub.fatigue_threshold.data,
        **extra,
    )


def rows_of(form: EditForm) -> list[tuple[int, TaskInput]]:
    """(entry index, task) for each row not marked for removal."""
    rows = []
    for index, entry in enumerate(form.tasks.entries):
        sub = entry.form
        if sub.remove.data:
            continue
        rows.append(
            (
                index,
                fields_input(
                    sub,
                    key=sub.key.data or None,
                    source=sub.source.data or "",
                    start_date=sub.start_date.data,
                    end_date=sub.end_date.data,
                ),
            )
        )
    return rows


def show_errors(sub: Any, errors: dict[str, str]) -> None:
    """Put each rule's message on its field of a row (or template form)."""
    for name, message in errors.items():
        field = getattr(sub, name, None) or sub.title
        if message not in field.errors:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


def rearranged(form: EditForm, action: str) -> list[dict[str, Any]] | None:
    """The rows as the editor should show them after "up-N", "down-N" (None: not a move)."""
    verb, _, number = action.partition("-")
    if verb not in ("up", "down") or not number.isdigit():
        return None
    rows = [entry.data for entry in form.tasks.entries]
    index = int(number)
    other = index - 1 if verb == "up" else index + 1
    if 0 <= index < len(rows) and 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return rows


def with_rows(form: EditForm, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the editor's rows (the rest of the form stays as typed)."""
    while form.tasks.entries:
        form.tasks.pop_entry()
    for data in rows:
        form.tasks.append_entry(data)

"""The therapy blueprint and the circle's programme list."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, render_template, url_for

from careteam.api import CircleBlueprint, member_can, render_markdown

from . import models  # noqa: F401 - the tables join the metadata with the blueprint
from .library import KIND_LABELS, drawing_alt
from .programmes import get_programme, programme_list
from .schedule import WEEKDAY_NAMES, weekdays_of

# What a public id can look like: anything else is no row's id and must not reach the database
# (PostgreSQL refuses NUL in text with an error).
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

bp = CircleBlueprint("therapy", __name__, url_prefix="/therapy", template_folder="templates")


def drawing_url(filename: str) -> str:
    """The URL of a shipped drawing (the plugin's static files, served by core)."""
    return url_for("plugin_static", plugin="therapy", filename=f"drawings/{filename}")


def schedule_words(task: Any) -> str:
    """A task's schedule as a sentence: "Monday, Wednesday and Friday, twice a day at 09:00"."""
    days = [WEEKDAY_NAMES[d] for d in weekdays_of(task.weekdays or 0)]
    if task.per_week:
        when = f"{task.per_week} time{'s' if task.per_week != 1 else ''} a week"
    elif len(days) == 7:
        when = "Every day"
    elif days:
        when = days[0] if len(days) == 1 else f"{', '.join(days[:-1])} and {days[-1]}"
    else:
        when = "No days chosen"
    per_day = {1: "once", 2: "twice"}.get(task.times_per_day, f"{task.times_per_day} times")
    words = f"{when}, {per_day} a day"
    if task.times_of_day:
        words += f" at {task.times_of_day.replace(' ', ', ')}"
    return words


def dose_words(task: Any) -> str:
    """A task's dose as a phrase: "2 sets of 10, hold 5 seconds" ("" when it has none)."""
    parts = []
    if task.sets and task.reps:
        parts.append(f"{task.sets} set{'s' if task.sets != 1 else ''} of {task.reps}")
    elif task.sets:
        parts.append(f"{task.sets} set{'s' if task.sets != 1 else ''}")
    elif task.reps:
        parts.append(f"{task.reps} repetition{'s' if task.reps != 1 else ''}")
    if task.hold_seconds:
        parts.append(f"hold {task.hold_seconds} second{'s' if task.hold_seconds != 1 else ''}")
    if task.minutes:
        parts.append(f"{task.minutes} minute{'s' if task.minutes != 1 else ''}")
    return ", ".join(parts)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "drawing_url": drawing_url,
        "drawing_alt": drawing_alt,
        "kind_labels": KIND_LABELS,
        "schedule_words": schedule_words,
        "dose_words": dose_words,
        "markdown": render_markdown,
    }


def programme_or_404(circle: Any, programme_id: str) -> Any:
    programme = get_programme(circle, programme_id) if PUBLIC_ID.fullmatch(programme_id) else None
    if programme is None:
        abort(404)
    return programme


@bp.circle_route("", capability="therapy.view")
def index(circle: Any, membership: Any):
    """The circle's programmes: active ones with their therapist, version and tasks; then the
    archived ones."""
    rows = programme_list(circle)
    return render_template(
        "therapy/index.html",
        circle=circle,
        active=[r for r in rows if r.programme.archived_at is None],
        archived=[r for r in rows if r.programme.archived_at is not None],
        can_prescribe=member_can(membership, "therapy.prescribe") and not circle.archived,
    )

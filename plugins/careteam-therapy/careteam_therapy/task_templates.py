"""A therapist's own templates: tasks kept on their account for any circle they prescribe in.

A template holds the task's fields and nothing of the circle it came from (no dates, no logs,
no programme): it belongs to the therapist, so it goes with them to every circle they serve.
Who may keep templates is decided by :func:`prescribing_circles`: someone who prescribes
nowhere has none to see.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, func, select

from careteam.api import Circle, Membership, db, memberships_of, record_audit, utcnow

from .dose import check_task
from .models import Task, TaskTemplate
from .programmes import ProgrammeError
from .tasks import TEMPLATE_FIELDS, TaskInput

MAX_TEMPLATES = 200


def prescribing_circles(user_id: int) -> list[tuple[Circle, Membership]]:
    """The person's (circle, membership) pairs where the therapy plugin is on and they hold
    therapy.prescribe, by circle name; archived circles left out (one statement)."""
    return memberships_of(user_id, capability="therapy.prescribe", plugin="therapy")


def templates_of(user_id: int) -> list[TaskTemplate]:
    """The person's templates, by title."""
    return list(
        db.session.scalars(
            select(TaskTemplate)
            .where(TaskTemplate.owner_id == user_id)
            .order_by(func.lower(TaskTemplate.title), TaskTemplate.id)
        )
    )


def get_template(user_id: int, public_id: str) -> TaskTemplate | None:
    """The person's own template with this public id (None for anyone else's)."""
    return db.session.scalar(
        select(TaskTemplate).where(
            TaskTemplate.owner_id == user_id, TaskTemplate.public_id == public_id
        )
    )


def template_input(template: TaskTemplate) -> TaskInput:
    """A template's fields in the editor's shape (no dates: a template has none)."""
    return TaskInput(start_date=None, **{name: getattr(template, name) for name in TEMPLATE_FIELDS})


def check_template(task: TaskInput) -> dict[str, str]:
    """The rules a template breaks: a task's, less the dates it does not have."""
    found = check_task(asdict(task), with_dates=False)
    if not task.title.strip():
        found["title"] = "Give the task a title."
    return found


def save_as_template(circle: Circle, task: Task, membership: Any) -> TaskTemplate:
    """Keep a copy of ``task`` on the therapist's account (no circle data comes with it)."""
    count = db.session.scalar(
        select(func.count(TaskTemplate.id)).where(TaskTemplate.owner_id == membership.user_id)
    )
    if count >= MAX_TEMPLATES:
        raise ProgrammeError(f"You can keep at most {MAX_TEMPLATES} templates: delete some first.")
    template = TaskTemplate(
        owner_id=membership.user_id, **{name: getattr(task, name) for name in TEMPLATE_FIELDS}
    )
    db.session.add(template)
    db.session.flush()
    # The circle's log says a task of its programme was kept as a template, not what it says.
    record_audit(
        "therapy.template_saved",
        circle,
        object_type="therapy_task",
        object_id=task.public_id,
        actor_id=membership.user_id,
    )
    return template


def update_template(template: TaskTemplate, task: TaskInput) -> None:
    """Change a template (programmes copied from it keep their own copy)."""
    found = check_template(task)
    if found:
        field, message = next(iter(found.items()))
        raise ProgrammeError(message, field)
    for name in TEMPLATE_FIELDS:
        setattr(template, name, getattr(task, name))
    template.updated_at = utcnow()


def delete_template(template: TaskTemplate) -> None:
    """Delete a template; tasks copied from it are the programme's own and stay."""
    db.session.execute(delete(TaskTemplate).where(TaskTemplate.id == template.id))

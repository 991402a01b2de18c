"""Programmes and their versions: create, change (a new version), copy, archive; and the reads.

A saved change never edits a version: it makes version n+1 with a full copy of every task, so
the logs of version n keep the dose they were asked for.  A task keeps its ``key`` from version
to version; a removed task is simply absent from the new version.  The caller commits; the audit
row goes in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update

from careteam.api import (
    Circle,
    Refusal,
    circle_zone,
    db,
    display_name_of,
    new_public_id,
    record_audit,
    require,
    utcnow,
)

from .models import Programme, Task, Version
from .tasks import TaskInput, from_task, restarted
from .versions import version_with_tasks

MAX_TASKS = 30


class ProgrammeError(Refusal):
    """A change that cannot be made, with the form field it concerns (if any)."""


class TaskErrors(ProgrammeError):
    """Tasks that break the dose or schedule rules: {row index: {field: message}}."""

    def __init__(self, errors: dict[int, dict[str, str]]) -> None:
        super().__init__("Please correct the highlighted fields below.")
        self.errors = errors


class StaleVersion(ProgrammeError):
    """The form was made from a version that is no longer the newest."""

    def __init__(self, current: int) -> None:
        super().__init__(
            f"Someone saved version {current} while you were editing. Your changes are below, "
            "beside what version "
            f"{current} says: save again to make your changes the next version."
        )
        self.current = current


def today_in(circle: Circle, now: datetime | None = None) -> date:
    """Today's date in the circle's time zone."""
    return (now or utcnow()).astimezone(circle_zone(circle)).date()


# --- reading ---------------------------------------------------------------------------------


def get_programme(circle: Circle, public_id: str) -> Programme | None:
    """The programme with this public id in this circle only (None elsewhere)."""
    return db.session.scalar(
        select(Programme).where(Programme.circle_id == circle.id, Programme.public_id == public_id)
    )


def active_programmes(circle: Circle) -> list[Programme]:
    """The circle's programmes that are not archived, oldest first."""
    return list(
        db.session.scalars(
            select(Programme)
            .where(Programme.circle_id == circle.id, Programme.archived_at.is_(None))
            .order_by(Programme.id)
        )
    )


@dataclass(frozen=True)
class ProgrammeRow:
    """A line of the circle's programme list."""

    programme: Programme
    therapist: str | None
    tasks: int
    effective_from: date | None


def programme_list(circle: Circle) -> list[ProgrammeRow]:
    """Every programme of the circle (active first) with its therapist and current version's
    task count, in one statement."""
    current = (
        select(Version.id)
        .where(Version.programme_id == Programme.id, Version.number == Programme.current_version)
        .correlate(Programme)
        .scalar_subquery()
    )
    tasks = select(func.count(Task.id)).where(Task.version_id == current).scalar_subquery()
    since = select(Version.effective_from).where(Version.id == current).scalar_subquery()
    rows = db.session.execute(
        select(Programme, display_name_of(Programme.therapist_id), tasks, since)
        .where(Programme.circle_id == circle.id)
        .order_by(Programme.archived_at.is_not(None), func.lower(Programme.title), Programme.id)
    ).all()
    return [ProgrammeRow(p, name, count or 0, start) for p, name, count, start in rows]


# --- writing ---------------------------------------------------------------------------------


def _check(tasks: Sequence[TaskInput]) -> None:
    if not tasks:
        raise ProgrammeError("A programme needs at least one task.", "tasks")
    if len(tasks) > MAX_TASKS:
        raise ProgrammeError(f"A programme can have at most {MAX_TASKS} tasks.", "tasks")
    errors = {n: found for n, task in enumerate(tasks) if (found := task.errors())}
    if errors:
        raise TaskErrors(errors)
    keys = [t.key for t in tasks if t.key]
    if len(keys) != len(set(keys)):
        raise ProgrammeError("The same task is in the list twice.", "tasks")


def _add_version(
    programme: Programme,
    number: int,
    tasks: Sequence[TaskInput],
    effective_from: date,
    actor_id: int,
    change_note: str,
) -> Version:
    version = Version(
        programme_id=programme.id,
        number=number,
        effective_from=effective_from,
        created_by_id=actor_id,
        change_note=change_note,
    )
    db.session.add(version)
    db.session.flush()
    db.session.add_all(
        Task(
            key=task.key or new_public_id(),
            version_id=version.id,
            programme_id=programme.id,
            circle_id=programme.circle_id,
            position=position,
            **task.fields(),
        )
        for position, task in enumerate(tasks)
    )
    db.session.flush()
    return version


def create_programme(
    circle: Circle,
    membership: Any,
    title: str,
    tasks: Sequence[TaskInput],
    effective_from: date,
    change_note: str = "",
) -> Programme:
    """Prescribe a new programme (version 1) as ``membership``, who becomes its therapist."""
    require(membership, "therapy.prescribe")
    if not title.strip():
        raise ProgrammeError("Give the programme a title.", "title")
    _check(tasks)
    programme = Programme(
        circle_id=circle.id,
        title=title,
        therapist_id=membership.user_id,
        current_version=1,
    )
    db.session.add(programme)
    db.session.flush()
    _add_version(programme, 1, tasks, effective_from, membership.user_id, change_note)
    record_audit(
        "therapy.programme_created",
        circle,
        object_type="therapy_programme",
        object_id=programme.public_id,
        actor_id=membership.user_id,
        details={"tasks": len(tasks)},
    )
    return programme


def save_version(
    circle: Circle,
    programme: Programme,
    membership: Any,
    *,
    from_version: int,
    title: str,
    tasks: Sequence[TaskInput],
    change_note: str,
    effective_from: date,
) -> Version:
    """Save the whole programme as the next version; refuse a form made from an older one.

    Raises :class:`StaleVersion` when ``from_version`` is no longer the newest, and
    :class:`ProgrammeError` for an archived programme, an empty title, bad tasks, or an
    effective date before the newest version's."""
    require(membership, "therapy.prescribe")
    if programme.archived_at is not None:
        raise ProgrammeError("This programme is archived: bring it back before changing it.")
    if programme.current_version != from_version:
        raise StaleVersion(programme.current_version)
    if not title.strip():
        raise ProgrammeError("Give the programme a title.", "title")
    _check(tasks)
    previous = db.session.scalar(
        select(Version.effective_from).where(
            Version.programme_id == programme.id, Version.number == from_version
        )
    )
    if previous is not None and effective_from < previous:
        raise ProgrammeError(
            f"Version {from_version} is in force from {previous:%-d %B %Y}: the new version "
            "cannot start before it.",
            "effective_from",
        )
    # The number moves only if nobody moved it first: two saves made from the same version
    # cannot both become the next one, on either database.
    moved = db.session.execute(
        update(Programme)
        .where(Programme.id == programme.id, Programme.current_version == from_version)
        .values(current_version=from_version + 1, title=title)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.refresh(programme)
        raise StaleVersion(programme.current_version)
    db.session.refresh(programme)
    version = _add_version(
        programme, from_version + 1, tasks, effective_from, membership.user_id, change_note
    )
    record_audit(
        "therapy.version_saved",
        circle,
        object_type="therapy_programme",
        object_id=programme.public_id,
        actor_id=membership.user_id,
        details={"version": version.number, "tasks": len(tasks)},
    )
    return version


def copy_programme(
    programme: Programme,
    source_circle: Circle,
    target_circle: Circle,
    target_membership: Any,
    effective_from: date,
) -> Programme:
    """Copy the programme's current version into another circle as a new programme (version 1
    there, prescribed by ``target_membership``); no logs or pauses come with it."""
    require(target_membership, "therapy.prescribe")
    if target_circle.archived:
        raise ProgrammeError("That circle is archived.", "target")
    current = version_with_tasks(programme, programme.current_version)
    tasks = [restarted(from_task(task), effective_from) for task in current.tasks]
    copy = create_programme(
        target_circle,
        target_membership,
        programme.title,
        tasks,
        effective_from,
        change_note="Copied from another circle.",
    )
    record_audit(
        "therapy.programme_copied",
        source_circle,
        object_type="therapy_programme",
        object_id=programme.public_id,
        actor_id=target_membership.user_id,
    )
    return copy


def set_archived(circle: Circle, programme: Programme, membership: Any, archived: bool) -> None:
    """Archive a programme (off the lists, the Today page and the calendar; kept whole) or
    bring it back."""
    require(membership, "therapy.archive")
    if (programme.archived_at is not None) == archived:
        return  # a second press of the same button
    programme.archived_at = utcnow() if archived else None
    programme.archived_by_id = membership.user_id if archived else None
    record_audit(
        "therapy.programme_archived" if archived else "therapy.programme_restored",
        circle,
        object_type="therapy_programme",
        object_id=programme.public_id,
        actor_id=membership.user_id,
    )
